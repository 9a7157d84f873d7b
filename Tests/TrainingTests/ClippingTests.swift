import Tensors
import TestSupport
import Training
import XCTest

final class ClippingTests: XCTestCase {
    private func norm(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    func testAboveTheMaximumScalesToTheMaximumKeepingTheDirection() {
        let gradients = Tensor(shape: [3], values: [3, -4, 12])
        let before = clipGradientNorm(gradients, maxNorm: 1)
        XCTAssertEqual(before, 13, accuracy: 1e-6)
        XCTAssertEqual(norm(gradients.array), 1, accuracy: 1e-6)
        let error = worstError(gradients.array, [3.0 / 13, -4.0 / 13, 12.0 / 13], relative: 1e-6, absolute: 0)
        XCTAssertLessThanOrEqual(error.ratio, 1, "element \(error.index): \(gradients.array)")
    }

    func testAtOrBelowTheMaximumLeavesTheGradientsAlone() {
        for maxNorm: Float in [13, 20] {
            let gradients = Tensor(shape: [3], values: [3, -4, 12])
            XCTAssertEqual(clipGradientNorm(gradients, maxNorm: maxNorm), 13, accuracy: 1e-6)
            XCTAssertEqual(gradients.array, [3, -4, 12], "maxNorm \(maxNorm)")
        }
    }

    func testNonFiniteGradientsReturnTheNormAndAreNotScaled() {
        let withNaN = Tensor(shape: [3], values: [1, .nan, 2])
        XCTAssertTrue(clipGradientNorm(withNaN, maxNorm: 1).isNaN)
        XCTAssertEqual(withNaN[0], 1)
        XCTAssertTrue(withNaN[1].isNaN)
        XCTAssertEqual(withNaN[2], 2)

        let withInfinity = Tensor(shape: [2], values: [.infinity, 5])
        XCTAssertEqual(clipGradientNorm(withInfinity, maxNorm: 1), .infinity)
        XCTAssertEqual(withInfinity.array, [.infinity, 5])
    }

    func testTheNormIsAccumulatedInDoublePrecision() {
        // A Float32 running sum of a million 0.01s drifts far from 100 (about 1e-3 relative);
        // a Float64 one is exact to the rounding of 0.1f itself.
        let gradients = Tensor(shape: [1_000_000], repeating: 0.1)
        let expected = (1_000_000 * Double(Float(0.1)) * Double(Float(0.1))).squareRoot()
        let before = clipGradientNorm(gradients, maxNorm: 1000)
        XCTAssertEqual(Double(before), expected, accuracy: 1e-6 * expected)
    }

    func testPointerFormClipsOnlyTheGivenRange() {
        let gradients = Tensor(shape: [4], values: [3, 4, 100, 100])
        XCTAssertEqual(clipGradientNorm(gradients: gradients.data, count: 2, maxNorm: 2.5), 5, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(worstError(gradients.array, [1.5, 2, 100, 100], relative: 1e-6, absolute: 0).ratio, 1)
    }
}
