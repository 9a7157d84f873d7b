#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Row softmax with an optional additive mask and a scale, as attention uses it:
// probabilities = softmax(scale * scores + mask) over the last dimension.

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
    for r in 0..<rows {
        softmaxRow(out + r * cols, inp + r * cols, mask: mask.map { $0 + (r % maskRows) * cols }, scale: scale,
                   kept: cols, cols: cols)
    }
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
    for r in 0..<rows {
        let n = keptPrefix(kept, row: r, keptRows: keptRows, cols: cols, "softmaxForward")
        softmaxRow(out + r * cols, inp + r * cols, mask: nil, scale: scale, kept: n, cols: cols)
    }
}

/// Row r's kept prefix, kept[r % keptRows], checked to lie in 0...cols.
@inline(__always)
private func keptPrefix(_ kept: UnsafePointer<Int32>, row r: Int, keptRows: Int, cols: Int, _ function: StaticString) -> Int {
    let n = Int(kept[r % keptRows])
    precondition(n >= 0 && n <= cols, "\(function): kept[\(r % keptRows)] = \(n) is outside 0...\(cols)")
    return n
}

/// One row of the vectorised softmax: z = scale * x + m over the first `kept` columns, zeros after.
@inline(__always)
private func softmaxRow(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, mask m: UnsafePointer<Float>?,
                        scale: Float, kept n: Int, cols: Int) {
    let width = FloatVector.scalarCount
    let full = n - n % width, tail = n - full
    // z = scale * x + m, kept in y (each vector is read before it is written: in place is safe)
    var maxima = FloatVector(repeating: -.infinity)
    var c = 0
    while c < full {
        var z = scale * loadVector(x + c)
        if let m { z += loadVector(m + c) }
        storeVector(z, y + c)
        maxima = lanewiseMax(maxima, z)
        c += width
    }
    if tail > 0 {
        var z = scale * loadPartial(x + c, count: tail, fill: 0)
        if let m { z += loadPartial(m + c, count: tail, fill: 0) }
        z.replace(with: -.infinity, where: lanesFrom(tail))
        storePartial(z, y + c, count: tail)
        maxima = lanewiseMax(maxima, z)
    }
    let maxValue = horizontalMax(maxima)
    if maxValue == -.infinity {
        // fully masked (or empty) row: all zeros by definition
        y.update(repeating: 0, count: cols)
        return
    }
    let top = FloatVector(repeating: maxValue)
    var sums = FloatVector()
    c = 0
    while c < full {
        let e = vectorExp(loadVector(y + c) - top)  // exp(-inf) = 0 exactly for masked entries
        storeVector(e, y + c)
        sums += e
        c += width
    }
    if tail > 0 {
        var z = loadPartial(y + c, count: tail, fill: 0) - top
        z.replace(with: -.infinity, where: lanesFrom(tail))
        let e = vectorExp(z)
        storePartial(e, y + c, count: tail)
        sums += e
    }
    let inverse = FloatVector(repeating: 1 / horizontalSum(sums))  // sum >= 1: the maximum contributes exp(0) = 1
    c = 0
    while c < full {
        storeVector(loadVector(y + c) * inverse, y + c)
        c += width
    }
    for i in c..<n { y[i] *= inverse[0] }
    if n < cols { (y + n).update(repeating: 0, count: cols - n) }
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
/// Shapes: dinp, dout and out are (rows, cols).
public func softmaxBackward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
    scale: Float, rows: Int, cols: Int
) {
    // dout and out are (rows, cols), dinp is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxBackward: sizes must be non-negative, got (\(rows), \(cols))")
    let width = FloatVector.scalarCount
    let full = cols - cols % width
    for r in 0..<rows {
        let p = out + r * cols
        let g = dout + r * cols
        let d = dinp + r * cols
        // the Jacobian-vector product: d out_c / d z_k = out_c * (delta_ck - out_k)
        var dots = FloatVector()
        var c = 0
        while c < full {
            dots += loadVector(g + c) * loadVector(p + c)
            c += width
        }
        var dot = horizontalSum(dots)
        for i in full..<cols { dot += g[i] * p[i] }
        // z = scale * inp + mask, so d z / d inp = scale
        let scales = FloatVector(repeating: scale), dotVector = FloatVector(repeating: dot)
        c = 0
        while c < full {
            storeVector(loadVector(d + c) + scales * loadVector(p + c) * (loadVector(g + c) - dotVector), d + c)
            c += width
        }
        for i in full..<cols { d[i] += scale * p[i] * (g[i] - dot) }
    }
}

/// Backward of the kept-prefix `softmaxForward`, accumulated into the first `kept[r % keptRows]`
/// columns of each row of `dinp`; the other columns (out = 0 there) are left as they are.
///
///     dinp[r, c] += scale * out[r, c] * (dout[r, c] - sum_{k < kept} dout[r, k] * out[r, k])    for c < kept
///
/// Equals `softmaxBackward` wherever dout is finite, and reads neither dout nor out past the prefix.
/// Shapes: dinp, dout and out are (rows, cols), kept is (keptRows).
public func softmaxBackward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
    scale: Float, kept: UnsafePointer<Int32>, keptRows: Int, rows: Int, cols: Int
) {
    // dout and out are (rows, cols), kept is (keptRows), dinp is (rows, cols)
    precondition(rows >= 0 && cols >= 0, "softmaxBackward: sizes must be non-negative, got (\(rows), \(cols))")
    precondition(keptRows > 0 && rows % keptRows == 0,
                 "softmaxBackward: rows (\(rows)) must be a positive multiple of keptRows (\(keptRows))")
    for r in 0..<rows {
        let n = keptPrefix(kept, row: r, keptRows: keptRows, cols: cols, "softmaxBackward")
        softmaxBackward(dinp: dinp + r * cols, dout: dout + r * cols, out: out + r * cols, scale: scale, rows: 1, cols: n)
    }
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
