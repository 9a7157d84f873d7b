import Foundation
import XCTest
import Tensors
import TestSupport

// The vectorised exp, tanh and sigmoid against Float64, and every vectorised kernel built on them
// against its naive twin on random shapes, odd sizes included (partial vectors at the end of rows).

final class VectorMathTests: XCTestCase {
    /// n points spread over [low, high], plus the special values each function must handle.
    private func points(_ n: Int, low: Float, high: Float, seed: UInt64) -> [Float] {
        randomFloats(n, seed: seed, low: low, high: high) + [0, -0.0, 1e-30, -1e-30, 0.0004, -0.0004, 0.000_399, 0.625, -0.625, 7.905, -7.906, 7.91, 87.3, -87.3, 88.3, -88.3]
    }

    /// Applies a vector function to values one whole vector at a time.
    private func apply(_ f: (FloatVector) -> FloatVector, _ x: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        var i = 0
        while i < x.count {
            let n = min(8, x.count - i)
            let v = x.withUnsafeBufferPointer { loadPartial($0.baseAddress! + i, count: n, fill: 0) }
            let y = f(v)
            for k in 0..<n { out[i + k] = y[k] }
            i += n
        }
        return out
    }

    func testExpMatchesFloat64() {
        let x = points(100_000, low: -87.3, high: 88.3, seed: 1).filter { $0 >= -87.3 && $0 <= 88.3 }
        let y = apply(vectorExp, x)
        let (ratio, i) = worstError(y, x.map { Foundation.exp(Double($0)) }, relative: 2e-7, absolute: 0)
        XCTAssertLessThanOrEqual(ratio, 1, "exp(\(x[max(i, 0)])) = \(y[max(i, 0)])")
    }

    func testExpUnderflowsGraduallyToExactZeroAndSaturates() {
        let tiny: [Float] = [-87.4, -90, -95, -100, -103]
        let (ratio, i) = worstError(apply(vectorExp, tiny), tiny.map { Foundation.exp(Double($0)) }, relative: 1e-6, absolute: 2e-45)
        XCTAssertLessThanOrEqual(ratio, 1, "subnormal exp(\(tiny[max(i, 0)]))")
        let y = apply(vectorExp, [-.infinity, -104.5, -1000, .infinity, 1000, 89])
        XCTAssertEqual(Array(y[0..<3]), [0, 0, 0])
        for value in y[3...] { XCTAssertTrue(value.isFinite && value > 1e38, "\(value)") }
    }

    func testTanhMatchesFloat64() {
        let x = points(100_000, low: -12, high: 12, seed: 2) + randomFloats(10_000, seed: 3, low: -0.7, high: 0.7) + [90, -90, .infinity, -.infinity]
        let y = apply(vectorTanh, x)
        let (ratio, i) = worstError(y, x.map { Foundation.tanh(Double($0)) }, relative: 4e-7, absolute: 1e-37)
        XCTAssertLessThanOrEqual(ratio, 1, "tanh(\(x[max(i, 0)])) = \(y[max(i, 0)])")
    }

    func testSigmoidMatchesFloat64() {
        let x = points(100_000, low: -87, high: 40, seed: 4)
        let y = apply(vectorSigmoid, x)
        let (ratio, i) = worstError(y, x.map { 1 / (1 + Foundation.exp(-Double($0))) }, relative: 4e-7, absolute: 1e-37)
        XCTAssertLessThanOrEqual(ratio, 1, "sigmoid(\(x[max(i, 0)])) = \(y[max(i, 0)])")
        let extreme = apply(vectorSigmoid, [-1000, -.infinity, 1000, .infinity])
        XCTAssertEqual(extreme, [0, 0, 1, 1])
        XCTAssertGreaterThan(apply(vectorSigmoid, [-100])[0], 0, "sigmoid(-100) is a tiny positive number")
    }

    func testHorizontalReductions() {
        let v = FloatVector(1, 2, 3, 4, 5, 6, 7, 8)
        XCTAssertEqual(horizontalSum(v), 36)
        XCTAssertEqual(horizontalMax(v), 8)
    }

    // MARK: - Kernels against their naive twins

    /// Sizes with whole vectors, partial vectors and rows shorter than a vector.
    private let shapes: [(rows: Int, cols: Int)] = [(1, 1), (3, 7), (5, 8), (4, 13), (7, 64), (2, 67), (6, 129)]

