import Foundation
import Tensors
import TestSupport
import Training
import XCTest

/// Each optimizer against a Float64 reference written out from the textbook formula, over two steps
/// with different gradients, to 1e-6 relative.
final class OptimizerTests: XCTestCase {
    private let start: [Float] = [1.0, -2.0, 0.5]
    private let gradients: [[Float]] = [[0.1, -0.3, 2.0], [-0.2, 0.4, 1e-3]]

    /// Runs `optimizer` over `gradients` from `start` and returns the values after each step.
    private func run(_ optimizer: Optimizer, learningRate: Float) -> [[Float]] {
        let parameters = Tensor(shape: [3], values: start)
        return gradients.map { g in
            optimizer.step(parameters: parameters, gradients: Tensor(shape: [3], values: g), learningRate: learningRate)
            return parameters.array
        }
    }

    /// Adam in Float64 as in the paper: m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t), p -= lr m̂ / (sqrt(v̂) + ε),
    /// with L2 (g += wd p) or decoupled (p -= lr wd p, before the Adam update) weight decay.
    private func referenceAdam(learningRate lr: Double, beta1: Double, beta2: Double, epsilon: Double,
                               weightDecay: Double, decoupled: Bool) -> [[Double]] {
        var p = start.map(Double.init), m = [Double](repeating: 0, count: 3), v = m
        var history: [[Double]] = []
        for (index, step) in gradients.enumerated() {
            let t = Double(index + 1)
            for i in 0..<3 {
                var g = Double(step[i])
                if decoupled { p[i] -= lr * weightDecay * p[i] } else { g += weightDecay * p[i] }
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let mHat = m[i] / (1 - pow(beta1, t)), vHat = v[i] / (1 - pow(beta2, t))
                p[i] -= lr * mHat / (vHat.squareRoot() + epsilon)
            }
            history.append(p)
        }
        return history
    }

