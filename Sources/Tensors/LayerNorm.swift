// Layer normalisation over the last dimension (Ba, Kiros and Hinton, 2016), with an optional affine.

/// Layer normalisation of each row, writing the row mean and reciprocal standard deviation for the backward.
///
///     mean[r]   = (1/cols) sum_c inp[r, c]
///     var[r]    = (1/cols) sum_c (inp[r, c] - mean[r])^2          (biased, as in PyTorch)
///     rstd[r]   = 1 / sqrt(var[r] + epsilon)
///     norm[r,c] = (inp[r, c] - mean[r]) * rstd[r]
///     out[r, c] = norm[r, c] * weight[c] + bias[c]                 (weight, bias each optional)
///
/// Without `weight` the scale is 1; without `bias` the shift is 0. The variance is computed in two
/// passes (about the mean), so a large common offset does not cancel catastrophically.
/// Shapes: inp and out are (rows, cols), mean and rstd are (rows), weight and bias are (cols).
public func layerNormForward(
    out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
    rows: Int, cols: Int, epsilon: Float = 1e-5
) {
    // inp is (rows, cols), weight and bias are (cols), out is (rows, cols), mean and rstd are (rows)
    precondition(rows >= 0 && cols > 0, "layerNormForward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(epsilon >= 0, "layerNormForward: epsilon must be non-negative, got \(epsilon)")
    let n = Float(cols), width = FloatVector.scalarCount, full = cols - cols % width
    for r in 0..<rows {
        let x = inp + r * cols
        let y = out + r * cols
        var sums = FloatVector()
        var c = 0
        while c < full { sums += loadVector(x + c); c += width }
        var sum = horizontalSum(sums)
        for i in full..<cols { sum += x[i] }
        let m = sum / n
        let means = FloatVector(repeating: m)
        var squareSums = FloatVector()
        c = 0
        while c < full {
            let shifted = loadVector(x + c) - means
            squareSums += shifted * shifted
            c += width
        }
        var squares = horizontalSum(squareSums)
        for i in full..<cols { squares += (x[i] - m) * (x[i] - m) }
        let s = 1 / (squares / n + epsilon).squareRoot()
        let scales = FloatVector(repeating: s)
        c = 0
        while c < full {
            var v = (loadVector(x + c) - means) * scales
            if let weight { v *= loadVector(weight + c) }
            if let bias { v += loadVector(bias + c) }
            storeVector(v, y + c)
            c += width
        }
        for i in full..<cols {
            var v = (x[i] - m) * s
            if let weight { v *= weight[i] }
            if let bias { v += bias[i] }
            y[i] = v
        }
        mean[r] = m
        rstd[r] = s
    }
}

/// The residual add and the layer norm of a post-LN sublayer in one pass over each row:
///
///     summed[r, c] = x[r, c] + f[r, c]
///     out[r, :]    = layerNormForward(summed[r, :])        (mean and rstd written as there)
///
/// Each row of the sum is normalised while it is still in cache; `summed` is kept for the backward.
/// Its naive twin is `add` then `layerNormForwardNaive`. Shapes: x, f, summed and out are (rows, cols).
public func residualLayerNormForward(
    out: UnsafeMutablePointer<Float>, summed: UnsafeMutablePointer<Float>,
    mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    x: UnsafePointer<Float>, f: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
    rows: Int, cols: Int, epsilon: Float = 1e-5
) {
    // x and f are (rows, cols), summed and out are (rows, cols), mean and rstd are (rows)
    precondition(rows >= 0 && cols > 0, "residualLayerNormForward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    let width = FloatVector.scalarCount, full = cols - cols % width
    for r in 0..<rows {
        let xr = x + r * cols, fr = f + r * cols, sr = summed + r * cols
        var c = 0
        while c < full { storeVector(loadVector(xr + c) + loadVector(fr + c), sr + c); c += width }
        while c < cols { sr[c] = xr[c] + fr[c]; c += 1 }
        layerNormForward(out: out + r * cols, mean: mean + r, rstd: rstd + r, inp: sr, weight: weight, bias: bias,
                         rows: 1, cols: cols, epsilon: epsilon)
    }
}

/// The naive twin of `layerNormForward`, one element at a time.
public func layerNormForwardNaive(
    out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
    rows: Int, cols: Int, epsilon: Float = 1e-5
) {
    // inp is (rows, cols), weight and bias are (cols), out is (rows, cols), mean and rstd are (rows)
    precondition(rows >= 0 && cols > 0, "layerNormForward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(epsilon >= 0, "layerNormForward: epsilon must be non-negative, got \(epsilon)")
    let n = Float(cols)
    for r in 0..<rows {
        let x = inp + r * cols
        let y = out + r * cols
        var sum: Float = 0
        for c in 0..<cols { sum += x[c] }
        let m = sum / n
        var squares: Float = 0
        for c in 0..<cols {
            let shifted = x[c] - m
            squares += shifted * shifted
        }
        let s = 1 / (squares / n + epsilon).squareRoot()
        for c in 0..<cols { y[c] = (x[c] - m) * s }
        if let weight {
            for c in 0..<cols { y[c] *= weight[c] }
        }
        if let bias {
            for c in 0..<cols { y[c] += bias[c] }
        }
        mean[r] = m
        rstd[r] = s
    }
}

/// Backward of `layerNormForward`, accumulated into `dinp`, `dweight` and `dbias`.
///
///     forward:  out[r, c] = norm[r, c] * weight[c] + bias[c],  norm = (inp - mean) * rstd
///     backward: dbias[c]    += sum_r dout[r, c]
///               dweight[c]  += sum_r dout[r, c] * norm[r, c]
///               dnorm[r, c]  = dout[r, c] * weight[c]   (dout when there is no weight)
///               dinp[r, c]  += rstd[r] * (dnorm[r, c] - mean_c dnorm[r, :] - norm[r, c] * mean_c (dnorm * norm)[r, :])
///
/// `mean` and `rstd` are those written by the forward. Pass nil for `dweight` or `dbias` when there is
/// no such parameter (or its gradient is not wanted); `dweight` needs `weight`. With `accumulate: false`
/// dinp is written rather than added to (dweight and dbias are still accumulated).
/// Shapes: dinp, dout and inp are (rows, cols), weight, dweight and dbias are (cols), mean and rstd are (rows).
public func layerNormBackward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    rows: Int, cols: Int, accumulate: Bool = true
) {
    // dout and inp are (rows, cols), weight is (cols), mean and rstd are (rows)
    // dinp is (rows, cols), dweight and dbias are (cols); with accumulate false dinp is written (=), not added to
    precondition(rows >= 0 && cols > 0, "layerNormBackward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(dweight == nil || weight != nil, "layerNormBackward: dweight given for a layer norm without weight")
    let n = Float(cols), width = FloatVector.scalarCount, full = cols - cols % width
    for r in 0..<rows {
        let x = inp + r * cols
        let g = dout + r * cols
        let d = dinp + r * cols
        let m = mean[r], s = rstd[r]
        let means = FloatVector(repeating: m), scales = FloatVector(repeating: s)

        // the two row reductions: mean of dnorm and mean of dnorm * norm
        var dnormSums = FloatVector(), dnormNormSums = FloatVector()
        var c = 0
        while c < full {
            let norm = (loadVector(x + c) - means) * scales
            var dnorm = loadVector(g + c)
            if let weight { dnorm *= loadVector(weight + c) }
            dnormSums += dnorm
            dnormNormSums += dnorm * norm
            c += width
        }
        var dnormMean = horizontalSum(dnormSums), dnormNormMean = horizontalSum(dnormNormSums)
        for i in full..<cols {
            let norm = (x[i] - m) * s
            let dnorm = weight.map { g[i] * $0[i] } ?? g[i]
            dnormMean += dnorm
            dnormNormMean += dnorm * norm
        }
        dnormMean /= n
        dnormNormMean /= n
        let dnormMeans = FloatVector(repeating: dnormMean), dnormNormMeans = FloatVector(repeating: dnormNormMean)

        c = 0
        while c < full {
            let gc = loadVector(g + c)
            let norm = (loadVector(x + c) - means) * scales
            // out = norm * weight + bias
            if let dbias { storeVector(loadVector(dbias + c) + gc, dbias + c) }
            if let dweight { storeVector(loadVector(dweight + c) + gc * norm, dweight + c) }
            // norm = (inp - mean) * rstd, with mean and rstd themselves functions of inp
            let dnorm = weight.map { gc * loadVector($0 + c) } ?? gc
            let dc = scales * (dnorm - dnormMeans - norm * dnormNormMeans)
            storeVector(accumulate ? loadVector(d + c) + dc : dc, d + c)
            c += width
        }
        for i in full..<cols {
            let norm = (x[i] - m) * s
            if let dbias { dbias[i] += g[i] }
            if let dweight { dweight[i] += g[i] * norm }
            let dnorm = weight.map { g[i] * $0[i] } ?? g[i]
            let di = s * (dnorm - dnormMean - norm * dnormNormMean)
            d[i] = accumulate ? d[i] + di : di
        }
    }
}

/// The naive twin of `layerNormBackward`, one element at a time.
public func layerNormBackwardNaive(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    rows: Int, cols: Int
) {
    // dout and inp are (rows, cols), weight is (cols), mean and rstd are (rows)
    // dinp is (rows, cols), dweight and dbias are (cols)
    precondition(rows >= 0 && cols > 0, "layerNormBackward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(dweight == nil || weight != nil, "layerNormBackward: dweight given for a layer norm without weight")
    let n = Float(cols)
    for r in 0..<rows {
        let x = inp + r * cols
        let g = dout + r * cols
        let d = dinp + r * cols
        let m = mean[r]
        let s = rstd[r]

        // the two row reductions: mean of dnorm and mean of dnorm * norm
        var dnormMean: Float = 0
        var dnormNormMean: Float = 0
        if let weight {
            for c in 0..<cols {
                let norm = (x[c] - m) * s
                let dnorm = g[c] * weight[c]
                dnormMean += dnorm
                dnormNormMean += dnorm * norm
            }
        } else {
            for c in 0..<cols {
                let norm = (x[c] - m) * s
                dnormMean += g[c]
                dnormNormMean += g[c] * norm
            }
        }
        dnormMean /= n
        dnormNormMean /= n

        // out = norm * weight + bias
        if let dbias {
            for c in 0..<cols { dbias[c] += g[c] }
        }
        if let dweight {
            for c in 0..<cols { dweight[c] += g[c] * (x[c] - m) * s }
        }
        // norm = (inp - mean) * rstd, with mean and rstd themselves functions of inp
        if let weight {
            for c in 0..<cols {
                let norm = (x[c] - m) * s
                d[c] += s * (g[c] * weight[c] - dnormMean - norm * dnormNormMean)
            }
        } else {
            for c in 0..<cols {
                let norm = (x[c] - m) * s
                d[c] += s * (g[c] - dnormMean - norm * dnormNormMean)
            }
        }
    }
}
