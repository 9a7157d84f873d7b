import Tensors

/// Scales `count` gradients in place so that their global L2 norm is at most `maxNorm`, and returns
/// the norm before clipping.
///
///     norm = sqrt(sum_i g_i^2)                     (accumulated in Float64)
///     g = g * (maxNorm / norm)                     (only if norm > maxNorm)
///
/// PyTorch's `clip_grad_norm_` divides by norm + 1e-6 instead; this uses the exact ratio, so a clipped
/// vector has norm `maxNorm` to Float32 rounding. A NaN or infinite norm (a NaN or Inf gradient, or a
/// norm beyond the Float32 range) is returned as it is and the gradients are left untouched: the
/// caller decides that the run diverged.
@discardableResult
public func clipGradientNorm(gradients: UnsafeMutablePointer<Float>, count: Int, maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "maxNorm must be > 0, got \(maxNorm)")
    precondition(count >= 0, "negative gradient count \(count)")
    var sumOfSquares = 0.0
    for i in 0..<count {
        let g = Double(gradients[i])
        sumOfSquares += g * g
    }
    let norm = sumOfSquares.squareRoot()
    let result = Float(norm)
    guard result.isFinite, result > maxNorm else { return result }
    let scale = Float(Double(maxNorm) / norm)
    for i in 0..<count { gradients[i] *= scale }
    return result
}

/// `clipGradientNorm` over a whole gradient tensor (usually `ParameterSet.gradients`).
@discardableResult
public func clipGradientNorm(_ gradients: Tensor, maxNorm: Float) -> Float {
    clipGradientNorm(gradients: gradients.data, count: gradients.count, maxNorm: maxNorm)
}
