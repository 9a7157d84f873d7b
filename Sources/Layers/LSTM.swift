#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// Long short-term memory (Hochreiter and Schmidhuber 1997) as a `RecurrentCell`, with PyTorch's
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
/// `NAME.bias_ih` (4H), `NAME.bias_hh` (4H). The state is the pair (h, c), called state and cell. A
/// row keeps i, f, g, o (its gates) and tanh(c') (its cache). Both biases go into the sequence path's
/// input projection, so one GEMM a step (state W_hh^T) completes the pre-activations; the two
/// projection gradients are the same, the gradient of the gate pre-activations.
/// Run it with `RecurrentLayer(LSTM.self, ...)`; see Recurrent.swift. Shapes: B batch, I input size, H hidden size.
public enum LSTM: RecurrentCell {
    public static let layout = RecurrentCellLayout(name: "LSTM", gateCount: 4, cacheCount: 1, hasCell: true,
                                                   hiddenBiasInInputProjection: true)

    /// gates = state W_hh^T; `forward` adds the input projection. state is (B,H), gates are (B,4H).
    public static func projectHidden(gates: UnsafeMutablePointer<Float>, cache _: UnsafeMutablePointer<Float>,
                                     state: UnsafePointer<Float>, batch B: Int, weights: RecurrentWeights) {
        let H = weights.hiddenSize, G = weights.gateSize
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, alpha: 1, a: state, lda: H,
             b: weights.weightHidden, ldb: H, beta: 0, c: gates, ldc: G)
    }

    /// gates = input W_ih^T + state W_hh^T + b_ih + b_hh. input is (B,I), state (B,H), gates (B,4H).
    public static func projectStep(gates: UnsafeMutablePointer<Float>, cache _: UnsafeMutablePointer<Float>,
                                   input: UnsafePointer<Float>, state: UnsafePointer<Float>, batch B: Int,
                                   weights: RecurrentWeights) {
        let I = weights.inputSize, H = weights.hiddenSize, G = weights.gateSize
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: I, alpha: 1, a: input, lda: I,
             b: weights.weightInput, ldb: I, beta: 0, c: gates, ldc: G)
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, alpha: 1, a: state, lda: H,
             b: weights.weightHidden, ldb: H, beta: 1, c: gates, ldc: G)
        addBias(out: gates, inp: gates, bias: weights.biasInput, rows: B, cols: G)
        addBias(out: gates, inp: gates, bias: weights.biasHidden, rows: B, cols: G)
    }

    public static func forward(_ row: RecurrentRow, hiddenSize H: Int) {
        lstmCellForward(gates: row.gates, newState: row.newState, newCell: row.newCell!, cellTanh: row.cache,
                        inputProjection: row.inputProjection, cell: row.cell!, H: H)
    }

    /// Both projections fed the same pre-activations, so both gradients are the gate gradient.
    public static func backward(_ row: RecurrentRowGradient, hiddenSize H: Int) {
        lstmCellBackward(dgates: row.dHiddenProjection, dcell: row.dCell!, dnewState: row.dNewState, dnewCell: row.dNewCell,
                         gates: row.gates, cellTanh: row.cache, cell: row.cell!, H: H)
        row.dInputProjection.update(from: row.dHiddenProjection, count: 4 * H)
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
