import XCTest
import CKernels
import Tensors
import TestSupport

// The C row kernels at every instruction-set level this CPU can run: each level must give exactly the
// bits of the others (the promise that lets results not depend on the machine's vector width), the
// C exp exactly the bits of Swift's vectorExp, and the softmax the naive twin's values (SoftmaxTests
// and VectorMathTests check the level in use against the Float64 reference and the naive twin).

final class VectorKernelsTests: XCTestCase {
    override func tearDown() {
        VectorKernels.select(VectorKernels.best)
        super.tearDown()
    }

    /// Runs body once per available level and returns each run's result, baseline first.
    private func perLevel<T>(_ body: () -> T) -> [(VectorKernels.Level, T)] {
        VectorKernels.available.map { level in
            XCTAssertTrue(VectorKernels.select(level), "select \(level.name)")
            XCTAssertEqual(VectorKernels.level, level)
            return (level, body())
        }
    }

    private func assertSameBits(_ results: [(VectorKernels.Level, [Float])], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let (_, reference) = results.first else { return XCTFail("no level", file: file, line: line) }
        for (level, values) in results.dropFirst() {
            XCTAssertEqual(values.count, reference.count, file: file, line: line)
            let differing = zip(values, reference).filter { $0.bitPattern != $1.bitPattern && !($0.isNaN && $1.isNaN) }.count
            XCTAssertEqual(differing, 0, "\(what): \(level.name) differs from baseline in \(differing) values", file: file, line: line)
        }
    }

    func testTheChosenLevelIsTheBestAndOthersCanBeSelected() {
        XCTAssertEqual(VectorKernels.level, VectorKernels.best, "the library starts on the widest level the CPU runs")
        XCTAssertEqual(VectorKernels.available.first, .baseline)
        XCTAssertEqual(VectorKernels.available.last, VectorKernels.best)
        if VectorKernels.best < .avx512 {
            XCTAssertFalse(VectorKernels.select(.avx512), "a level the CPU cannot run is refused")
            XCTAssertEqual(VectorKernels.level, VectorKernels.best, "a refused level changes nothing")
        }
        XCTAssertEqual(VectorKernels.Level.allCases.map(\.name), ["baseline", "avx2", "avx512"])
    }

    func testExpEqualsSwiftVectorExpBitForBitOnEveryLevel() {
        // the range where it matters plus gradual underflow, the clamps, and the special values
        var inputs = randomFloats(20_000, seed: 71, low: -110, high: 95)
        inputs += [0, -0.0, 1, -1, 88.3, 88.4, -87.3, -103.9, -104, -104.1, .infinity, -.infinity, .nan, .ulpOfOne]
        inputs += (0..<37).map { Float($0) * 0.5 - 9 }  // a length that is not a multiple of 16 or 8
        var expected = [Float](repeating: 0, count: inputs.count)
        for start in stride(from: 0, to: inputs.count, by: 8) {
            let count = min(8, inputs.count - start)
            let lanes = inputs.withUnsafeBufferPointer { loadPartial($0.baseAddress! + start, count: count, fill: 0) }
            let e = vectorExp(lanes)
            for i in 0..<count { expected[start + i] = e[i] }
        }
        let results = perLevel { () -> [Float] in
            var out = [Float](repeating: -1, count: inputs.count)
            ablate_exp(&out, inputs, Int64(inputs.count))
            return out
        }
        for (level, out) in results {
            let differing = (0..<inputs.count).filter { out[$0].bitPattern != expected[$0].bitPattern && !(out[$0].isNaN && expected[$0].isNaN) }
            XCTAssertTrue(differing.isEmpty, "\(level.name): exp differs from vectorExp at \(differing.prefix(5).map { inputs[$0] })")
        }
    }

