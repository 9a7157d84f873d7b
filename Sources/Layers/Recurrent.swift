import Tensors

// One driver for the recurrent layers: `RecurrentLayer` runs a `RecurrentCell` (GRU.swift, LSTM.swift)
// over sequences, one step at a time, and back through time. The cell owns its maths and its state
// layout; the layer owns the parameters, the buffers, the walk over steps and rows, and the GEMMs of
// the input projection and of the weight gradients.
//
// Sequences are batch-major, (B,T,*), padded to a common length T. `lengths[b]` (Int32, nil = all T)
// says how many leading steps of example b are real: 0 <= lengths[b] <= T. The layer runs T iterations
// k = 0..<T for all rows at once; at iteration k, row b processes
//
//     time t = k                   forward
//     time t = lengths[b] - 1 - k  reverse (the backward direction of a bidirectional encoder)
//
// when k < lengths[b], and otherwise carries its state through unchanged. So in both directions the
// padding steps are the last iterations of a row, the final state is the state after the last real
// step (PyTorch's packed-sequence h_n), and the outputs at padded times t >= lengths[b] are zero.
//
// Per-iteration activations are time-major, (T,B,*) with iteration k at offset k*B*(row size): the
// B rows of one iteration are contiguous, which is what the per-step hidden GEMM reads and writes.
// The single-step APIs (`step`, `stepBackward`) use the same per-iteration slots with k = `time`.
//
// Shapes: B batch, T length, I input size, H hidden size, G = gateCount * H gate rows, C = cacheCount * H.

/// The maths of one recurrent cell, for the shared `RecurrentLayer`: its gate count, its state layout
/// (h alone, or h with a cell c), how its gate pre-activations are assembled from the two projections,
/// and its per-row forward and backward. The parameters are PyTorch's four tensors for every cell:
/// `NAME.weight_ih` (G, I), `NAME.weight_hh` (G, H), `NAME.bias_ih` (G), `NAME.bias_hh` (G).
public protocol RecurrentCell: Sendable {
    /// Its gates, cache and state layout.
    static var layout: RecurrentCellLayout { get }

    /// The sequence path at one iteration: the state's part of the pre-activations for B rows, into
    /// `gates` (B,G) or `cache` (B,C). state is (B,H).
    static func projectHidden(gates: UnsafeMutablePointer<Float>, cache: UnsafeMutablePointer<Float>,
                              state: UnsafePointer<Float>, batch B: Int, weights: RecurrentWeights)
    /// The step path: everything `forward` needs from input (B,I) and state (B,H), into `gates` (B,G)
    /// and `cache` (B,C); `forward` then runs with no input projection.
    static func projectStep(gates: UnsafeMutablePointer<Float>, cache: UnsafeMutablePointer<Float>,
                            input: UnsafePointer<Float>, state: UnsafePointer<Float>, batch B: Int, weights: RecurrentWeights)
    /// One row: the gates after their non-linearities, the cache, the new state (and cell).
    static func forward(_ row: RecurrentRow, hiddenSize H: Int)
    /// The backward of `forward` for one row: writes (=) both projection gradients, accumulates (+=) the
    /// direct parts into `dState` and `dCell` (the part through W_hh is the layer's GEMM).
    static func backward(_ row: RecurrentRowGradient, hiddenSize H: Int)
}

/// What the driver needs to know of a cell besides its kernels: its `name` in messages ("GRU", "LSTM");
/// `gateCount`, G / H, the gates stacked in the weight rows (GRU 3, LSTM 4); `cacheCount`, C / H, what a
/// row keeps per iteration besides its gates (GRU: the hidden projection, 3; LSTM: tanh(c'), 1);
/// `hasCell`, whether a cell state c travels next to h (LSTM; without one every cell argument is
/// ignored); `hiddenBiasInInputProjection`, whether the sequence path adds b_hh to the input projection
/// (LSTM) rather than to the hidden one, b_hh's gradient then being summed from the input projection's.
public struct RecurrentCellLayout: Sendable {
    public let name: String, gateCount: Int, cacheCount: Int
    public let hasCell: Bool, hiddenBiasInInputProjection: Bool
}

