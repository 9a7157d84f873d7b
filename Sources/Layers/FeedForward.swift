import Tensors

/// The non-linearity between the two linear maps of a feed-forward block.
public enum Activation: String, Sendable, CaseIterable {
    /// max(0, x), as in the paper.
    case relu
    /// GELU, exact: x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (the GELU paper, PyTorch's `nn.GELU()`).
    case gelu
    /// GELU in the tanh approximation (GPT-2, llm.c): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    case geluTanh = "gelu_tanh"
}

/// The position-wise feed-forward block of the paper (section 3.3), applied to every row alike:
///
///     hidden    = inp W1^T + b1          (rows, dFF)
///     activated = act(hidden)            (rows, dFF)      act = ReLU in the paper
///     out       = activated W2^T + b2    (rows, C)
///
/// Parameters (checkpoint keys): `NAME.input.weight` (dFF, C), `NAME.input.bias` (dFF),
/// `NAME.output.weight` (C, dFF), `NAME.output.bias` (C); the biases only with `bias`.
/// Shapes: inp and out are (rows, modelSize); rows is B*T for a sequence batch.
public struct FeedForward: Sendable {
    /// C
    public let modelSize: Int
    /// dFF
    public let hiddenSize: Int
    public let activation: Activation
    /// C -> dFF
    public let input: Linear
    /// dFF -> C
    public let output: Linear

    /// The forward's hidden values, kept for the backward, and the backward's scratch; allocated once
    /// with room for `maxRows` rows.
    public final class Activations: Sendable {
        public let maxRows: Int
        /// (maxRows, dFF): inp W1^T + b1, before the activation, kept for GELU's backward. ReLU does not
        /// need it (its derivative is [activated > 0]): its forward writes `activated` in place, and this
        /// buffer stays untouched (zero pages, not resident).
        public let hidden: Tensor
        /// (maxRows, dFF): act(hidden), the input of the second linear map.
        public let activated: Tensor
        /// (maxRows, dFF): backward scratch, d loss / d activated.
        public let activatedGradient: Tensor
        /// (maxRows, dFF): backward scratch, d loss / d hidden with GELU (ReLU writes it in place over
        /// activatedGradient, and this buffer stays untouched: zero pages, not resident).
        public let hiddenGradient: Tensor

        public init(maxRows: Int, hiddenSize: Int) {
            precondition(maxRows >= 0, "FeedForward.Activations: maxRows must be non-negative, got \(maxRows)")
            self.maxRows = maxRows
            hidden = Tensor(shape: [maxRows, hiddenSize])
            activated = Tensor(shape: [maxRows, hiddenSize])
            activatedGradient = Tensor(shape: [maxRows, hiddenSize])
            hiddenGradient = Tensor(shape: [maxRows, hiddenSize])
        }
    }

    /// Declares `NAME.input.*` (modelSize -> hiddenSize) and `NAME.output.*` (hiddenSize -> modelSize).
    public init(_ name: String, modelSize: Int, hiddenSize: Int, activation: Activation = .relu, bias: Bool = true,
                layout: inout ParameterLayout) {
        precondition(modelSize > 0 && hiddenSize > 0, "FeedForward \(name): sizes must be positive")
        self.modelSize = modelSize
        self.hiddenSize = hiddenSize
        self.activation = activation
        input = Linear("\(name).input", inputSize: modelSize, outputSize: hiddenSize, bias: bias, layout: &layout)
        output = Linear("\(name).output", inputSize: hiddenSize, outputSize: modelSize, bias: bias, layout: &layout)
    }

    /// Xavier uniform weights and zero biases in both linear maps (the tensor2tensor / annotated
    /// Transformer convention).
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        input.initializeXavier(parameters, rng: &rng)
        output.initializeXavier(parameters, rng: &rng)
    }

    /// Room for up to `maxRows` rows.
    public func makeActivations(maxRows: Int) -> Activations { Activations(maxRows: maxRows, hiddenSize: hiddenSize) }

    /// out = act(inp W1^T + b1) W2^T + b2; keeps activated (and, for GELU, hidden) in `activations`.
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int,
                        activations: Activations, parameters: ParameterSet) {
        // inp is (rows, C), hidden and activated are (rows, dFF), out is (rows, C)
        precondition(rows <= activations.maxRows, "FeedForward: \(rows) rows but activations for \(activations.maxRows)")
        let count = rows * hiddenSize
        switch activation {
        case .relu:
            // in place: one (rows, dFF) buffer written and read fewer per layer and step
            input.forward(out: activations.activated.data, inp: inp, rows: rows, parameters: parameters)
            reluForward(out: activations.activated.data, inp: activations.activated.data, count: count)
        case .gelu:
            input.forward(out: activations.hidden.data, inp: inp, rows: rows, parameters: parameters)
            geluForward(out: activations.activated.data, inp: activations.hidden.data, count: count)
        case .geluTanh:
            input.forward(out: activations.hidden.data, inp: inp, rows: rows, parameters: parameters)
            geluTanhForward(out: activations.activated.data, inp: activations.hidden.data, count: count)
        }
        output.forward(out: out, inp: activations.activated.data, rows: rows, parameters: parameters)
    }

    /// Accumulates the gradients of both linear maps into the parameter gradients and d inp into `dinp`.
    ///
    /// `inp` and `activations` must be those of the matching forward. Overwrites the scratch buffers.
    public func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                         rows: Int, activations: Activations, parameters: ParameterSet) {
        // dout is (rows, C), inp is (rows, C), dinp is (rows, C); the scratch buffers are (rows, dFF)
        precondition(rows <= activations.maxRows, "FeedForward: \(rows) rows but activations for \(activations.maxRows)")
        let count = rows * hiddenSize
        let dActivated = activations.activatedGradient.data, dHidden = activations.hiddenGradient.data
        // out = activated W2^T + b2 (dActivated has no other contribution: written, not accumulated)
        output.backward(dinp: dActivated, dout: dout, inp: activations.activated.data, rows: rows, parameters: parameters,
                        accumulate: false)
        // activated = act(hidden) (ReLU's gradient is written in place over dActivated: dHidden's buffer
        // is not even touched). ReLU's derivative [hidden > 0] is [activated > 0]: equal at 0 and for NaN too.
        let dHiddenUsed: UnsafeMutablePointer<Float>
        switch activation {
        case .relu:
            reluBackward(dinp: dActivated, dout: dActivated, inp: activations.activated.data, count: count, accumulate: false)
            dHiddenUsed = dActivated
        case .gelu:
            dHidden.update(repeating: 0, count: count)
            geluBackward(dinp: dHidden, dout: dActivated, inp: activations.hidden.data, count: count)
            dHiddenUsed = dHidden
        case .geluTanh:
            dHidden.update(repeating: 0, count: count)
            geluTanhBackward(dinp: dHidden, dout: dActivated, inp: activations.hidden.data, count: count)
            dHiddenUsed = dHidden
        }
        // hidden = inp W1^T + b1
        input.backward(dinp: dinp, dout: dHiddenUsed, inp: inp, rows: rows, parameters: parameters)
    }
}