    func testTanhAndSigmoidEqualSwiftsVectorFunctionsBitForBitOnEveryLevel() {
        // both clamps of tanh and its tiny-x branch, sigmoid's two halves and its underflow, special values
        var inputs = randomFloats(20_000, seed: 73, low: -12, high: 12) + randomFloats(2_000, seed: 74, low: -1e-3, high: 1e-3)
        inputs += randomFloats(2_000, seed: 75, low: -110, high: 110)
        inputs += [0, -0.0, 0.0004, -0.0004, 0.00039, 7.9053, 7.906, -7.906, 1, -1, 87.3, -87.4, -104, -105,
                   .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        inputs += (0..<37).map { Float($0) * 0.25 - 4 }  // a length that is not a multiple of 16 or 8
        for (name, kernel, swift) in [("tanh", ablate_tanh, vectorTanh), ("sigmoid", ablate_sigmoid, vectorSigmoid)] as [(String, (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int64) -> Void, (FloatVector) -> FloatVector)] {
            var expected = [Float](repeating: 0, count: inputs.count)
            for start in stride(from: 0, to: inputs.count, by: 8) {
                let count = min(8, inputs.count - start)
                let lanes = inputs.withUnsafeBufferPointer { loadPartial($0.baseAddress! + start, count: count, fill: 0) }
                let y = swift(lanes)
                for i in 0..<count { expected[start + i] = y[i] }
            }
            let results = perLevel { () -> [Float] in
                var out = [Float](repeating: -1, count: inputs.count)
                kernel(&out, inputs, Int64(inputs.count))
                var inPlace = inputs
                inPlace.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, $0.baseAddress!, Int64(inputs.count)) }
                return out + inPlace
            }
            for (level, out) in results {
                let differing = (0..<2 * inputs.count).filter {
                    out[$0].bitPattern != expected[$0 % inputs.count].bitPattern && !(out[$0].isNaN && expected[$0 % inputs.count].isNaN)
                }
                XCTAssertTrue(differing.isEmpty, "\(level.name): \(name) differs from Swift's at \(differing.prefix(5).map { inputs[$0 % inputs.count] })")
            }
        }
    }

    func testShortRowSoftmaxGivesTheBitsOfTheRowLoop() {
        // every width up to 32 and past it, row counts across the 64-row staging chunk, masks, kept prefixes (0 included),
        // in place and not; the general loop (ablate_softmax_forward_rows) is the reference
        for cols in 1...34 {
            for rows in [1, 3, 64, 65, 130] {
                let seed = UInt64(cols * 1000 + rows)
                let x = randomFloats(rows * cols, seed: seed, low: -20, high: 20)
                let maskRows = min(rows, 5)
                let mask = randomFloats(maskRows * cols, seed: seed + 1, low: 0, high: 1).map { $0 < 0.3 ? -Float.infinity : $0 }
                let kept: [Int32] = (0..<rows).map { Int32(($0 * 7 + 3) % (cols + 1)) }
                let results = perLevel { () -> [[Float]] in
                    var outputs: [[Float]] = []
                    for (useMask, useKept) in [(false, false), (true, false), (false, true), (true, true)] {
                        var fast = [Float](repeating: .nan, count: rows * cols), reference = fast
                        let m: [Float]? = useMask ? mask : nil, k: [Int32]? = useKept ? kept : nil
                        ablate_softmax_forward(&fast, x, m, Int64(maskRows), k, Int64(rows), 0.7, Int64(rows), Int64(cols))
                        ablate_softmax_forward_rows(&reference, x, m, Int64(maskRows), k, Int64(rows), 0.7, Int64(rows), Int64(cols))
                        var inPlace = x
                        inPlace.withUnsafeMutableBufferPointer {
                            ablate_softmax_forward($0.baseAddress!, $0.baseAddress!, m, Int64(maskRows), k, Int64(rows), 0.7, Int64(rows), Int64(cols))
                        }
                        XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), "\(cols) columns, \(rows) rows, mask \(useMask), kept \(useKept)")
                        XCTAssertEqual(inPlace.map(\.bitPattern), reference.map(\.bitPattern), "in place, \(cols) columns, \(rows) rows")
                        outputs.append(fast)
                    }
                    return outputs
                }
                for (level, outputs) in results.dropFirst() {
                    XCTAssertEqual(outputs.map { $0.map(\.bitPattern) }, results[0].1.map { $0.map(\.bitPattern) }, "\(level.name), \(cols) x \(rows)")
                }
            }
        }
    }

    func testSoftmaxGivesTheSameBitsOnEveryLevel() {
        // widths around the vector lengths, with a mask, with kept prefixes (0 included), scaled
        for cols in [1, 7, 15, 16, 17, 31, 33, 64, 100] {
            let rows = 6
            let x = randomFloats(rows * cols, seed: UInt64(cols), low: -20, high: 20)
            let mask = randomFloats(rows * cols, seed: UInt64(100 + cols), low: 0, high: 1).map { $0 < 0.3 ? -Float.infinity : $0 }
            let kept: [Int32] = (0..<rows).map { Int32(($0 * (cols + 1)) / rows) }
            let dout = randomFloats(rows * cols, seed: UInt64(200 + cols), low: -1, high: 1)
            let prefill = randomFloats(rows * cols, seed: UInt64(300 + cols), low: -1, high: 1)
            let forward = perLevel { () -> [Float] in
                var masked = [Float](repeating: .nan, count: rows * cols), prefix = masked
                ablate_softmax_forward(&masked, x, mask, Int64(rows), nil, 1, 0.37, Int64(rows), Int64(cols))
                ablate_softmax_forward(&prefix, x, nil, 1, kept, Int64(rows), 1.3, Int64(rows), Int64(cols))
                var dinp = prefill, dprefix = prefill, written = prefill
                ablate_softmax_backward(&dinp, dout, masked, nil, 1, 0.37, Int64(rows), Int64(cols), 1)
                ablate_softmax_backward(&dprefix, dout, prefix, kept, Int64(rows), 1.3, Int64(rows), Int64(cols), 1)
                ablate_softmax_backward(&written, dout, prefix, kept, Int64(rows), 1.3, Int64(rows), Int64(cols), 0)
                return masked + prefix + dinp + dprefix + written
            }
            assertSameBits(forward, "softmax forward and backward, \(cols) columns")
            // written rather than accumulated: the prefix's gradient, then zeros; accumulated: the rest untouched
            let n = rows * cols
            for (level, values) in forward {
                for r in 0..<rows {
                    for c in 0..<cols {
                        let i = r * cols + c
                        let accumulated = values[3 * n + i], written = values[4 * n + i]
                        if c < Int(kept[r]) {
                            XCTAssertEqual(written, accumulated - prefill[i], accuracy: 1e-5, "\(level.name): written = accumulated - prefill")
                        } else {
                            XCTAssertEqual(written, 0, "\(level.name): past the prefix, written is 0")
                            XCTAssertEqual(accumulated, prefill[i], "\(level.name): past the prefix, accumulated leaves dinp")
                        }
                    }
                }
            }
            // and the values are the naive twin's, within rounding
            var naive = [Float](repeating: 0, count: rows * cols)
            softmaxForwardNaive(out: &naive, inp: x, mask: mask, maskRows: rows, scale: 0.37, rows: rows, cols: cols)
            for (level, values) in forward {
                for i in 0..<rows * cols {
                    XCTAssertEqual(values[i], naive[i], accuracy: 1e-6 + 1e-5 * abs(naive[i]), "\(level.name), \(cols) columns, value \(i)")
                }
            }
        }
    }

    func testLayerNormGivesTheSameBitsOnEveryLevelAndMatchesItsNaiveTwin() {
        for cols in [1, 5, 16, 24, 128] {
            let rows = 4
            let x = randomFloats(rows * cols, seed: UInt64(400 + cols), low: -3, high: 5)
            let f = randomFloats(rows * cols, seed: UInt64(500 + cols), low: -1, high: 1)
            let weight = randomFloats(cols, seed: UInt64(600 + cols), low: 0.5, high: 1.5)
            let bias = randomFloats(cols, seed: UInt64(700 + cols), low: -1, high: 1)
            let dout = randomFloats(rows * cols, seed: UInt64(800 + cols), low: -1, high: 1)
            let prefill = randomFloats(rows * cols, seed: UInt64(900 + cols), low: -1, high: 1)
            let results = perLevel { () -> [Float] in
                var out = [Float](repeating: .nan, count: rows * cols), summed = out
                var mean = [Float](repeating: .nan, count: rows), rstd = mean
                ablate_layer_norm_forward(&out, &summed, &mean, &rstd, x, f, weight, bias, Int64(rows), Int64(cols), 1e-5)
                var plain = [Float](repeating: .nan, count: rows * cols)
                var plainMean = mean, plainRstd = rstd
                ablate_layer_norm_forward(&plain, nil, &plainMean, &plainRstd, x, nil, nil, nil, Int64(rows), Int64(cols), 1e-5)
                var dinp = prefill, dweight = bias, dbias = weight
                ablate_layer_norm_backward(&dinp, &dweight, &dbias, dout, summed, weight, mean, rstd, Int64(rows), Int64(cols), 1)
                var dplain = prefill
                ablate_layer_norm_backward(&dplain, nil, nil, dout, x, nil, plainMean, plainRstd, Int64(rows), Int64(cols), 0)
                return out + summed + mean + rstd + plain + dinp + dweight + dbias + dplain
            }
            assertSameBits(results, "layer norm, \(cols) columns")
            // the naive twins: the residual sum, then the layer norm and its backward
            let summed = zip(x, f).map { $0 + $1 }
            var out = [Float](repeating: 0, count: rows * cols), mean = [Float](repeating: 0, count: rows), rstd = mean
            layerNormForwardNaive(out: &out, mean: &mean, rstd: &rstd, inp: summed, weight: weight, bias: bias, rows: rows, cols: cols)
            var dinp = prefill, dweight = bias, dbias = weight
            layerNormBackwardNaive(dinp: &dinp, dweight: &dweight, dbias: &dbias, dout: dout, inp: summed, weight: weight,
                                   mean: mean, rstd: rstd, rows: rows, cols: cols)
            let n = rows * cols
            for (level, values) in results {
                assertClose(Array(values[0..<n]), out.map(Double.init), relative: 1e-5, absolute: 1e-5, "\(level.name) forward, \(cols) columns")
                XCTAssertEqual(Array(values[n..<2 * n]), summed, "\(level.name) residual sum")
                let backward = Array(values[(3 * n + 2 * rows)..<(4 * n + 2 * rows + 2 * cols)])
                assertClose(backward, (dinp + dweight + dbias).map(Double.init), relative: 1e-4, absolute: 1e-5,
                            "\(level.name) backward, \(cols) columns")
            }
        }
    }

    func testBiasGradientAndReLUGiveTheSameBitsOnEveryLevelAndMatchTheirNaiveTwins() {
        for (rows, cols) in [(3, 1), (5, 17), (7, 64), (2, 100)] {
            let dout = randomFloats(rows * cols, seed: UInt64(rows * 1000 + cols), low: -1, high: 1)
            let start = randomFloats(cols, seed: UInt64(cols), low: -1, high: 1)
            var inp = randomFloats(rows * cols, seed: UInt64(cols + 7), low: -1, high: 1)
            inp[0] = 0  // the kink: derivative 0
            inp[rows * cols - 1] = .nan  // relu(NaN) = 0
            let prefill = randomFloats(rows * cols, seed: UInt64(cols + 8), low: -1, high: 1)
            let results = perLevel { () -> [Float] in
                var dbias = start
                ablate_add_bias_backward(&dbias, dout, Int64(rows), Int64(cols))
                var out = [Float](repeating: .nan, count: rows * cols)
                ablate_relu_forward(&out, inp, Int64(rows * cols))
                var accumulated = prefill, written = prefill
                ablate_relu_backward(&accumulated, dout, inp, Int64(rows * cols), 1)
                ablate_relu_backward(&written, dout, inp, Int64(rows * cols), 0)
                return dbias + out + accumulated + written
            }
            assertSameBits(results, "bias gradient and ReLU, (\(rows), \(cols))")
            // naive twins: a column sum in row order is exactly what the kernel computes
            var dbias = start
            for r in 0..<rows { for c in 0..<cols { dbias[c] += dout[r * cols + c] } }
            var out = [Float](repeating: 0, count: rows * cols)
            reluForwardNaive(out: &out, inp: inp, count: rows * cols)
            var accumulated = prefill
            reluBackwardNaive(dinp: &accumulated, dout: dout, inp: inp, count: rows * cols)
            var written = [Float](repeating: 0, count: rows * cols)
            reluBackwardNaive(dinp: &written, dout: dout, inp: inp, count: rows * cols)
            XCTAssertEqual(out[rows * cols - 1], 0, "relu(NaN) is 0 in the naive twin too")
            for (level, values) in results {
                XCTAssertEqual(values, dbias + out + accumulated + written, "\(level.name), (\(rows), \(cols))")
            }
        }
    }
}
