#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// A long short-term memory layer (Hochreiter and Schmidhuber 1997), one direction, with PyTorch's
/// equations and gate order i, f, g, o:
///
///     i  = σ(W_ii x + b_ii + W_hi h + b_hi)
///     f  = σ(W_if x + b_if + W_hf h + b_hf)
///     g  = tanh(W_ig x + b_ig + W_hg h + b_hg)
///     o  = σ(W_io x + b_io + W_ho h + b_ho)
///     c' = f ⊙ c + i ⊙ g
///     h' = o ⊙ tanh(c')
///
/// Parameters (checkpoint keys, PyTorch's): `NAME.weight_ih` (4H, I), `NAME.weight_hh` (4H, H),
/// `NAME.bias_ih` (4H), `NAME.bias_hh` (4H). The state is the pair (h, c), called state and cell;
/// both are carried through padding. Runs over whole sequences (`forward`/`backward`) or one step at a
/// time (`step`/`stepBackward`) exactly like `GRU`; see there and Recurrent.swift.
/// Shapes: B batch, T length, I input size, H hidden size.
public struct LSTM: Sendable {
    /// I
    public let inputSize: Int
    /// H
    public let hiddenSize: Int
    /// `NAME.weight_ih`, (4H, I)
    public let weightInput: ParameterSet.Slice
    /// `NAME.weight_hh`, (4H, H)
    public let weightHidden: ParameterSet.Slice
    /// `NAME.bias_ih`, (4H)
    public let biasInput: ParameterSet.Slice
    /// `NAME.bias_hh`, (4H)
    public let biasHidden: ParameterSet.Slice

    /// What the forward keeps for the backward, and the backward's scratch, for up to `maxBatch`
    /// sequences of up to `maxLength` steps (or `maxLength` calls of `step`). Allocated once.
    public final class Activations: Sendable {
        public let maxBatch: Int
        public let maxLength: Int
        /// (B,T,4H), sequence path only: x W_ih^T + b_ih + b_hh for every step, batch-major.
        let inputProjection: Tensor
        /// (T,B,4H): i, f, g, o after their non-linearities.
        let gates: Tensor
        /// (T,B,H): tanh(c') at each iteration.
        let cellTanh: Tensor
        /// (T+1,B,H) each, sequence path only: h and c before iteration k; index 0 is the initial state.
        let states: Tensor
        let cells: Tensor
        /// (B,T,4H), sequence path only: backward scratch, d loss / d input projection.
        let inputProjectionGradient: Tensor
        /// (T,B,4H): backward scratch, d loss / d gate pre-activations.
        let gateGradient: Tensor
        /// (B,H) each: backward scratch, d loss / d (h, c) after and before the current iteration.
        let stateGradient: Tensor
        let previousStateGradient: Tensor
        let cellGradient: Tensor
        let previousCellGradient: Tensor

        init(maxBatch: Int, maxLength: Int, hiddenSize H: Int) {
            precondition(maxBatch >= 0 && maxLength >= 0, "LSTM.Activations: sizes must be non-negative")
            self.maxBatch = maxBatch
            self.maxLength = maxLength
            inputProjection = Tensor(shape: [maxBatch, maxLength, 4 * H])
            gates = Tensor(shape: [maxLength, maxBatch, 4 * H])
            cellTanh = Tensor(shape: [maxLength, maxBatch, H])
            states = Tensor(shape: [maxLength + 1, maxBatch, H])
            cells = Tensor(shape: [maxLength + 1, maxBatch, H])
            inputProjectionGradient = Tensor(shape: [maxBatch, maxLength, 4 * H])
            gateGradient = Tensor(shape: [maxLength, maxBatch, 4 * H])
            stateGradient = Tensor(shape: [maxBatch, H])
            previousStateGradient = Tensor(shape: [maxBatch, H])
            cellGradient = Tensor(shape: [maxBatch, H])
            previousCellGradient = Tensor(shape: [maxBatch, H])
        }
    }

