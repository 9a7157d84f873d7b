import Layers
import Tensors
import TestSupport
import XCTest

final class EmbeddingLayerTests: XCTestCase {
    let vocabularySize = 7, modelSize = 5
    // repeated tokens (3 three times, 0 twice) and unused ones (2, 4, 6), so the scatter-add must sum rows
    let tokens: [Int32] = [3, 0, 3, 5, 1, 0, 3]

    func testForwardLooksUpRowsAndAppliesTheScale() {
        for scale in [1, Float(5).squareRoot()] {
            var layout = ParameterLayout()
            let embedding = Embedding("embed", vocabularySize: vocabularySize, modelSize: modelSize, scale: scale, layout: &layout)
            let parameters = ParameterSet(layout)
            XCTAssertEqual(parameters.names, ["embed.weight"])
            XCTAssertEqual(parameters.slice(named: "embed.weight")?.shape, [vocabularySize, modelSize])
            parameters.values.copy(from: randomTensor([parameters.count], seed: 31))
            let out = Tensor(shape: [tokens.count, modelSize])
            embedding.forward(out: out.data, tokens: tokens, rows: tokens.count, parameters: parameters)
            let table = parameters.values(of: "embed.weight")
            for (r, token) in tokens.enumerated() {
                for c in 0..<modelSize {
                    XCTAssertEqual(out[r * modelSize + c], scale * table[Int(token) * modelSize + c], "scale \(scale), row \(r)")
                }
            }
        }
    }

    func testInitialisationHasStandardDeviationOneOverSqrtModelSize() {
        var layout = ParameterLayout()
        let embedding = Embedding("embed", vocabularySize: 64, modelSize: 16, layout: &layout)
        let parameters = ParameterSet(layout)
        var rng = RNG(seed: 3, purpose: .initialization)
        embedding.initialize(parameters, rng: &rng)
        let values = parameters.values.array.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        // 1024 draws: the sample standard deviation is within ~2% (one sigma) of 1/4
        XCTAssertEqual(deviation, 0.25, accuracy: 0.025)
        XCTAssertEqual(mean, 0, accuracy: 0.04)
    }

    func testBackwardScatterAddsTheScaledGradientIntoTheTable() {
        for scale in [1, Float(2.5)] {
            var layout = ParameterLayout()
            let embedding = Embedding("embed", vocabularySize: vocabularySize, modelSize: modelSize, scale: scale, layout: &layout)
            let parameters = ParameterSet(layout)
            parameters.values.copy(from: randomTensor([parameters.count], seed: 32))
            let out = Tensor(shape: [tokens.count, modelSize])
            let projection = randomFloats(tokens.count * modelSize, seed: 33)
            parameters.zeroGradients()
            embedding.backward(dout: projection, tokens: tokens, rows: tokens.count, parameters: parameters)
            let loss = { () -> Double in
                embedding.forward(out: out.data, tokens: self.tokens, rows: self.tokens.count, parameters: parameters)
                return weightedSum(out.data, projection)
            }
            var check = GradientCheck()
            check.maximumProbes = parameters.count
            let outcome = check.check(buffer: parameters.values.data, count: parameters.count,
                                      analytic: parameters.gradients.array, loss: loss)
            XCTAssertTrue(outcome.passed, "scale \(scale): table: \(outcome)")

            // rows of unused tokens get nothing, and a second backward accumulates
            let once = parameters.gradients.array
            for token in [2, 4, 6] {
                XCTAssertEqual(Array(once[token * modelSize ..< (token + 1) * modelSize]), [Float](repeating: 0, count: modelSize))
            }
            embedding.backward(dout: projection, tokens: tokens, rows: tokens.count, parameters: parameters)
            // (not bit-exact: the second pass adds to partial sums, so the rounding differs)
            let twice = worstError(parameters.gradients.array, once.map { 2 * $0 }, relative: 1e-6, absolute: 1e-6)
            XCTAssertLessThanOrEqual(twice.ratio, 1, "scale \(scale): backward must accumulate (worst at \(twice.index))")
        }
    }

