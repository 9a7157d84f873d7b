import Tensors

/// A gated recurrent unit layer (Cho et al. 2014), one direction, with PyTorch's equations and gate order:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 - z) ⊙ n + z ⊙ h
///
/// Parameters (checkpoint keys, PyTorch's): `NAME.weight_ih` (3H, I) = [W_ir; W_iz; W_in],
/// `NAME.weight_hh` (3H, H), `NAME.bias_ih` (3H), `NAME.bias_hh` (3H).
///
/// Two ways to run it, sharing the cell kernels:
/// - `forward`/`backward` over whole padded sequences (an encoder): the input projections of all
///   steps are one GEMM, then one GEMM per step for the hidden projection. See Recurrent.swift for
///   lengths and `reverse`.
/// - `step`/`stepBackward`, one step at a time (a decoder whose next input depends on its state):
///   call `step` with time = 0, 1, ..., then `stepBackward` with time = ..., 1, 0.
/// Shapes: B batch, T length, I input size, H hidden size.
public struct GRU: Sendable {
    /// I
    public let inputSize: Int
    /// H
    public let hiddenSize: Int
    /// `NAME.weight_ih`, (3H, I)
    public let weightInput: ParameterSet.Slice
    /// `NAME.weight_hh`, (3H, H)
    public let weightHidden: ParameterSet.Slice
    /// `NAME.bias_ih`, (3H)
    public let biasInput: ParameterSet.Slice
    /// `NAME.bias_hh`, (3H)
    public let biasHidden: ParameterSet.Slice

    /// What the forward keeps for the backward, and the backward's scratch, for up to `maxBatch`
    /// sequences of up to `maxLength` steps (or `maxLength` calls of `step`). Allocated once.
    public final class Activations: Sendable {
        public let maxBatch: Int
        public let maxLength: Int
        /// (B,T,3H), sequence path only: x W_ih^T + b_ih for every step, batch-major.
        let inputProjection: Tensor
        /// (T,B,3H): h W_hh^T + b_hh at each iteration (its n part is needed by the backward).
        let hiddenProjection: Tensor
        /// (T,B,3H): r, z, n after their non-linearities. The step path computes its input
        /// projection here first and overwrites it in place.
        let gates: Tensor
        /// (T+1,B,H), sequence path only: the state before iteration k; states[0] is the initial state.
        let states: Tensor
        /// (B,T,3H) sequence path, (T,B,3H) step path: backward scratch, d loss / d input projection.
        let inputProjectionGradient: Tensor
        /// (T,B,3H): backward scratch, d loss / d hidden projection.
        let hiddenProjectionGradient: Tensor
        /// (B,H) each: backward scratch, d loss / d state after and before the current iteration.
        let stateGradient: Tensor
        let previousStateGradient: Tensor

        init(maxBatch: Int, maxLength: Int, hiddenSize H: Int) {
            precondition(maxBatch >= 0 && maxLength >= 0, "GRU.Activations: sizes must be non-negative")
            self.maxBatch = maxBatch
            self.maxLength = maxLength
            inputProjection = Tensor(shape: [maxBatch, maxLength, 3 * H])
            hiddenProjection = Tensor(shape: [maxLength, maxBatch, 3 * H])
            gates = Tensor(shape: [maxLength, maxBatch, 3 * H])
            states = Tensor(shape: [maxLength + 1, maxBatch, H])
            inputProjectionGradient = Tensor(shape: [maxBatch, maxLength, 3 * H])
            hiddenProjectionGradient = Tensor(shape: [maxLength, maxBatch, 3 * H])
            stateGradient = Tensor(shape: [maxBatch, H])
            previousStateGradient = Tensor(shape: [maxBatch, H])
        }
    }

    /// Declares `NAME.weight_ih`, `NAME.weight_hh`, `NAME.bias_ih`, `NAME.bias_hh`.
    public init(_ name: String, inputSize: Int, hiddenSize: Int, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRU \(name): sizes must be positive")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        weightInput = layout.add("\(name).weight_ih", shape: [3 * hiddenSize, inputSize])
        weightHidden = layout.add("\(name).weight_hh", shape: [3 * hiddenSize, hiddenSize])
        biasInput = layout.add("\(name).bias_ih", shape: [3 * hiddenSize])
        biasHidden = layout.add("\(name).bias_hh", shape: [3 * hiddenSize])
    }

