import XCTest
import Tensors
import TestSupport

// The ordered GEMM's promise is bit-reproducibility: every instruction-set level (called directly, so
// AVX2 is tested on an AVX-512 machine too, and through the dispatch) must give exactly the bits of the
// scalar twin `gemmOrderedNaive`, on odd shapes and every edge of the vector tiles, every transpose,
// alpha and beta including 0 and 1, leading dimensions wider than the rows, NaN in C with beta 0, and
// the long k that the kernel runs in ranges. Equality is of bit patterns, never a tolerance; only the
// comparison with `gemmNaive` (no fused multiply-add) is to Float32 rounding.

final class OrderedGEMMTests: XCTestCase {
    override func tearDown() {
        VectorKernels.select(VectorKernels.best)
        super.tearDown()
    }

    /// One call: shapes, transposes, scalars, the padding of each leading dimension, NaN in C.
    struct Call: CustomStringConvertible {
        var transposeA = false, transposeB = false
        var m: Int, n: Int, k: Int
        var alpha: Float = 1, beta: Float = 0
        var padA = 0, padB = 0, padC = 0
        var nanInC = false

        var lda: Int { max(1, (transposeA ? m : k) + padA) }
        var ldb: Int { max(1, (transposeB ? k : n) + padB) }
        var ldc: Int { max(1, n + padC) }
        var description: String {
            "\(m)x\(n)x\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") alpha \(alpha) beta \(beta) pads \(padA),\(padB),\(padC)\(nanInC ? " NaN in C" : "")"
        }
    }

    /// The operands of a call, seeded; one spare value after A and B so that no buffer is empty.
    private func operands(_ call: Call, seed: UInt64) -> (a: [Float], b: [Float], c: [Float]) {
        let a = randomFloats((call.transposeA ? call.k : call.m) * call.lda + 1, seed: seed)
        let b = randomFloats((call.transposeB ? call.n : call.k) * call.ldb + 1, seed: seed + 1)
        var c = randomFloats(call.m * call.ldc, seed: seed + 2)
        if call.nanInC { for i in stride(from: 0, to: c.count, by: 3) { c[i] = .nan } }
        return (a, b, c)
    }

    private func twin(_ call: Call, _ a: [Float], _ b: [Float], _ c: [Float]) -> [Float] {
        var out = c
        gemmOrderedNaive(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k, alpha: call.alpha,
                         a: a, lda: call.lda, b: b, ldb: call.ldb, beta: call.beta, c: &out, ldc: call.ldc)
        return out
    }

    private func ordered(_ call: Call, level: VectorKernels.Level?, _ a: [Float], _ b: [Float], _ c: [Float]) -> [Float] {
        var out = c
        if let level {
            XCTAssertTrue(gemmOrdered(level: level, transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k,
                                      alpha: call.alpha, a: a, lda: call.lda, b: b, ldb: call.ldb, beta: call.beta, c: &out, ldc: call.ldc))
        } else {
            gemmOrdered(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k, alpha: call.alpha,
                        a: a, lda: call.lda, b: b, ldb: call.ldb, beta: call.beta, c: &out, ldc: call.ldc)
        }
        return out
    }

    /// The number of elements whose bit patterns differ, and the first of them.
    private func differences(_ x: [Float], _ y: [Float]) -> (count: Int, first: Int) {
        var count = 0, first = -1
        for i in x.indices where x[i].bitPattern != y[i].bitPattern {
            if first < 0 { first = i }
            count += 1
        }
        return (count, first)
    }

    /// Every level, called directly, gives the twin's bits over the whole of C (its padding included,
    /// which must keep its values, NaN among them).
    private func assertEveryLevelMatchesTwin(_ call: Call, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let (a, b, c) = operands(call, seed: seed)
        let expected = twin(call, a, b, c)
        for level in VectorKernels.available {
            let got = ordered(call, level: level, a, b, c)
            let (count, first) = differences(got, expected)
            if count > 0 {
                XCTFail("\(level.name), \(call): \(count) elements differ from the twin, first [\(first / call.ldc), \(first % call.ldc)]: "
                        + "\(got[first]) against \(expected[first])", file: file, line: line)
            }
        }
        if call.beta == 0 {
            XCTAssertFalse((0..<call.m).contains { i in (0..<call.n).contains { expected[i * call.ldc + $0].isNaN } },
                           "beta 0 must not read C, \(call)", file: file, line: line)
        }
    }

    private static let transposes = [(false, false), (false, true), (true, false), (true, true)]

    func testEveryLevelGivesTheTwinsBitsOnRandomOddShapes() {
        // m, n, k in 1...70 (k from 0), every transpose, alpha and beta among 0, 1 and others, padded rows
        var rng = RNG(seed: 0x6E44, purpose: .other, substream: 1)
        let alphas: [Float] = [1, 0, 0.5, -1.25], betas: [Float] = [0, 1, 0.75, -0.5]
        func pick(_ count: Int) -> Int { min(count - 1, Int(rng.uniform() * Float(count))) }
        for index in 0..<600 {
            let (transposeA, transposeB) = Self.transposes[index % 4]
            let beta = betas[pick(4)]
            let call = Call(transposeA: transposeA, transposeB: transposeB, m: 1 + pick(70), n: 1 + pick(70), k: pick(71),
                            alpha: alphas[pick(4)], beta: beta, padA: pick(4), padB: pick(4), padC: pick(4), nanInC: beta == 0)
            assertEveryLevelMatchesTwin(call, seed: UInt64(1000 + 10 * index))
        }
    }

    func testEveryColumnTailAndRowRemainderOfTheTiles() {
        // n = 1...49 crosses every tail of the 32- and 16-column tiles (AVX-512) and the 16- and 8-column
        // tiles (AVX2); m = 1...17 every remainder of their 8- and 6-row blocks
        var seed: UInt64 = 5000
        for (transposeA, transposeB) in Self.transposes {
            for n in 1...49 {
                seed += 10
                assertEveryLevelMatchesTwin(Call(transposeA: transposeA, transposeB: transposeB, m: 9, n: n, k: 7, alpha: 0.5, beta: 1,
                                                 padA: 1, padB: 2, padC: 3), seed: seed)
            }
            for m in 1...17 {
                seed += 10
                assertEveryLevelMatchesTwin(Call(transposeA: transposeA, transposeB: transposeB, m: m, n: 33, k: 5, beta: 0,
                                                 padC: 1, nanInC: true), seed: seed)
            }
        }
    }

    func testLargeShapesAndALongKRunInRanges() {
        // up to 600 in each size; k * n * 4 bytes over 512 KB runs k in ranges (the weight gradient's
        // shape, transposeA), the partial sums kept in C (beta 0) or in a buffer (beta 1)
        let calls = [
            Call(m: 600, n: 70, k: 300, alpha: 1, beta: 0),
            Call(transposeB: true, m: 37, n: 600, k: 129, alpha: -0.5, beta: 0.75, padB: 3),
            Call(transposeA: true, m: 130, n: 33, k: 600, beta: 1, padA: 2),
            Call(transposeA: true, m: 19, n: 130, k: 1100, beta: 1, padA: 1, padC: 2),
            Call(transposeA: true, m: 21, n: 130, k: 1100, beta: 0, nanInC: true),
            Call(transposeA: false, transposeB: true, m: 11, n: 300, k: 500, alpha: 0.25, beta: -1, padA: 1, padB: 1, padC: 1),
        ]
        for (index, call) in calls.enumerated() { assertEveryLevelMatchesTwin(call, seed: UInt64(9000 + 10 * index)) }
    }

    func testTheDispatchFollowsTheSelectedLevel() {
        let call = Call(transposeB: true, m: 13, n: 37, k: 21, alpha: 0.75, beta: 1, padA: 1, padB: 1, padC: 1)
        let (a, b, c) = operands(call, seed: 77)
        let expected = twin(call, a, b, c)
        for level in VectorKernels.available {
            XCTAssertTrue(VectorKernels.select(level))
            XCTAssertEqual(differences(ordered(call, level: nil, a, b, c), expected).count, 0, "gemmOrdered on \(level.name)")
        }
    }

    func testAPreTransposedBGivesTheSameBits() {
        // B^T made once (gemmOrderedTranspose, on each level) and passed untransposed: the bits of the
        // call that transposes B itself, and an exact copy with the padding of its rows untouched
        for level in VectorKernels.available {
            XCTAssertTrue(VectorKernels.select(level))
            for (m, n, k) in [(1, 1, 1), (5, 17, 33), (32, 40, 19), (12, 12, 16), (9, 70, 64)] {
                let call = Call(transposeB: true, m: m, n: n, k: k, alpha: 1, beta: 1, padB: 2, padC: 1)
                let (a, b, c) = operands(call, seed: UInt64(300 + n))
                let ldo = n + 3
                var transposed = [Float](repeating: -7, count: k * ldo)
                gemmOrderedTranspose(out: &transposed, ldo: ldo, b: b, ldb: call.ldb, n: n, k: k)
                for p in 0..<k {
                    for j in 0..<ldo {
                        let expected = j < n ? b[j * call.ldb + p] : -7
                        XCTAssertEqual(transposed[p * ldo + j].bitPattern, expected.bitPattern, "\(level.name): B^T[\(p), \(j)] of \(n)x\(k)")
                    }
                }
                var given = c
                gemmOrdered(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: call.lda,
                            b: transposed, ldb: ldo, beta: 1, c: &given, ldc: call.ldc)
                XCTAssertEqual(differences(given, ordered(call, level: level, a, b, c)).count, 0, "\(level.name): \(call) with B^T given")
            }
        }
    }

    func testAlphaZeroReadsNeitherAOrBAndBetaZeroNeverReadsC() {
        for level in VectorKernels.available {
            for beta: Float in [0, 1, -0.5] {
                let a = [Float](repeating: .nan, count: 12), b = [Float](repeating: .infinity, count: 12)
                var c = beta == 0 ? [Float](repeating: .nan, count: 6) : randomFloats(6, seed: 3)
                let old = c
                XCTAssertTrue(gemmOrdered(level: level, transposeA: false, transposeB: false, m: 2, n: 3, k: 4, alpha: 0, a: a, lda: 4,
                                          b: b, ldb: 3, beta: beta, c: &c, ldc: 3))
                // s = 0, t = 0 * 0 = 0, C = fma(beta, C, 0)
                for i in 0..<6 {
                    let expected = beta == 0 ? Float(0) : Float(0).addingProduct(beta, old[i])
                    XCTAssertEqual(c[i].bitPattern, expected.bitPattern, "\(level.name), beta \(beta), element \(i)")
                }
            }
        }
    }

    func testAgreesWithTheNaiveGEMMToFloat32Rounding() {
        // gemmNaive rounds each product and each sum apart; the ordered GEMM rounds once per multiply-add
        var seed: UInt64 = 700
        for (m, n, k) in [(1, 1, 1), (7, 9, 13), (33, 65, 31), (70, 3, 129), (64, 48, 384)] {
            for (transposeA, transposeB) in Self.transposes {
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-1.25, 0.75)] {
                    seed += 10
                    let call = Call(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                    padA: 1, padB: 2, padC: 1)
                    let (a, b, c) = operands(call, seed: seed)
                    var naive = c
                    gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: call.lda,
                              b: b, ldb: call.ldb, beta: beta, c: &naive, ldc: call.ldc)
                    let got = ordered(call, level: nil, a, b, c)
                    // Float32 sums of k products of values in [-1, 1): both stay within 1e-6 * k of the exact value
                    let (ratio, index) = worstError(got, naive.map(Double.init), relative: 0, absolute: 2e-6 * Double(k))
                    XCTAssertLessThanOrEqual(ratio, 1, "\(call): element \(index)")
                }
            }
        }
    }

    func testALevelTheCPUCannotRunIsRefused() {
        for level in VectorKernels.Level.allCases where level > VectorKernels.best {
            var c: [Float] = [1, 2]
            XCTAssertFalse(gemmOrdered(level: level, transposeA: false, transposeB: false, m: 1, n: 2, k: 1, alpha: 1, a: [1], lda: 1,
                                       b: [1, 1], ldb: 2, beta: 0, c: &c, ldc: 2))
            XCTAssertEqual(c, [1, 2], "a refused level computes nothing")
        }
    }
}
