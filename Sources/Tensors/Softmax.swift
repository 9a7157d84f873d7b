import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Row softmax with an optional additive mask and a scale, as attention uses it:
// probabilities = softmax(scale * scores + mask) over the last dimension. The fast kernels are C
// (CKernels: 16-lane vectors, AVX-512, AVX2 or baseline chosen at load, the same bits on each); the
// naive twins here, one element at a time with expf, are the reference they are tested against.

/// Writes a (T,T) causal mask: 0 on and below the diagonal (a position sees itself and the past),
/// -infinity above it (the future).
///
///     mask[t, s] = 0 if s <= t, -inf if s > t
public func causalMask(out: UnsafeMutablePointer<Float>, sequenceLength T: Int) {
    // out is (T,T)
    precondition(T >= 0, "causalMask: T must be non-negative, got \(T)")
    for t in 0..<T {
        let row = out + t * T
        for s in 0..<T { row[s] = s <= t ? 0 : -Float.infinity }
    }
}

/// Row softmax of a scaled, masked input.
///
///     z[r, c]   = scale * inp[r, c] + mask[r % maskRows, c]        (mask term omitted when mask is nil)
///     out[r, c] = exp(z[r, c] - max_c z[r, :]) / sum_c exp(z[r, c] - max_c z[r, :])
///
/// Subtracting the row maximum keeps exp from overflowing whatever the magnitude of the input.
/// The mask has `maskRows` rows and row r of the input uses mask row `r % maskRows`, so one (T,T)
/// causal mask serves all B*H*T rows of attention scores; `rows` must be a multiple of `maskRows`.
/// Mask entries are usually 0 (keep) or -infinity (drop); any finite value adds a bias, but +infinity
/// and NaN are not allowed. A masked entry gets exactly 0 probability. A row whose every entry is
/// -infinity (fully masked) has no distribution: its output row is all zeros, not NaN.
///
/// `out` may be the same buffer as `inp` (in place). Shapes: inp and out are (rows, cols), mask is
/// (maskRows, cols).
public func softmaxForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, maskRows: Int, scale: Float,
    rows: Int, cols: Int
) {
    // inp is (rows, cols), mask is (maskRows, cols), out is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxForward: sizes must be non-negative, got (\(rows), \(cols))")
    if mask != nil {
        precondition(maskRows > 0 && rows % maskRows == 0,
                     "softmaxForward: rows (\(rows)) must be a positive multiple of maskRows (\(maskRows))")
    }
    ablate_softmax_forward(out, inp, mask, Int64(mask == nil ? 1 : maskRows), nil, 1, scale, Int64(rows), Int64(cols))
}

/// Row softmax of a scaled input whose row r keeps only its first `kept[r % keptRows]` columns: the
/// others are masked (-infinity), as a causal or padding mask does, without a mask in memory.
///
///     z[r, c]   = scale * inp[r, c]                for c < kept[r % keptRows], -infinity after
///     out[r, c] = softmax_c(z[r, :])               (a row with nothing kept is all zeros)
///
/// Equals `softmaxForward` with the matching 0 / -infinity mask, and skips the masked columns'
/// arithmetic. `out` may be `inp` (in place). Shapes: inp and out are (rows, cols), kept is (keptRows),
/// each entry in 0...cols; `rows` must be a multiple of `keptRows`.
public func softmaxForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, scale: Float,
    kept: UnsafePointer<Int32>, keptRows: Int, rows: Int, cols: Int
) {
    // inp is (rows, cols), kept is (keptRows), out is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxForward: sizes must be non-negative, got (\(rows), \(cols))")
    precondition(keptRows > 0 && rows % keptRows == 0,
                 "softmaxForward: rows (\(rows)) must be a positive multiple of keptRows (\(keptRows))")
    checkKept(kept, keptRows: keptRows, cols: cols, "softmaxForward")
    ablate_softmax_forward(out, inp, nil, 1, kept, Int64(keptRows), scale, Int64(rows), Int64(cols))
}

/// Checks that every kept[r] (r < keptRows) lies in 0...cols.
@inline(__always)
private func checkKept(_ kept: UnsafePointer<Int32>, keptRows: Int, cols: Int, _ function: StaticString) {
    for r in 0..<keptRows {
        let n = Int(kept[r])
        precondition(n >= 0 && n <= cols, "\(function): kept[\(r)] = \(n) is outside 0...\(cols)")
    }
}