    func testActivationsMatchNaiveTwins() {
        for (index, shape) in shapes.enumerated() {
            let count = shape.rows * shape.cols
            let x = randomTensor([count], seed: 10 + UInt64(index), low: -9, high: 9)
            let fast = Tensor(shape: [count]), naive = Tensor(shape: [count])
            tanhForward(out: fast.data, inp: x.data, count: count)
            tanhForwardNaive(out: naive.data, inp: x.data, count: count)
            assertClose(fast.array, doubles(naive), relative: 5e-7, absolute: 1e-37, "tanh, \(count) values")
            sigmoidForward(out: fast.data, inp: x.data, count: count)
            sigmoidForwardNaive(out: naive.data, inp: x.data, count: count)
            assertClose(fast.array, doubles(naive), relative: 5e-7, absolute: 1e-37, "sigmoid, \(count) values")
            // in place
            let copy = x.clone()
            tanhForward(out: copy.data, inp: copy.data, count: count)
            tanhForward(out: fast.data, inp: x.data, count: count)
            XCTAssertEqual(copy.array, fast.array, "tanh in place")
        }
    }

    func testSoftmaxMatchesNaiveTwin() {
        for (index, shape) in shapes.enumerated() {
            let (rows, cols) = shape
            let seed = 20 + UInt64(index)
            let x = randomTensor([rows, cols], seed: seed, low: -6, high: 6)
            let u = randomFloats(rows * cols, seed: seed + 100, low: 0, high: 1)
            // -inf, 0 and finite biases, with column r % cols kept in every row
            let maskValues: [Float] = (0..<rows * cols).map { i in
                i % cols == (i / cols) % cols ? 0 : (u[i] < 0.3 ? -.infinity : (u[i] < 0.6 ? 0 : 4 * u[i] - 3))
            }
            let mask = Tensor(shape: [rows, cols], values: maskValues)
            let fast = Tensor(shape: [rows, cols]), naive = Tensor(shape: [rows, cols])
            for useMask in [false, true] {
                softmaxForward(out: fast.data, inp: x.data, mask: useMask ? mask.data : nil, maskRows: rows, scale: 0.7, rows: rows, cols: cols)
                softmaxForwardNaive(out: naive.data, inp: x.data, mask: useMask ? mask.data : nil, maskRows: rows, scale: 0.7, rows: rows, cols: cols)
                assertClose(fast.array, doubles(naive), relative: 2e-6, absolute: 1e-9, "softmax (\(rows), \(cols)) mask \(useMask)")
                for (f, n) in zip(fast.array, naive.array) where n == 0 { XCTAssertEqual(f, 0, "a masked entry is exactly 0") }
            }
            // backward
            let g = randomTensor([rows, cols], seed: seed + 200)
            let start = randomFloats(rows * cols, seed: seed + 300)
            let dFast = Tensor(shape: [rows, cols], values: start), dNaive = Tensor(shape: [rows, cols], values: start)
            softmaxBackward(dinp: dFast.data, dout: g.data, out: naive.data, scale: 0.7, rows: rows, cols: cols)
            softmaxBackwardNaive(dinp: dNaive.data, dout: g.data, out: naive.data, scale: 0.7, rows: rows, cols: cols)
            assertClose(dFast.array, doubles(dNaive), relative: 1e-5, absolute: 1e-6, "softmax backward (\(rows), \(cols))")
        }
    }

