import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

/// One attention layer of each kind with its parameters, at tiny sizes: B = 2 rows, Tk = 4 keys,
/// Hd = 5; He = 3 and A = 6 where the kind allows (dot needs He == Hd).
private struct Setup {
    let kind: RecurrentAttentionKind
    let attention: any RecurrentAttention
    let parameters: ParameterSet
    let activations: RecurrentAttentionActivations
    let B = 2, Tk = 4, Hd = 5, A = 6, steps = 3
    var He: Int { attention.keySize }

    init(_ kind: RecurrentAttentionKind) {
        self.kind = kind
        var layout = ParameterLayout()
        attention = kind.makeAttention("attention", stateSize: Hd, keySize: kind == .dot ? Hd : 3, attentionSize: A, layout: &layout)
        parameters = ParameterSet(layout)
        var rng = RNG(seed: 3, purpose: .initialization)
        attention.initialize(parameters, rng: &rng)
        // larger than the default so that tanh and softmax are exercised away from their linear regime
        for i in 0..<parameters.count { parameters.values[i] *= 3 }
        activations = attention.makeActivations(maxBatch: B, maxKeyLength: Tk, maxSteps: steps)
    }

    func forward(weights: Tensor, context: Tensor, state: Tensor, keys: Tensor, keyLengths: UnsafePointer<Int32>?, time: Int) {
        attention.forward(weights: weights.data, context: context.data, state: state.data, keys: keys.data,
                          keyLengths: keyLengths, batch: B, keyLength: Tk, time: time, activations: activations, parameters: parameters)
    }

    /// The score of key j for row b, from plain Float64 loops written from the definitions.
    func naiveScore(b: Int, j: Int, state: [Double], keys: [Double]) -> Double {
        let s = Array(state[(b * Hd)..<((b + 1) * Hd)]), h = Array(keys[((b * Tk + j) * He)..<((b * Tk + j + 1) * He)])
        switch kind {
        case .additive:
            let W = parameters.values(of: "attention.W").map(Double.init)
            let U = parameters.values(of: "attention.U").map(Double.init)
            let v = parameters.values(of: "attention.v").map(Double.init)
            var score = 0.0
            for a in 0..<A {
                var pre = 0.0
                for d in 0..<Hd { pre += W[a * Hd + d] * s[d] }
                for e in 0..<He { pre += U[a * He + e] * h[e] }
                score += v[a] * tanh(pre)
            }
            return score
        case .dot:
            return (0..<Hd).reduce(0) { $0 + s[$1] * h[$1] }
        case .general:
            let W = parameters.values(of: "attention.W").map(Double.init)
            var score = 0.0
            for d in 0..<Hd { for e in 0..<He { score += s[d] * W[d * He + e] * h[e] } }
            return score
        }
    }
}

private func withLengths<R>(_ lengths: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    guard let lengths else { return body(nil) }
    return lengths.withUnsafeBufferPointer { body($0.baseAddress!) }
}

final class RecurrentAttentionTests: XCTestCase {
    /// Two decoder steps (slots 0 and 1) over the same keys, L = sum over steps of
    /// sum(w_weights * weights) + sum(w_context * context). d L / d (both states, keys, parameters)
    /// against central differences, which also checks that the key gradients of the steps add up.
    /// GradientCheck's tolerances: absolute 2e-3 + relative 2e-2. Row 1 of [3, 0] is fully masked.
    func testBackwardMatchesFiniteDifferences() {
        for kind in RecurrentAttentionKind.allCases {
            for lengths in [nil, [4, 2], [3, 0]] as [[Int32]?] {
                let setup = Setup(kind)
                let (B, Tk, Hd, He) = (setup.B, setup.Tk, setup.Hd, setup.He)
                let what = "\(kind) lengths \(lengths.map { "\($0)" } ?? "nil")"
                let keys = randomTensor([B, Tk, He], seed: 50)
                let states = (0..<2).map { randomTensor([B, Hd], seed: 60 + UInt64($0)) }
                let weights = (0..<2).map { _ in Tensor(shape: [B, Tk]) }, contexts = (0..<2).map { _ in Tensor(shape: [B, He]) }
                let weightWeights = (0..<2).map { randomFloats(B * Tk, seed: 70 + UInt64($0)) }
                let contextWeights = (0..<2).map { randomFloats(B * He, seed: 80 + UInt64($0)) }
                withLengths(lengths) { keyLengths in
                    let loss = { () -> Double in
                        setup.attention.precompute(keys: keys.data, batch: B, keyLength: Tk, activations: setup.activations,
                                                   parameters: setup.parameters)
                        var total = 0.0
                        for t in 0..<2 {
                            setup.forward(weights: weights[t], context: contexts[t], state: states[t], keys: keys,
                                          keyLengths: keyLengths, time: t)
                            total += weightedSum(weights[t].data, weightWeights[t]) + weightedSum(contexts[t].data, contextWeights[t])
                        }
                        return total
                    }
                    _ = loss()
                    let start: Float = 0.5
                    let dstates = (0..<2).map { _ in Tensor(shape: [B, Hd], repeating: start) }
                    let dkeys = Tensor(shape: [B, Tk, He], repeating: start)
                    setup.parameters.gradients.fill(start)
                    for t in [1, 0] {
                        setup.attention.backward(dstate: dstates[t].data, dcontext: contextWeights[t], dweights: weightWeights[t],
                                                 weights: weights[t].data, state: states[t].data, keys: keys.data,
                                                 keyLengths: keyLengths, batch: B, keyLength: Tk, time: t,
                                                 activations: setup.activations, parameters: setup.parameters)
                    }
                    setup.attention.finishBackward(dkeys: dkeys.data, keys: keys.data, batch: B, keyLength: Tk,
                                                   activations: setup.activations, parameters: setup.parameters)
                    var check = GradientCheck()
                    check.maximumProbes = 1000
                    let minus = { (t: Tensor) in t.array.map { $0 - start } }
                    for t in 0..<2 {
                        let outcome = check.check(buffer: states[t].data, count: states[t].count, analytic: minus(dstates[t]), loss: loss)
                        XCTAssertTrue(outcome.passed, "\(what) state \(t): \(outcome)")
                    }
                    let keyOutcome = check.check(buffer: keys.data, count: keys.count, analytic: minus(dkeys), loss: loss)
                    XCTAssertTrue(keyOutcome.passed, "\(what) keys: \(keyOutcome)")
                    for slice in setup.parameters.slices {
                        let analytic = Array(UnsafeBufferPointer(start: setup.parameters.gradient(slice), count: slice.count)).map { $0 - start }
                        let outcome = check.check(buffer: setup.parameters.value(slice), count: slice.count, analytic: analytic, loss: loss)
                        XCTAssertTrue(outcome.passed, "\(what) \(slice.name): \(outcome)")
                    }
                }
            }
        }
    }