/// The naive twin of `softmaxForward`: the same definition, one element at a time with expf. It is the
/// reference the vectorised kernels are tested against.
public func softmaxForwardNaive(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, maskRows: Int, scale: Float,
    rows: Int, cols: Int
) {
    // inp is (rows, cols), mask is (maskRows, cols), out is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxForward: sizes must be non-negative, got (\(rows), \(cols))")
    if mask != nil {
        precondition(maskRows > 0 && rows % maskRows == 0,
                     "softmaxForward: rows (\(rows)) must be a positive multiple of maskRows (\(maskRows))")
    }
    for r in 0..<rows {
        let x = inp + r * cols
        let y = out + r * cols
        // z = scale * inp + mask, kept in out (reading x[c] before writing y[c] makes in place safe)
        if let mask {
            let m = mask + (r % maskRows) * cols
            for c in 0..<cols { y[c] = scale * x[c] + m[c] }
        } else {
            for c in 0..<cols { y[c] = scale * x[c] }
        }
        var maxValue = -Float.infinity
        for c in 0..<cols { maxValue = max(maxValue, y[c]) }
        if maxValue == -Float.infinity {
            // fully masked (or empty) row: all zeros by definition
            for c in 0..<cols { y[c] = 0 }
            continue
        }
        var sum: Float = 0
        for c in 0..<cols {
            let e = expf(y[c] - maxValue)  // exp(-inf) = 0 exactly for masked entries
            y[c] = e
            sum += e
        }
        let inverse = 1 / sum  // sum >= 1: the maximum entry contributes exp(0) = 1
        for c in 0..<cols { y[c] *= inverse }
    }
}

/// Backward of `softmaxForward`, accumulated into `dinp`.
///
///     forward:  out[r, c] = softmax_c(scale * inp[r, :] + mask)[c]
///     backward: dinp[r, c] += scale * out[r, c] * (dout[r, c] - sum_k dout[r, k] * out[r, k])
///
/// The mask is a constant and gets no gradient. A fully masked row has out = 0 and so adds zero.
/// With `accumulate: false`, dinp is written (=) rather than added to, so the caller need not zero it.
/// Shapes: dinp, dout and out are (rows, cols).
public func softmaxBackward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
    scale: Float, rows: Int, cols: Int, accumulate: Bool = true
) {
    // dout and out are (rows, cols), dinp is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxBackward: sizes must be non-negative, got (\(rows), \(cols))")
    ablate_softmax_backward(dinp, dout, out, nil, 1, scale, Int64(rows), Int64(cols), accumulate ? 1 : 0)
}

/// Backward of the kept-prefix `softmaxForward`, accumulated into the first `kept[r % keptRows]`
/// columns of each row of `dinp`; the other columns (out = 0 there) are left as they are.
///
///     dinp[r, c] += scale * out[r, c] * (dout[r, c] - sum_{k < kept} dout[r, k] * out[r, k])    for c < kept
///
/// Equals `softmaxBackward` wherever dout is finite, and reads neither dout nor out past the prefix.
/// With `accumulate: false`, each row's prefix is written (=) and the rest of the row set to 0.
/// Shapes: dinp, dout and out are (rows, cols), kept is (keptRows).
public func softmaxBackward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
    scale: Float, kept: UnsafePointer<Int32>, keptRows: Int, rows: Int, cols: Int, accumulate: Bool = true
) {
    // dout and out are (rows, cols), kept is (keptRows), dinp is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxBackward: sizes must be non-negative, got (\(rows), \(cols))")
    precondition(keptRows > 0 && rows % keptRows == 0,
                 "softmaxBackward: rows (\(rows)) must be a positive multiple of keptRows (\(keptRows))")
    checkKept(kept, keptRows: keptRows, cols: cols, "softmaxBackward")
    ablate_softmax_backward(dinp, dout, out, kept, Int64(keptRows), scale, Int64(rows), Int64(cols), accumulate ? 1 : 0)
}

/// The naive twin of `softmaxBackward`.
public func softmaxBackwardNaive(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
    scale: Float, rows: Int, cols: Int
) {
    // dout and out are (rows, cols), dinp is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxBackward: sizes must be non-negative, got (\(rows), \(cols))")
    for r in 0..<rows {
        let p = out + r * cols
        let g = dout + r * cols
        let d = dinp + r * cols
        // the Jacobian-vector product: d out_c / d z_k = out_c * (delta_ck - out_k)
        var dot: Float = 0
        for c in 0..<cols { dot += g[c] * p[c] }
        // z = scale * inp + mask, so d z / d inp = scale
        for c in 0..<cols { d[c] += scale * p[c] * (g[c] - dot) }
    }
}
