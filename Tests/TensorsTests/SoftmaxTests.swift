import Foundation
import XCTest
import Tensors
import TestSupport

// Softmax against an independent Float64 reference, its backward against finite differences of that
// reference, and the properties attention relies on (rows sum to 1, masked entries get exactly 0,
// fully masked rows give zeros and no NaN, the mask broadcasts over rows).

/// The Float64 reference: row softmax of scale * x + mask[r % maskRows], an all -inf row giving zeros.
private func referenceSoftmax(_ x: [Double], mask: [Double]?, maskRows: Int, scale: Double, rows: Int, cols: Int) -> [Double] {
    var out = [Double](repeating: 0, count: rows * cols)
    for r in 0..<rows {
        var z = (0..<cols).map { scale * x[r * cols + $0] }
        if let mask { for c in 0..<cols { z[c] += mask[(r % maskRows) * cols + c] } }
        let top = z.max() ?? -.infinity
        if top == -.infinity { continue }
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        for c in 0..<cols { out[r * cols + c] = e[c] / total }
    }
    return out
}

/// A (rows, cols) mask mixing 0, -inf and finite biases, with every row keeping at least one entry.
private func mixedMask(rows: Int, cols: Int, seed: UInt64) -> [Float] {
    let u = randomFloats(rows * cols, seed: seed, low: 0, high: 1)
    return (0..<rows * cols).map { i in
        if i % cols == (i / cols) % cols { return 0 }  // one kept entry per row
        return u[i] < 0.3 ? -Float.infinity : (u[i] < 0.6 ? 0 : 4 * u[i] - 3)
    }
}

final class SoftmaxTests: XCTestCase {
    let rows = 5, cols = 13, scale: Float = 0.37

    func testForwardMatchesFloat64Reference() {
        let x = randomTensor([rows, cols], seed: 1, low: -3, high: 3)
        let mask = Tensor(shape: [rows, cols], values: mixedMask(rows: rows, cols: cols, seed: 2))
        let out = Tensor(shape: [rows, cols])
        softmaxForward(out: out.data, inp: x.data, mask: mask.data, maskRows: rows, scale: scale, rows: rows, cols: cols)
        let expected = referenceSoftmax(doubles(x), mask: doubles(mask), maskRows: rows, scale: Double(scale), rows: rows, cols: cols)
        // Float32 exp and division are within a few ulps: relative 1e-5 leaves a wide margin.
        assertClose(out.array, expected, relative: 1e-5, absolute: 1e-7, "softmax with mask")

        softmaxForward(out: out.data, inp: x.data, mask: nil, maskRows: 0, scale: scale, rows: rows, cols: cols)
        let unmasked = referenceSoftmax(doubles(x), mask: nil, maskRows: 1, scale: Double(scale), rows: rows, cols: cols)
        assertClose(out.array, unmasked, relative: 1e-5, absolute: 1e-7, "softmax without mask")
    }

    func testBackwardMatchesFiniteDifferencesAndAccumulates() {
        let x = randomTensor([rows, cols], seed: 3, low: -3, high: 3)
        let maskValues = mixedMask(rows: rows, cols: cols, seed: 4)
        let mask = Tensor(shape: [rows, cols], values: maskValues)
        let w = randomTensor([rows, cols], seed: 5)  // L = sum(w * out), so dout = w
        let out = Tensor(shape: [rows, cols])
        softmaxForward(out: out.data, inp: x.data, mask: mask.data, maskRows: rows, scale: scale, rows: rows, cols: cols)

        let prefill = randomFloats(rows * cols, seed: 6)
        let dinp = Tensor(shape: [rows, cols], values: prefill)
        softmaxBackward(dinp: dinp.data, dout: w.data, out: out.data, scale: scale, rows: rows, cols: cols)
        let analytic = zip(dinp.array, prefill).map { $0 - $1 }

        let mask64 = maskValues.map(Double.init), w64 = doubles(w)
        let numeric = numericalGradient(at: doubles(x)) { p in
            let o = referenceSoftmax(p, mask: mask64, maskRows: rows, scale: Double(self.scale), rows: self.rows, cols: self.cols)
            return zip(o, w64).reduce(0) { $0 + $1.0 * $1.1 }
        }
        // The finite differences of the Float64 reference are good to ~1e-9; what is left is the Float32
        // rounding of out and of dout - sum(dout * out) (a cancellation), so relative 1e-3 / absolute 1e-6.
        assertClose(analytic, numeric, relative: 1e-3, absolute: 1e-6, "softmax backward (added to a prefilled buffer)")

        // a second call adds the same gradient again
        softmaxBackward(dinp: dinp.data, dout: w.data, out: out.data, scale: scale, rows: rows, cols: cols)
        let twice = zip(dinp.array, prefill).map { Double($0 - $1) }
        assertClose(analytic, twice.map { $0 / 2 }, relative: 1e-5, absolute: 1e-6, "second backward call accumulates")
    }

