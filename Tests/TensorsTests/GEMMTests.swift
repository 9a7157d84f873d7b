import XCTest
import Tensors
import TestSupport

final class GEMMTests: XCTestCase {
    /// A Float64 reference for C = alpha op(A) op(B) + beta C with the given leading dimensions.
    private func reference(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                           _ a: [Float], _ lda: Int, _ b: [Float], _ ldb: Int, _ beta: Float, _ c: [Float], _ ldc: Int) -> [Double] {
        var out = c.map(Double.init)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    sum += x * y
                }
                out[i * ldc + j] = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j]))
            }
        }
        return out
    }

    private let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 3), (5, 1, 9), (3, 5, 7), (13, 11, 17), (33, 65, 31), (70, 3, 129), (128, 96, 64)]

    func testOpenBLASMatchesNaiveTwinOnOddShapesBothTransposesAlphaAndBeta() {
        var seed: UInt64 = 100
        for (m, n, k) in shapes {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-1.25, 0.75)] {
                    seed += 1
                    let lda = (transposeA ? m : k) + 2, ldb = (transposeB ? k : n) + 1, ldc = n + 3
                    let a = randomFloats((transposeA ? k : m) * lda, seed: seed)
                    let b = randomFloats((transposeB ? n : k) * ldb, seed: seed + 1000)
                    let c0 = randomFloats(m * ldc, seed: seed + 2000)
                    var fast = c0, naive = c0, builtin = c0
                    gemmBuiltin(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &builtin, ldc: ldc)
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &fast, ldc: ldc)
                    gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &naive, ldc: ldc)
                    let expected = reference(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc)
                    // Float32 sums of k products of values in [-1, 1): errors stay well under 1e-5 * k.
                    let tolerance = 2e-6 * Double(k)
                    let label = "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) alpha \(alpha) beta \(beta)"
                    XCTAssertLessThanOrEqual(worstError(fast, expected, relative: 0, absolute: tolerance).ratio, 1, "OpenBLAS, \(label)")
                    XCTAssertLessThanOrEqual(worstError(naive, expected, relative: 0, absolute: tolerance).ratio, 1, "naive, \(label)")
                    XCTAssertLessThanOrEqual(worstError(builtin, naive, relative: 0, absolute: tolerance).ratio, 1, "built-in vs naive, \(label)")
                    // Padding columns of C (beyond n) are never written.
                    for i in 0..<m {
                        for j in n..<ldc {
                            XCTAssertEqual(fast[i * ldc + j], c0[i * ldc + j], "OpenBLAS wrote padding, \(label)")
                            XCTAssertEqual(naive[i * ldc + j], c0[i * ldc + j], "naive wrote padding, \(label)")
                            XCTAssertEqual(builtin[i * ldc + j], c0[i * ldc + j], "built-in wrote padding, \(label)")
                        }
                    }
                }
            }
        }
    }

    func testBetaZeroOverwritesWithoutReadingC() {
        let a = randomFloats(6, seed: 1), b = randomFloats(6, seed: 2)
        for useNaive in [false, true] {
            var c = [Float](repeating: .nan, count: 4), builtin = c
            gemmBuiltin(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &builtin, ldc: 2)
            XCTAssertFalse(builtin.contains { $0.isNaN }, "built-in: beta 0 must not propagate NaN from C")
            if useNaive {
                gemmNaive(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
            } else {
                gemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
            }
            XCTAssertFalse(c.contains { $0.isNaN }, "beta 0 must not propagate NaN from C (naive: \(useNaive))")
        }
    }

    func testZeroInnerDimensionScalesC() {
        let a: [Float] = [0], b: [Float] = [0]
        var fast: [Float] = [1, 2, 3, 4], naive: [Float] = [1, 2, 3, 4]
        gemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 2, beta: 0.5, c: &fast, ldc: 2)
        gemmNaive(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 2, beta: 0.5, c: &naive, ldc: 2)
        XCTAssertEqual(fast, [0.5, 1, 1.5, 2])
        XCTAssertEqual(naive, [0.5, 1, 1.5, 2])
    }

    func testBatchedMatchesNaiveTwinAndPerItemProducts() {
        // Attention-like: (B*H) products of (T, D) x (T, D)^T -> (T, T), with strides between items.
        let batch = 6, T = 9, D = 5
        for (transposeA, transposeB) in [(false, true), (false, false), (true, false)] {
            let m = T, n = transposeB ? T : D, k = transposeB ? D : T
            let lda = transposeA ? m : k, ldb = transposeB ? k : n, ldc = n
            let strideA = (transposeA ? k : m) * lda + 3, strideB = (transposeB ? n : k) * ldb + 1, strideC = m * ldc + 2
            let a = randomFloats(batch * strideA, seed: 11), b = randomFloats(batch * strideB, seed: 12)
            let c0 = randomFloats(batch * strideC, seed: 13)
            var fast = c0, naive = c0
            gemmBatched(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, strideA: strideA,
                        b: b, ldb: ldb, strideB: strideB, beta: 0.3, c: &fast, ldc: ldc, strideC: strideC, batch: batch)
            gemmBatchedNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, strideA: strideA,
                             b: b, ldb: ldb, strideB: strideB, beta: 0.3, c: &naive, ldc: ldc, strideC: strideC, batch: batch)
            XCTAssertLessThanOrEqual(worstError(fast, naive, relative: 1e-5, absolute: 1e-5).ratio, 1)
            for item in 0..<batch {
                let expected = reference(transposeA, transposeB, m, n, k, 0.7,
                                         Array(a[(item * strideA)...]), lda, Array(b[(item * strideB)...]), ldb, 0.3,
                                         Array(c0[(item * strideC)..<(item * strideC + m * ldc)]), ldc)
                let got = Array(fast[(item * strideC)..<(item * strideC + m * ldc)])
                XCTAssertLessThanOrEqual(worstError(got, expected, relative: 1e-5, absolute: 1e-5).ratio, 1, "item \(item)")
            }
            // The gaps between items of C are untouched.
            for item in 0..<batch {
                XCTAssertEqual(fast[item * strideC + m * ldc], c0[item * strideC + m * ldc])
            }
        }
    }

    func testVectorLoopsOfOneRowAndRankOneMatchNaiveTwin() {
        // m == 1 (vector times matrix, both layouts of B) and k == 1 (outer products), odd sizes, several
        // items, beta 0 (overwrite, NaN in C ignored), 1 and 0.3.
        var seed: UInt64 = 40
        for (m, n, k) in [(1, 1, 1), (1, 13, 7), (1, 64, 128), (1, 131, 9), (7, 13, 1), (64, 128, 1), (1, 9, 1)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for beta: Float in [0, 1, 0.3] {
                        seed += 1
                        let batch = 3
                        let lda = (transposeA ? m : k) + 1, ldb = (transposeB ? k : n) + 2, ldc = n + 1
                        let strideA = (transposeA ? k : m) * lda + 1, strideB = (transposeB ? n : k) * ldb + 3, strideC = m * ldc + 2
                        let a = randomFloats(batch * strideA, seed: seed), b = randomFloats(batch * strideB, seed: seed + 1000)
                        var c0 = randomFloats(batch * strideC, seed: seed + 2000)
                        if beta == 0 { c0[0] = .nan }
                        var fast = c0, naive = c0
                        gemmBatched(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda,
                                    strideA: strideA, b: b, ldb: ldb, strideB: strideB, beta: beta, c: &fast, ldc: ldc,
                                    strideC: strideC, batch: batch)
                        gemmBatchedNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda,
                                         strideA: strideA, b: b, ldb: ldb, strideB: strideB, beta: beta, c: &naive, ldc: ldc,
                                         strideC: strideC, batch: batch)
                        let (ratio, index) = worstError(fast, naive, relative: 1e-5, absolute: 1e-6 * Double(k))
                        XCTAssertLessThanOrEqual(ratio, 1, "(\(m), \(n), \(k)) transposes \(transposeA) \(transposeB) beta \(beta): element \(index)")
                    }
                }
            }
        }
    }
}