    func testTiedOutputProjectionMatchesDefinitionAndFiniteDifferences() {
        var layout = ParameterLayout()
        let embedding = Embedding("embed", vocabularySize: vocabularySize, modelSize: modelSize, scale: 2, layout: &layout)
        let parameters = ParameterSet(layout)
        parameters.values.copy(from: randomTensor([parameters.count], seed: 34))
        let rows = 4
        let x = randomTensor([rows, modelSize], seed: 35), logits = Tensor(shape: [rows, vocabularySize])
        embedding.tiedOutputForward(logits: logits.data, inp: x.data, rows: rows, parameters: parameters)
        let table = parameters.values(of: "embed.weight")
        for r in 0..<rows {
            for v in 0..<vocabularySize {
                var expected = 0.0  // no scale on the way out
                for c in 0..<modelSize { expected += Double(x[r * modelSize + c]) * Double(table[v * modelSize + c]) }
                XCTAssertEqual(Double(logits[r * vocabularySize + v]), expected, accuracy: 1e-5)
            }
        }

        let projection = randomFloats(rows * vocabularySize, seed: 36)
        let dinp = Tensor(shape: [rows, modelSize])
        parameters.zeroGradients()
        embedding.tiedOutputBackward(dinp: dinp.data, dlogits: projection, inp: x.data, rows: rows, parameters: parameters)
        let loss = { () -> Double in
            embedding.tiedOutputForward(logits: logits.data, inp: x.data, rows: rows, parameters: parameters)
            return weightedSum(logits.data, projection)
        }
        var check = GradientCheck()
        check.maximumProbes = parameters.count
        let inputOutcome = check.check(buffer: x.data, count: x.count, analytic: dinp.array, loss: loss)
        XCTAssertTrue(inputOutcome.passed, "input: \(inputOutcome)")
        let tableOutcome = check.check(buffer: parameters.values.data, count: parameters.count,
                                       analytic: parameters.gradients.array, loss: loss)
        XCTAssertTrue(tableOutcome.passed, "table: \(tableOutcome)")
    }

    /// A tied model in miniature, logits = (scale * E[tokens]) E^T: the table's gradient is the sum of
    /// the two uses, so both backwards must accumulate into the same slice.
    func testTiedInputAndOutputGradientsAccumulateIntoOneTable() {
        var layout = ParameterLayout()
        let embedding = Embedding("embed", vocabularySize: vocabularySize, modelSize: modelSize, scale: 1.5, layout: &layout)
        let parameters = ParameterSet(layout)
        parameters.values.copy(from: randomTensor([parameters.count], seed: 37))
        let rows = tokens.count
        let hidden = Tensor(shape: [rows, modelSize]), logits = Tensor(shape: [rows, vocabularySize])
        let projection = randomFloats(rows * vocabularySize, seed: 38)
        let loss = { () -> Double in
            embedding.forward(out: hidden.data, tokens: self.tokens, rows: rows, parameters: parameters)
            embedding.tiedOutputForward(logits: logits.data, inp: hidden.data, rows: rows, parameters: parameters)
            return weightedSum(logits.data, projection)
        }
        _ = loss()
        let dhidden = Tensor(shape: [rows, modelSize])
        parameters.zeroGradients()
        embedding.tiedOutputBackward(dinp: dhidden.data, dlogits: projection, inp: hidden.data, rows: rows, parameters: parameters)
        embedding.backward(dout: dhidden.data, tokens: tokens, rows: rows, parameters: parameters)
        var check = GradientCheck()
        check.maximumProbes = parameters.count
        let outcome = check.check(buffer: parameters.values.data, count: parameters.count,
                                  analytic: parameters.gradients.array, loss: loss)
        XCTAssertTrue(outcome.passed, "table: \(outcome)")
    }
}