    /// Declares `NAME.weight_ih`, `NAME.weight_hh`, `NAME.bias_ih`, `NAME.bias_hh`.
    public init(_ name: String, inputSize: Int, hiddenSize: Int, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && hiddenSize > 0, "LSTM \(name): sizes must be positive")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        weightInput = layout.add("\(name).weight_ih", shape: [4 * hiddenSize, inputSize])
        weightHidden = layout.add("\(name).weight_hh", shape: [4 * hiddenSize, hiddenSize])
        biasInput = layout.add("\(name).bias_ih", shape: [4 * hiddenSize])
        biasHidden = layout.add("\(name).bias_hh", shape: [4 * hiddenSize])
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

    /// Runs the LSTM over padded sequences.
    ///
    /// `outputs[b, t]` is h after processing time t (zero at padded times); `finalState` and
    /// `finalCell` are h and c after the last real step of each row. Nil initial values mean zeros.
    /// Shapes: outputs (B,T,H), finalState and finalCell (B,H), inputs (B,T,I), initialState and
    /// initialCell (B,H), lengths (B).
    public func forward(outputs: UnsafeMutablePointer<Float>, finalState: UnsafeMutablePointer<Float>?,
                        finalCell: UnsafeMutablePointer<Float>?, inputs: UnsafePointer<Float>,
                        initialState: UnsafePointer<Float>?, initialCell: UnsafePointer<Float>?,
                        batch B: Int, length T: Int, lengths: UnsafePointer<Int32>?, reverse: Bool,
                        activations: Activations, parameters: ParameterSet) {
        // inputs is (B,T,I), weight_ih is (4H,I), inputProjection is (B,T,4H), states and cells are (T+1,B,H)
        checkSizes(batch: B, length: T, activations: activations)
        let I = inputSize, H = hiddenSize, G = 4 * hiddenSize
        let inputProjection = activations.inputProjection.data
        let states = activations.states.data, cells = activations.cells.data
        // all input projections at once, with both biases: (B*T, I) x (I, 4H)
        gemm(transposeA: false, transposeB: true, m: B * T, n: G, k: I, alpha: 1, a: inputs, lda: I,
             b: parameters.value(weightInput), ldb: I, beta: 0, c: inputProjection, ldc: G)
        addBias(out: inputProjection, inp: inputProjection, bias: parameters.value(biasInput), rows: B * T, cols: G)
        addBias(out: inputProjection, inp: inputProjection, bias: parameters.value(biasHidden), rows: B * T, cols: G)
        if let initialState { states.update(from: initialState, count: B * H) } else { states.update(repeating: 0, count: B * H) }
        if let initialCell { cells.update(from: initialCell, count: B * H) } else { cells.update(repeating: 0, count: B * H) }
        for k in 0..<T {
            let state = states + k * B * H, newState = states + (k + 1) * B * H
            let cell = cells + k * B * H, newCell = cells + (k + 1) * B * H
            let gates = activations.gates.data + k * B * G, cellTanh = activations.cellTanh.data + k * B * H
            // gates = state W_hh^T; the cell adds the input projection
            gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, alpha: 1, a: state, lda: H,
                 b: parameters.value(weightHidden), ldb: H, beta: 0, c: gates, ldc: G)
            for b in 0..<B {
                let valid = validLength(lengths, b, length: T)
                guard k < valid else {
                    // padding: h and c are carried through
                    (newState + b * H).update(from: state + b * H, count: H)
                    (newCell + b * H).update(from: cell + b * H, count: H)
                    continue
                }
                let t = timeIndex(iteration: k, validLength: valid, reverse: reverse)
                lstmCellForward(gates: gates + b * G, newState: newState + b * H, newCell: newCell + b * H,
                                cellTanh: cellTanh + b * H, inputProjection: inputProjection + (b * T + t) * G,
                                cell: cell + b * H, H: H)
                (outputs + (b * T + t) * H).update(from: newState + b * H, count: H)
            }
        }
        zeroPaddedOutputs(outputs, lengths: lengths, batch: B, length: T, hiddenSize: H)
        if let finalState { finalState.update(from: states + T * B * H, count: B * H) }
        if let finalCell { finalCell.update(from: cells + T * B * H, count: B * H) }
    }

    /// Backpropagation through time for `forward`; accumulates (+=) into the parameter gradients,
    /// `dinputs`, `dinitialState` and `dinitialCell` (each optional).
    ///
    /// `doutputs` (B,T,H), `dfinalState` and `dfinalCell` (B,H) are the gradients with respect to the
    /// forward's outputs (nil = zero); gradients at padded times are ignored. `inputs`, the sizes and
    /// `activations` must be those of the matching forward. Shapes: dinputs (B,T,I), the others (B,H).
    public func backward(dinputs: UnsafeMutablePointer<Float>?, dinitialState: UnsafeMutablePointer<Float>?,
                         dinitialCell: UnsafeMutablePointer<Float>?, doutputs: UnsafePointer<Float>?,
                         dfinalState: UnsafePointer<Float>?, dfinalCell: UnsafePointer<Float>?,
                         inputs: UnsafePointer<Float>, batch B: Int, length T: Int, lengths: UnsafePointer<Int32>?,
                         reverse: Bool, activations: Activations, parameters: ParameterSet) {
        // doutputs is (B,T,H), dinputs is (B,T,I); dInputProjection is (B,T,4H), dGates is (T,B,4H)
        checkSizes(batch: B, length: T, activations: activations)
        let I = inputSize, H = hiddenSize, G = 4 * hiddenSize
        let states = activations.states.data, cells = activations.cells.data
        let dInputProjection = activations.inputProjectionGradient.data, dGates = activations.gateGradient.data
        dInputProjection.update(repeating: 0, count: B * T * G)  // padded times get no gradient
        var dState = activations.stateGradient.data, dPreviousState = activations.previousStateGradient.data
        var dCell = activations.cellGradient.data, dPreviousCell = activations.previousCellGradient.data
        if let dfinalState { dState.update(from: dfinalState, count: B * H) } else { dState.update(repeating: 0, count: B * H) }
        if let dfinalCell { dCell.update(from: dfinalCell, count: B * H) } else { dCell.update(repeating: 0, count: B * H) }
        for k in stride(from: T - 1, through: 0, by: -1) {
            let cell = cells + k * B * H
            let gates = activations.gates.data + k * B * G, cellTanh = activations.cellTanh.data + k * B * H
            let dGatesStep = dGates + k * B * G
            for b in 0..<B {
                let valid = validLength(lengths, b, length: T)
                guard k < valid else {
                    // forward: h and c were carried through
                    (dPreviousState + b * H).update(from: dState + b * H, count: H)
                    (dPreviousCell + b * H).update(from: dCell + b * H, count: H)
                    (dGatesStep + b * G).update(repeating: 0, count: G)
                    continue
                }
                let t = timeIndex(iteration: k, validLength: valid, reverse: reverse)
                // forward: outputs[b, t] = newState[b]
                if let doutputs { axpy(y: dState + b * H, alpha: 1, x: doutputs + (b * T + t) * H, count: H) }
                (dPreviousState + b * H).update(repeating: 0, count: H)
                (dPreviousCell + b * H).update(repeating: 0, count: H)
                lstmCellBackward(dgates: dGatesStep + b * G, dcell: dPreviousCell + b * H, dnewState: dState + b * H,
                                 dnewCell: dCell + b * H, gates: gates + b * G, cellTanh: cellTanh + b * H,
                                 cell: cell + b * H, H: H)
                // the input projection fed the same pre-activations
                (dInputProjection + (b * T + t) * G).update(from: dGatesStep + b * G, count: G)
            }
            // forward: gates = state W_hh^T + ...  =>  dstate += dGates W_hh
            gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: dGatesStep, lda: G,
                 b: parameters.value(weightHidden), ldb: H, beta: 1, c: dPreviousState, ldc: H)
            swap(&dState, &dPreviousState)
            swap(&dCell, &dPreviousCell)
        }
        if let dinitialState { axpy(y: dinitialState, alpha: 1, x: dState, count: B * H) }
        if let dinitialCell { axpy(y: dinitialCell, alpha: 1, x: dCell, count: B * H) }
        // dW_hh += sum_k dGates_k^T state_k: one GEMM over all T*B rows
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: T * B, alpha: 1, a: dGates, lda: G,
             b: states, ldb: H, beta: 1, c: parameters.gradient(weightHidden), ldc: H)
        // forward: inputProjection = inputs W_ih^T + b_ih + b_hh
        addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dInputProjection, rows: B * T, cols: G)
        addBiasBackward(dbias: parameters.gradient(biasInput), dout: dInputProjection, rows: B * T, cols: G)
        if let dinputs {
            gemm(transposeA: false, transposeB: false, m: B * T, n: I, k: G, alpha: 1, a: dInputProjection, lda: G,
                 b: parameters.value(weightInput), ldb: I, beta: 1, c: dinputs, ldc: I)
        }
        gemm(transposeA: true, transposeB: false, m: G, n: I, k: B * T, alpha: 1, a: dInputProjection, lda: G,
             b: inputs, ldb: I, beta: 1, c: parameters.gradient(weightInput), ldc: I)
    }

    // MARK: - One step

    /// One step for all rows: (newState, newCell) = LSTM(input, (state, cell)). Keeps its activations
    /// in slot `time` (0 <= time < maxLength). The new buffers must not be the old ones.
    /// Shapes: newState, newCell, state, cell (B,H), input (B,I).
    public func step(newState: UnsafeMutablePointer<Float>, newCell: UnsafeMutablePointer<Float>,
                     input: UnsafePointer<Float>, state: UnsafePointer<Float>, cell: UnsafePointer<Float>,
                     batch B: Int, time: Int, activations: Activations, parameters: ParameterSet) {
        // input is (B,I), gates are (B,4H) and cellTanh (B,H) at slot time
        checkSizes(batch: B, length: time + 1, activations: activations)
        precondition(UnsafePointer(newState) != state && UnsafePointer(newCell) != cell,
                     "LSTM.step: the new state and cell must not be the old ones (the backward needs them)")
        let I = inputSize, H = hiddenSize, G = 4 * hiddenSize
        let gates = activations.gates.data + time * B * G, cellTanh = activations.cellTanh.data + time * B * H
        // gates = input W_ih^T + state W_hh^T + b_ih + b_hh
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: I, alpha: 1, a: input, lda: I,
             b: parameters.value(weightInput), ldb: I, beta: 0, c: gates, ldc: G)
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, alpha: 1, a: state, lda: H,
             b: parameters.value(weightHidden), ldb: H, beta: 1, c: gates, ldc: G)
        addBias(out: gates, inp: gates, bias: parameters.value(biasInput), rows: B, cols: G)
        addBias(out: gates, inp: gates, bias: parameters.value(biasHidden), rows: B, cols: G)
        for b in 0..<B {
            lstmCellForward(gates: gates + b * G, newState: newState + b * H, newCell: newCell + b * H,
                            cellTanh: cellTanh + b * H, inputProjection: nil, cell: cell + b * H, H: H)
        }
    }

    /// The backward of `step` at slot `time`: accumulates (+=) into `dinput` (optional), `dstate`,
    /// `dcell` and the parameter gradients. `dnewCell` nil means zero (the last step, whose cell is
    /// not used). `input`, `state`, `cell` and the sizes must be those of the matching `step`.
    /// Shapes: dinput and input (B,I), the others (B,H).
    public func stepBackward(dinput: UnsafeMutablePointer<Float>?, dstate: UnsafeMutablePointer<Float>,
                             dcell: UnsafeMutablePointer<Float>, dnewState: UnsafePointer<Float>,
                             dnewCell: UnsafePointer<Float>?, input: UnsafePointer<Float>,
                             state: UnsafePointer<Float>, cell: UnsafePointer<Float>,
                             batch B: Int, time: Int, activations: Activations, parameters: ParameterSet) {
        // dGates, the gradient of the gate pre-activations, is (B,4H) at slot time
        checkSizes(batch: B, length: time + 1, activations: activations)
        precondition(UnsafePointer(dcell) != dnewCell, "LSTM.stepBackward: dcell must not be dnewCell")
        let I = inputSize, H = hiddenSize, G = 4 * hiddenSize
        let gates = activations.gates.data + time * B * G, cellTanh = activations.cellTanh.data + time * B * H
        let dGates = activations.gateGradient.data + time * B * G
        for b in 0..<B {
            lstmCellBackward(dgates: dGates + b * G, dcell: dcell + b * H, dnewState: dnewState + b * H,
                             dnewCell: dnewCell.map { $0 + b * H }, gates: gates + b * G,
                             cellTanh: cellTanh + b * H, cell: cell + b * H, H: H)
        }
        // forward: gates = state W_hh^T + input W_ih^T + b_ih + b_hh
        gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: dGates, lda: G,
             b: parameters.value(weightHidden), ldb: H, beta: 1, c: dstate, ldc: H)
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: B, alpha: 1, a: dGates, lda: G,
             b: state, ldb: H, beta: 1, c: parameters.gradient(weightHidden), ldc: H)
        if let dinput {
            gemm(transposeA: false, transposeB: false, m: B, n: I, k: G, alpha: 1, a: dGates, lda: G,
                 b: parameters.value(weightInput), ldb: I, beta: 1, c: dinput, ldc: I)
        }
        gemm(transposeA: true, transposeB: false, m: G, n: I, k: B, alpha: 1, a: dGates, lda: G,
             b: input, ldb: I, beta: 1, c: parameters.gradient(weightInput), ldc: I)
        addBiasBackward(dbias: parameters.gradient(biasInput), dout: dGates, rows: B, cols: G)
        addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dGates, rows: B, cols: G)
    }

    private func checkSizes(batch B: Int, length T: Int, activations: Activations) {
        precondition(B >= 0 && T >= 0, "LSTM: sizes must be non-negative, got batch \(B), length \(T)")
        precondition(B <= activations.maxBatch && T <= activations.maxLength,
                     "LSTM: batch \(B), length \(T) but activations for \(activations.maxBatch) x \(activations.maxLength)")
    }
}

