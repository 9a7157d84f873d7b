import Foundation
import XCTest
import Tensors
import TestSupport

private typealias Forward = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void
private typealias Backward = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int) -> Void

/// The Float64 references. The exact GELU's Phi is written with erfc (not 1 + erf) so that the
/// reference keeps its relative accuracy far into the negative tail, where x Phi(x) is tiny.
private func referenceGELU(_ x: Double) -> Double { 0.5 * x * erfc(-x / 2.0.squareRoot()) }
private func referenceGELUTanh(_ x: Double) -> Double {
    0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
}
private func referenceSigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
private func referenceReLU(_ x: Double) -> Double { max(0, x) }

final class ActivationTests: XCTestCase {
    private let count = 1001

    /// Runs forward against the Float64 reference, then the backward of L = sum(w * out) against central
    /// differences of the reference, with the gradient buffer pre-filled to check that it accumulates.
    private func check(
        _ name: String, inputs: [Float], forward: Forward, backward: Backward, backwardReadsOutput: Bool,
        reference: @escaping (Double) -> Double, file: StaticString = #filePath, line: UInt = #line
    ) {
        let n = inputs.count
        let inp = Tensor(shape: [n], values: inputs)
        let out = Tensor(shape: [n], repeating: .nan)
        forward(out.data, inp.data, n)
        // Float32 evaluation of a smooth function: a few ulps relative, plus an absolute floor near zero.
        let forwardError = worstError(out.array, inputs.map { reference(Double($0)) }, relative: 1e-5, absolute: 1e-6)
        XCTAssertLessThanOrEqual(forwardError.ratio, 1, "\(name) forward, worst at x=\(inputs[forwardError.index])", file: file, line: line)

        let weights = randomFloats(n, seed: 21)
        let prefill = randomFloats(n, seed: 22)
        let dout = Tensor(shape: [n], values: weights)
        let dinp = Tensor(shape: [n], values: prefill)
        backward(dinp.data, dout.data, backwardReadsOutput ? UnsafePointer(out.data) : UnsafePointer(inp.data), n)

        let w = weights.map(Double.init)
        let numeric = numericalGradient(at: inputs.map(Double.init)) { x in
            var sum = 0.0
            for i in 0..<x.count { sum += w[i] * reference(x[i]) }
            return sum
        }
        let expected = zip(prefill, numeric).map { Double($0) + $1 }
        // The finite difference is good to ~1e-9; the Float32 local derivative is good to ~1e-6 relative,
        // and 1 - y^2 from a saved output loses up to ~1e-7 absolute when y is close to +-1.
        let gradientError = worstError(dinp.array, expected, relative: 1e-4, absolute: 1e-6)
        XCTAssertLessThanOrEqual(gradientError.ratio, 1, "\(name) backward, worst at x=\(inputs[gradientError.index])", file: file, line: line)
    }

    func testReLU() {
        // Keep every input at least 1e-3 away from the kink, so the central difference never straddles it.
        let inputs = randomFloats(count, seed: 23, low: -3, high: 3).map { abs($0) < 1e-3 ? $0 + 0.01 : $0 }
        check("relu", inputs: inputs, forward: { reluForward(out: $0, inp: $1, count: $2) },
              backward: { reluBackward(dinp: $0, dout: $1, inp: $2, count: $3) }, backwardReadsOutput: false,
              reference: referenceReLU)
    }

    func testReLUDerivativeAtZeroIsZero() {
        let inp: [Float] = [0, -0.0, 1e-30, -1e-30]
        let dout: [Float] = [1, 1, 1, 1]
        var dinp: [Float] = [0, 0, 0, 0]
        reluBackward(dinp: &dinp, dout: dout, inp: inp, count: 4)
        XCTAssertEqual(dinp, [0, 0, 1, 0])
    }

    func testGELU() {
        let inputs = randomFloats(count, seed: 24, low: -6, high: 6)
        check("gelu", inputs: inputs, forward: { geluForward(out: $0, inp: $1, count: $2) },
              backward: { geluBackward(dinp: $0, dout: $1, inp: $2, count: $3) }, backwardReadsOutput: false,
              reference: referenceGELU)
    }

    func testGELUTanh() {
        let inputs = randomFloats(count, seed: 24, low: -6, high: 6)
        check("gelu_tanh", inputs: inputs, forward: { geluTanhForward(out: $0, inp: $1, count: $2) },
              backward: { geluTanhBackward(dinp: $0, dout: $1, inp: $2, count: $3) }, backwardReadsOutput: false,
              reference: referenceGELUTanh)
    }