    func testKeptPrefixSoftmaxEqualsMaskedSoftmax() {
        for (index, shape) in shapes.enumerated() {
            let (rows, cols) = shape
            let x = randomTensor([rows, cols], seed: 40 + UInt64(index), low: -6, high: 6)
            // period 1 and period `rows`, with empty, partial and full rows
            for period in Set([1, rows]) {
                let kept: [Int32] = (0..<period).map { r in Int32(r == 1 ? 0 : (r * 5 + cols / 2) % (cols + 1)) }
                let maskValues: [Float] = (0..<period * cols).map { i in i % cols < Int(kept[i / cols]) ? 0 : -.infinity }
                let mask = Tensor(shape: [period, cols], values: maskValues)
                let fast = Tensor(shape: [rows, cols], repeating: .nan), naive = Tensor(shape: [rows, cols])
                kept.withUnsafeBufferPointer {
                    softmaxForward(out: fast.data, inp: x.data, scale: 1.3, kept: $0.baseAddress!, keptRows: period, rows: rows, cols: cols)
                }
                softmaxForwardNaive(out: naive.data, inp: x.data, mask: mask.data, maskRows: period, scale: 1.3, rows: rows, cols: cols)
                assertClose(fast.array, doubles(naive), relative: 2e-6, absolute: 1e-9, "kept-prefix softmax (\(rows), \(cols)) period \(period)")
                for (f, n) in zip(fast.array, naive.array) where n == 0 { XCTAssertEqual(f, 0, "a dropped entry is exactly 0") }
                // the backward over the kept prefix equals the full backward (out is 0 past the prefix)
                let g = randomTensor([rows, cols], seed: 50 + UInt64(index))
                let start = randomFloats(rows * cols, seed: 51 + UInt64(index))
                let dFast = Tensor(shape: [rows, cols], values: start), dNaive = Tensor(shape: [rows, cols], values: start)
                kept.withUnsafeBufferPointer {
                    softmaxBackward(dinp: dFast.data, dout: g.data, out: naive.data, scale: 1.3, kept: $0.baseAddress!, keptRows: period,
                                    rows: rows, cols: cols)
                }
                softmaxBackwardNaive(dinp: dNaive.data, dout: g.data, out: naive.data, scale: 1.3, rows: rows, cols: cols)
                assertClose(dFast.array, doubles(dNaive), relative: 1e-5, absolute: 1e-6, "kept-prefix softmax backward (\(rows), \(cols))")
            }
        }
    }

    func testReLUMatchesNaiveTwin() {
        for (index, shape) in shapes.enumerated() {
            let count = shape.rows * shape.cols
            var values = randomFloats(count, seed: 60 + UInt64(index), low: -2, high: 2)
            if count > 2 { values[1] = 0; values[2] = -0.0 }  // the derivative at 0 is 0
            let x = Tensor(shape: [count], values: values)
            let fast = Tensor(shape: [count]), naive = Tensor(shape: [count])
            reluForward(out: fast.data, inp: x.data, count: count)
            reluForwardNaive(out: naive.data, inp: x.data, count: count)
            XCTAssertEqual(fast.array, naive.array, "relu, \(count) values")
            let g = randomTensor([count], seed: 70 + UInt64(index))
            let start = randomFloats(count, seed: 80 + UInt64(index))
            let dFast = Tensor(shape: [count], values: start), dNaive = Tensor(shape: [count], values: start)
            reluBackward(dinp: dFast.data, dout: g.data, inp: x.data, count: count)
            reluBackwardNaive(dinp: dNaive.data, dout: g.data, inp: x.data, count: count)
            XCTAssertEqual(dFast.array, dNaive.array, "relu backward, \(count) values")
            // written over rather than added: the naive twin on a zeroed buffer
            let written = Tensor(shape: [count], values: start), fromZero = Tensor(shape: [count])
            reluBackward(dinp: written.data, dout: g.data, inp: x.data, count: count, accumulate: false)
            reluBackwardNaive(dinp: fromZero.data, dout: g.data, inp: x.data, count: count)
            XCTAssertEqual(written.array, fromZero.array, "relu backward without accumulation, \(count) values")
        }
    }

