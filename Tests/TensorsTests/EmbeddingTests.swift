import XCTest
import Tensors
import TestSupport

final class EmbeddingTests: XCTestCase {
    private let V = 11, C = 7
    // 13 rows (odd), with repeats: 3 occurs three times, 9 twice; several ids never occur.
    private let tokens: [Int32] = [3, 9, 0, 3, 10, 5, 9, 3, 1, 7, 4, 2, 6]

    /// The Float64 reference forward: out[r, :] = table[tokens[r], :].
    private func referenceForward(table: [Double], tokens: [Int32], C: Int) -> [Double] {
        var out: [Double] = []
        for token in tokens {
            let start = Int(token) * C
            out.append(contentsOf: table[start..<start + C])
        }
        return out
    }

    func testForwardGathersRows() {
        let rows = tokens.count
        let table = randomTensor([V, C], seed: 11)
        let out = Tensor(shape: [rows, C], repeating: .nan)
        tokens.withUnsafeBufferPointer { t in
            embeddingForward(out: out.data, tokens: t.baseAddress!, table: table.data, rows: rows, V: V, C: C)
        }
        // A gather copies values: the result must be bit-identical to the reference.
        let expected = referenceForward(table: doubles(table), tokens: tokens, C: C).map { Float($0) }
        XCTAssertEqual(out.array, expected)
    }

    func testBackwardMatchesFiniteDifferencesAndAccumulates() {
        let rows = tokens.count
        let table = randomTensor([V, C], seed: 12)
        let weights = randomFloats(rows * C, seed: 13)          // L = sum(w * out), so dout = w
        let prefill = randomFloats(V * C, seed: 14)              // checks that the backward adds (+=)
        let dtable = Tensor(shape: [V, C], values: prefill)
        let dout = Tensor(shape: [rows, C], values: weights)
        tokens.withUnsafeBufferPointer { t in
            embeddingBackward(dtable: dtable.data, dout: dout.data, tokens: t.baseAddress!, rows: rows, V: V, C: C)
        }
        let w = weights.map(Double.init)
        let numeric = numericalGradient(at: doubles(table)) { x in
            zip(self.referenceForward(table: x, tokens: self.tokens, C: self.C), w).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let expected = zip(prefill, numeric).map { Double($0) + $1 }
        // L is linear in the table, so the central difference is exact up to ~1e-10; the Float32 backward
        // sums at most four values of size <= 1, so 1e-6 absolute is generous.
        let error = worstError(dtable.array, expected, relative: 1e-6, absolute: 1e-6)
        XCTAssertLessThanOrEqual(error.ratio, 1, "worst at \(error.index)")
    }

    func testRepeatedTokensAccumulate() {
        let rows = 5, token: Int32 = 4
        let repeated = [Int32](repeating: token, count: rows)
        let dout = randomTensor([rows, C], seed: 15)
        let dtable = Tensor(shape: [V, C])
        repeated.withUnsafeBufferPointer { t in
            embeddingBackward(dtable: dtable.data, dout: dout.data, tokens: t.baseAddress!, rows: rows, V: V, C: C)
        }
        for v in 0..<V {
            for c in 0..<C {
                var expected: Float = 0
                if v == Int(token) {
                    for r in 0..<rows { expected += dout[r * C + c] }
                }
                // Same summation order as the kernel: exact.
                XCTAssertEqual(dtable[v * C + c], expected, "dtable[\(v), \(c)]")
            }
        }
    }
}
