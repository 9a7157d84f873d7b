import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

final class PositionalEncodingTests: XCTestCase {
    func testKindsAndTheirNames() {
        XCTAssertEqual(PositionalEncodingKind.allCases.map(\.rawValue), ["none", "sinusoidal", "learned", "rope", "alibi"])
        XCTAssertEqual(PositionalEncodingKind(rawValue: "rope"), .rope)
    }

    func testSinusoidalValuesMatchThePaperAtHandComputedPoints() {
        let C = 8, T = 4
        let table = Tensor(shape: [T, C])
        sinusoidalEncoding(out: table.data, length: T, modelSize: C)
        // position 0: sin 0 = 0 in even dimensions, cos 0 = 1 in odd ones
        XCTAssertEqual(Array(table.array[0..<C]), [0, 1, 0, 1, 0, 1, 0, 1])
        // position 1, pair i = 0: the angle is 1 / 10000^0 = 1
        XCTAssertEqual(table[1 * C + 0], 0.841_470_98, accuracy: 1e-7)  // sin(1)
        XCTAssertEqual(table[1 * C + 1], 0.540_302_31, accuracy: 1e-7)  // cos(1)
        // position 2, pair i = 1: 2 / 10000^(2/8) = 2 / 10 = 0.2
        XCTAssertEqual(table[2 * C + 2], 0.198_669_33, accuracy: 1e-7)  // sin(0.2)
        XCTAssertEqual(table[2 * C + 3], 0.980_066_58, accuracy: 1e-7)  // cos(0.2)
        // position 3, pair i = 2: 3 / 10000^(4/8) = 3 / 100 = 0.03
        XCTAssertEqual(table[3 * C + 4], 0.029_995_50, accuracy: 1e-7)  // sin(0.03)
        XCTAssertEqual(table[3 * C + 5], 0.999_550_03, accuracy: 1e-7)  // cos(0.03)
        // position 3, pair i = 3: 3 / 10000^(6/8) = 3 / 1000
        XCTAssertEqual(table[3 * C + 6], Float(sin(0.003)), accuracy: 1e-7)
    }

    func testOffsetShiftsRowsAndAddAddsToEverySequence() {
        let C = 6, B = 2, T = 3, offset = 5
        let full = Tensor(shape: [offset + T, C]), shifted = Tensor(shape: [T, C])
        sinusoidalEncoding(out: full.data, length: offset + T, modelSize: C)
        sinusoidalEncoding(out: shifted.data, length: T, modelSize: C, offset: offset)
        XCTAssertEqual(shifted.array, Array(full.array[offset * C ..< (offset + T) * C]))

        let x = randomTensor([B, T, C], seed: 41), original = x.array
        addSinusoidal(to: x.data, batch: B, length: T, modelSize: C, offset: offset)
        for b in 0..<B {
            for i in 0..<T * C {
                XCTAssertEqual(x[b * T * C + i], original[b * T * C + i] + shifted[i], "batch \(b), element \(i)")
            }
        }
    }

    func testPositionalMatrixIsTheSinusoidalTableAndNilOtherwise() {
        let T = 5, C = 4
        let expected = Tensor(shape: [T, C])
        sinusoidalEncoding(out: expected.data, length: T, modelSize: C)
        XCTAssertEqual(positionalMatrix(kind: .sinusoidal, length: T, modelSize: C), expected.array)
        for kind in [PositionalEncodingKind.none, .learned, .rope, .alibi] {
            XCTAssertNil(positionalMatrix(kind: kind, length: T, modelSize: C), "\(kind)")
        }
    }

    func testPositionSimilarity() {
        // by hand: [1, 0], [0, 1], [1, 1], [0, 0]
        let small = positionSimilarity([1, 0, 0, 1, 1, 1, 0, 0], length: 4, modelSize: 2)
        let half = Float(0.5).squareRoot()
        XCTAssertEqual(small, [1, 0, half, 0,
                               0, 1, half, 0,
                               half, half, 1, 0,
                               0, 0, 0, 0])

        // sinusoidal: 1 on the diagonal, symmetric, and a function of s - t alone (every row has norm sqrt(C/2))
        let T = 12, C = 16
        let similarity = positionSimilarity(positionalMatrix(kind: .sinusoidal, length: T, modelSize: C)!, length: T, modelSize: C)
        XCTAssertEqual(similarity.count, T * T)
        for s in 0..<T {
            XCTAssertEqual(similarity[s * T + s], 1)
            for t in 0..<T {
                XCTAssertEqual(similarity[s * T + t], similarity[t * T + s])
                XCTAssertLessThanOrEqual(abs(similarity[s * T + t]), 1)
                if s + 1 < T && t + 1 < T {
                    XCTAssertEqual(similarity[s * T + t], similarity[(s + 1) * T + t + 1], accuracy: 1e-5)
                }
            }
        }
        XCTAssertLessThan(similarity[0 * T + 1], 1, "distinct positions must not look identical")
    }

    func testLearnedTableAddsAndBackwardMatchesFiniteDifferences() {
        let maxLength = 10, C = 4, B = 2, T = 3, offset = 4
        var layout = ParameterLayout()
        let positions = LearnedPositionalEncoding("positions", maxLength: maxLength, modelSize: C, layout: &layout)
        let parameters = ParameterSet(layout)
        XCTAssertEqual(parameters.names, ["positions.weight"])
        XCTAssertEqual(parameters.count, maxLength * C)
        var rng = RNG(seed: 5, purpose: .initialization)
        positions.initialize(parameters, rng: &rng)
        let initial = parameters.values.array
        XCTAssertTrue(initial.allSatisfy { abs($0) < 0.02 * 5 } && initial.contains { abs($0) > 0.01 }, "std 0.02")
        XCTAssertEqual(positions.matrix(length: 2, parameters: parameters), Array(initial[0 ..< 2 * C]))

        parameters.values.copy(from: randomTensor([parameters.count], seed: 42))
        let table = parameters.values.array
        let x = randomTensor([B, T, C], seed: 43), original = x.array
        positions.add(to: x.data, batch: B, length: T, offset: offset, parameters: parameters)
        for b in 0..<B {
            for i in 0..<T * C {
                XCTAssertEqual(x[b * T * C + i], original[b * T * C + i] + table[offset * C + i])
            }
        }

        let out = Tensor(shape: [B, T, C])
        let projection = randomFloats(B * T * C, seed: 44)
        parameters.zeroGradients()
        positions.backward(dout: projection, batch: B, length: T, offset: offset, parameters: parameters)
        let loss = { () -> Double in
            out.copy(from: x)
            positions.add(to: out.data, batch: B, length: T, offset: offset, parameters: parameters)
            return weightedSum(out.data, projection)
        }
        var check = GradientCheck()
        check.maximumProbes = parameters.count
        let outcome = check.check(buffer: parameters.values.data, count: parameters.count,
                                  analytic: parameters.gradients.array, loss: loss)
        XCTAssertTrue(outcome.passed, "table: \(outcome)")
        // rows outside offset..<offset+T receive nothing
        let gradient = parameters.gradients.array
        XCTAssertTrue(gradient[0 ..< offset * C].allSatisfy { $0 == 0 })
        XCTAssertTrue(gradient[(offset + T) * C ..< maxLength * C].allSatisfy { $0 == 0 })
    }
}
