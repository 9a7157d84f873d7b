import Foundation
import XCTest
import Tensors
import TestSupport

/// The Float64 reference: per-row losses -sum_j q_j log p_j, probabilities, mean over counted rows.
private func referenceCrossEntropy(
    logits: [Double], targets: [Int32], V: Int, smoothing: Double, ignoreIndex: Int32
) -> (losses: [Double], probabilities: [Double], mean: Double, counted: Int) {
    let rows = targets.count
    var losses = [Double](repeating: 0, count: rows)
    var probabilities = [Double](repeating: 0, count: rows * V)
    var total = 0.0, counted = 0
    for r in 0..<rows {
        let z = Array(logits[r * V..<(r + 1) * V])
        let m = z.max()!
        let lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
        for j in 0..<V { probabilities[r * V + j] = exp(z[j] - lse) }
        if targets[r] == ignoreIndex { continue }
        var loss = 0.0
        for j in 0..<V {
            let q = (j == Int(targets[r]) ? 1 - smoothing : 0) + smoothing / Double(V)
            loss -= q * (z[j] - lse)
        }
        losses[r] = loss
        total += loss
        counted += 1
    }
    return (losses, probabilities, counted > 0 ? total / Double(counted) : 0, counted)
}

final class CrossEntropyTests: XCTestCase {
    private let V = 17

    private struct Result {
        var losses: [Float], probabilities: [Float], mean: Float, counted: Int
    }

    private func forward(logits: Tensor, targets: [Int32], smoothing: Float, ignoreIndex: Int32) -> Result {
        let rows = targets.count
        let losses = Tensor(shape: [rows], repeating: .nan)
        let probabilities = Tensor(shape: [rows, V], repeating: .nan)
        let (mean, counted) = targets.withUnsafeBufferPointer { t in
            crossEntropyForward(losses: losses.data, probabilities: probabilities.data, logits: logits.data,
                                targets: t.baseAddress!, rows: rows, V: V, labelSmoothing: smoothing, ignoreIndex: ignoreIndex)
        }
        return Result(losses: losses.array, probabilities: probabilities.array, mean: mean, counted: counted)
    }

    private func backward(into dlogits: Tensor, probabilities: [Float], targets: [Int32], smoothing: Float, ignoreIndex: Int32, scale: Float) {
        let p = Tensor(shape: [targets.count, V], values: probabilities)
        targets.withUnsafeBufferPointer { t in
            crossEntropyBackward(dlogits: dlogits.data, probabilities: p.data, targets: t.baseAddress!, rows: targets.count, V: V,
                                 labelSmoothing: smoothing, ignoreIndex: ignoreIndex, scale: scale)
        }
    }

    // 13 rows (odd); rows 2, 7 and 12 carry the ignored id.
    private func targets(ignoreIndex: Int32) -> [Int32] {
        var t: [Int32] = [5, 0, 16, 3, 3, 11, 8, 1, 14, 9, 2, 7, 4]
        for r in [2, 7, 12] { t[r] = ignoreIndex }
        return t
    }

    func testForwardMatchesReference() {
        for smoothing in [Float(0), 0.1] {
            for ignoreIndex: Int32 in [-1, 3] {    // -1, and a padding id inside the vocabulary
                let targets = targets(ignoreIndex: ignoreIndex)
                let logits = randomTensor([targets.count, V], seed: 31, low: -4, high: 4)
                let result = forward(logits: logits, targets: targets, smoothing: smoothing, ignoreIndex: ignoreIndex)
                let reference = referenceCrossEntropy(logits: doubles(logits), targets: targets, V: V,
                                                      smoothing: Double(smoothing), ignoreIndex: ignoreIndex)
                let label = "smoothing \(smoothing), ignoreIndex \(ignoreIndex)"
                XCTAssertEqual(result.counted, reference.counted, label)
                // Losses of order 1-10 summed over V = 17 terms in Float32: a few ulps of 1e-7 each.
                let lossError = worstError(result.losses, reference.losses, relative: 1e-5, absolute: 1e-6)
                XCTAssertLessThanOrEqual(lossError.ratio, 1, "\(label): loss worst at row \(lossError.index)")
                XCTAssertEqual(Double(result.mean), reference.mean, accuracy: 1e-5 * reference.mean, label)
                let probabilityError = worstError(result.probabilities, reference.probabilities, relative: 1e-5, absolute: 1e-7)
                XCTAssertLessThanOrEqual(probabilityError.ratio, 1, "\(label): probability worst at \(probabilityError.index)")
                for r in 0..<targets.count {
                    let rowSum = result.probabilities[r * V..<(r + 1) * V].reduce(0, +)
                    XCTAssertEqual(rowSum, 1, accuracy: 1e-5, "\(label): row \(r) sums to \(rowSum)")
                    if targets[r] == ignoreIndex { XCTAssertEqual(result.losses[r], 0, "\(label): ignored row \(r)") }
                }
            }
        }
    }

