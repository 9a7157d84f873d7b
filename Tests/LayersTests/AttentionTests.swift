import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

// MultiHeadAttention: the backward against central differences in every configuration, the forward
// against an independent Float64 reference, and the properties a user relies on (causality, padding,
// distributions, permutation equivariance, incremental decoding equal to the full forward).

/// A layer with random parameters and random inputs. For self-attention `keyValue` is `query`.
private final class Fixture {
    let attention: MultiHeadAttention
    let parameters: ParameterSet
    let activations: MultiHeadAttention.Activations
    let B: Int, Tq: Int, Tk: Int, C: Int, H: Int
    let cross: Bool
    let query: Tensor, keyValue: Tensor, out: Tensor
    var keyLengths: [Int32]?

    init(scaling: MultiHeadAttention.Scaling = .sqrtDk, positions: MultiHeadAttention.Positions = .none, cross: Bool,
         batch B: Int = 2, queryLength Tq: Int = 4, keyLength: Int = 5, modelSize C: Int = 8, heads H: Int = 2,
         keyLengths: [Int32]? = nil, seed: UInt64 = 1) {
        var layout = ParameterLayout()
        attention = MultiHeadAttention("attention", modelSize: C, heads: H, scaling: scaling, positions: positions, layout: &layout)
        parameters = ParameterSet(layout)
        // Random biases too (initialize() zeroes them), so that every term of the forward is exercised.
        parameters.values.copy(from: Tensor(shape: [parameters.count], values: randomFloats(parameters.count, seed: seed, low: -0.6, high: 0.6)))
        let Tk = cross ? keyLength : Tq
        self.B = B; self.Tq = Tq; self.Tk = Tk; self.C = C; self.H = H
        self.cross = cross
        self.keyLengths = keyLengths
        query = randomTensor([B, Tq, C], seed: seed + 100)
        keyValue = cross ? randomTensor([B, Tk, C], seed: seed + 200) : query
        out = Tensor(shape: [B, Tq, C])
        activations = attention.makeActivations(maxBatch: B, maxQueryLength: Tq, maxKeyLength: Tk)
    }

    /// Runs the forward into `out` and returns its values.
    @discardableResult
    func forward(causal: Bool) -> [Float] {
        withKeyLengths(keyLengths) { lengths in
            attention.forward(out: out.data, query: query.data, keyValue: keyValue.data, batch: B, queryLength: Tq, keyLength: Tk,
                              causal: causal, keyLengths: lengths, activations: activations, parameters: parameters)
        }
        return out.array
    }

    /// Row t of example b of a (B,T,C) array.
    func row(_ values: [Float], _ b: Int, _ t: Int, length T: Int) -> [Float] {
        Array(values[(b * T + t) * C..<(b * T + t + 1) * C])
    }
}

