import Foundation
import XCTest
import Tensors
import TestSupport

final class DropoutTests: XCTestCase {
    /// Runs the forward on `inp` and returns (out, mask) as arrays.
    private func run(_ inp: [Float], probability: Float, rng: inout RNG) -> (out: [Float], mask: [Float]) {
        let n = inp.count
        var out = [Float](repeating: .nan, count: n)
        var mask = [Float](repeating: .nan, count: n)
        dropoutForward(out: &out, mask: &mask, inp: inp, probability: probability, rng: &rng, count: n)
        return (out, mask)
    }

    func testSameSeedGivesBitIdenticalMasksAndOtherStreamsDiffer() {
        let inp = randomFloats(10_007, seed: 41)
        func mask(seed: UInt64, substream: UInt32) -> [UInt32] {
            var rng = RNG(seed: seed, purpose: .dropout, substream: substream)
            return run(inp, probability: 0.25, rng: &rng).mask.map(\.bitPattern)
        }
        let first = mask(seed: 42, substream: 3)
        XCTAssertEqual(first, mask(seed: 42, substream: 3))
        // Independent masks differ in about 2 p (1 - p) = 37.5% of the elements; demand at least 30%.
        for (seed, substream) in [(UInt64(43), UInt32(3)), (42, 4)] {
            let other = mask(seed: seed, substream: substream)
            let differing = zip(first, other).filter { $0 != $1 }.count
            XCTAssertGreaterThan(differing, 3_000, "seed \(seed) substream \(substream)")
        }
    }

    func testMaskStatistics() {
        let n = 100_000
        let inp = [Float](repeating: 1, count: n)
        for p in [Float(0.1), 0.3, 0.5] {
            var rng = RNG(seed: 7, purpose: .dropout, substream: 0)
            let (out, mask) = run(inp, probability: p, rng: &rng)
            let keep = 1 / (1 - p)
            XCTAssertTrue(mask.allSatisfy { $0 == 0 || $0 == keep }, "p \(p): mask values other than 0 and 1/(1-p)")
            XCTAssertEqual(out, mask, "p \(p): out = inp * mask with inp = 1")
            let pd = Double(p), count = Double(n)
            // Zeros are Binomial(n, p): the fraction has std sqrt(p (1 - p) / n). Allow 5 sigma.
            let zeroFraction = Double(mask.filter { $0 == 0 }.count) / count
            XCTAssertEqual(zeroFraction, pd, accuracy: 5 * (pd * (1 - pd) / count).squareRoot(), "p \(p)")
            // A mask value has mean 1 and variance p / (1 - p); the mean of n has std sqrt(p / (1 - p) / n).
            let mean = mask.reduce(0.0) { $0 + Double($1) } / count
            XCTAssertEqual(mean, 1, accuracy: 5 * (pd / (1 - pd) / count).squareRoot(), "p \(p)")
            XCTAssertEqual(rng.blockIndex, UInt64(n / 4), "p \(p): one 32-bit draw per element")
        }
    }

    func testOutputIsInputTimesMask() {
        let inp = randomFloats(1_001, seed: 44)
        var rng = RNG(seed: 8, purpose: .dropout, substream: 1)
        let (out, mask) = run(inp, probability: 0.4, rng: &rng)
        XCTAssertEqual(out, zip(inp, mask).map { $0 * $1 })
        XCTAssertTrue(mask.contains(0) && mask.contains(1 / 0.6 as Float))
    }

    func testSplitCallsMatchOneCall() {
        let inp = randomFloats(10_001, seed: 45)
        var whole = RNG(seed: 9, purpose: .dropout, substream: 2)
        let expected = run(inp, probability: 0.2, rng: &whole).mask
        var split = RNG(seed: 9, purpose: .dropout, substream: 2)
        let head = run(Array(inp[..<4_999]), probability: 0.2, rng: &split).mask
        let tail = run(Array(inp[4_999...]), probability: 0.2, rng: &split).mask
        XCTAssertEqual(head + tail, expected)
    }

    func testZeroProbabilityIsIdentityAndDrawsNothing() {
        let inp = randomFloats(1_001, seed: 46)
        var rng = RNG(seed: 10, purpose: .dropout, substream: 0)
        let (out, mask) = run(inp, probability: 0, rng: &rng)
        XCTAssertEqual(out, inp)
        XCTAssertEqual(mask, [Float](repeating: 1, count: inp.count))
        XCTAssertEqual(rng.blockIndex, 0)
        var fresh = RNG(seed: 10, purpose: .dropout, substream: 0)
        XCTAssertEqual(rng.nextUInt32(), fresh.nextUInt32())
    }

    func testBackwardMatchesFiniteDifferencesAndAccumulates() {
        let n = 1_001
        let inputs = randomFloats(n, seed: 47)
        var rng = RNG(seed: 11, purpose: .dropout, substream: 0)
        let (_, mask) = run(inputs, probability: 0.3, rng: &rng)
        let weights = randomFloats(n, seed: 48)        // L = sum(w * out), so dout = w
        let prefill = randomFloats(n, seed: 49)
        var dinp = prefill
        dropoutBackward(dinp: &dinp, dout: weights, mask: mask, count: n)

        // The Float64 reference forward with the mask held fixed: out = inp * mask.
        let m = mask.map(Double.init), w = weights.map(Double.init)
        let numeric = numericalGradient(at: inputs.map(Double.init)) { x in
            var sum = 0.0
            for i in 0..<x.count { sum += w[i] * x[i] * m[i] }
            return sum
        }
        let expected = zip(prefill, numeric).map { Double($0) + $1 }
        // L is linear, so the central difference is exact to ~1e-9; the Float32 product and sum round at ~1e-7.
        let error = worstError(dinp, expected, relative: 1e-5, absolute: 1e-6)
        XCTAssertLessThanOrEqual(error.ratio, 1, "worst at \(error.index)")
        // And exactly prefill + dout * mask, element by element.
        XCTAssertEqual(dinp, (0..<n).map { prefill[$0] + weights[$0] * mask[$0] })
    }
}