    func testLayerNormMatchesNaiveTwin() {
        for (index, shape) in shapes.enumerated() {
            let (rows, cols) = shape
            let seed = 90 + UInt64(index) * 10
            // a common offset, as residual streams have
            let x = randomTensor([rows, cols], seed: seed, low: 2, high: 5)
            let weight = randomTensor([cols], seed: seed + 1, low: 0.5, high: 1.5), bias = randomTensor([cols], seed: seed + 2)
            for affine in [false, true] {
                let w = affine ? UnsafePointer(weight.data) : nil, b = affine ? UnsafePointer(bias.data) : nil
                let outFast = Tensor(shape: [rows, cols]), outNaive = Tensor(shape: [rows, cols])
                let meanFast = Tensor(shape: [rows]), meanNaive = Tensor(shape: [rows])
                let rstdFast = Tensor(shape: [rows]), rstdNaive = Tensor(shape: [rows])
                layerNormForward(out: outFast.data, mean: meanFast.data, rstd: rstdFast.data, inp: x.data, weight: w, bias: b, rows: rows, cols: cols)
                layerNormForwardNaive(out: outNaive.data, mean: meanNaive.data, rstd: rstdNaive.data, inp: x.data, weight: w, bias: b,
                                      rows: rows, cols: cols)
                // sums in another order: relative error of a few ulps times the row length, on normalised values of size ~1
                let tolerance = 1e-6 * Double(cols).squareRoot()
                assertClose(outFast.array, doubles(outNaive), relative: tolerance, absolute: tolerance, "layer norm (\(rows), \(cols)) affine \(affine)")
                assertClose(meanFast.array, doubles(meanNaive), relative: tolerance, absolute: 0, "layer norm mean")
                assertClose(rstdFast.array, doubles(rstdNaive), relative: 1e-3 * tolerance + tolerance, absolute: 0, "layer norm rstd")

                let g = randomTensor([rows, cols], seed: seed + 3)
                let start = randomFloats(rows * cols, seed: seed + 4), startParameters = randomFloats(cols, seed: seed + 5)
                let dFast = Tensor(shape: [rows, cols], values: start), dNaive = Tensor(shape: [rows, cols], values: start)
                let dwFast = Tensor(shape: [cols], values: startParameters), dwNaive = Tensor(shape: [cols], values: startParameters)
                let dbFast = Tensor(shape: [cols], values: startParameters), dbNaive = Tensor(shape: [cols], values: startParameters)
                layerNormBackward(dinp: dFast.data, dweight: affine ? dwFast.data : nil, dbias: affine ? dbFast.data : nil, dout: g.data,
                                  inp: x.data, weight: w, mean: meanNaive.data, rstd: rstdNaive.data, rows: rows, cols: cols)
                layerNormBackwardNaive(dinp: dNaive.data, dweight: affine ? dwNaive.data : nil, dbias: affine ? dbNaive.data : nil, dout: g.data,
                                       inp: x.data, weight: w, mean: meanNaive.data, rstd: rstdNaive.data, rows: rows, cols: cols)
                let gradientTolerance = 1e-5 * Double(cols).squareRoot()
                assertClose(dFast.array, doubles(dNaive), relative: gradientTolerance, absolute: gradientTolerance, "layer norm dinp (\(rows), \(cols))")
                assertClose(dwFast.array, doubles(dwNaive), relative: gradientTolerance, absolute: gradientTolerance, "layer norm dweight")
                assertClose(dbFast.array, doubles(dbNaive), relative: gradientTolerance, absolute: gradientTolerance, "layer norm dbias")
                // written over rather than added: the naive twin on a zeroed buffer
                let written = Tensor(shape: [rows, cols], values: start), fromZero = Tensor(shape: [rows, cols])
                layerNormBackward(dinp: written.data, dweight: nil, dbias: nil, dout: g.data, inp: x.data, weight: w,
                                  mean: meanNaive.data, rstd: rstdNaive.data, rows: rows, cols: cols, accumulate: false)
                layerNormBackwardNaive(dinp: fromZero.data, dweight: nil, dbias: nil, dout: g.data, inp: x.data, weight: w,
                                       mean: meanNaive.data, rstd: rstdNaive.data, rows: rows, cols: cols)
                assertClose(written.array, doubles(fromZero), relative: gradientTolerance, absolute: gradientTolerance,
                            "layer norm dinp without accumulation (\(rows), \(cols))")

                // residual + layer norm in one pass against add then the naive layer norm
                let f = randomTensor([rows, cols], seed: seed + 6)
                let summedFused = Tensor(shape: [rows, cols]), outFused = Tensor(shape: [rows, cols])
                let summedNaive = Tensor(shape: [rows, cols]), outReference = Tensor(shape: [rows, cols])
                let meanFused = Tensor(shape: [rows]), rstdFused = Tensor(shape: [rows])
                residualLayerNormForward(out: outFused.data, summed: summedFused.data, mean: meanFused.data, rstd: rstdFused.data,
                                         x: x.data, f: f.data, weight: w, bias: b, rows: rows, cols: cols)
                add(out: summedNaive.data, a: x.data, b: f.data, count: rows * cols)
                layerNormForwardNaive(out: outReference.data, mean: meanNaive.data, rstd: rstdNaive.data, inp: summedNaive.data,
                                      weight: w, bias: b, rows: rows, cols: cols)
                XCTAssertEqual(summedFused.array, summedNaive.array, "the residual sum (\(rows), \(cols))")
                assertClose(outFused.array, doubles(outReference), relative: tolerance, absolute: tolerance,
                            "residual layer norm (\(rows), \(cols)) affine \(affine)")
                assertClose(meanFused.array, doubles(meanNaive), relative: tolerance, absolute: tolerance, "residual layer norm mean")
            }
        }
    }
}