    /// Each GELU against its naive twin (the same formula in Float64, rounded once), forward and
    /// backward, on odd counts and on the inputs where the two forms part most.
    func testGELUsMatchTheirNaiveTwins() {
        let twins: [(String, Forward, Forward, Backward, Backward)] = [
            ("gelu", { geluForward(out: $0, inp: $1, count: $2) }, { geluForwardNaive(out: $0, inp: $1, count: $2) },
             { geluBackward(dinp: $0, dout: $1, inp: $2, count: $3) }, { geluBackwardNaive(dinp: $0, dout: $1, inp: $2, count: $3) }),
            ("gelu_tanh", { geluTanhForward(out: $0, inp: $1, count: $2) }, { geluTanhForwardNaive(out: $0, inp: $1, count: $2) },
             { geluTanhBackward(dinp: $0, dout: $1, inp: $2, count: $3) }, { geluTanhBackwardNaive(dinp: $0, dout: $1, inp: $2, count: $3) }),
        ]
        for (name, fast, naive, fastBackward, naiveBackward) in twins {
            for n in [1, 7, 33, 1001] {
                let inp = randomFloats(n, seed: UInt64(30 + n), low: -8, high: 8)
                var out = [Float](repeating: .nan, count: n), twin = [Float](repeating: .nan, count: n)
                fast(&out, inp, n)
                naive(&twin, inp, n)
                let forwardError = worstError(out, twin.map(Double.init), relative: 2e-6, absolute: 1e-7)
                XCTAssertLessThanOrEqual(forwardError.ratio, 1, "\(name) forward n=\(n), worst at x=\(inp[forwardError.index])")
                let dout = randomFloats(n, seed: UInt64(40 + n))
                let prefill = randomFloats(n, seed: UInt64(50 + n))
                var dinp = prefill, dtwin = prefill
                fastBackward(&dinp, dout, inp, n)
                naiveBackward(&dtwin, dout, inp, n)
                let backwardError = worstError(dinp, dtwin.map(Double.init), relative: 2e-6, absolute: 1e-6)
                XCTAssertLessThanOrEqual(backwardError.ratio, 1, "\(name) backward n=\(n), worst at x=\(inp[backwardError.index])")
            }
        }
    }

    func testGELUIsExactAndGELUTanhIsTheApproximation() {
        // x Phi(x) at 1 is 0.841345; the tanh approximation gives 0.841192, 1.5e-4 away.
        var out: [Float] = [0]
        geluForward(out: &out, inp: [1], count: 1)
        XCTAssertEqual(Double(out[0]), 0.841_345, accuracy: 2e-6)
        geluTanhForward(out: &out, inp: [1], count: 1)
        XCTAssertEqual(Double(out[0]), 0.841_192, accuracy: 2e-6)
    }

    func testTanh() {
        let inputs = randomFloats(count, seed: 25, low: -4, high: 4)
        check("tanh", inputs: inputs, forward: { tanhForward(out: $0, inp: $1, count: $2) },
              backward: { tanhBackward(dinp: $0, dout: $1, out: $2, count: $3) }, backwardReadsOutput: true,
              reference: { tanh($0) })
    }

    func testSigmoid() {
        let inputs = randomFloats(count, seed: 26, low: -8, high: 8)
        check("sigmoid", inputs: inputs, forward: { sigmoidForward(out: $0, inp: $1, count: $2) },
              backward: { sigmoidBackward(dinp: $0, dout: $1, out: $2, count: $3) }, backwardReadsOutput: true,
              reference: referenceSigmoid)
    }

    func testExtremeInputsStayFinite() {
        let inp: [Float] = [-1e4, -100, -20, 0, 20, 100, 1e4]
        let n = inp.count
        var out = [Float](repeating: .nan, count: n)
        var dinp = [Float](repeating: 0, count: n)
        let ones = [Float](repeating: 1, count: n)

        sigmoidForward(out: &out, inp: inp, count: n)
        XCTAssertTrue(out.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "sigmoid \(out)")
        XCTAssertEqual(out[3], 0.5)
        XCTAssertGreaterThan(out[1], 0, "sigmoid(-100) should be a tiny positive number, not 0")
        sigmoidBackward(dinp: &dinp, dout: ones, out: out, count: n)
        XCTAssertTrue(dinp.allSatisfy { $0.isFinite && $0 >= 0 }, "sigmoid backward \(dinp)")

        tanhForward(out: &out, inp: inp, count: n)
        XCTAssertEqual(out[0], -1)
        XCTAssertEqual(out[n - 1], 1)

        for (name, forward, backward) in [("gelu", geluForward as Forward, geluBackward as Backward),
                                          ("gelu_tanh", geluTanhForward as Forward, geluTanhBackward as Backward)] {
            forward(&out, inp, n)
            XCTAssertTrue(out.allSatisfy { $0.isFinite }, "\(name) \(out)")
            XCTAssertEqual(out[0], 0, name)
            XCTAssertEqual(out[n - 1], 1e4, name)
            dinp = [Float](repeating: 0, count: n)
            backward(&dinp, ones, inp, n)
            XCTAssertTrue(dinp.allSatisfy { $0.isFinite }, "\(name) backward \(dinp)")
            XCTAssertEqual(dinp[0], 0, name)
            XCTAssertEqual(dinp[n - 1], 1, name)
        }
    }
}