    /// Weights sum to 1 over the real keys and are exactly 0 on padding; a fully masked row gives zero
    /// weights and a zero context; weights and context match softmax(naive Float64 scores) (1e-5).
    func testWeightsAndContextMatchNaiveReference() {
        for kind in RecurrentAttentionKind.allCases {
            let setup = Setup(kind)
            let (B, Tk, Hd, He) = (setup.B, setup.Tk, setup.Hd, setup.He)
            let lengths: [[Int32]] = [[3, 0], [4, 1], [2, 4]]
            for keyLengths in lengths {
                let keys = randomTensor([B, Tk, He], seed: 51), state = randomTensor([B, Hd], seed: 61)
                let weights = Tensor(shape: [B, Tk], repeating: .nan), context = Tensor(shape: [B, He], repeating: .nan)
                setup.attention.precompute(keys: keys.data, batch: B, keyLength: Tk, activations: setup.activations,
                                           parameters: setup.parameters)
                withLengths(keyLengths) { setup.forward(weights: weights, context: context, state: state, keys: keys, keyLengths: $0, time: 2) }
                let what = "\(kind) lengths \(keyLengths)"
                for b in 0..<B {
                    let valid = Int(keyLengths[b])
                    let row = Array(weights.array[(b * Tk)..<((b + 1) * Tk)])
                    for j in valid..<Tk { XCTAssertEqual(row[j], 0, "\(what): weight on padding") }
                    if valid == 0 {
                        for e in 0..<He { XCTAssertEqual(context[b * He + e], 0, "\(what): context of a fully masked row") }
                        continue
                    }
                    XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6, "\(what): weights of row \(b) do not sum to 1")
                    let scores = (0..<valid).map { setup.naiveScore(b: b, j: $0, state: doubles(state), keys: doubles(keys)) }
                    let maximum = scores.max()!
                    let exps = scores.map { exp($0 - maximum) }, sum = exps.reduce(0, +)
                    let expected = exps.map { $0 / sum }
                    XCTAssertLessThanOrEqual(worstError(Array(row[0..<valid]), expected, relative: 0, absolute: 1e-5).ratio, 1,
                                             "\(what): weights of row \(b)")
                    let expectedContext = (0..<He).map { e in (0..<valid).reduce(0.0) { $0 + expected[$1] * Double(keys[(b * Tk + $1) * He + e]) } }
                    XCTAssertLessThanOrEqual(worstError(Array(context.array[(b * He)..<((b + 1) * He)]), expectedContext,
                                                        relative: 0, absolute: 1e-5).ratio, 1, "\(what): context of row \(b)")
                }
            }
        }
    }

    /// Checkpoint keys and shapes: W (A, Hd), U (A, He), v (A) for additive; W (Hd, He) for general; none for dot.
    func testParameterNames() {
        XCTAssertEqual(Setup(.additive).parameters.slices.map(\.name), ["attention.W", "attention.U", "attention.v"])
        XCTAssertEqual(Setup(.additive).parameters.slices.map(\.shape), [[6, 5], [6, 3], [6]])
        XCTAssertEqual(Setup(.general).parameters.slices.map(\.name), ["attention.W"])
        XCTAssertEqual(Setup(.general).parameters.slices.map(\.shape), [[5, 3]])
        XCTAssertEqual(Setup(.dot).parameters.count, 0)
    }
}
