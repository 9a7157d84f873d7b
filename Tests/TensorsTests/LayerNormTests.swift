import Foundation
import XCTest
import Tensors
import TestSupport

// Layer norm against an independent Float64 reference, its backward (input, weight, bias) against
// finite differences of that reference, and the normalisation property itself.

/// The Float64 reference: per row (x - mean) / sqrt(var + epsilon) * weight + bias, biased variance.
private func referenceLayerNorm(_ x: [Double], weight: [Double]?, bias: [Double]?, rows: Int, cols: Int,
                                epsilon: Double = 1e-5) -> (out: [Double], mean: [Double], rstd: [Double]) {
    var out = [Double](repeating: 0, count: rows * cols)
    var means = [Double](repeating: 0, count: rows), rstds = [Double](repeating: 0, count: rows)
    for r in 0..<rows {
        let row = Array(x[r * cols ..< (r + 1) * cols])
        let mean = row.reduce(0, +) / Double(cols)
        let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(cols)
        let rstd = 1 / sqrt(variance + epsilon)
        for c in 0..<cols {
            out[r * cols + c] = (row[c] - mean) * rstd * (weight?[c] ?? 1) + (bias?[c] ?? 0)
        }
        means[r] = mean
        rstds[r] = rstd
    }
    return (out, means, rstds)
}

final class LayerNormTests: XCTestCase {
    let rows = 5, cols = 13

    func testForwardMatchesFloat64Reference() {
        let x = randomTensor([rows, cols], seed: 21, low: -1, high: 3)  // rows with a non-zero mean
        let weight = randomTensor([cols], seed: 22, low: 0.5, high: 1.5)
        let bias = randomTensor([cols], seed: 23)
        let out = Tensor(shape: [rows, cols]), mean = Tensor(shape: [rows]), rstd = Tensor(shape: [rows])
        let expected = referenceLayerNorm(doubles(x), weight: doubles(weight), bias: doubles(bias), rows: rows, cols: cols)
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: weight.data, bias: bias.data,
                         rows: rows, cols: cols)
        // Float32 sums over 13 values and one square root: a few ulps, so relative 1e-5 with room to spare;
        // absolute 1e-6 for outputs near zero, where the error is relative to the row's scale, not to the value.
        assertClose(out.array, expected.out, relative: 1e-5, absolute: 1e-6, "layer norm output")
        assertClose(mean.array, expected.mean, relative: 1e-5, absolute: 1e-7, "layer norm mean")
        assertClose(rstd.array, expected.rstd, relative: 1e-5, absolute: 0, "layer norm rstd")