    /// PyTorch's default: all four tensors uniform in ±1/sqrt(H).
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for slice in [weightInput, weightHidden, biasInput, biasHidden] {
            rng.fillUniform(parameters.value(slice), count: slice.count, low: -bound, high: bound)
        }
    }

    /// Room for `maxBatch` sequences of `maxLength` steps, or `maxLength` calls of `step`.
    public func makeActivations(maxBatch: Int, maxLength: Int) -> Activations {
        Activations(maxBatch: maxBatch, maxLength: maxLength, hiddenSize: hiddenSize)
    }

    // MARK: - Whole sequences

    /// Runs the GRU over padded sequences.
    ///
    /// `outputs[b, t]` is the state after processing time t (zero at padded times), `finalState` the
    /// state after the last real step of each row (after t = 0 when `reverse`). A nil `initialState`
    /// means zeros. Shapes: outputs (B,T,H), finalState (B,H), inputs (B,T,I), initialState (B,H),
    /// lengths (B).
    public func forward(outputs: UnsafeMutablePointer<Float>, finalState: UnsafeMutablePointer<Float>?,
                        inputs: UnsafePointer<Float>, initialState: UnsafePointer<Float>?,
                        batch B: Int, length T: Int, lengths: UnsafePointer<Int32>?, reverse: Bool,
                        activations: Activations, parameters: ParameterSet) {
        // inputs is (B,T,I), weight_ih is (3H,I), inputProjection is (B,T,3H), states are (T+1,B,H)
        checkSizes(batch: B, length: T, activations: activations)
        let I = inputSize, H = hiddenSize, G = 3 * hiddenSize
        let inputProjection = activations.inputProjection.data, states = activations.states.data
        // all input projections at once: (B*T, I) x (I, 3H)
        gemm(transposeA: false, transposeB: true, m: B * T, n: G, k: I, alpha: 1, a: inputs, lda: I,
             b: parameters.value(weightInput), ldb: I, beta: 0, c: inputProjection, ldc: G)
        addBias(out: inputProjection, inp: inputProjection, bias: parameters.value(biasInput), rows: B * T, cols: G)
        if let initialState { states.update(from: initialState, count: B * H) } else { states.update(repeating: 0, count: B * H) }
        for k in 0..<T {
            let state = states + k * B * H, newState = states + (k + 1) * B * H
            let hiddenProjection = activations.hiddenProjection.data + k * B * G, gates = activations.gates.data + k * B * G
            projectHidden(out: hiddenProjection, state: state, batch: B, parameters: parameters)
            for b in 0..<B {
                let valid = validLength(lengths, b, length: T)
                guard k < valid else {
                    // padding: the state is carried through
                    (newState + b * H).update(from: state + b * H, count: H)
                    continue
                }
                let t = timeIndex(iteration: k, validLength: valid, reverse: reverse)
                gruCellForward(gates: gates + b * G, newState: newState + b * H,
                               inputProjection: inputProjection + (b * T + t) * G,
                               hiddenProjection: hiddenProjection + b * G, state: state + b * H, H: H)
                (outputs + (b * T + t) * H).update(from: newState + b * H, count: H)
            }
        }
        zeroPaddedOutputs(outputs, lengths: lengths, batch: B, length: T, hiddenSize: H)
        if let finalState { finalState.update(from: states + T * B * H, count: B * H) }
    }

    /// Backpropagation through time for `forward`; accumulates (+=) into the parameter gradients,
    /// `dinputs` and `dinitialState` (each optional).
    ///
    /// `doutputs` (B,T,H) and `dfinalState` (B,H) are the gradients of the loss with respect to the
    /// forward's outputs (nil = zero); gradients at padded times are ignored (those outputs are
    /// constant zeros). `inputs`, the sizes and `activations` must be those of the matching forward.
    /// Shapes: dinputs (B,T,I), dinitialState (B,H).
    public func backward(dinputs: UnsafeMutablePointer<Float>?, dinitialState: UnsafeMutablePointer<Float>?,
                         doutputs: UnsafePointer<Float>?, dfinalState: UnsafePointer<Float>?,
                         inputs: UnsafePointer<Float>, batch B: Int, length T: Int, lengths: UnsafePointer<Int32>?,
                         reverse: Bool, activations: Activations, parameters: ParameterSet) {
        // doutputs is (B,T,H), dinputs is (B,T,I); dInputProjection is (B,T,3H), dHiddenProjection is (T,B,3H)
        checkSizes(batch: B, length: T, activations: activations)
        let I = inputSize, H = hiddenSize, G = 3 * hiddenSize
        let states = activations.states.data
        let dInputProjection = activations.inputProjectionGradient.data
        let dHiddenProjection = activations.hiddenProjectionGradient.data
        dInputProjection.update(repeating: 0, count: B * T * G)  // padded times get no gradient
        var dState = activations.stateGradient.data, dPrevious = activations.previousStateGradient.data
        if let dfinalState { dState.update(from: dfinalState, count: B * H) } else { dState.update(repeating: 0, count: B * H) }
        for k in stride(from: T - 1, through: 0, by: -1) {
            let state = states + k * B * H
            let hiddenProjection = activations.hiddenProjection.data + k * B * G, gates = activations.gates.data + k * B * G
            let dHidden = dHiddenProjection + k * B * G
            for b in 0..<B {
                let valid = validLength(lengths, b, length: T)
                guard k < valid else {
                    // forward: the state was carried through
                    (dPrevious + b * H).update(from: dState + b * H, count: H)
                    (dHidden + b * G).update(repeating: 0, count: G)
                    continue
                }
                let t = timeIndex(iteration: k, validLength: valid, reverse: reverse)
                // forward: outputs[b, t] = newState[b]
                if let doutputs { axpy(y: dState + b * H, alpha: 1, x: doutputs + (b * T + t) * H, count: H) }
                (dPrevious + b * H).update(repeating: 0, count: H)
                gruCellBackward(dinputProjection: dInputProjection + (b * T + t) * G, dhiddenProjection: dHidden + b * G,
                                dstate: dPrevious + b * H, dnewState: dState + b * H, gates: gates + b * G,
                                hiddenProjection: hiddenProjection + b * G, state: state + b * H, H: H)
            }
            // forward: hiddenProjection = state W_hh^T + b_hh  =>  dstate += dHidden W_hh
            gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: dHidden, lda: G,
                 b: parameters.value(weightHidden), ldb: H, beta: 1, c: dPrevious, ldc: H)
            swap(&dState, &dPrevious)
        }
        if let dinitialState { axpy(y: dinitialState, alpha: 1, x: dState, count: B * H) }
        // dW_hh += sum_k dHidden_k^T state_k, db_hh += column sums: one GEMM over all T*B rows
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: T * B, alpha: 1, a: dHiddenProjection, lda: G,
             b: states, ldb: H, beta: 1, c: parameters.gradient(weightHidden), ldc: H)
        addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dHiddenProjection, rows: T * B, cols: G)
        // forward: inputProjection = inputs W_ih^T + b_ih
        if let dinputs {
            gemm(transposeA: false, transposeB: false, m: B * T, n: I, k: G, alpha: 1, a: dInputProjection, lda: G,
                 b: parameters.value(weightInput), ldb: I, beta: 1, c: dinputs, ldc: I)
        }
        gemm(transposeA: true, transposeB: false, m: G, n: I, k: B * T, alpha: 1, a: dInputProjection, lda: G,
             b: inputs, ldb: I, beta: 1, c: parameters.gradient(weightInput), ldc: I)
        addBiasBackward(dbias: parameters.gradient(biasInput), dout: dInputProjection, rows: B * T, cols: G)
    }

    // MARK: - One step

    /// One step for all rows: newState = GRU(input, state). Keeps its activations in slot `time`
    /// (0 <= time < maxLength), so a decoder can run `time` = 0, 1, ... and then backpropagate.
    /// `newState` must not be `state`. Shapes: newState (B,H), input (B,I), state (B,H).
    public func step(newState: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, state: UnsafePointer<Float>,
                     batch B: Int, time: Int, activations: Activations, parameters: ParameterSet) {
        // input is (B,I), weight_ih is (3H,I), gates and hiddenProjection are (B,3H) at slot time
        checkSizes(batch: B, length: time + 1, activations: activations)
        precondition(UnsafePointer(newState) != state, "GRU.step: newState must not be state (the backward needs state)")
        let I = inputSize, H = hiddenSize, G = 3 * hiddenSize
        let gates = activations.gates.data + time * B * G
        let hiddenProjection = activations.hiddenProjection.data + time * B * G
        // the input projection goes into gates, which the cell then overwrites in place
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: I, alpha: 1, a: input, lda: I,
             b: parameters.value(weightInput), ldb: I, beta: 0, c: gates, ldc: G)
        addBias(out: gates, inp: gates, bias: parameters.value(biasInput), rows: B, cols: G)
        projectHidden(out: hiddenProjection, state: state, batch: B, parameters: parameters)
        for b in 0..<B {
            gruCellForward(gates: gates + b * G, newState: newState + b * H, inputProjection: gates + b * G,
                           hiddenProjection: hiddenProjection + b * G, state: state + b * H, H: H)
        }
    }

    /// The backward of `step` at slot `time`: accumulates (+=) into `dinput` (optional), `dstate` and
    /// the parameter gradients. `input`, `state` and the sizes must be those of the matching `step`.
    /// Shapes: dinput (B,I), dstate (B,H), dnewState (B,H), input (B,I), state (B,H).
    public func stepBackward(dinput: UnsafeMutablePointer<Float>?, dstate: UnsafeMutablePointer<Float>,
                             dnewState: UnsafePointer<Float>, input: UnsafePointer<Float>, state: UnsafePointer<Float>,
                             batch B: Int, time: Int, activations: Activations, parameters: ParameterSet) {
        // dnewState is (B,H); dInput and dHidden, the projection gradients, are (B,3H) at slot time
        checkSizes(batch: B, length: time + 1, activations: activations)
        precondition(UnsafePointer(dstate) != dnewState, "GRU.stepBackward: dstate must not be dnewState")
        let I = inputSize, H = hiddenSize, G = 3 * hiddenSize
        let gates = activations.gates.data + time * B * G
        let hiddenProjection = activations.hiddenProjection.data + time * B * G
        let dInput = activations.inputProjectionGradient.data + time * B * G
        let dHidden = activations.hiddenProjectionGradient.data + time * B * G
        for b in 0..<B {
            gruCellBackward(dinputProjection: dInput + b * G, dhiddenProjection: dHidden + b * G, dstate: dstate + b * H,
                            dnewState: dnewState + b * H, gates: gates + b * G,
                            hiddenProjection: hiddenProjection + b * G, state: state + b * H, H: H)
        }
        // forward: hiddenProjection = state W_hh^T + b_hh
        gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: dHidden, lda: G,
             b: parameters.value(weightHidden), ldb: H, beta: 1, c: dstate, ldc: H)
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: B, alpha: 1, a: dHidden, lda: G,
             b: state, ldb: H, beta: 1, c: parameters.gradient(weightHidden), ldc: H)
        addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dHidden, rows: B, cols: G)
        // forward: inputProjection = input W_ih^T + b_ih
        if let dinput {
            gemm(transposeA: false, transposeB: false, m: B, n: I, k: G, alpha: 1, a: dInput, lda: G,
                 b: parameters.value(weightInput), ldb: I, beta: 1, c: dinput, ldc: I)
        }
        gemm(transposeA: true, transposeB: false, m: G, n: I, k: B, alpha: 1, a: dInput, lda: G,
             b: input, ldb: I, beta: 1, c: parameters.gradient(weightInput), ldc: I)
        addBiasBackward(dbias: parameters.gradient(biasInput), dout: dInput, rows: B, cols: G)
    }

    // MARK: - Shared pieces

    private func checkSizes(batch B: Int, length T: Int, activations: Activations) {
        precondition(B >= 0 && T >= 0, "GRU: sizes must be non-negative, got batch \(B), length \(T)")
        precondition(B <= activations.maxBatch && T <= activations.maxLength,
                     "GRU: batch \(B), length \(T) but activations for \(activations.maxBatch) x \(activations.maxLength)")
    }

    /// out = state W_hh^T + b_hh. state is (B,H), out is (B,3H).
    private func projectHidden(out: UnsafeMutablePointer<Float>, state: UnsafePointer<Float>, batch B: Int,
                               parameters: ParameterSet) {
        let H = hiddenSize, G = 3 * hiddenSize
        // each row starts as b_hh, then the GEMM adds state W_hh^T (no zeroing pass, no bias pass)
        let bias = parameters.value(biasHidden)
        for b in 0..<B { (out + b * G).update(from: bias, count: G) }
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, alpha: 1, a: state, lda: H,
             b: parameters.value(weightHidden), ldb: H, beta: 1, c: out, ldc: G)
    }
}