    private func assertClose(_ actual: [[Float]], _ expected: [[Double]], _ label: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            let error = worstError(a, e, relative: 1e-6, absolute: 0)
            XCTAssertLessThanOrEqual(error.ratio, 1, "\(label) step \(step + 1), element \(error.index): \(a) vs \(e)",
                                     file: file, line: line)
        }
    }

    func testAdamFirstStepIsTheSignStep() {
        // At t = 1, m̂ = g and v̂ = g^2, so p1 = p0 - lr * g / (|g| + ε): written out by hand.
        let values = run(Adam(parameterCount: 3), learningRate: 0.1)
        let expected = [1.0 - 0.1 * 0.1 / (0.1 + 1e-8), -2.0 + 0.1 * 0.3 / (0.3 + 1e-8), 0.5 - 0.1 * 2 / (2 + 1e-8)]
        assertClose([values[0]], [expected], "Adam t=1")
    }

    func testAdamMatchesTheFormula() {
        // A large ε and a small gradient make the placement of ε (sqrt(v̂) + ε) visible.
        let adam = Adam(parameterCount: 3, beta1: 0.8, beta2: 0.99, epsilon: 1e-3)
        let expected = referenceAdam(learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, weightDecay: 0, decoupled: false)
        assertClose(run(adam, learningRate: 0.1), expected, "Adam")
        XCTAssertEqual(adam.steps, 2)
        XCTAssertEqual(adam.state.map(\.name), ["m", "v"])
    }

    func testAdamWithPyTorchDefaults() {
        let expected = referenceAdam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false)
        assertClose(run(Adam(parameterCount: 3), learningRate: 0.01), expected, "Adam defaults")
    }

    func testAdamL2WeightDecayIsAddedToTheGradient() {
        let adam = Adam(parameterCount: 3, epsilon: 1e-3, weightDecay: 0.1)
        let expected = referenceAdam(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-3, weightDecay: 0.1, decoupled: false)
        assertClose(run(adam, learningRate: 0.1), expected, "Adam L2")
    }

    func testAdamWDecouplesTheWeightDecay() {
        let adamW = AdamW(parameterCount: 3, epsilon: 1e-3, weightDecay: 0.1)
        let expected = referenceAdam(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-3, weightDecay: 0.1, decoupled: true)
        assertClose(run(adamW, learningRate: 0.1), expected, "AdamW")
        // Decoupled and L2 decay differ: the test above would not pass with Adam's rule.
        let l2 = referenceAdam(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-3, weightDecay: 0.1, decoupled: false)
        XCTAssertGreaterThan(worstError(run(AdamW(parameterCount: 3, epsilon: 1e-3, weightDecay: 0.1), learningRate: 0.1)[1],
                                        l2[1], relative: 1e-6, absolute: 0).ratio, 10)
    }

    func testSGDWithoutMomentum() {
        // p1 = p0 - lr g1, p2 = p1 - lr g2.
        let lr = 0.5
        let p1 = zip(start, gradients[0]).map { Double($0) - lr * Double($1) }
        let p2 = zip(p1, gradients[1]).map { $0 - lr * Double($1) }
        assertClose(run(SGD(parameterCount: 3), learningRate: 0.5), [p1, p2], "SGD")
    }

    func testSGDWithMomentumAndWeightDecay() {
        // g' = g + wd p; b = μ b + g' (b1 = g'1); p -= lr b   (Nesterov: p -= lr (g' + μ b)).
        for nesterov in [false, true] {
            let lr = 0.5, mu = 0.9, wd = 0.01
            var p = start.map(Double.init), b = [Double](repeating: 0, count: 3)
            var expected: [[Double]] = []
            for g in gradients {
                for i in 0..<3 {
                    let decayed = Double(g[i]) + wd * p[i]
                    b[i] = mu * b[i] + decayed
                    p[i] -= lr * (nesterov ? decayed + mu * b[i] : b[i])
                }
                expected.append(p)
            }
            let sgd = SGD(parameterCount: 3, momentum: mu, weightDecay: wd, nesterov: nesterov)
            assertClose(run(sgd, learningRate: Float(lr)), expected, "SGD momentum nesterov=\(nesterov)")
            XCTAssertEqual(sgd.state.map(\.name), ["momentum"])
        }
    }

    func testAdamMinimisesAQuadratic() {
        // f(p) = sum (p - target)^2, gradient 2 (p - target); cosine decay so that Adam settles.
        let count = 50
        let target = randomFloats(count, seed: 11, low: -3, high: 3)
        let parameters = ParameterSet([("p", [count])])
        parameters.setValues(of: "p", to: randomFloats(count, seed: 12))
        let adam = Adam(parameterCount: count)
        let schedule = LearningRateSchedule.cosine(peak: 0.1, minimum: 1e-4, warmup: 10, total: 1500)
        func loss() -> Double { (0..<count).reduce(0.0) { $0 + pow(Double(parameters.values[$1] - target[$1]), 2) } }
        let initial = loss()
        for _ in 0..<1500 {
            parameters.zeroGradients()
            for i in 0..<count { parameters.gradients[i] = 2 * (parameters.values[i] - target[i]) }
            adam.step(parameters: parameters, learningRate: schedule.learningRate(at: adam.steps + 1))
        }
        XCTAssertGreaterThan(initial, 10)
        XCTAssertLessThan(loss(), 1e-6, "initial loss \(initial)")
    }

    func testOptimizerStepsTheValuesOfTheSet() {
        let parameters = ParameterSet([("a", [2]), ("b", [1])])
        parameters.values.fill(1)
        parameters.gradients.fill(2)
        let sgd = SGD(parameterCount: parameters.count)
        sgd.step(parameters: parameters, learningRate: 0.25)
        XCTAssertEqual(parameters.values.array, [0.5, 0.5, 0.5])
        XCTAssertEqual(sgd.steps, 1)
    }

    func testAdamVectorsAndTailGiveTheScalarLoopsBits() {
        // 37 parameters: two vectors of 16 and a tail of 5, three steps, each flavour of weight decay, at
        // every instruction set of the C kernels. Every element goes through the same Float32 operations
        // as this scalar replica.
        let count = 37
        defer { VectorKernels.select(VectorKernels.best) }
        for level in VectorKernels.available {
            XCTAssertTrue(VectorKernels.select(level))
            for (optimizer, l2, decoupled) in [(Adam(parameterCount: count), 0.0, false),
                                               (Adam(parameterCount: count, weightDecay: 0.1), 0.1, false),
                                               (AdamW(parameterCount: count, weightDecay: 0.1), 0.1, true)] as [(Adam, Double, Bool)] {
                let parameters = Tensor(shape: [count], values: randomFloats(count, seed: 3))
                var p = parameters.array, m = [Float](repeating: 0, count: count), v = m
                for t in 1...3 {
                    let g = randomFloats(count, seed: 10 + UInt64(t), low: -2, high: 2)
                    optimizer.step(parameters: parameters, gradients: Tensor(shape: [count], values: g), learningRate: 0.01)
                    let lr = Double(Float(0.01))
                    let biasCorrection1 = 1 - pow(0.9, Double(t))
                    let biasCorrection2Root = Float((1 - pow(0.999, Double(t))).squareRoot())
                    let stepSize = Float(lr / biasCorrection1), eps = Float(1e-8)
                    let shrink = decoupled ? Float(1 - lr * l2) : 1
                    for i in 0..<count {
                        var grad = g[i]
                        if !decoupled && l2 != 0 { grad += Float(l2) * p[i] }
                        var value = p[i]
                        if shrink != 1 { value *= shrink }
                        m[i] = Float(0.9) * m[i] + Float(1 - 0.9) * grad
                        v[i] = Float(0.999) * v[i] + Float(1 - 0.999) * grad * grad
                        p[i] = value - stepSize * m[i] / (v[i].squareRoot() / biasCorrection2Root + eps)
                    }
                    XCTAssertEqual(parameters.array.map(\.bitPattern), p.map(\.bitPattern),
                                   "\(level.name), step \(t), l2 \(l2), decoupled \(decoupled)")
                }
            }
        }
    }
}
