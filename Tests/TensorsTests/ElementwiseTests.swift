import XCTest
import Tensors
import TestSupport

// Element-wise kernels against Float64 references, and each backward against finite differences of
// the reference forward, projected to a scalar L = sum(w * out) with fixed random weights w.

final class ElementwiseTests: XCTestCase {
    let rows = 5, cols = 7
    var count: Int { rows * cols }

    // The forward kernels here are one rounded Float32 operation per element, so they match the Float64
    // reference to half an ulp: relative 1e-6. The backward kernels are one or two rounded operations
    // per element and finite differences of these linear or bilinear references are exact to ~1e-10:
    // relative 1e-5 / absolute 1e-6.

    func testCopy() {
        let x = randomTensor([count], seed: 41)
        let out = Tensor(shape: [count])
        copyValues(out: out.data, inp: x.data, count: count)
        XCTAssertEqual(out.array, x.array)
        copyValues(out: x.data, inp: x.data, count: count)  // onto itself: unchanged
        XCTAssertEqual(x.array, out.array)
    }

    func testAddForwardBackward() {
        let a = randomTensor([count], seed: 42), b = randomTensor([count], seed: 43), w = randomTensor([count], seed: 44)
        let out = Tensor(shape: [count])
        add(out: out.data, a: a.data, b: b.data, count: count)
        assertClose(out.array, zip(doubles(a), doubles(b)).map { $0 + $1 }, relative: 1e-6, absolute: 0, "add")

        let daStart = randomFloats(count, seed: 45), dbStart = randomFloats(count, seed: 46)
        let da = Tensor(shape: [count], values: daStart), db = Tensor(shape: [count], values: dbStart)
        addBackward(da: da.data, db: db.data, dout: w.data, count: count)
        let a64 = doubles(a), b64 = doubles(b), w64 = doubles(w)
        let numericA = numericalGradient(at: a64) { dot(zip($0, b64).map { $0 + $1 }, w64) }
        let numericB = numericalGradient(at: b64) { dot(zip(a64, $0).map { $0 + $1 }, w64) }
        assertClose(added(da, daStart), numericA, relative: 1e-5, absolute: 1e-6, "add da")
        assertClose(added(db, dbStart), numericB, relative: 1e-5, absolute: 1e-6, "add db")

        // in place, as in a residual x = x + f(x)
        add(out: a.data, a: a.data, b: b.data, count: count)
        XCTAssertEqual(a.array, out.array)
    }

    func testScaleAndItsBackwardThroughAxpy() {
        let x = randomTensor([count], seed: 47), w = randomTensor([count], seed: 48)
        let factor: Float = -1.75
        let out = Tensor(shape: [count])
        scaleValues(out: out.data, inp: x.data, factor: factor, count: count)
        assertClose(out.array, doubles(x).map { Double(factor) * $0 }, relative: 1e-6, absolute: 0, "scale")

        let start = randomFloats(count, seed: 49)
        let dinp = Tensor(shape: [count], values: start)
        axpy(y: dinp.data, alpha: factor, x: w.data, count: count)  // scale's backward: dinp += factor * dout
        let w64 = doubles(w)
        let numeric = numericalGradient(at: doubles(x)) { dot($0.map { Double(factor) * $0 }, w64) }
        assertClose(added(dinp, start), numeric, relative: 1e-5, absolute: 1e-6, "scale backward")

        scaleValues(out: x.data, inp: x.data, factor: factor, count: count)  // in place
        XCTAssertEqual(x.array, out.array)
    }

    func testAxpy() {
        let x = randomTensor([count], seed: 50), y = randomTensor([count], seed: 51)
        let alpha: Float = 0.3
        let expected = zip(doubles(y), doubles(x)).map { $0 + Double(alpha) * $1 }
        axpy(y: y.data, alpha: alpha, x: x.data, count: count)
        // two rounded operations (product, sum): relative 1e-6 plus an absolute term for sums near zero
        assertClose(y.array, expected, relative: 1e-6, absolute: 1e-7, "axpy")
    }