/// The GRU cell for one row, given its two projections (biases included): writes r, z, n into `gates`
/// and h' into `newState`. `gates` may be `inputProjection` (in place).
///
///     r = σ(xp_r + hp_r),  z = σ(xp_z + hp_z),  n = tanh(xp_n + r ⊙ hp_n),  h' = (1 - z) ⊙ n + z ⊙ h
@inline(__always)
private func gruCellForward(gates: UnsafeMutablePointer<Float>, newState: UnsafeMutablePointer<Float>,
                            inputProjection: UnsafePointer<Float>, hiddenProjection: UnsafePointer<Float>,
                            state: UnsafePointer<Float>, H: Int) {
    // gates, inputProjection and hiddenProjection are (3H) = [r | z | n]; state and newState are (H)
    for j in 0..<(2 * H) { gates[j] = inputProjection[j] + hiddenProjection[j] }
    sigmoidForward(out: gates, inp: gates, count: 2 * H)
    let r = gates, z = gates + H, n = gates + 2 * H
    for j in 0..<H { n[j] = inputProjection[2 * H + j] + r[j] * hiddenProjection[2 * H + j] }
    tanhForward(out: n, inp: n, count: H)
    for j in 0..<H { newState[j] = (1 - z[j]) * n[j] + z[j] * state[j] }
}

