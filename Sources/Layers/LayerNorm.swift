import Tensors

/// Layer normalisation over the model dimension (Ba, Kiros and Hinton, 2016), with a learned affine.
///
///     mean[r] = (1/C) sum_c x[r, c],   var[r] = (1/C) sum_c (x[r, c] - mean[r])^2   (biased, as in PyTorch)
///     out[r, c] = (x[r, c] - mean[r]) / sqrt(var[r] + epsilon) * weight[c] + bias[c]
///
/// Parameters `NAME.weight` (C), initialised to 1, and `NAME.bias` (C), initialised to 0, so a fresh
/// layer norm only normalises. Shapes: inp and out are (rows, size); rows is B*T for a sequence batch.
/// The forward stores each row's mean and 1/std in an `Activations` object for the backward.
public struct LayerNorm: Sendable {
    /// The number of features normalised together (C, the model size).
    public let size: Int
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// (size)
    public let weight: ParameterSet.Slice
    /// (size)
    public let bias: ParameterSet.Slice

    /// What the backward needs from the forward: each row's mean and reciprocal standard deviation.
    /// Allocated once with room for `maxRows` rows.
    public final class Activations: Sendable {
        public let maxRows: Int
        /// (maxRows)
        public let mean: Tensor
        /// (maxRows), 1 / sqrt(var + epsilon)
        public let rstd: Tensor

        public init(maxRows: Int) {
            precondition(maxRows >= 0, "LayerNorm.Activations: maxRows must be non-negative, got \(maxRows)")
            self.maxRows = maxRows
            mean = Tensor(shape: [maxRows])
            rstd = Tensor(shape: [maxRows])
        }
    }

    /// Declares the parameters `NAME.weight` and `NAME.bias`, each (size).
    public init(_ name: String, size: Int, epsilon: Float = 1e-5, layout: inout ParameterLayout) {
        precondition(size > 0, "LayerNorm \(name): size must be positive")
        precondition(epsilon >= 0, "LayerNorm \(name): epsilon must be non-negative")
        self.size = size
        self.epsilon = epsilon
        weight = layout.add("\(name).weight", shape: [size])
        bias = layout.add("\(name).bias", shape: [size])
    }

    /// weight = 1, bias = 0 (PyTorch's and the reference implementations' initialisation).
    public func initialize(_ parameters: ParameterSet) {
        parameters.value(weight).update(repeating: 1, count: size)
        parameters.value(bias).update(repeating: 0, count: size)
    }

    /// Room for the statistics of up to `maxRows` rows.
    public func makeActivations(maxRows: Int) -> Activations { Activations(maxRows: maxRows) }

    /// out = (inp - mean) / sqrt(var + epsilon) * weight + bias, row by row; stores mean and rstd.
    public func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int,
                        activations: Activations, parameters: ParameterSet) {
        // inp is (rows, C), weight and bias are (C), out is (rows, C)
        precondition(rows <= activations.maxRows, "LayerNorm: \(rows) rows but activations for \(activations.maxRows)")
        layerNormForward(out: out, mean: activations.mean.data, rstd: activations.rstd.data, inp: inp,
                         weight: parameters.value(weight), bias: parameters.value(bias),
                         rows: rows, cols: size, epsilon: epsilon)
    }

    /// out = LN(x + f), keeping summed = x + f (the post-LN sublayer's residual and norm in one pass).
    /// Shapes: out, summed, x and f are (rows, C).
    public func forwardResidual(out: UnsafeMutablePointer<Float>, summed: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                f: UnsafePointer<Float>, rows: Int, activations: Activations, parameters: ParameterSet) {
        precondition(rows <= activations.maxRows, "LayerNorm: \(rows) rows but activations for \(activations.maxRows)")
        residualLayerNormForward(out: out, summed: summed, mean: activations.mean.data, rstd: activations.rstd.data, x: x, f: f,
                                 weight: parameters.value(weight), bias: parameters.value(bias), rows: rows, cols: size,
                                 epsilon: epsilon)
    }

    /// Accumulates d weight, d bias into the parameter gradients and d inp into `dinp` (written over it
    /// with `accumulate: false`).
    ///
    /// `inp` and `activations` must be those of the matching forward.
    public func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                         rows: Int, activations: Activations, parameters: ParameterSet, accumulate: Bool = true) {
        // dout and inp are (rows, C), dinp is (rows, C); mean and rstd are (rows)
        precondition(rows <= activations.maxRows, "LayerNorm: \(rows) rows but activations for \(activations.maxRows)")
        // out = norm * weight + bias, norm = (inp - mean) * rstd  (see layerNormBackward for the rules)
        layerNormBackward(dinp: dinp, dweight: parameters.gradient(weight), dbias: parameters.gradient(bias),
                          dout: dout, inp: inp, weight: parameters.value(weight),
                          mean: activations.mean.data, rstd: activations.rstd.data, rows: rows, cols: size, accumulate: accumulate)
    }
}
