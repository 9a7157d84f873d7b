import XCTest
import Tensors

final class RNGTests: XCTestCase {
    /// Random123's published known-answer vectors for Philox4x32-10.
    func testPhiloxKnownAnswers() {
        let cases: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), [UInt32])] = [
            ((0, 0, 0, 0), (0, 0), [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8]),
            ((0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF), (0xFFFF_FFFF, 0xFFFF_FFFF), [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD]),
            ((0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), (0xA409_3822, 0x299F_31D0), [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1]),
        ]
        for (counter, key, expected) in cases {
            let out = RNG.philox(counter: counter, key: key)
            XCTAssertEqual([out.0, out.1, out.2, out.3], expected)
        }
    }

    func testStreamLayoutIsSeedKeyedCounterWithPurposeAndSubstream() {
        let seed: UInt64 = 0x1234_5678_9ABC_DEF0
        var rng = RNG(seed: seed, purpose: .dropout, substream: 9)
        let key = (UInt32(0x9ABC_DEF0), UInt32(0x1234_5678))
        for block in 0..<3 {
            let expected = RNG.philox(counter: (UInt32(block), 0, RNG.Purpose.dropout.rawValue, 9), key: key)
            XCTAssertEqual([rng.nextUInt32(), rng.nextUInt32(), rng.nextUInt32(), rng.nextUInt32()],
                           [expected.0, expected.1, expected.2, expected.3], "block \(block)")
        }
    }

    func testSameSeedSameBitsAndStreamsDiffer() {
        func draws(_ seed: UInt64, _ purpose: RNG.Purpose, _ substream: UInt32 = 0) -> [UInt32] {
            var rng = RNG(seed: seed, purpose: purpose, substream: substream)
            return (0..<64).map { _ in rng.nextUInt32() }
        }
        XCTAssertEqual(draws(7, .initialization), draws(7, .initialization))
        XCTAssertNotEqual(draws(7, .initialization), draws(8, .initialization))
        XCTAssertNotEqual(draws(7, .initialization), draws(7, .data))
        XCTAssertNotEqual(draws(7, .data), draws(7, .dropout))
        XCTAssertNotEqual(draws(7, .data, 0), draws(7, .data, 1))

        func normals(_ seed: UInt64) -> [UInt32] {
            var rng = RNG(seed: seed, purpose: .initialization)
            return (0..<101).map { _ in Float(rng.normal()).bitPattern }
        }
        XCTAssertEqual(normals(3), normals(3), "normal draws are bit-identical for the same seed")
    }

    func testUniformRangeAndMoments() {
        var rng = RNG(seed: 1, purpose: .other)
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<n {
            let u = rng.uniform()
            XCTAssert(u >= 0 && u < 1)
            sum += Double(u); sumSquares += Double(u) * Double(u)
        }
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        // Standard error of the mean: sqrt(1/12 / n) = 6.5e-4; allow 5 of them.
        XCTAssertEqual(mean, 0.5, accuracy: 3.3e-3)
        XCTAssertEqual(variance, 1.0 / 12, accuracy: 2e-3)
    }

    func testIntBelowIsUniformAndInRange() {
        var rng = RNG(seed: 2, purpose: .data)
        let bound = 7, n = 70_000
        var counts = [Int](repeating: 0, count: bound)
        for _ in 0..<n {
            let value = rng.int(below: bound)
            XCTAssert((0..<bound).contains(value))
            counts[value] += 1
        }
        let expected = Double(n) / Double(bound)
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        // 6 degrees of freedom: P(chi2 > 22.46) = 0.001.
        XCTAssertLessThan(chiSquare, 22.46, "counts \(counts)")
        for _ in 0..<1000 { XCTAssert((3...5).contains(rng.int(in: 3...5))) }
    }

    func testNormalMoments() {
        var rng = RNG(seed: 3, purpose: .initialization)
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<n {
            let x = rng.normal()
            sum += x; sumSquares += x * x
        }
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        // Standard errors: mean 1/sqrt(n) = 2.2e-3, variance sqrt(2/n) = 3.2e-3; allow 5 of them.
        XCTAssertEqual(mean, 0, accuracy: 0.011)
        XCTAssertEqual(variance, 1, accuracy: 0.016)
    }

    func testShuffleIsAPermutationAndDeterministic() {
        var first = Array(0..<50), second = Array(0..<50)
        var a = RNG(seed: 5, purpose: .data), b = RNG(seed: 5, purpose: .data)
        a.shuffle(&first)
        b.shuffle(&second)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.sorted(), Array(0..<50))
        XCTAssertNotEqual(first, Array(0..<50))
    }
}
