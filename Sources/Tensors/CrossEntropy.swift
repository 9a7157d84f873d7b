#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Softmax cross-entropy over rows of logits with integer targets, label smoothing and an ignored
// target id, reduced by the mean over the rows that are not ignored.
//
// For one row with logits z (V), target t and smoothing eps, the target distribution is
//     q_j = (1 - eps) * [j == t] + eps / V
// and, with p = softmax(z) and lse = log sum_j exp(z_j), the loss is
//     loss = -sum_j q_j log p_j = lse - (1 - eps) * z_t - (eps / V) * sum_j z_j,
// whose gradient is d loss / d z_j = p_j - q_j.
// A row whose target equals `ignoreIndex` has loss 0 and gradient 0 and is not counted in the mean.

/// Softmax cross-entropy forward: per-row losses, the softmax probabilities, and the mean loss.
///
/// Maths: m = max_j z_j, s = sum_j exp(z_j - m), p_j = exp(z_j - m) / s, and
/// loss = log s - (1 - eps) * (z_t - m) - (eps / V) * sum_j (z_j - m), which equals the formula above
/// but works with shifted logits, so it neither overflows nor loses digits for logits of size 1e4.
///
/// - losses: (rows) per-row losses; 0 for ignored rows.
/// - probabilities: (rows, V) softmax of every row, ignored rows included (the backward reads it).
/// - targets: (rows) ids in 0..<V, or `ignoreIndex` (checked with a precondition).
/// - Returns the mean of the losses over the `counted` rows that are not ignored (summed in Float64),
///   or 0 when every row is ignored. The backward's `scale` is dloss / counted for this mean.
@discardableResult
public func crossEntropyForward(
    losses: UnsafeMutablePointer<Float>,
    probabilities: UnsafeMutablePointer<Float>,
    logits: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>,
    rows: Int, V: Int,
    labelSmoothing: Float, ignoreIndex: Int32
) -> (meanLoss: Float, counted: Int) {
    // logits is (rows, V), targets is (rows), losses is (rows), probabilities is (rows, V)
    precondition(rows >= 0 && V > 0, "crossEntropyForward: bad sizes rows=\(rows) V=\(V)")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropyForward: labelSmoothing \(labelSmoothing) is outside [0, 1]")
    var total: Double = 0
    var counted = 0
    for r in 0..<rows {
        let z = logits + r * V
        let p = probabilities + r * V
        var maximum = -Float.infinity
        for j in 0..<V where z[j] > maximum {
            maximum = z[j]
        }
        var sum: Float = 0
        var shiftedSum: Float = 0
        for j in 0..<V {
            let shifted = z[j] - maximum
            let e = expf(shifted)
            p[j] = e
            sum += e
            shiftedSum += shifted
        }
        let inverse = 1 / sum
        for j in 0..<V {
            p[j] *= inverse
        }
        let target = targets[r]
        if target == ignoreIndex {
            losses[r] = 0
            continue
        }
        precondition(target >= 0 && Int(target) < V, "crossEntropyForward: target \(target) at row \(r) is outside 0..<\(V) and is not ignoreIndex \(ignoreIndex)")
        let targetShifted = z[Int(target)] - maximum
        let loss = logf(sum) - (1 - labelSmoothing) * targetShifted - labelSmoothing / Float(V) * shiftedSum
        losses[r] = loss
        total += Double(loss)
        counted += 1
    }
    let mean = counted > 0 ? Float(total / Double(counted)) : 0
    return (mean, counted)
}

/// Softmax cross-entropy backward: dlogits[r, j] += scale * (p[r, j] - q[r, j]) for rows not ignored.
///
/// `scale` is d(total loss) / d(mean loss) / counted, i.e. dloss / counted for the mean that
/// `crossEntropyForward` returns (pass anything when counted is 0: no row is touched then).
/// Ignored rows are left unchanged (their gradient is 0). `labelSmoothing` and `ignoreIndex` must be
/// the values the forward used. Accumulates into `dlogits`.
public func crossEntropyBackward(
    dlogits: UnsafeMutablePointer<Float>,
    probabilities: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>,
    rows: Int, V: Int,
    labelSmoothing: Float, ignoreIndex: Int32,
    scale: Float
) {
    // probabilities is (rows, V), targets is (rows), dlogits is (rows, V)
    precondition(rows >= 0 && V > 0, "crossEntropyBackward: bad sizes rows=\(rows) V=\(V)")
    let uniform = labelSmoothing / Float(V)
    for r in 0..<rows {
        let target = targets[r]
        if target == ignoreIndex { continue }
        precondition(target >= 0 && Int(target) < V, "crossEntropyBackward: target \(target) at row \(r) is outside 0..<\(V) and is not ignoreIndex \(ignoreIndex)")
        // forward: loss = lse(z) - sum_j q_j z_j, so d loss / d z_j = p_j - q_j
        let p = probabilities + r * V
        let d = dlogits + r * V
        for j in 0..<V {
            d[j] += scale * (p[j] - uniform)
        }
        d[Int(target)] -= scale * (1 - labelSmoothing)
    }
}

/// Token accuracy: how many rows not ignored have their target as the argmax of `logits`
/// (probabilities give the same answer). Ties go to the lowest index, as in most frameworks.
///
/// - Returns `correct` and `counted`, the number of rows whose target is not `ignoreIndex`.
public func argmaxAccuracy(
    logits: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>,
    rows: Int, V: Int,
    ignoreIndex: Int32
) -> (correct: Int, counted: Int) {
    // logits is (rows, V), targets is (rows)
    precondition(rows >= 0 && V > 0, "argmaxAccuracy: bad sizes rows=\(rows) V=\(V)")
    var correct = 0
    var counted = 0
    for r in 0..<rows {
        let target = targets[r]
        if target == ignoreIndex { continue }
        precondition(target >= 0 && Int(target) < V, "argmaxAccuracy: target \(target) at row \(r) is outside 0..<\(V) and is not ignoreIndex \(ignoreIndex)")
        let z = logits + r * V
        var best = 0
        for j in 1..<V where z[j] > z[best] {
            best = j
        }
        counted += 1
        if best == Int(target) { correct += 1 }
    }
    return (correct, counted)
}