private func withKeyLengths<R>(_ lengths: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    guard let lengths else { return body(nil) }
    return lengths.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func maxDifference(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

private func maxDifference(_ a: [Float], _ b: [Float]) -> Float { maxDifference(a[...], b[...]) }

/// The independent reference: plain loops in Float64 over the definitions, with RoPE written as the
/// rotation of complex numbers (x[2i] + i x[2i+1]) e^(i t theta_i) and ALiBi's power-of-two slopes.
/// Returns out (B,Tq,C) and the probabilities (B,H,Tq,Tk).
private func referenceAttention(_ f: Fixture, causal: Bool) -> (out: [Double], probabilities: [Double]) {
    let (B, Tq, Tk, C, H) = (f.B, f.Tq, f.Tk, f.C, f.H)
    let D = C / H
    func parameter(_ name: String) -> [Double] { f.parameters.values(of: "attention.\(name)").map(Double.init) }
    func project(_ x: [Float], rows: Int, _ name: String) -> [Double] {
        let w = parameter("\(name).weight"), bias = parameter("\(name).bias")
        var y = [Double](repeating: 0, count: rows * C)
        for r in 0..<rows { for o in 0..<C {
            var sum = bias[o]
            for i in 0..<C { sum += Double(x[r * C + i]) * w[o * C + i] }
            y[r * C + o] = sum
        } }
        return y
    }
    func rope(_ x: inout [Double], length T: Int) {
        for b in 0..<B { for t in 0..<T { for h in 0..<H { for i in 0..<D / 2 {
            let theta = Double(t) / pow(10000, Double(2 * i) / Double(D))
            let re = x[(b * T + t) * C + h * D + 2 * i], im = x[(b * T + t) * C + h * D + 2 * i + 1]
            // (re + i im) (cos + i sin)
            x[(b * T + t) * C + h * D + 2 * i] = re * cos(theta) - im * sin(theta)
            x[(b * T + t) * C + h * D + 2 * i + 1] = re * sin(theta) + im * cos(theta)
        } } } }
    }
    var q = project(f.query.array, rows: B * Tq, "query")
    var k = project(f.keyValue.array, rows: B * Tk, "key")
    let v = project(f.keyValue.array, rows: B * Tk, "value")
    if f.attention.positions == .rope { rope(&q, length: Tq); rope(&k, length: Tk) }
    let scale = f.attention.scaling == .sqrtDk ? 1 / Double(D).squareRoot() : 1
    var probabilities = [Double](repeating: 0, count: B * H * Tq * Tk)
    var context = [Double](repeating: 0, count: B * Tq * C)
    for b in 0..<B { for h in 0..<H { for i in 0..<Tq {
        let slope = f.attention.positions == .alibi ? pow(2, -8 * Double(h + 1) / Double(H)) : 0
        let visible = (0..<Tk).filter { j in !(causal && j > i) && j < (f.keyLengths.map { Int($0[b]) } ?? Tk) }
        var scores: [Int: Double] = [:]
        for j in visible {
            var dot = 0.0
            for d in 0..<D { dot += q[(b * Tq + i) * C + h * D + d] * k[(b * Tk + j) * C + h * D + d] }
            scores[j] = scale * dot - slope * Double(abs(i - j))
        }
        guard let top = scores.values.max() else { continue }
        let total = scores.values.reduce(0) { $0 + exp($1 - top) }
        for (j, s) in scores {
            let p = exp(s - top) / total
            probabilities[((b * H + h) * Tq + i) * Tk + j] = p
            for d in 0..<D { context[(b * Tq + i) * C + h * D + d] += p * v[(b * Tk + j) * C + h * D + d] }
        }
    } } }
    let wo = parameter("output.weight"), bo = parameter("output.bias")
    var out = [Double](repeating: 0, count: B * Tq * C)
    for r in 0..<B * Tq { for o in 0..<C {
        var sum = bo[o]
        for i in 0..<C { sum += context[r * C + i] * wo[o * C + i] }
        out[r * C + o] = sum
    } }
    return (out, probabilities)
}

final class AttentionTests: XCTestCase {
    func testParametersAndInitialization() {
        var layout = ParameterLayout()
        let attention = MultiHeadAttention("encoder.0.attention", modelSize: 8, heads: 2, layout: &layout)
        let parameters = ParameterSet(layout)
        var rng = RNG(seed: 3, purpose: .initialization)
        attention.initialize(parameters, rng: &rng)
        let projections = ["query", "key", "value", "output"]
        XCTAssertEqual(parameters.names, projections.flatMap { ["encoder.0.attention.\($0).weight", "encoder.0.attention.\($0).bias"] })
        let bound = Float(6.0 / 16).squareRoot()
        for projection in projections {
            let weight = parameters.values(of: "encoder.0.attention.\(projection).weight")
            XCTAssertTrue(weight.allSatisfy { abs($0) <= bound }, "\(projection) weight outside the Xavier bound")
            XCTAssertGreaterThan(weight.map(abs).max()!, bound / 2, "\(projection) weight looks unset")
            XCTAssertEqual(parameters.values(of: "encoder.0.attention.\(projection).bias"), [Float](repeating: 0, count: 8))
        }
        var withoutBias = ParameterLayout()
        _ = MultiHeadAttention("a", modelSize: 8, heads: 4, bias: false, layout: &withoutBias)
        XCTAssertEqual(withoutBias.slices.map(\.name), ["a.query.weight", "a.key.weight", "a.value.weight", "a.output.weight"])
        XCTAssertEqual(attention.headSize, 4)
        XCTAssertEqual(attention.scale, 0.5)
    }

    func testAlibiSlopesFollowThePaper() {
        func powers(_ exponents: [Int]) -> [Float] { exponents.map { Float(pow(2.0, -Double($0))) } }
        XCTAssertEqual(MultiHeadAttention.alibiSlopes(heads: 8), powers([1, 2, 3, 4, 5, 6, 7, 8]))
        XCTAssertEqual(MultiHeadAttention.alibiSlopes(heads: 1), powers([8]))
        // not a power of two: the 4-head slopes, then every other 8-head slope
        XCTAssertEqual(MultiHeadAttention.alibiSlopes(heads: 6), powers([2, 4, 6, 8, 1, 3]))
        XCTAssertEqual(MultiHeadAttention.alibiSlopes(heads: 3), powers([4, 8, 2]))
    }

    /// L = sum(w * out); the analytic gradient of every input and parameter against central differences,
    /// for scaling x causal x positions x (self, cross) x (no padding, padding).
    func testBackwardMatchesFiniteDifferencesInEveryConfiguration() {
        let check = GradientCheck()
        for scaling in MultiHeadAttention.Scaling.allCases {
            for positions in MultiHeadAttention.Positions.allCases {
                for causal in [false, true] {
                    for cross in [false, true] {
                        for padded in [false, true] {
                            let label = "\(scaling) \(positions) causal \(causal) \(cross ? "cross" : "self") padded \(padded)"
                            let f = Fixture(scaling: scaling, positions: positions, cross: cross,
                                            queryLength: cross ? 3 : 4, keyLength: 5, seed: 11)
                            if padded { f.keyLengths = cross ? [5, 3] : [4, 2] }
                            f.forward(causal: causal)
                            checkGradients(f, causal: causal, cross: cross, seed: 12, check: check, label: label)
                        }
                    }
                }
            }
        }
    }

    func testBackwardAccumulates() {
        let f = Fixture(positions: .rope, cross: true, queryLength: 3)
        let w = randomFloats(f.B * f.Tq * f.C, seed: 5)
        f.forward(causal: true)
        f.parameters.zeroGradients()
        let dquery = Tensor(shape: [f.B, f.Tq, f.C]), dkeyValue = Tensor(shape: [f.B, f.Tk, f.C])
        let backward = {
            f.attention.backward(dquery: dquery.data, dkeyValue: dkeyValue.data, dout: w, query: f.query.data, keyValue: f.keyValue.data,
                                 batch: f.B, queryLength: f.Tq, keyLength: f.Tk, activations: f.activations, parameters: f.parameters)
        }
        backward()
        let once = (dquery.array, dkeyValue.array, f.parameters.gradients.array)
        backward()
        XCTAssertLessThan(maxDifference(dquery.array, once.0.map { 2 * $0 }), 1e-6)
        XCTAssertLessThan(maxDifference(dkeyValue.array, once.1.map { 2 * $0 }), 1e-6)
        XCTAssertLessThan(maxDifference(f.parameters.gradients.array, once.2.map { 2 * $0 }), 1e-6)
        XCTAssertGreaterThan(once.1.map(abs).max()!, 1e-3)
    }

    func testForwardMatchesNaiveReference() {
        // RoPE: self-attention, causal, padding, four pairs per head and positions up to 5.
        let rope = Fixture(positions: .rope, cross: false, queryLength: 6, modelSize: 16, heads: 2, keyLengths: [6, 4], seed: 21)
        // ALiBi: four heads, unscaled, with and without the causal mask.
        let alibi = Fixture(scaling: .none, positions: .alibi, cross: false, queryLength: 6, modelSize: 16, heads: 4, seed: 22)
        // Plain cross-attention with padding.
        let plain = Fixture(cross: true, queryLength: 3, keyLength: 5, keyLengths: [5, 2], seed: 23)
        for (name, f, causal) in [("rope", rope, true), ("alibi", alibi, false), ("alibi", alibi, true), ("cross", plain, false)] {
            checkForwardAgainstReference(f, causal: causal, label: "\(name) causal \(causal)")
        }
    }

    func testLongSequencesAcrossQueryBlocksMatchReferenceAndFiniteDifferences() {
        // 70 queries: blocks of 32, 32 and 6 rows, each block's products over only the keys it keeps
        // (the kept-prefix path of causal and padding masks); an example with no valid key at all.
        let check = GradientCheck()
        for (causal, cross) in [(true, false), (false, false), (false, true), (true, true)] {
            let label = "causal \(causal) \(cross ? "cross" : "self")"
            let f = Fixture(cross: cross, batch: 3, queryLength: 70, keyLength: 67, modelSize: 8, heads: 2,
                            keyLengths: cross ? [67, 40, 0] : [70, 45, 33], seed: 31)
            checkForwardAgainstReference(f, causal: causal, label: label)

            checkGradients(f, causal: causal, cross: cross, seed: 32, check: check, label: label)
        }
    }

    func testCausalOutputIgnoresLaterPositions() {
        for positions in MultiHeadAttention.Positions.allCases {
            for causal in [true, false] {
                let f = Fixture(positions: positions, cross: false, queryLength: 5)
                let before = f.forward(causal: causal)
                // change the inputs at positions 3 and 4 of every example
                for b in 0..<f.B { for t in 3..<5 { for c in 0..<f.C { f.query[(b * 5 + t) * f.C + c] += 0.5 } } }
                let after = f.forward(causal: causal)
                for b in 0..<f.B {
                    let past = (b * 5) * f.C..<(b * 5 + 3) * f.C, future = (b * 5 + 3) * f.C..<(b * 5 + 5) * f.C
                    if causal {
                        XCTAssertEqual(maxDifference(before[past], after[past]), 0, accuracy: 1e-6, "\(positions): the past saw the future")
                    } else {
                        XCTAssertGreaterThan(maxDifference(before[past], after[past]), 1e-3, "\(positions): without the mask the past sees everything")
                    }
                    XCTAssertGreaterThan(maxDifference(before[future], after[future]), 1e-3)
                }
            }
        }
    }

    func testPaddedKeysChangeNothing() {
        for positions in MultiHeadAttention.Positions.allCases {
            // cross-attention: keys 3 and 4 of example 1 are padding
            let f = Fixture(positions: positions, cross: true, queryLength: 3, keyLength: 5, keyLengths: [5, 3])
            let before = f.forward(causal: false)
            for t in 3..<5 { for c in 0..<f.C { f.keyValue[(5 + t) * f.C + c] = 9 } }
            XCTAssertEqual(maxDifference(before, f.forward(causal: false)), 0, accuracy: 1e-6, "\(positions): padding was attended")
            for c in 0..<f.C { f.keyValue[(5 + 2) * f.C + c] += 0.5 }
            XCTAssertGreaterThan(maxDifference(before, f.forward(causal: false)), 1e-3, "\(positions): a real key changed nothing")

            // self-attention: positions 2 and 3 of example 1 are padding; the real positions ignore them
            let s = Fixture(positions: positions, cross: false, queryLength: 4, keyLengths: [4, 2])
            let selfBefore = s.forward(causal: false)
            for t in 2..<4 { for c in 0..<s.C { s.query[(4 + t) * s.C + c] = -7 } }
            let selfAfter = s.forward(causal: false)
            XCTAssertEqual(maxDifference(selfBefore[0..<6 * s.C], selfAfter[0..<6 * s.C]), 0, accuracy: 1e-6, "\(positions): self padding")
        }
    }

    func testProbabilitiesAreDistributionsOverVisibleKeys() {
        for positions in MultiHeadAttention.Positions.allCases {
            for causal in [false, true] {
                // example 2 has no key at all: its rows are zeros and its output is the output bias
                let f = Fixture(positions: positions, cross: true, batch: 3, queryLength: 4, keyLength: 5, keyLengths: [5, 3, 0])
                let out = f.forward(causal: causal)
                XCTAssertFalse(out.contains { !$0.isFinite })
                for b in 0..<3 { for h in 0..<f.H { for i in 0..<4 {
                    let row = f.activations.probabilities(example: b, head: h, query: i)
                    let visible = (0..<5).filter { j in j < Int(f.keyLengths![b]) && !(causal && j > i) }
                    XCTAssertEqual(row.reduce(0, +), visible.isEmpty ? 0 : 1, accuracy: 1e-5, "\(positions) causal \(causal) (\(b), \(h), \(i))")
                    for j in 0..<5 where !visible.contains(j) { XCTAssertEqual(row[j], 0, "masked key \(j) has probability") }
                    for j in visible { XCTAssertGreaterThan(row[j], 0) }
                } } }
                let bias = f.parameters.values(of: "attention.output.bias")
                for t in 0..<4 { XCTAssertEqual(f.row(out, 2, t, length: 4), bias) }
            }
        }
    }

    func testPermutationEquivarianceOnlyWithoutPositions() {
        let permutation = [2, 0, 4, 1, 3]
        for positions in MultiHeadAttention.Positions.allCases {
            let f = Fixture(positions: positions, cross: false, queryLength: 5)
            let out = f.forward(causal: false)
            let original = f.query.array
            for b in 0..<f.B { for t in 0..<5 { for c in 0..<f.C {
                f.query[(b * 5 + t) * f.C + c] = original[(b * 5 + permutation[t]) * f.C + c]
            } } }
            let permutedOut = f.forward(causal: false)
            var difference: Float = 0
            for b in 0..<f.B { for t in 0..<5 {
                difference = max(difference, maxDifference(f.row(permutedOut, b, t, length: 5), f.row(out, b, permutation[t], length: 5)))
            } }
            if positions == .none {
                XCTAssertLessThan(difference, 1e-5, "attention without positions must be permutation-equivariant")
            } else {
                XCTAssertGreaterThan(difference, 1e-3, "\(positions) must make attention depend on order")
            }
        }
    }

    func testDecodeStepMatchesCausalForward() {
        for positions in MultiHeadAttention.Positions.allCases {
            let f = Fixture(positions: positions, cross: false, queryLength: 5)
            let T = 5, C = f.C
            let full = f.forward(causal: true)
            let fullProbabilities = f.activations.probabilities.array
            // a cache longer than the sequence, so that its stride differs from the forward's
            let cache = f.attention.makeCache(maxBatch: f.B, maxLength: 7)
            let activations = f.attention.makeActivations(maxBatch: f.B, maxQueryLength: 1, maxKeyLength: 7)
            let step = Tensor(shape: [f.B, 1, C]), stepOut = Tensor(shape: [f.B, 1, C])
            for t in 0..<T {
                for b in 0..<f.B { for c in 0..<C { step[b * C + c] = f.query[(b * T + t) * C + c] } }
                f.attention.decodeStep(out: stepOut.data, query: step.data, batch: f.B, cache: cache,
                                       activations: activations, parameters: f.parameters)
                XCTAssertEqual(cache.count, t + 1)
                for b in 0..<f.B {
                    let expected = f.row(full, b, t, length: T)
                    let got = Array(stepOut.array[b * C..<(b + 1) * C])
                    XCTAssertLessThan(maxDifference(got, expected), 1e-5, "\(positions): step \(t), example \(b)")
                    for h in 0..<f.H {
                        let start = ((b * f.H + h) * T + t) * T
                        XCTAssertLessThan(maxDifference(activations.probabilities(example: b, head: h, query: 0),
                                                        Array(fullProbabilities[start..<start + t + 1])), 1e-5)
                    }
                }
            }
        }
    }

    func testCrossDecodeMatchesCrossForward() {
        let f = Fixture(cross: true, queryLength: 3, keyLength: 5, keyLengths: [5, 2])
        let C = f.C
        let full = f.forward(causal: false)
        let fullProbabilities = f.activations.probabilities.array
        let cache = f.attention.makeCache(maxBatch: f.B, maxLength: 6)
        let activations = f.attention.makeActivations(maxBatch: f.B, maxQueryLength: 1, maxKeyLength: 6)
        f.attention.fillCrossCache(cache: cache, keyValue: f.keyValue.data, batch: f.B, keyLength: f.Tk, parameters: f.parameters)
        XCTAssertEqual(cache.count, 5)
        let step = Tensor(shape: [f.B, 1, C]), stepOut = Tensor(shape: [f.B, 1, C])
        for t in 0..<3 {
            for b in 0..<f.B { for c in 0..<C { step[b * C + c] = f.query[(b * 3 + t) * C + c] } }
            withKeyLengths(f.keyLengths) { lengths in
                f.attention.crossDecodeStep(out: stepOut.data, query: step.data, batch: f.B, cache: cache, keyLengths: lengths,
                                            activations: activations, parameters: f.parameters)
            }
            XCTAssertEqual(cache.count, 5, "a cross step must not grow the cache")
            for b in 0..<f.B {
                XCTAssertLessThan(maxDifference(Array(stepOut.array[b * C..<(b + 1) * C]), f.row(full, b, t, length: 3)), 1e-5, "step \(t), example \(b)")
                for h in 0..<f.H {
                    let start = ((b * f.H + h) * 3 + t) * 5
                    XCTAssertLessThan(maxDifference(activations.probabilities(example: b, head: h, query: 0),
                                                    Array(fullProbabilities[start..<start + 5])), 1e-6)
                }
            }
        }
    }
}

/// Backward of `f` (its forward already run) against finite differences of sum(out * w), w random from
/// `seed`: the query, the key-value input (cross-attention) and every parameter.
private func checkGradients(_ f: Fixture, causal: Bool, cross: Bool, seed: UInt64, check: GradientCheck, label: String) {
    let w = randomFloats(f.B * f.Tq * f.C, seed: seed)
    f.parameters.zeroGradients()
    let dquery = Tensor(shape: [f.B, f.Tq, f.C])
    let dkeyValue = cross ? Tensor(shape: [f.B, f.Tk, f.C]) : dquery
    f.attention.backward(dquery: dquery.data, dkeyValue: dkeyValue.data, dout: w, query: f.query.data, keyValue: f.keyValue.data,
                         batch: f.B, queryLength: f.Tq, keyLength: f.Tk, activations: f.activations, parameters: f.parameters)
    let loss = { () -> Double in
        f.forward(causal: causal)
        return weightedSum(f.out.data, w)
    }
    let queryOutcome = check.check(buffer: f.query.data, count: f.query.count, analytic: dquery.array, loss: loss)
    XCTAssertTrue(queryOutcome.passed, "\(label): query \(queryOutcome)")
    if cross {
        let keyValueOutcome = check.check(buffer: f.keyValue.data, count: f.keyValue.count, analytic: dkeyValue.array, loss: loss)
        XCTAssertTrue(keyValueOutcome.passed, "\(label): keyValue \(keyValueOutcome)")
    }
    let parameterOutcome = check.check(buffer: f.parameters.values.data, count: f.parameters.count,
                                       analytic: f.parameters.gradients.array, loss: loss)
    XCTAssertTrue(parameterOutcome.passed, "\(label): parameters \(parameterOutcome)")
}

/// Forward of `f` against the Float64 reference: outputs within 1e-4, probabilities within 1e-5.
private func checkForwardAgainstReference(_ f: Fixture, causal: Bool, label: String) {
    let out = f.forward(causal: causal)
    let reference = referenceAttention(f, causal: causal)
    let outError = worstError(out, reference.out, relative: 0, absolute: 1e-4)
    XCTAssertLessThanOrEqual(outError.ratio, 1, "\(label): out[\(outError.index)]")
    let probabilityError = worstError(f.activations.probabilities.array, reference.probabilities, relative: 0, absolute: 1e-5)
    XCTAssertLessThanOrEqual(probabilityError.ratio, 1, "\(label): probabilities[\(probabilityError.index)]")
}