/// The LSTM cell for one row. On entry `gates` holds part of the pre-activations (4H = [i | f | g | o]);
/// `inputProjection`, when given, is added to them. Writes i, f, g, o in place, c', tanh(c') and h'.
///
///     i, f, g, o = σ, σ, tanh, σ (pre);  c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')
@inline(__always)
private func lstmCellForward(gates: UnsafeMutablePointer<Float>, newState: UnsafeMutablePointer<Float>,
                             newCell: UnsafeMutablePointer<Float>, cellTanh: UnsafeMutablePointer<Float>,
                             inputProjection: UnsafePointer<Float>?, cell: UnsafePointer<Float>, H: Int) {
    // gates and inputProjection are (4H); the others are (H)
    if let inputProjection { for j in 0..<(4 * H) { gates[j] += inputProjection[j] } }
    sigmoidForward(out: gates, inp: gates, count: 2 * H)                     // i, f
    tanhForward(out: gates + 2 * H, inp: gates + 2 * H, count: H)            // g
    sigmoidForward(out: gates + 3 * H, inp: gates + 3 * H, count: H)         // o
    let i = gates, f = gates + H, g = gates + 2 * H, o = gates + 3 * H
    for j in 0..<H {
        let c = f[j] * cell[j] + i[j] * g[j]
        let tc = tanhf(c)
        newCell[j] = c
        cellTanh[j] = tc
        newState[j] = o[j] * tc
    }
}