/// A cell's parameters as values, for one call. weightInput (G,I), weightHidden (G,H), biases (G).
public struct RecurrentWeights {
    public let inputSize: Int, hiddenSize: Int, gateSize: Int
    public let weightInput: UnsafePointer<Float>, weightHidden: UnsafePointer<Float>
    public let biasInput: UnsafePointer<Float>, biasHidden: UnsafePointer<Float>
}

/// One row at one iteration, for `RecurrentCell.forward`. gates (G), cache (C), the rest (H).
public struct RecurrentRow {
    public let gates: UnsafeMutablePointer<Float>
    public let cache: UnsafeMutablePointer<Float>
    /// The row's x W_ih^T + biases (G); nil on the step path (`projectStep` has filled gates and cache).
    public let inputProjection: UnsafePointer<Float>?
    public let state: UnsafePointer<Float>, newState: UnsafeMutablePointer<Float>
    /// nil unless the cell `hasCell`.
    public let cell: UnsafePointer<Float>?, newCell: UnsafeMutablePointer<Float>?
}

/// One row at one iteration, for `RecurrentCell.backward`: the gradients to write and what `forward` kept.
public struct RecurrentRowGradient {
    /// (G) each, written: d loss / d input projection and d loss / d hidden projection.
    public let dInputProjection: UnsafeMutablePointer<Float>, dHiddenProjection: UnsafeMutablePointer<Float>
    /// (H), accumulated: d loss / d state and d loss / d cell before the step (dCell nil unless `hasCell`).
    public let dState: UnsafeMutablePointer<Float>, dCell: UnsafeMutablePointer<Float>?
    /// (H): d loss / d state and cell after the step (dNewCell nil = zero).
    public let dNewState: UnsafePointer<Float>, dNewCell: UnsafePointer<Float>?
    public let gates: UnsafePointer<Float>, cache: UnsafePointer<Float>
    public let state: UnsafePointer<Float>, cell: UnsafePointer<Float>?
}

/// What the forward of a `RecurrentLayer` keeps for the backward, and the backward's scratch, for up to
/// `maxBatch` sequences of up to `maxLength` steps (or `maxLength` calls of `step`). Allocated once.
public final class RecurrentActivations: Sendable {
    public let maxBatch: Int, maxLength: Int
    /// (B,T,G), sequence path only: x W_ih^T + b_ih (+ b_hh, see `hiddenBiasInInputProjection`) for every step.
    let inputProjection: Tensor
    /// (T,B,G): the gates after their non-linearities (the step path projects into them first).
    let gates: Tensor
    /// (T,B,C): what the cell keeps besides its gates.
    let cache: Tensor
    /// (T+1,B,H) each, sequence path only: h and c (none without a cell) before iteration k; index 0 is the initial state.
    let states: Tensor, cells: Tensor
    /// (B,T,G) sequence path, (T,B,G) step path: backward scratch, d loss / d input projection.
    let inputProjectionGradient: Tensor
    /// (T,B,G): backward scratch, d loss / d hidden projection.
    let hiddenProjectionGradient: Tensor
    /// (B,H) each: backward scratch, d loss / d (h, c) after and before the current iteration.
    let stateGradient: Tensor, previousStateGradient: Tensor
    let cellGradient: Tensor, previousCellGradient: Tensor

    init(maxBatch B: Int, maxLength T: Int, hiddenSize H: Int, layout: RecurrentCellLayout) {
        precondition(B >= 0 && T >= 0, "\(layout.name) activations: sizes must be non-negative")
        maxBatch = B
        maxLength = T
        let G = layout.gateCount * H, C = layout.cacheCount * H, cellRows = layout.hasCell ? B : 0
        inputProjection = Tensor(shape: [B, T, G])
        gates = Tensor(shape: [T, B, G])
        cache = Tensor(shape: [T, B, C])
        states = Tensor(shape: [T + 1, B, H])
        cells = Tensor(shape: [T + 1, cellRows, H])
        inputProjectionGradient = Tensor(shape: [B, T, G])
        hiddenProjectionGradient = Tensor(shape: [T, B, G])
        stateGradient = Tensor(shape: [B, H])
        previousStateGradient = Tensor(shape: [B, H])
        cellGradient = Tensor(shape: [cellRows, H])
        previousCellGradient = Tensor(shape: [cellRows, H])
    }
}

