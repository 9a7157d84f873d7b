import Foundation
@testable import Layers
import Tensors
import TestSupport
import XCTest

// The vectorised kernels inside the layers against their naive twins, on random shapes including odd
// sizes (partial vectors) and padded key lengths.

private func closeEnough(_ a: [Float], _ b: [Float], relative: Double, absolute: Double) -> (Bool, String) {
    let (ratio, i) = worstError(a, b, relative: relative, absolute: absolute)
    if i < 0 || ratio <= 1 { return (true, "") }
    return (false, "worst element \(i): \(a[i]) against \(b[i])")
}

final class KernelTwinTests: XCTestCase {
    func testAdditiveScoresMatchNaiveTwin() {
        // (B, Tk, A)
        for (index, (B, Tk, A)) in [(1, 1, 1), (2, 3, 7), (3, 5, 8), (2, 9, 13), (4, 6, 128), (3, 4, 131)].enumerated() {
            let seed = UInt64(100 + index * 10)
            let state = randomTensor([B, A], seed: seed, low: -2, high: 2)
            let keys = randomTensor([B, Tk, A], seed: seed + 1, low: -2, high: 2)
            let v = randomTensor([A], seed: seed + 2)
            let lengths: [Int32] = (0..<B).map { Int32(max(1, Tk - $0 * 2)) }
            for useLengths in [false, true] {
                let hiddenFast = Tensor(shape: [B, Tk, A]), hiddenNaive = Tensor(shape: [B, Tk, A])
                let scoresFast = Tensor(shape: [B, Tk]), scoresNaive = Tensor(shape: [B, Tk])
                lengths.withUnsafeBufferPointer { l in
                    let keyLengths = useLengths ? l.baseAddress : nil
                    additiveScoresForward(hidden: hiddenFast.data, scores: scoresFast.data, projectedState: state.data,
                                          projectedKeys: keys.data, v: v.data, keyLengths: keyLengths, batch: B, keyLength: Tk, size: A)
                    additiveScoresForwardNaive(hidden: hiddenNaive.data, scores: scoresNaive.data, projectedState: state.data,
                                               projectedKeys: keys.data, v: v.data, keyLengths: keyLengths, batch: B, keyLength: Tk, size: A)
                }
                var (ok, message) = closeEnough(hiddenFast.array, hiddenNaive.array, relative: 5e-7, absolute: 1e-30)
                XCTAssertTrue(ok, "hidden (\(B), \(Tk), \(A)) lengths \(useLengths): \(message)")
                // a dot product of A terms summed in another order: A ulps of the terms' magnitude
                (ok, message) = closeEnough(scoresFast.array, scoresNaive.array, relative: 1e-5, absolute: 1e-6 * Double(A))
                XCTAssertTrue(ok, "scores (\(B), \(Tk), \(A)) lengths \(useLengths): \(message)")

                let dScores = randomTensor([B, Tk], seed: seed + 3)
                let startState = randomFloats(B * A, seed: seed + 4), startKeys = randomFloats(B * Tk * A, seed: seed + 5)
                let startV = randomFloats(A, seed: seed + 6)
                let dStateFast = Tensor(shape: [B, A], values: startState), dStateNaive = Tensor(shape: [B, A], values: startState)
                let dKeysFast = Tensor(shape: [B, Tk, A], values: startKeys), dKeysNaive = Tensor(shape: [B, Tk, A], values: startKeys)
                let dvFast = Tensor(shape: [A], values: startV), dvNaive = Tensor(shape: [A], values: startV)
                lengths.withUnsafeBufferPointer { l in
                    let keyLengths = useLengths ? l.baseAddress : nil
                    additiveScoresBackward(dProjectedState: dStateFast.data, dProjectedKeys: dKeysFast.data, dv: dvFast.data,
                                           dScores: dScores.data, hidden: hiddenNaive.data, v: v.data, keyLengths: keyLengths,
                                           batch: B, keyLength: Tk, size: A)
                    additiveScoresBackwardNaive(dProjectedState: dStateNaive.data, dProjectedKeys: dKeysNaive.data, dv: dvNaive.data,
                                                dScores: dScores.data, hidden: hiddenNaive.data, v: v.data, keyLengths: keyLengths,
                                                batch: B, keyLength: Tk, size: A)
                }
                for (name, fast, naive) in [("dstate", dStateFast, dStateNaive), ("dkeys", dKeysFast, dKeysNaive), ("dv", dvFast, dvNaive)] {
                    (ok, message) = closeEnough(fast.array, naive.array, relative: 1e-5, absolute: 1e-6 * Double(Tk))
                    XCTAssertTrue(ok, "\(name) (\(B), \(Tk), \(A)) lengths \(useLengths): \(message)")
                }
            }
        }
    }
}