    func testBackwardMatchesFiniteDifferencesAndAccumulates() {
        let dloss: Float = 1.3     // L = dloss * meanLoss, so scale = dloss / counted
        for smoothing in [Float(0), 0.1] {
            let ignoreIndex: Int32 = -1
            let targets = targets(ignoreIndex: ignoreIndex)
            let rows = targets.count
            let logits = randomTensor([rows, V], seed: 32, low: -4, high: 4)
            let result = forward(logits: logits, targets: targets, smoothing: smoothing, ignoreIndex: ignoreIndex)
            let prefill = randomFloats(rows * V, seed: 33)
            let dlogits = Tensor(shape: [rows, V], values: prefill)
            backward(into: dlogits, probabilities: result.probabilities, targets: targets, smoothing: smoothing,
                     ignoreIndex: ignoreIndex, scale: dloss / Float(result.counted))

            let numeric = numericalGradient(at: doubles(logits)) { x in
                Double(dloss) * referenceCrossEntropy(logits: x, targets: targets, V: self.V, smoothing: Double(smoothing),
                                                      ignoreIndex: ignoreIndex).mean
            }
            let expected = zip(prefill, numeric).map { Double($0) + $1 }
            // Central differences are good to ~1e-9; the Float32 gradient (p - q) * scale with |.| <= 0.13
            // carries ~1e-7 relative error from the probabilities, well inside these bounds.
            let error = worstError(dlogits.array, expected, relative: 1e-4, absolute: 1e-6)
            XCTAssertLessThanOrEqual(error.ratio, 1, "smoothing \(smoothing): worst at \(error.index)")
            for r in 0..<rows where targets[r] == ignoreIndex {
                XCTAssertEqual(Array(dlogits.array[r * V..<(r + 1) * V]), Array(prefill[r * V..<(r + 1) * V]),
                               "ignored row \(r) must receive no gradient")
            }
        }
    }

    func testAllRowsIgnoredGiveZeroLossAndNoGradient() {
        let targets = [Int32](repeating: -1, count: 5)
        let logits = randomTensor([5, V], seed: 34, low: -4, high: 4)
        let result = forward(logits: logits, targets: targets, smoothing: 0.1, ignoreIndex: -1)
        XCTAssertEqual(result.counted, 0)
        XCTAssertEqual(result.mean, 0)
        XCTAssertEqual(result.losses, [0, 0, 0, 0, 0])
        XCTAssertTrue(result.probabilities.allSatisfy { $0.isFinite })
        let prefill = randomFloats(5 * V, seed: 35)
        let dlogits = Tensor(shape: [5, V], values: prefill)
        // dloss / counted is infinite here; the documented contract is that no row is touched.
        backward(into: dlogits, probabilities: result.probabilities, targets: targets, smoothing: 0.1,
                 ignoreIndex: -1, scale: 1 / Float(result.counted))
        XCTAssertEqual(dlogits.array, prefill)
    }

    func testExtremeLogitsDoNotOverflow() {
        // Rows mixing +-1e4 (with small offsets): a target at the top, at the bottom, a two-way tie.
        let rows = 4
        var values = randomFloats(rows * V, seed: 36, low: -1, high: 1)
        for i in 0..<values.count { values[i] += (i % 3 == 0 ? 1e4 : -1e4) }
        values[2 * V + 5] = 1e4; values[2 * V + 6] = 1e4    // exact tie at the top of row 2
        let logits = Tensor(shape: [rows, V], values: values)
        let targets: [Int32] = [0, 1, 5, 16]
        for smoothing in [Float(0), 0.1] {
            let result = forward(logits: logits, targets: targets, smoothing: smoothing, ignoreIndex: -1)
            let reference = referenceCrossEntropy(logits: doubles(logits), targets: targets, V: V,
                                                  smoothing: Double(smoothing), ignoreIndex: -1)
            // Losses go up to ~2e4, where one Float32 ulp is ~2e-3; near-zero losses need the absolute term.
            let lossError = worstError(result.losses, reference.losses, relative: 1e-6, absolute: 1e-5)
            XCTAssertLessThanOrEqual(lossError.ratio, 1, "smoothing \(smoothing): loss worst at row \(lossError.index)")
            XCTAssertTrue(result.mean.isFinite)
            let dlogits = Tensor(shape: [rows, V])
            let scale = 1 / Float(result.counted)
            backward(into: dlogits, probabilities: result.probabilities, targets: targets, smoothing: smoothing,
                     ignoreIndex: -1, scale: scale)
            // Central differences are meaningless at 1e4 in Float64, so compare with the analytic (p - q) / counted.
            var expected = [Double](repeating: 0, count: rows * V)
            for r in 0..<rows {
                for j in 0..<V {
                    let q = (j == Int(targets[r]) ? 1 - Double(smoothing) : 0) + Double(smoothing) / Double(V)
                    expected[r * V + j] = (reference.probabilities[r * V + j] - q) / Double(rows)
                }
            }
            let gradientError = worstError(dlogits.array, expected, relative: 1e-5, absolute: 1e-7)
            XCTAssertLessThanOrEqual(gradientError.ratio, 1, "smoothing \(smoothing): gradient worst at \(gradientError.index)")
        }
    }

    func testArgmaxAccuracy() {
        let V = 4
        let logits: [Float] = [
            0.1, 0.9, 0.3, 0.2,   // argmax 1, target 1: correct
            2.0, 0.0, 5.0, 1.0,   // argmax 2, target 0: wrong
            7.0, 7.0, 1.0, 0.0,   // tie between 0 and 1 goes to 0, target 0: correct
            0.0, 0.0, 0.0, 9.0,   // ignored (target -1) although it would be wrong
            -3.0, -1.0, -2.0, -4.0, // argmax 1, target 3: wrong
        ]
        let targets: [Int32] = [1, 0, 0, -1, 3]
        let (correct, counted) = argmaxAccuracy(logits: logits, targets: targets, rows: 5, V: V, ignoreIndex: -1)
        XCTAssertEqual(correct, 2)
        XCTAssertEqual(counted, 4)
    }
}
