import Layers
import Tensors
import TestSupport
import XCTest

final class LayerNormLayerTests: XCTestCase {
    let rows = 4, size = 9

    func testDefaultParametersNormaliseEachRowToMeanZeroVarianceOne() {
        var layout = ParameterLayout()
        let norm = LayerNorm("ln", size: size, layout: &layout)
        let parameters = ParameterSet(layout)
        norm.initialize(parameters)
        XCTAssertEqual(parameters.names, ["ln.weight", "ln.bias"])
        XCTAssertEqual(parameters.values(of: "ln.weight"), [Float](repeating: 1, count: size))
        XCTAssertEqual(parameters.values(of: "ln.bias"), [Float](repeating: 0, count: size))

        // rows with a non-zero mean and a variance far above epsilon (so var / (var + eps) ~ 1 - 1e-6)
        let x = randomTensor([rows, size], seed: 11, low: -3, high: 5), out = Tensor(shape: [rows, size])
        let activations = norm.makeActivations(maxRows: rows)
        norm.forward(out: out.data, inp: x.data, rows: rows, activations: activations, parameters: parameters)
        for r in 0..<rows {
            let row = (0..<size).map { Double(out[r * size + $0]) }
            let mean = row.reduce(0, +) / Double(size)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(size)
            XCTAssertEqual(mean, 0, accuracy: 1e-6, "row \(r) mean")
            XCTAssertEqual(variance, 1, accuracy: 1e-4, "row \(r) variance")
        }
    }

    func testBackwardMatchesFiniteDifferences() {
        var layout = ParameterLayout()
        let norm = LayerNorm("ln", size: size, layout: &layout)
        let parameters = ParameterSet(layout)
        // a non-trivial affine, so the weight gradient and the weight's effect on dinp are both exercised
        parameters.setValues(of: "ln.weight", to: randomFloats(size, seed: 12, low: 0.5, high: 1.5))
        parameters.setValues(of: "ln.bias", to: randomFloats(size, seed: 13))

        let x = randomTensor([rows, size], seed: 14, low: -1, high: 2), out = Tensor(shape: [rows, size])
        let activations = norm.makeActivations(maxRows: rows + 2)  // room to spare is fine
        let projection = randomFloats(rows * size, seed: 15)
        norm.forward(out: out.data, inp: x.data, rows: rows, activations: activations, parameters: parameters)
        let dinp = Tensor(shape: [rows, size])
        parameters.zeroGradients()
        norm.backward(dinp: dinp.data, dout: projection, inp: x.data, rows: rows, activations: activations, parameters: parameters)

        let loss = { () -> Double in
            norm.forward(out: out.data, inp: x.data, rows: self.rows, activations: activations, parameters: parameters)
            return weightedSum(out.data, projection)
        }
        let check = GradientCheck()
        let inputOutcome = check.check(buffer: x.data, count: x.count, analytic: dinp.array, loss: loss)
        XCTAssertTrue(inputOutcome.passed, "input: \(inputOutcome)")
        let parameterOutcome = check.check(buffer: parameters.values.data, count: parameters.count,
                                           analytic: parameters.gradients.array, loss: loss)
        XCTAssertTrue(parameterOutcome.passed, "parameters: \(parameterOutcome)")
    }
}