    func testRowsSumToOneForLargeInputs() {
        // Without subtracting the row maximum exp(1e4) overflows to inf and the rows become NaN.
        for (low, high) in [(Float(-1e4), Float(1e4)), (Float(1e4), Float(1e4 + 4)), (Float(-1e4 - 4), Float(-1e4))] {
            let x = randomTensor([rows, cols], seed: 7, low: low, high: high)
            let out = Tensor(shape: [rows, cols])
            softmaxForward(out: out.data, inp: x.data, mask: nil, maskRows: 0, scale: 1, rows: rows, cols: cols)
            for r in 0..<rows {
                let row = (0..<cols).map { Double(out[r * cols + $0]) }
                XCTAssertTrue(row.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "row \(r) for inputs in [\(low), \(high)): \(row)")
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6, "row \(r) for inputs in [\(low), \(high))")
            }
        }
    }

    func testFullyMaskedRowGivesZerosAndZeroGradient() {
        let x = randomTensor([rows, cols], seed: 8)
        var maskValues = mixedMask(rows: rows, cols: cols, seed: 9)
        for c in 0..<cols { maskValues[2 * cols + c] = -.infinity }  // row 2 sees nothing
        let mask = Tensor(shape: [rows, cols], values: maskValues)
        let out = Tensor(shape: [rows, cols], repeating: .nan)
        softmaxForward(out: out.data, inp: x.data, mask: mask.data, maskRows: rows, scale: scale, rows: rows, cols: cols)
        XCTAssertFalse(out.array.contains { $0.isNaN }, "softmax output has NaN: \(out.array)")
        XCTAssertEqual(Array(out.array[2 * cols ..< 3 * cols]), [Float](repeating: 0, count: cols))
        for r in [0, 1, 3, 4] {
            XCTAssertEqual(out.array[r * cols ..< (r + 1) * cols].reduce(0, +), 1, accuracy: 1e-6, "row \(r)")
        }

        let dout = randomTensor([rows, cols], seed: 10, low: -5, high: 5)
        let dinp = Tensor(shape: [rows, cols])
        softmaxBackward(dinp: dinp.data, dout: dout.data, out: out.data, scale: scale, rows: rows, cols: cols)
        XCTAssertFalse(dinp.array.contains { !$0.isFinite }, "softmax gradient not finite: \(dinp.array)")
        XCTAssertEqual(Array(dinp.array[2 * cols ..< 3 * cols]), [Float](repeating: 0, count: cols))
    }

    func testCausalMaskShape() {
        let T = 5
        let mask = Tensor(shape: [T, T], repeating: 7)
        causalMask(out: mask.data, sequenceLength: T)
        for t in 0..<T {
            for s in 0..<T {
                XCTAssertEqual(mask[t * T + s], s <= t ? 0 : -.infinity, "mask[\(t), \(s)]")
            }
        }
        let one = Tensor(shape: [1, 1], repeating: 7)
        causalMask(out: one.data, sequenceLength: 1)
        XCTAssertEqual(one[0], 0)
    }

    func testCausalMaskBroadcastGivesExactZerosOnTheFuture() {
        // B * H = 3 blocks of (T, T) scores share one (T, T) causal mask.
        let T = 7, blocks = 3
        let x = randomTensor([blocks * T, T], seed: 11, low: -4, high: 4)
        let mask = Tensor(shape: [T, T])
        causalMask(out: mask.data, sequenceLength: T)
        let out = Tensor(shape: [blocks * T, T])
        softmaxForward(out: out.data, inp: x.data, mask: mask.data, maskRows: T, scale: scale, rows: blocks * T, cols: T)
        for r in 0..<blocks * T {
            let t = r % T
            for s in (t + 1)..<T { XCTAssertEqual(out[r * T + s], 0, "row \(r) (query \(t)) sees key \(s)") }
            for s in 0...t { XCTAssertGreaterThan(out[r * T + s], 0, "row \(r) (query \(t)) ignores key \(s)") }
            XCTAssertEqual((0..<T).reduce(0.0) { $0 + Double(out[r * T + $1]) }, 1, accuracy: 1e-6, "row \(r)")
        }
        // the first query of each block attends only to itself
        for b in 0..<blocks { XCTAssertEqual(out[b * T * T], 1) }
    }

    func testMaskBroadcastEqualsExpandedMask() {
        let maskRows = 3, rows = 9, cols = 7
        let x = randomTensor([rows, cols], seed: 12, low: -2, high: 2)
        let small = mixedMask(rows: maskRows, cols: cols, seed: 13)
        let expanded = (0..<rows * cols).map { i in small[(i / cols % maskRows) * cols + i % cols] }
        let smallMask = Tensor(shape: [maskRows, cols], values: small)
        let fullMask = Tensor(shape: [rows, cols], values: expanded)
        let broadcast = Tensor(shape: [rows, cols]), full = Tensor(shape: [rows, cols])
        softmaxForward(out: broadcast.data, inp: x.data, mask: smallMask.data, maskRows: maskRows, scale: scale, rows: rows, cols: cols)
        softmaxForward(out: full.data, inp: x.data, mask: fullMask.data, maskRows: rows, scale: scale, rows: rows, cols: cols)
        XCTAssertEqual(broadcast.array, full.array)
        let expected = referenceSoftmax(doubles(x), mask: expanded.map(Double.init), maskRows: rows, scale: Double(scale), rows: rows, cols: cols)
        assertClose(broadcast.array, expected, relative: 1e-5, absolute: 1e-7, "broadcast mask")
    }

    func testScale() {
        let x = randomTensor([rows, cols], seed: 14, low: -3, high: 3)
        let out = Tensor(shape: [rows, cols])
        // scale 0 gives the uniform distribution
        softmaxForward(out: out.data, inp: x.data, mask: nil, maskRows: 0, scale: 0, rows: rows, cols: cols)
        assertClose(out.array, [Double](repeating: 1 / Double(cols), count: rows * cols), relative: 1e-6, absolute: 0, "scale 0")
        // softmax(scale * x) equals softmax(1 * (scale * x))
        let scaled = Tensor(shape: [rows, cols], values: x.array.map { 2.5 * $0 })
        let viaScale = Tensor(shape: [rows, cols]), viaInput = Tensor(shape: [rows, cols])
        softmaxForward(out: viaScale.data, inp: x.data, mask: nil, maskRows: 0, scale: 2.5, rows: rows, cols: cols)
        softmaxForward(out: viaInput.data, inp: scaled.data, mask: nil, maskRows: 0, scale: 1, rows: rows, cols: cols)
        assertClose(viaScale.array, doubles(viaInput), relative: 1e-6, absolute: 1e-9, "scale parameter")
        XCTAssertGreaterThan(worstError(viaScale.array, referenceSoftmax(doubles(x), mask: nil, maskRows: 1, scale: 1, rows: rows, cols: cols),
                                        relative: 1e-3, absolute: 1e-3).ratio, 1, "scale had no effect")
    }

    func testInPlace() {
        let x = randomTensor([rows, cols], seed: 15, low: -3, high: 3)
        let mask = Tensor(shape: [rows, cols], values: mixedMask(rows: rows, cols: cols, seed: 16))
        let out = Tensor(shape: [rows, cols])
        softmaxForward(out: out.data, inp: x.data, mask: mask.data, maskRows: rows, scale: scale, rows: rows, cols: cols)
        softmaxForward(out: x.data, inp: x.data, mask: mask.data, maskRows: rows, scale: scale, rows: rows, cols: cols)
        XCTAssertEqual(x.array, out.array)
    }
}