/// The backward of `gruCellForward` for one row: writes (=) the gradients of both projections and
/// accumulates (+=) the direct part z ⊙ dh' into `dstate` (the part through W_hh is the caller's GEMM).
@inline(__always)
private func gruCellBackward(dinputProjection: UnsafeMutablePointer<Float>, dhiddenProjection: UnsafeMutablePointer<Float>,
                             dstate: UnsafeMutablePointer<Float>, dnewState: UnsafePointer<Float>,
                             gates: UnsafePointer<Float>, hiddenProjection: UnsafePointer<Float>,
                             state: UnsafePointer<Float>, H: Int) {
    // projections and their gradients are (3H) = [r | z | n]; states and their gradients are (H)
    for j in 0..<H {
        let r = gates[j], z = gates[H + j], n = gates[2 * H + j]
        let dh = dnewState[j]
        // h' = (1 - z) n + z h
        let dn = dh * (1 - z)
        let dz = dh * (state[j] - n)
        dstate[j] += dh * z
        // n = tanh(xp_n + r hp_n)
        let dnPre = dn * (1 - n * n)
        dinputProjection[2 * H + j] = dnPre
        dhiddenProjection[2 * H + j] = dnPre * r
        let dr = dnPre * hiddenProjection[2 * H + j]
        // z = σ(xp_z + hp_z)
        let dzPre = dz * z * (1 - z)
        dinputProjection[H + j] = dzPre
        dhiddenProjection[H + j] = dzPre
        // r = σ(xp_r + hp_r)
        let drPre = dr * r * (1 - r)
        dinputProjection[j] = drPre
        dhiddenProjection[j] = drPre
    }
}