        // each of weight and bias is optional
        let affineFree = referenceLayerNorm(doubles(x), weight: nil, bias: nil, rows: rows, cols: cols)
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: nil, bias: nil, rows: rows, cols: cols)
        assertClose(out.array, affineFree.out, relative: 1e-5, absolute: 1e-6, "layer norm without affine")
        let weightOnly = referenceLayerNorm(doubles(x), weight: doubles(weight), bias: nil, rows: rows, cols: cols)
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: weight.data, bias: nil, rows: rows, cols: cols)
        assertClose(out.array, weightOnly.out, relative: 1e-5, absolute: 1e-6, "layer norm with weight only")
        let biasOnly = referenceLayerNorm(doubles(x), weight: nil, bias: doubles(bias), rows: rows, cols: cols)
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: nil, bias: bias.data, rows: rows, cols: cols)
        assertClose(out.array, biasOnly.out, relative: 1e-5, absolute: 1e-6, "layer norm with bias only")
    }

    func testBackwardMatchesFiniteDifferencesAndAccumulates() {
        let x = randomTensor([rows, cols], seed: 24, low: -1, high: 3)
        let weight = randomTensor([cols], seed: 25, low: 0.5, high: 1.5)
        let bias = randomTensor([cols], seed: 26)
        let w = randomTensor([rows, cols], seed: 27)  // L = sum(w * out), so dout = w
        let out = Tensor(shape: [rows, cols]), mean = Tensor(shape: [rows]), rstd = Tensor(shape: [rows])
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: weight.data, bias: bias.data,
                         rows: rows, cols: cols)

        // gradients start from arbitrary values: the backward must add to them
        let dinpStart = randomFloats(rows * cols, seed: 28), dweightStart = randomFloats(cols, seed: 29), dbiasStart = randomFloats(cols, seed: 30)
        let dinp = Tensor(shape: [rows, cols], values: dinpStart)
        let dweight = Tensor(shape: [cols], values: dweightStart), dbias = Tensor(shape: [cols], values: dbiasStart)
        layerNormBackward(dinp: dinp.data, dweight: dweight.data, dbias: dbias.data, dout: w.data, inp: x.data, weight: weight.data,
                          mean: mean.data, rstd: rstd.data, rows: rows, cols: cols)

        let x64 = doubles(x), weight64 = doubles(weight), bias64 = doubles(bias), w64 = doubles(w)
        let (R, C) = (rows, cols)
        let numericInput = numericalGradient(at: x64) { dot(referenceLayerNorm($0, weight: weight64, bias: bias64, rows: R, cols: C).out, w64) }
        let numericWeight = numericalGradient(at: weight64) { dot(referenceLayerNorm(x64, weight: $0, bias: bias64, rows: R, cols: C).out, w64) }
        let numericBias = numericalGradient(at: bias64) { dot(referenceLayerNorm(x64, weight: weight64, bias: $0, rows: R, cols: C).out, w64) }
        // The finite differences of the Float64 reference are good to ~1e-9. The Float32 input gradient
        // subtracts two row means from dnorm (a cancellation of O(1) terms), so its error is absolute,
        // about 1e-6 * rstd: relative 1e-3 with absolute 1e-5.
        assertClose(zip(dinp.array, dinpStart).map { $0 - $1 }, numericInput, relative: 1e-3, absolute: 1e-5, "dinp")
        assertClose(zip(dweight.array, dweightStart).map { $0 - $1 }, numericWeight, relative: 1e-3, absolute: 1e-5, "dweight")
        assertClose(zip(dbias.array, dbiasStart).map { $0 - $1 }, numericBias, relative: 1e-3, absolute: 1e-5, "dbias")
    }

    func testBackwardWithoutAffineMatchesFiniteDifferences() {
        let x = randomTensor([rows, cols], seed: 31, low: -2, high: 2)
        let w = randomTensor([rows, cols], seed: 32)
        let out = Tensor(shape: [rows, cols]), mean = Tensor(shape: [rows]), rstd = Tensor(shape: [rows])
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: nil, bias: nil, rows: rows, cols: cols)
        let dinp = Tensor(shape: [rows, cols])
        layerNormBackward(dinp: dinp.data, dweight: nil, dbias: nil, dout: w.data, inp: x.data, weight: nil,
                          mean: mean.data, rstd: rstd.data, rows: rows, cols: cols)
        let w64 = doubles(w)
        let (R, C) = (rows, cols)
        let numeric = numericalGradient(at: doubles(x)) { dot(referenceLayerNorm($0, weight: nil, bias: nil, rows: R, cols: C).out, w64) }
        // same reasoning as with the affine: Float32 cancellation in the row means, relative 1e-3 / absolute 1e-5
        assertClose(dinp.array, numeric, relative: 1e-3, absolute: 1e-5, "dinp without affine")

        // a second call doubles the gradient
        let once = dinp.array
        layerNormBackward(dinp: dinp.data, dweight: nil, dbias: nil, dout: w.data, inp: x.data, weight: nil,
                          mean: mean.data, rstd: rstd.data, rows: rows, cols: cols)
        assertClose(dinp.array, once.map { 2 * Double($0) }, relative: 1e-6, absolute: 1e-7, "second backward call accumulates")
    }

    func testOutputWithoutAffineHasMeanZeroAndVarianceOne() {
        let rows = 5, cols = 67
        let x = randomTensor([rows, cols], seed: 33, low: -2, high: 3)
        let out = Tensor(shape: [rows, cols]), mean = Tensor(shape: [rows]), rstd = Tensor(shape: [rows])
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: nil, bias: nil, rows: rows, cols: cols)
        for r in 0..<rows {
            let row = (0..<cols).map { Double(out[r * cols + $0]) }
            let m = row.reduce(0, +) / Double(cols)
            let variance = row.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(cols)
            XCTAssertLessThan(abs(m), 1e-5, "row \(r) mean")
            // var / (var + epsilon) with var about 2: 1 - 5e-6, well inside 1e-3
            XCTAssertEqual(variance, 1, accuracy: 1e-3, "row \(r) variance")
        }
    }

    func testConstantRowIsFiniteAndMapsToBias() {
        let cols = 7
        let x = Tensor(shape: [2, cols], repeating: 3.25)
        let bias = randomTensor([cols], seed: 34)
        let weight = randomTensor([cols], seed: 35)
        let out = Tensor(shape: [2, cols]), mean = Tensor(shape: [2]), rstd = Tensor(shape: [2])
        layerNormForward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: weight.data, bias: bias.data,
                         rows: 2, cols: cols, epsilon: 1e-5)
        // variance 0: rstd is 1 / sqrt(epsilon), the normalised row is exactly 0 and the output is the bias
        XCTAssertEqual(mean.array, [3.25, 3.25])
        XCTAssertEqual(Double(rstd[0]), 1 / sqrt(1e-5), accuracy: 1e-2)
        XCTAssertEqual(out.array, bias.array + bias.array)
    }
}