/// A recurrent layer, one direction, running a `RecurrentCell` (GRU, LSTM) with PyTorch's parameters.
///
/// Two ways to run it, sharing the cell's kernels:
/// - `forward`/`backward` over whole padded sequences (an encoder): the input projections of all
///   steps are one GEMM, then one GEMM per step for the hidden projection. See the top of this file
///   for lengths and `reverse`.
/// - `step`/`stepBackward`, one step at a time (a decoder whose next input depends on its state):
///   call `step` with time = 0, 1, ..., then `stepBackward` with time = ..., 1, 0.
/// The state is h, called state, and for an LSTM also c, called cell; both are carried through padding.
/// A cell argument is ignored (pass nil) for a cell without one.
public struct RecurrentLayer: Sendable {
    public let cell: any RecurrentCell.Type
    /// I
    public let inputSize: Int
    /// H
    public let hiddenSize: Int
    /// `NAME.weight_ih`, (G, I)
    public let weightInput: ParameterSet.Slice
    /// `NAME.weight_hh`, (G, H)
    public let weightHidden: ParameterSet.Slice
    /// `NAME.bias_ih`, (G)
    public let biasInput: ParameterSet.Slice
    /// `NAME.bias_hh`, (G)
    public let biasHidden: ParameterSet.Slice

