import CKernels
import Tensors

/// The gated recurrent unit (Cho et al. 2014) as a `RecurrentCell`, with PyTorch's equations and gate order:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 - z) ⊙ n + z ⊙ h
///
/// Parameters (checkpoint keys, PyTorch's): `NAME.weight_ih` (3H, I) = [W_ir; W_iz; W_in],
/// `NAME.weight_hh` (3H, H), `NAME.bias_ih` (3H), `NAME.bias_hh` (3H). The state is h alone. A row
/// keeps r, z, n (its gates) and h W_hh^T + b_hh (its cache: the backward needs the n part).
/// Run it with `RecurrentLayer(GRU.self, ...)`; see Recurrent.swift. Shapes: B batch, I input size, H hidden size.
public enum GRU: RecurrentCell {
    public static let layout = RecurrentCellLayout(name: "GRU", gateCount: 3, cacheCount: 3, hasCell: false,
                                                   hiddenBiasInInputProjection: false)

    /// cache = state W_hh^T + b_hh. state is (B,H), cache is (B,3H).
    public static func projectHidden(gates: UnsafeMutablePointer<Float>, cache: UnsafeMutablePointer<Float>,
                                     state: UnsafePointer<Float>, batch B: Int, weights: RecurrentWeights) {
        let H = weights.hiddenSize, G = weights.gateSize
        // each row starts as b_hh, then the GEMM adds state W_hh^T (no zeroing pass, no bias pass)
        for b in 0..<B { (cache + b * G).update(from: weights.biasHidden, count: G) }
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, alpha: 1, a: state, lda: H,
             b: weights.weightHidden, ldb: H, beta: 1, c: cache, ldc: G)
    }

    /// gates = input W_ih^T + b_ih (the cell overwrites it in place), cache = state W_hh^T + b_hh.
    public static func projectStep(gates: UnsafeMutablePointer<Float>, cache: UnsafeMutablePointer<Float>,
                                   input: UnsafePointer<Float>, state: UnsafePointer<Float>, batch B: Int,
                                   weights: RecurrentWeights) {
        // input is (B,I), weight_ih is (3H,I), gates and cache are (B,3H)
        let I = weights.inputSize, G = weights.gateSize
        gemm(transposeA: false, transposeB: true, m: B, n: G, k: I, alpha: 1, a: input, lda: I,
             b: weights.weightInput, ldb: I, beta: 0, c: gates, ldc: G)
        addBias(out: gates, inp: gates, bias: weights.biasInput, rows: B, cols: G)
        projectHidden(gates: gates, cache: cache, state: state, batch: B, weights: weights)
    }

    public static func forward(_ row: RecurrentRow, hiddenSize H: Int) {
        ablate_gru_forward(row.gates, row.newState, row.inputProjection ?? UnsafePointer(row.gates), row.cache, row.state, Int64(H))
    }

    public static func backward(_ row: RecurrentRowGradient, hiddenSize H: Int) {
        ablate_gru_backward(row.dInputProjection, row.dHiddenProjection, row.dState, row.dNewState, row.gates, row.cache, row.state,
                            Int64(H))
    }
}

/// The naive twin of the GRU cell's C kernel (`ablate_gru_forward`, which `GRU.forward` runs) for one
/// row, given its two projections (biases included): writes r, z, n into `gates` and h' into `newState`,
/// with expf and tanhf one element at a time. `gates` may be `inputProjection` (in place).
///
///     r = σ(xp_r + hp_r),  z = σ(xp_z + hp_z),  n = tanh(xp_n + r ⊙ hp_n),  h' = (1 - z) ⊙ n + z ⊙ h
func gruCellForwardNaive(gates: UnsafeMutablePointer<Float>, newState: UnsafeMutablePointer<Float>,
                         inputProjection: UnsafePointer<Float>, hiddenProjection: UnsafePointer<Float>,
                         state: UnsafePointer<Float>, H: Int) {
    // gates, inputProjection and hiddenProjection are (3H) = [r | z | n]; state and newState are (H)
    for j in 0..<(2 * H) { gates[j] = inputProjection[j] + hiddenProjection[j] }
    sigmoidForwardNaive(out: gates, inp: gates, count: 2 * H)
    let r = gates, z = gates + H, n = gates + 2 * H
    for j in 0..<H { n[j] = inputProjection[2 * H + j] + r[j] * hiddenProjection[2 * H + j] }
    tanhForwardNaive(out: n, inp: n, count: H)
    for j in 0..<H { newState[j] = (1 - z[j]) * n[j] + z[j] * state[j] }
}

/// The naive twin of `ablate_gru_backward` (`GRU.backward`), the backward of the cell for one row: writes
/// (=) the gradients of both projections and accumulates (+=) the direct part z ⊙ dh' into `dstate` (the
/// part through W_hh is the caller's GEMM). The same operations in the same order as the C kernel.
func gruCellBackwardNaive(dinputProjection: UnsafeMutablePointer<Float>, dhiddenProjection: UnsafeMutablePointer<Float>,
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