    func testMultiplyForwardBackward() {
        let a = randomTensor([count], seed: 52, low: -2, high: 2), b = randomTensor([count], seed: 53, low: -2, high: 2)
        let w = randomTensor([count], seed: 54)
        let out = Tensor(shape: [count])
        multiply(out: out.data, a: a.data, b: b.data, count: count)
        assertClose(out.array, zip(doubles(a), doubles(b)).map { $0 * $1 }, relative: 1e-6, absolute: 0, "multiply")

        let daStart = randomFloats(count, seed: 55), dbStart = randomFloats(count, seed: 56)
        let da = Tensor(shape: [count], values: daStart), db = Tensor(shape: [count], values: dbStart)
        multiplyBackward(da: da.data, db: db.data, dout: w.data, a: a.data, b: b.data, count: count)
        let a64 = doubles(a), b64 = doubles(b), w64 = doubles(w)
        let numericA = numericalGradient(at: a64) { dot(zip($0, b64).map { $0 * $1 }, w64) }
        let numericB = numericalGradient(at: b64) { dot(zip(a64, $0).map { $0 * $1 }, w64) }
        assertClose(added(da, daStart), numericA, relative: 1e-5, absolute: 1e-6, "multiply da")
        assertClose(added(db, dbStart), numericB, relative: 1e-5, absolute: 1e-6, "multiply db")
    }

    func testAddBiasForwardBackward() {
        let x = randomTensor([rows, cols], seed: 57), bias = randomTensor([cols], seed: 58), w = randomTensor([rows, cols], seed: 59)
        let x64 = doubles(x), bias64 = doubles(bias), w64 = doubles(w)
        let (R, C) = (rows, cols)
        func reference(_ x: [Double], _ bias: [Double]) -> [Double] { (0..<R * C).map { x[$0] + bias[$0 % C] } }

        let out = Tensor(shape: [rows, cols])
        addBias(out: out.data, inp: x.data, bias: bias.data, rows: rows, cols: cols)
        assertClose(out.array, reference(x64, bias64), relative: 1e-6, absolute: 0, "addBias")

        let start = randomFloats(cols, seed: 60)
        let dbias = Tensor(shape: [cols], values: start)
        addBiasBackward(dbias: dbias.data, dout: w.data, rows: rows, cols: cols)
        let numeric = numericalGradient(at: bias64) { dot(reference(x64, $0), w64) }
        // a column sum of 5 values: a few roundings, relative 1e-5 / absolute 1e-6
        assertClose(added(dbias, start), numeric, relative: 1e-5, absolute: 1e-6, "addBias dbias")
        // the input gradient is dout itself
        let numericInput = numericalGradient(at: x64) { dot(reference($0, bias64), w64) }
        assertClose(w.array, numericInput, relative: 1e-6, absolute: 1e-9, "addBias input gradient is dout")

        addBias(out: x.data, inp: x.data, bias: bias.data, rows: rows, cols: cols)  // in place
        XCTAssertEqual(x.array, out.array)
    }

    func testSumOfSquares() {
        for n in [0, 1, 3, 4, 1001] {  // the four-way unrolled loop and its tail
            let x = randomTensor([n], seed: 61, low: -3, high: 3)
            let expected = doubles(x).reduce(0) { $0 + $1 * $1 }
            // squares of Float32 values are exact in Float64; only the Float64 sums round: relative 1e-12
            XCTAssertEqual(sumOfSquares(x.data, count: n), expected, accuracy: 1e-12 * max(expected, 1), "count \(n)")
        }
        // large values that would overflow Float32 when squared
        let big = Tensor(shape: [3], values: [3e20, -4e20, 0])
        let bigExpected = doubles(big).reduce(0) { $0 + $1 * $1 }
        XCTAssertGreaterThan(bigExpected, Double(Float.greatestFiniteMagnitude))
        XCTAssertEqual(sumOfSquares(big.data, count: 3), bigExpected, accuracy: 1e-12 * bigExpected)
    }
}
