import Foundation
import CKernels
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

    override func tearDown() {
        VectorKernels.select(VectorKernels.best)
        super.tearDown()
    }

    /// body once per instruction set this CPU runs, baseline first.
    private func perLevel<T>(_ body: () -> T) -> [(VectorKernels.Level, T)] {
        VectorKernels.available.map { level in
            XCTAssertTrue(VectorKernels.select(level))
            return (level, body())
        }
    }

    private func assertSameBits(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let differing = zip(a, b).enumerated().filter { $0.1.0.bitPattern != $0.1.1.bitPattern }.map(\.offset)
        XCTAssertTrue(differing.isEmpty, "\(what): \(differing.count) values differ, first at \(differing.first ?? -1)", file: file, line: line)
    }

    /// The additive scores as the Swift kernel computed them before they moved to C: 8-lane vectors of
    /// vectorTanh, the products summed lane by lane, then horizontalSum. The C kernel must give its bits.
    private func additiveScoresEightLanes(hidden: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                                          projectedState: UnsafePointer<Float>, projectedKeys: UnsafePointer<Float>,
                                          v: UnsafePointer<Float>, keyLengths: UnsafePointer<Int32>?, batch B: Int, keyLength Tk: Int, size A: Int) {
        let width = FloatVector.scalarCount, full = A - A % width, tail = A - full
        for b in 0..<B {
            let valid = keyLengths.map { Int($0[b]) } ?? Tk
            for j in 0..<valid {
                let row = hidden + (b * Tk + j) * A, keyRow = projectedKeys + (b * Tk + j) * A, stateRow = projectedState + b * A
                var sums = FloatVector()
                var a = 0
                while a < full {
                    let value = vectorTanh(loadVector(stateRow + a) + loadVector(keyRow + a))
                    storeVector(value, row + a)
                    sums += loadVector(v + a) * value
                    a += width
                }
                if tail > 0 {
                    let value = vectorTanh(loadPartial(stateRow + a, count: tail, fill: 0) + loadPartial(keyRow + a, count: tail, fill: 0))
                    storePartial(value, row + a, count: tail)
                    sums += loadPartial(v + a, count: tail, fill: 0) * value
                }
                scores[b * Tk + j] = horizontalSum(sums)
            }
        }
    }

    func testAdditiveScoresGiveTheEightLaneBitsOnEveryLevel() {
        for (index, (B, Tk, A)) in [(1, 1, 1), (2, 3, 7), (3, 5, 8), (2, 9, 13), (2, 4, 16), (3, 3, 23), (4, 6, 128), (3, 4, 131)].enumerated() {
            let seed = UInt64(300 + index * 10)
            let state = randomTensor([B, A], seed: seed, low: -2, high: 2)
            let keys = randomTensor([B, Tk, A], seed: seed + 1, low: -2, high: 2)
            let v = randomTensor([A], seed: seed + 2)
            let lengths: [Int32] = (0..<B).map { Int32(max(0, Tk - $0 * 2)) }
            for useLengths in [false, true] {
                let hiddenSwift = Tensor(shape: [B, Tk, A]), scoresSwift = Tensor(shape: [B, Tk], values: [Float](repeating: 7, count: B * Tk))
                lengths.withUnsafeBufferPointer { l in
                    additiveScoresEightLanes(hidden: hiddenSwift.data, scores: scoresSwift.data, projectedState: state.data, projectedKeys: keys.data,
                                             v: v.data, keyLengths: useLengths ? l.baseAddress : nil, batch: B, keyLength: Tk, size: A)
                }
                let dScores = randomTensor([B, Tk], seed: seed + 3)
                let starts = (randomFloats(B * A, seed: seed + 4), randomFloats(B * Tk * A, seed: seed + 5), randomFloats(A, seed: seed + 6))
                let results = perLevel { () -> [Float] in
                    let hidden = Tensor(shape: [B, Tk, A]), scores = Tensor(shape: [B, Tk], values: [Float](repeating: 7, count: B * Tk))
                    let dState = Tensor(shape: [B, A], values: starts.0), dKeys = Tensor(shape: [B, Tk, A], values: starts.1)
                    let dv = Tensor(shape: [A], values: starts.2)
                    lengths.withUnsafeBufferPointer { l in
                        let keyLengths = useLengths ? l.baseAddress : nil
                        additiveScoresForward(hidden: hidden.data, scores: scores.data, projectedState: state.data, projectedKeys: keys.data,
                                              v: v.data, keyLengths: keyLengths, batch: B, keyLength: Tk, size: A)
                        additiveScoresBackward(dProjectedState: dState.data, dProjectedKeys: dKeys.data, dv: dv.data, dScores: dScores.data,
                                               hidden: hidden.data, v: v.data, keyLengths: keyLengths, batch: B, keyLength: Tk, size: A)
                    }
                    return hidden.array + scores.array + dState.array + dKeys.array + dv.array
                }
                let forwardCount = B * Tk * A + B * Tk
                for (level, values) in results {
                    assertSameBits(Array(values[0..<forwardCount]), hiddenSwift.array + scoresSwift.array,
                                   "\(level.name) forward (\(B), \(Tk), \(A)) lengths \(useLengths)")
                    assertSameBits(values, results[0].1, "\(level.name) against baseline (\(B), \(Tk), \(A)) lengths \(useLengths)")
                }
            }
        }
    }

    func testGRUCellMatchesItsNaiveTwinAndGivesTheSameBitsOnEveryLevel() {
        for (index, H) in [1, 7, 16, 17, 33, 128].enumerated() {
            let seed = UInt64(400 + index * 10)
            let inputProjection = randomFloats(3 * H, seed: seed, low: -4, high: 4)
            let hiddenProjection = randomFloats(3 * H, seed: seed + 1, low: -4, high: 4)
            let state = randomFloats(H, seed: seed + 2), dNewState = randomFloats(H, seed: seed + 3)
            let dStateStart = randomFloats(H, seed: seed + 4)
            // the naive twin: expf and tanhf
            var gatesNaive = [Float](repeating: 0, count: 3 * H), newNaive = [Float](repeating: 0, count: H)
            gruCellForwardNaive(gates: &gatesNaive, newState: &newNaive, inputProjection: inputProjection, hiddenProjection: hiddenProjection,
                                state: state, H: H)
            var dInputNaive = [Float](repeating: 9, count: 3 * H), dHiddenNaive = [Float](repeating: 9, count: 3 * H), dStateNaive = dStateStart
            gruCellBackwardNaive(dinputProjection: &dInputNaive, dhiddenProjection: &dHiddenNaive, dstate: &dStateNaive, dnewState: dNewState,
                                 gates: gatesNaive, hiddenProjection: hiddenProjection, state: state, H: H)
            let results = perLevel { () -> [Float] in
                var gates = [Float](repeating: 0, count: 3 * H), newState = [Float](repeating: 0, count: H)
                ablate_gru_forward(&gates, &newState, inputProjection, hiddenProjection, state, Int64(H))
                // in place: the gates written over the input projection (the step path)
                var inPlace = inputProjection, newInPlace = [Float](repeating: 0, count: H)
                inPlace.withUnsafeMutableBufferPointer { ablate_gru_forward($0.baseAddress!, &newInPlace, $0.baseAddress!, hiddenProjection, state, Int64(H)) }
                var dInput = [Float](repeating: 9, count: 3 * H), dHidden = [Float](repeating: 9, count: 3 * H), dState = dStateStart
                ablate_gru_backward(&dInput, &dHidden, &dState, dNewState, gatesNaive, hiddenProjection, state, Int64(H))
                XCTAssertEqual(inPlace.map(\.bitPattern), gates.map(\.bitPattern), "H \(H): in place gives the same gates")
                XCTAssertEqual(newInPlace.map(\.bitPattern), newState.map(\.bitPattern), "H \(H): in place gives the same state")
                return gates + newState + dInput + dHidden + dState
            }
            for (level, values) in results {
                let (ok, message) = closeEnough(Array(values[0..<4 * H]), gatesNaive + newNaive, relative: 2e-6, absolute: 1e-7)
                XCTAssertTrue(ok, "\(level.name) H \(H) forward: \(message)")
                // the backward from the same gates: the same operations, so the same bits as the twin
                assertSameBits(Array(values[(4 * H)...]), dInputNaive + dHiddenNaive + dStateNaive, "\(level.name) H \(H) backward")
                assertSameBits(values, results[0].1, "\(level.name) against baseline, H \(H)")
            }
        }
    }
}