/// The backward of `lstmCellForward` for one row: writes (=) the gradient of the gate
/// pre-activations and accumulates (+=) f ⊙ dc' into `dcell` (the state gradient is the caller's GEMM).
@inline(__always)
private func lstmCellBackward(dgates: UnsafeMutablePointer<Float>, dcell: UnsafeMutablePointer<Float>,
                              dnewState: UnsafePointer<Float>, dnewCell: UnsafePointer<Float>?,
                              gates: UnsafePointer<Float>, cellTanh: UnsafePointer<Float>,
                              cell: UnsafePointer<Float>, H: Int) {
    // gates and dgates are (4H) = [i | f | g | o]; the others are (H)
    for j in 0..<H {
        let i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j], tc = cellTanh[j]
        let dh = dnewState[j]
        // h' = o tanh(c'): the total gradient of c' adds the path through h'
        let dc = (dnewCell?[j] ?? 0) + dh * o * (1 - tc * tc)
        let dOutput = dh * tc
        // c' = f c + i g
        let dInputGate = dc * g, dCandidate = dc * i, dForget = dc * cell[j]
        dcell[j] += dc * f
        // back through σ, σ, tanh, σ
        dgates[j] = dInputGate * i * (1 - i)
        dgates[H + j] = dForget * f * (1 - f)
        dgates[2 * H + j] = dCandidate * (1 - g * g)
        dgates[3 * H + j] = dOutput * o * (1 - o)
    }
}