    /// Declares `NAME.weight_ih`, `NAME.weight_hh`, `NAME.bias_ih`, `NAME.bias_hh`.
    public init(_ cell: any RecurrentCell.Type, _ name: String, inputSize: Int, hiddenSize: Int, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && hiddenSize > 0, "\(cell.layout.name) \(name): sizes must be positive")
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let G = cell.layout.gateCount * hiddenSize
        weightInput = layout.add("\(name).weight_ih", shape: [G, inputSize])
        weightHidden = layout.add("\(name).weight_hh", shape: [G, hiddenSize])
        biasInput = layout.add("\(name).bias_ih", shape: [G])
        biasHidden = layout.add("\(name).bias_hh", shape: [G])
    }

    /// PyTorch's default: all four tensors uniform in ±1/sqrt(H).
    public func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for slice in [weightInput, weightHidden, biasInput, biasHidden] {
            rng.fillUniform(parameters.value(slice), count: slice.count, low: -bound, high: bound)
        }
    }

    /// Room for `maxBatch` sequences of `maxLength` steps, or `maxLength` calls of `step`.
    public func makeActivations(maxBatch: Int, maxLength: Int) -> RecurrentActivations {
        RecurrentActivations(maxBatch: maxBatch, maxLength: maxLength, hiddenSize: hiddenSize, layout: cell.layout)
    }

    // MARK: - Whole sequences

    /// Runs the layer over padded sequences.
    ///
    /// `outputs[b, t]` is h after processing time t (zero at padded times); `finalState` and
    /// `finalCell` are h and c after the last real step of each row (after t = 0 when `reverse`).
    /// Nil initial values mean zeros. Shapes: outputs (B,T,H), finalState and finalCell (B,H),
    /// inputs (B,T,I), initialState and initialCell (B,H), lengths (B).
    public func forward(outputs: UnsafeMutablePointer<Float>, finalState: UnsafeMutablePointer<Float>?,
                        finalCell: UnsafeMutablePointer<Float>?, inputs: UnsafePointer<Float>,
                        initialState: UnsafePointer<Float>?, initialCell: UnsafePointer<Float>?,
                        batch B: Int, length T: Int, lengths: UnsafePointer<Int32>?, reverse: Bool,
                        activations: RecurrentActivations, parameters: ParameterSet) {
        // inputs is (B,T,I), weight_ih is (G,I), inputProjection is (B,T,G), states and cells are (T+1,B,H)
        checkSizes(batch: B, length: T, activations: activations)
        let cell = self.cell, layout = cell.layout, hasCell = layout.hasCell, weights = self.weights(parameters)
        let I = inputSize, H = hiddenSize, G = weights.gateSize, C = layout.cacheCount * H
        let inputProjection = activations.inputProjection.data
        let states = activations.states.data, cells = activations.cells.data
        // all input projections at once: (B*T, I) x (I, G)
        gemm(transposeA: false, transposeB: true, m: B * T, n: G, k: I, alpha: 1, a: inputs, lda: I,
             b: weights.weightInput, ldb: I, beta: 0, c: inputProjection, ldc: G)
        addBias(out: inputProjection, inp: inputProjection, bias: weights.biasInput, rows: B * T, cols: G)
        if layout.hiddenBiasInInputProjection {
            addBias(out: inputProjection, inp: inputProjection, bias: weights.biasHidden, rows: B * T, cols: G)
        }
        if let initialState { states.update(from: initialState, count: B * H) } else { states.update(repeating: 0, count: B * H) }
        if hasCell {
            if let initialCell { cells.update(from: initialCell, count: B * H) } else { cells.update(repeating: 0, count: B * H) }
        }
        for k in 0..<T {
            let state = states + k * B * H, newState = states + (k + 1) * B * H
            let oldCell = cells + k * B * H, newCell = cells + (k + 1) * B * H
            let gates = activations.gates.data + k * B * G, cache = activations.cache.data + k * B * C
            cell.projectHidden(gates: gates, cache: cache, state: state, batch: B, weights: weights)
            for b in 0..<B {
                let valid = validLength(lengths, b, length: T)
                guard k < valid else {
                    // padding: h and c are carried through
                    (newState + b * H).update(from: state + b * H, count: H)
                    if hasCell { (newCell + b * H).update(from: oldCell + b * H, count: H) }
                    continue
                }
                let t = timeIndex(iteration: k, validLength: valid, reverse: reverse)
                cell.forward(RecurrentRow(gates: gates + b * G, cache: cache + b * C,
                                          inputProjection: inputProjection + (b * T + t) * G,
                                          state: state + b * H, newState: newState + b * H,
                                          cell: hasCell ? oldCell + b * H : nil, newCell: hasCell ? newCell + b * H : nil),
                             hiddenSize: H)
                (outputs + (b * T + t) * H).update(from: newState + b * H, count: H)
            }
        }
        zeroPaddedOutputs(outputs, lengths: lengths, batch: B, length: T, hiddenSize: H)
        if let finalState { finalState.update(from: states + T * B * H, count: B * H) }
        if hasCell, let finalCell { finalCell.update(from: cells + T * B * H, count: B * H) }
    }

    /// Backpropagation through time for `forward`; accumulates (+=) into the parameter gradients,
    /// `dinputs`, `dinitialState` and `dinitialCell` (each optional).
    ///
    /// `doutputs` (B,T,H), `dfinalState` and `dfinalCell` (B,H) are the gradients of the loss with
    /// respect to the forward's outputs (nil = zero); gradients at padded times are ignored (those
    /// outputs are constant zeros). `inputs`, the sizes and `activations` must be those of the matching
    /// forward. Shapes: dinputs (B,T,I), dinitialState and dinitialCell (B,H).
    public func backward(dinputs: UnsafeMutablePointer<Float>?, dinitialState: UnsafeMutablePointer<Float>?,
                         dinitialCell: UnsafeMutablePointer<Float>?, doutputs: UnsafePointer<Float>?,
                         dfinalState: UnsafePointer<Float>?, dfinalCell: UnsafePointer<Float>?,
                         inputs: UnsafePointer<Float>, batch B: Int, length T: Int, lengths: UnsafePointer<Int32>?,
                         reverse: Bool, activations: RecurrentActivations, parameters: ParameterSet) {
        // doutputs is (B,T,H), dinputs is (B,T,I); dInputProjection is (B,T,G), dHiddenProjection is (T,B,G)
        checkSizes(batch: B, length: T, activations: activations)
        let cell = self.cell, layout = cell.layout, hasCell = layout.hasCell, weights = self.weights(parameters)
        let I = inputSize, H = hiddenSize, G = weights.gateSize, C = layout.cacheCount * H
        let states = activations.states.data, cells = activations.cells.data
        let dInputProjection = activations.inputProjectionGradient.data
        let dHiddenProjection = activations.hiddenProjectionGradient.data
        dInputProjection.update(repeating: 0, count: B * T * G)  // padded times get no gradient
        var dState = activations.stateGradient.data, dPreviousState = activations.previousStateGradient.data
        var dCell = activations.cellGradient.data, dPreviousCell = activations.previousCellGradient.data
        if let dfinalState { dState.update(from: dfinalState, count: B * H) } else { dState.update(repeating: 0, count: B * H) }
        if hasCell {
            if let dfinalCell { dCell.update(from: dfinalCell, count: B * H) } else { dCell.update(repeating: 0, count: B * H) }
        }
        for k in stride(from: T - 1, through: 0, by: -1) {
            let state = states + k * B * H, oldCell = cells + k * B * H
            let gates = activations.gates.data + k * B * G, cache = activations.cache.data + k * B * C
            let dHidden = dHiddenProjection + k * B * G
            for b in 0..<B {
                let valid = validLength(lengths, b, length: T)
                guard k < valid else {
                    // forward: h and c were carried through
                    (dPreviousState + b * H).update(from: dState + b * H, count: H)
                    if hasCell { (dPreviousCell + b * H).update(from: dCell + b * H, count: H) }
                    (dHidden + b * G).update(repeating: 0, count: G)
                    continue
                }
                let t = timeIndex(iteration: k, validLength: valid, reverse: reverse)
                // forward: outputs[b, t] = newState[b]
                if let doutputs { axpy(y: dState + b * H, alpha: 1, x: doutputs + (b * T + t) * H, count: H) }
                (dPreviousState + b * H).update(repeating: 0, count: H)
                if hasCell { (dPreviousCell + b * H).update(repeating: 0, count: H) }
                cell.backward(RecurrentRowGradient(dInputProjection: dInputProjection + (b * T + t) * G,
                                                   dHiddenProjection: dHidden + b * G,
                                                   dState: dPreviousState + b * H, dCell: hasCell ? dPreviousCell + b * H : nil,
                                                   dNewState: dState + b * H, dNewCell: hasCell ? dCell + b * H : nil,
                                                   gates: gates + b * G, cache: cache + b * C,
                                                   state: state + b * H, cell: hasCell ? oldCell + b * H : nil),
                              hiddenSize: H)
            }
            // forward: the hidden projection is state W_hh^T (+ b_hh)  =>  dstate += dHidden W_hh
            gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: dHidden, lda: G,
                 b: weights.weightHidden, ldb: H, beta: 1, c: dPreviousState, ldc: H)
            swap(&dState, &dPreviousState)
            if hasCell { swap(&dCell, &dPreviousCell) }
        }
        if let dinitialState { axpy(y: dinitialState, alpha: 1, x: dState, count: B * H) }
        if hasCell, let dinitialCell { axpy(y: dinitialCell, alpha: 1, x: dCell, count: B * H) }
        // dW_hh += sum_k dHidden_k^T state_k: one GEMM over all T*B rows
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: T * B, alpha: 1, a: dHiddenProjection, lda: G,
             b: states, ldb: H, beta: 1, c: parameters.gradient(weightHidden), ldc: H)
        if layout.hiddenBiasInInputProjection {
            // forward: inputProjection = inputs W_ih^T + b_ih + b_hh
            addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dInputProjection, rows: B * T, cols: G)
        } else {
            addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dHiddenProjection, rows: T * B, cols: G)
        }
        // forward: inputProjection = inputs W_ih^T + b_ih
        if let dinputs {
            gemm(transposeA: false, transposeB: false, m: B * T, n: I, k: G, alpha: 1, a: dInputProjection, lda: G,
                 b: weights.weightInput, ldb: I, beta: 1, c: dinputs, ldc: I)
        }
        gemm(transposeA: true, transposeB: false, m: G, n: I, k: B * T, alpha: 1, a: dInputProjection, lda: G,
             b: inputs, ldb: I, beta: 1, c: parameters.gradient(weightInput), ldc: I)
        addBiasBackward(dbias: parameters.gradient(biasInput), dout: dInputProjection, rows: B * T, cols: G)
    }

    // MARK: - One step

    /// One step for all rows: (newState, newCell) = cell(input, (state, cell)). Keeps its activations
    /// in slot `time` (0 <= time < maxLength), so a decoder can run `time` = 0, 1, ... and then
    /// backpropagate. The new buffers must not be the old ones (the backward needs those).
    /// Shapes: input (B,I), the others (B,H).
    public func step(newState: UnsafeMutablePointer<Float>, newCell: UnsafeMutablePointer<Float>?,
                     input: UnsafePointer<Float>, state: UnsafePointer<Float>, cell oldCell: UnsafePointer<Float>?,
                     batch B: Int, time: Int, activations: RecurrentActivations, parameters: ParameterSet) {
        // input is (B,I), gates are (B,G) and cache (B,C) at slot time
        checkSizes(batch: B, length: time + 1, activations: activations)
        let cell = self.cell, layout = cell.layout, hasCell = layout.hasCell, weights = self.weights(parameters)
        let H = hiddenSize, G = weights.gateSize, C = layout.cacheCount * H
        precondition(UnsafePointer(newState) != state, "\(layout.name).step: newState must not be state (the backward needs state)")
        if hasCell {
            precondition(newCell != nil && oldCell != nil, "\(layout.name).step: the cell and the new cell are required")
            precondition(UnsafePointer(newCell!) != oldCell!, "\(layout.name).step: newCell must not be cell (the backward needs cell)")
        }
        let gates = activations.gates.data + time * B * G, cache = activations.cache.data + time * B * C
        cell.projectStep(gates: gates, cache: cache, input: input, state: state, batch: B, weights: weights)
        for b in 0..<B {
            cell.forward(RecurrentRow(gates: gates + b * G, cache: cache + b * C, inputProjection: nil,
                                      state: state + b * H, newState: newState + b * H,
                                      cell: hasCell ? oldCell! + b * H : nil, newCell: hasCell ? newCell! + b * H : nil),
                         hiddenSize: H)
        }
    }

    /// The backward of `step` at slot `time`: accumulates (+=) into `dinput` (optional), `dstate`,
    /// `dcell` and the parameter gradients. `dnewCell` nil means zero (the last step, whose cell is not
    /// used). `input`, `state`, `cell` and the sizes must be those of the matching `step`.
    /// Shapes: dinput and input (B,I), the others (B,H).
    public func stepBackward(dinput: UnsafeMutablePointer<Float>?, dstate: UnsafeMutablePointer<Float>,
                             dcell: UnsafeMutablePointer<Float>?, dnewState: UnsafePointer<Float>,
                             dnewCell: UnsafePointer<Float>?, input: UnsafePointer<Float>,
                             state: UnsafePointer<Float>, cell oldCell: UnsafePointer<Float>?,
                             batch B: Int, time: Int, activations: RecurrentActivations, parameters: ParameterSet) {
        // dInput and dHidden, the projection gradients, are (B,G) at slot time
        checkSizes(batch: B, length: time + 1, activations: activations)
        let cell = self.cell, layout = cell.layout, hasCell = layout.hasCell, weights = self.weights(parameters)
        let I = inputSize, H = hiddenSize, G = weights.gateSize, C = layout.cacheCount * H
        precondition(UnsafePointer(dstate) != dnewState, "\(layout.name).stepBackward: dstate must not be dnewState")
        if hasCell {
            precondition(dcell != nil && oldCell != nil, "\(layout.name).stepBackward: the cell and its gradient are required")
            precondition(UnsafePointer(dcell!) != dnewCell, "\(layout.name).stepBackward: dcell must not be dnewCell")
        }
        let gates = activations.gates.data + time * B * G, cache = activations.cache.data + time * B * C
        let dInput = activations.inputProjectionGradient.data + time * B * G
        let dHidden = activations.hiddenProjectionGradient.data + time * B * G
        for b in 0..<B {
            cell.backward(RecurrentRowGradient(dInputProjection: dInput + b * G, dHiddenProjection: dHidden + b * G,
                                               dState: dstate + b * H, dCell: hasCell ? dcell! + b * H : nil,
                                               dNewState: dnewState + b * H, dNewCell: hasCell ? dnewCell.map { $0 + b * H } : nil,
                                               gates: gates + b * G, cache: cache + b * C,
                                               state: state + b * H, cell: hasCell ? oldCell! + b * H : nil),
                          hiddenSize: H)
        }
        // forward: the hidden projection is state W_hh^T + b_hh
        gemm(transposeA: false, transposeB: false, m: B, n: H, k: G, alpha: 1, a: dHidden, lda: G,
             b: weights.weightHidden, ldb: H, beta: 1, c: dstate, ldc: H)
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: B, alpha: 1, a: dHidden, lda: G,
             b: state, ldb: H, beta: 1, c: parameters.gradient(weightHidden), ldc: H)
        addBiasBackward(dbias: parameters.gradient(biasHidden), dout: dHidden, rows: B, cols: G)
        // forward: the input projection is input W_ih^T + b_ih
        if let dinput {
            gemm(transposeA: false, transposeB: false, m: B, n: I, k: G, alpha: 1, a: dInput, lda: G,
                 b: weights.weightInput, ldb: I, beta: 1, c: dinput, ldc: I)
        }
        gemm(transposeA: true, transposeB: false, m: G, n: I, k: B, alpha: 1, a: dInput, lda: G,
             b: input, ldb: I, beta: 1, c: parameters.gradient(weightInput), ldc: I)
        addBiasBackward(dbias: parameters.gradient(biasInput), dout: dInput, rows: B, cols: G)
    }

    // MARK: - Shared pieces

    private func weights(_ parameters: ParameterSet) -> RecurrentWeights {
        RecurrentWeights(inputSize: inputSize, hiddenSize: hiddenSize, gateSize: cell.layout.gateCount * hiddenSize,
                         weightInput: parameters.value(weightInput), weightHidden: parameters.value(weightHidden),
                         biasInput: parameters.value(biasInput), biasHidden: parameters.value(biasHidden))
    }

    private func checkSizes(batch B: Int, length T: Int, activations: RecurrentActivations) {
        precondition(B >= 0 && T >= 0, "\(cell.layout.name): sizes must be non-negative, got batch \(B), length \(T)")
        precondition(B <= activations.maxBatch && T <= activations.maxLength,
                     "\(cell.layout.name): batch \(B), length \(T) but activations for \(activations.maxBatch) x \(activations.maxLength)")
    }
}

/// The number of real steps of example `b`: `lengths[b]`, or `length` without lengths.
@inline(__always)
func validLength(_ lengths: UnsafePointer<Int32>?, _ b: Int, length: Int) -> Int {
    guard let lengths else { return length }
    let valid = Int(lengths[b])
    precondition(valid >= 0 && valid <= length, "recurrent layer: lengths[\(b)] = \(valid) is outside 0...\(length)")
    return valid
}

/// The time position row `b` processes at iteration `k` (< its valid length).
@inline(__always)
func timeIndex(iteration k: Int, validLength: Int, reverse: Bool) -> Int {
    reverse ? validLength - 1 - k : k
}

/// Zeroes the output rows of the padded times t >= lengths[b]. outputs is (B,T,H).
func zeroPaddedOutputs(_ outputs: UnsafeMutablePointer<Float>, lengths: UnsafePointer<Int32>?,
                       batch B: Int, length T: Int, hiddenSize H: Int) {
    guard lengths != nil else { return }
    for b in 0..<B {
        let valid = validLength(lengths, b, length: T)
        if valid < T { (outputs + (b * T + valid) * H).update(repeating: 0, count: (T - valid) * H) }
    }
}
