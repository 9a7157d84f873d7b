import Layers
import Tensors
import TestSupport
import XCTest

final class LinearTests: XCTestCase {
    func testForwardMatchesDefinitionAndBackwardMatchesFiniteDifferences() {
        for hasBias in [true, false] {
            var layout = ParameterLayout()
            let linear = Linear("proj", inputSize: 7, outputSize: 5, bias: hasBias, layout: &layout)
            let parameters = ParameterSet(layout)
            var rng = RNG(seed: 1, purpose: .initialization)
            linear.initialize(parameters, rng: &rng)
            XCTAssertEqual(parameters.names, hasBias ? ["proj.weight", "proj.bias"] : ["proj.weight"])

            let rows = 3
            let x = randomTensor([rows, 7], seed: 2), out = Tensor(shape: [rows, 5])
            linear.forward(out: out.data, inp: x.data, rows: rows, parameters: parameters)
            let w = parameters.values(of: "proj.weight"), b = hasBias ? parameters.values(of: "proj.bias") : [Float](repeating: 0, count: 5)
            for r in 0..<rows {
                for o in 0..<5 {
                    var expected = Double(b[o])
                    for i in 0..<7 { expected += Double(x[r * 7 + i]) * Double(w[o * 7 + i]) }
                    XCTAssertEqual(Double(out[r * 5 + o]), expected, accuracy: 1e-5)
                }
            }

            let projection = randomFloats(rows * 5, seed: 3)
            let dinp = Tensor(shape: [rows, 7])
            parameters.zeroGradients()
            linear.backward(dinp: dinp.data, dout: projection, inp: x.data, rows: rows, parameters: parameters)
            let loss = { () -> Double in
                linear.forward(out: out.data, inp: x.data, rows: rows, parameters: parameters)
                return weightedSum(out.data, projection)
            }
            let check = GradientCheck()
            let inputOutcome = check.check(buffer: x.data, count: x.count, analytic: dinp.array, loss: loss)
            XCTAssertTrue(inputOutcome.passed, "input: \(inputOutcome)")
            let parameterOutcome = check.check(buffer: parameters.values.data, count: parameters.count, analytic: parameters.gradients.array, loss: loss)
            XCTAssertTrue(parameterOutcome.passed, "parameters: \(parameterOutcome)")
        }
    }
}
