import CKernels

// Layer normalisation over the last dimension (Ba, Kiros and Hinton, 2016), with an optional affine.
// The fast kernels run in C (CKernels, 16-lane vectors at the instruction set chosen at load); the
// naive twins here are the reference they are tested against.

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
    precondition(rows >= 0 && cols > 0, "layerNormForward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(epsilon >= 0, "layerNormForward: epsilon must be non-negative, got \(epsilon)")
    ablate_layer_norm_forward(out, nil, mean, rstd, inp, nil, weight, bias, Int64(rows), Int64(cols), epsilon)
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
    precondition(rows >= 0 && cols > 0, "residualLayerNormForward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(epsilon >= 0, "residualLayerNormForward: epsilon must be non-negative, got \(epsilon)")
    ablate_layer_norm_forward(out, summed, mean, rstd, x, f, weight, bias, Int64(rows), Int64(cols), epsilon)
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
    precondition(rows >= 0 && cols > 0, "layerNormBackward: need rows >= 0 and cols > 0, got (\(rows), \(cols))")
    precondition(dweight == nil || weight != nil, "layerNormBackward: dweight given for a layer norm without weight")
    ablate_layer_norm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, Int64(rows), Int64(cols), accumulate ? 1 : 0)
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
