@testable import Models
import Tensors
import TestSupport
import Training
import XCTest

/// Properties of the Transformer that must hold whatever the weights: causality, the effect of
/// positions, greedy decoding with and without the cache, and the ability to learn.
final class TransformerPropertyTests: XCTestCase {
    private func logits(_ model: Transformer, _ batch: SequenceBatch) -> [Float] {
        let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength, maxTargetLength: batch.targetLength)
        var noDropout: RNG? = nil
        _ = model.forward(batch, workspace: workspace, rng: &noDropout)
        let rows = model.config.layout == .encoderOnly ? batch.size : batch.size * batch.targetLength
        return Array(UnsafeBufferPointer(start: workspace.logits.data, count: rows * model.outputSize))
    }

    func testCausalMaskHidesTheFutureAndItsAbsenceDoesNot() throws {
        for layout in [TransformerConfig.Layout.decoderOnly, .encoderDecoder] {
            for positional in TransformerConfig.Positional.allCases {
                var config = TransformerGradientTests.tiny(layout)
                config.positional = positional
                let batch = TransformerGradientTests.batch(for: config)
                let T = batch.targetLength, V = config.vocabulary, t = 1
                var changed = batch
                for b in 0..<batch.size {
                    for s in (t + 1)..<T { changed.decoderInput[b * T + s] = (changed.decoderInput[b * T + s] + 1) % Int32(V) }
                }
                for causal in [true, false] {
                    config.causalMask = causal
                    let model = try Transformer(config: config, seed: 2)
                    let before = logits(model, batch), after = logits(model, changed)
                    var earlierSame = true, laterSame = true
                    for b in 0..<batch.size {
                        for s in 0..<T {
                            let range = (b * T + s) * V..<(b * T + s + 1) * V
                            let same = before[range] == after[range]
                            if s <= t { earlierSame = earlierSame && same } else { laterSame = laterSame && same }
                        }
                    }
                    let label = "\(layout.rawValue) \(positional.rawValue) causal \(causal)"
                    XCTAssertFalse(laterSame, "\(label): changed inputs must change their own positions")
                    if causal {
                        XCTAssertTrue(earlierSame, "\(label): outputs up to t must not see inputs after t")
                    } else {
                        XCTAssertFalse(earlierSame, "\(label): without the mask, earlier outputs see later inputs")
                    }
                }
            }
        }
    }

    func testEncoderWithoutPositionsIsPermutationEquivariant() throws {
        for positional in TransformerConfig.Positional.allCases {
            var config = TransformerGradientTests.tiny(.encoderOnly)
            config.positional = positional
            let model = try Transformer(config: config, seed: 4)
            let T = 5, C = config.modelSize
            let source: [Int32] = [1, 2, 3, 4, 5]
            let permutation = [3, 0, 4, 1, 2]
            func encode(_ tokens: [Int32]) -> [Float] {
                let batch = SequenceBatch(size: 1, sourceLength: T, source: tokens, sourceLengths: [Int32(T)], targetLength: 0,
                                          decoderInput: [], targets: [], targetLengths: [], labels: [0])
                let workspace = model.makeWorkspace(maxBatch: 1, maxSourceLength: T, maxTargetLength: 0)
                var noDropout: RNG? = nil
                let out = model.runEncoder(batch, workspace: workspace, dropout: 0, rng: &noDropout)
                return Array(UnsafeBufferPointer(start: out, count: (T + 1) * C))
            }
            let original = encode(source)
            let permuted = encode(permutation.map { source[$0] })
            // Position 0 is the CLS token; row i + 1 of the permuted input is row permutation[i] + 1 of the original.
            var equivariant = true
            for i in 0..<T {
                for c in 0..<C where abs(permuted[(i + 1) * C + c] - original[(permutation[i] + 1) * C + c]) > 1e-5 {
                    equivariant = false
                }
            }
            for c in 0..<C where abs(permuted[c] - original[c]) > 1e-5 { equivariant = false }
            if positional == .none {
                XCTAssertTrue(equivariant, "without positions the encoder must be permutation-equivariant")
            } else {
                XCTAssertFalse(equivariant, "\(positional.rawValue) positions must break permutation equivariance")
            }
        }
    }

    func testGreedyDecodingWithTheCacheEqualsDecodingWithout() throws {
        for layout in [TransformerConfig.Layout.encoderDecoder, .decoderOnly] {
            for positional in TransformerConfig.Positional.allCases {
                for norm in [TransformerConfig.Norm.post, .pre] {
                    var config = TransformerGradientTests.tiny(layout)
                    config.positional = positional
                    config.norm = norm
                    let model = try Transformer(config: config, seed: 9)
                    let source: [Int32] = layout == .encoderDecoder ? [1, 2, 3, 4, 5, 6, 0, 0] : []
                    let Ts = layout == .encoderDecoder ? 4 : 0
                    let lengths: [Int32] = layout == .encoderDecoder ? [4, 2] : []
                    let prefix: [Int32] = layout == .encoderDecoder ? [0, 0] : [1, 2, 3, 3, 2, 1]
                    let P = prefix.count / 2
                    let cached = model.greedyDecode(source: source, sourceLength: Ts, sourceLengths: lengths, prefix: prefix,
                                                    prefixLength: P, batch: 2, steps: 6, useCache: true)
                    let uncached = model.greedyDecode(source: source, sourceLength: Ts, sourceLengths: lengths, prefix: prefix,
                                                      prefixLength: P, batch: 2, steps: 6, useCache: false)
                    let label = "\(layout.rawValue) \(positional.rawValue) \(norm.rawValue)"
                    XCTAssertEqual(cached.tokens, uncached.tokens, label)
                    XCTAssertLessThanOrEqual(worstError(cached.logits, uncached.logits, relative: 1e-4, absolute: 1e-5).ratio, 1, label)
                }
            }
        }
    }

    func testTheReusedWorkspaceGrowsAndDecodingDoesNotDependOnWhatRanBefore() throws {
        let model = try Transformer(config: TransformerGradientTests.tiny(.encoderDecoder), seed: 4)
        let small = model.reusableWorkspace(maxBatch: 2, maxSourceLength: 4, maxTargetLength: 3)
        XCTAssertTrue(model.reusableWorkspace(maxBatch: 1, maxSourceLength: 4, maxTargetLength: 2) === small, "a call it fits reuses it")
        let grown = model.reusableWorkspace(maxBatch: 3, maxSourceLength: 2, maxTargetLength: 5)
        XCTAssertFalse(grown === small)
        XCTAssertEqual([grown.maxBatch, grown.maxSourceLength, grown.maxTargetLength], [3, 4, 5], "grown to cover both calls")
        XCTAssertTrue(model.reusableWorkspace(maxBatch: 2, maxSourceLength: 4, maxTargetLength: 3) === grown)

        // decoding the same sources after other shapes ran on the shared workspace gives the same tokens and
        // logits as on a model that never ran anything else
        func decode(_ model: Transformer, batch B: Int, length: Int, useCache: Bool) -> Decoding {
            let source = (0..<(B * length)).map { Int32(1 + $0 % 5) }
            return model.greedyDecode(source: source, sourceLength: length, sourceLengths: [Int32](repeating: Int32(length), count: B),
                                      prefix: [Int32](repeating: 0, count: B), prefixLength: 1, batch: B, steps: 4, useCache: useCache)
        }
        for useCache in [false, true] {
            let fresh = decode(try Transformer(config: TransformerGradientTests.tiny(.encoderDecoder), seed: 4), batch: 2, length: 3, useCache: useCache)
            _ = decode(model, batch: 5, length: 6, useCache: useCache)
            let after = decode(model, batch: 2, length: 3, useCache: useCache)
            XCTAssertEqual(after.tokens, fresh.tokens, "cache \(useCache)")
            XCTAssertEqual(after.logits, fresh.logits, "cache \(useCache): the same bits")
        }
    }

    func testAttentionMapsCoverEveryLayerAndHeadAndSumToOne() throws {
        let config = TransformerGradientTests.tiny(.encoderDecoder)
        let model = try Transformer(config: config, seed: 1)
        let example = SequenceBatch(size: 1, sourceLength: 4, source: [1, 2, 3, 4], sourceLengths: [4], targetLength: 3,
                                    decoderInput: [0, 4, 3], targets: [4, 3, 2], targetLengths: [3])
        let maps = model.attentionMaps(example)
        XCTAssertEqual(maps.map(\.kind), ["encoder self", "decoder masked self", "decoder cross", "decoder masked self", "decoder cross"])
        for map in maps {
            XCTAssertEqual(map.weights.count, map.heads * map.queryLength * map.keyLength)
            for row in 0..<(map.heads * map.queryLength) {
                let sum = map.weights[row * map.keyLength..<(row + 1) * map.keyLength].reduce(0, +)
                XCTAssertEqual(sum, 1, accuracy: 1e-5, "\(map.kind) layer \(map.layer) row \(row)")
            }
            if map.kind == "decoder masked self" {
                for h in 0..<map.heads {
                    XCTAssertEqual(map.weights[h * 9 + 0 * 3 + 1], 0, "query 0 cannot attend to key 1")
                }
            }
        }
    }

    /// Each layout learns one small batch of a copy task completely within a fixed budget.
    func testEachLayoutOverfitsASmallCopyBatch() throws {
        for layout in TransformerConfig.Layout.allCases {
            var config = TransformerGradientTests.tiny(layout)
            config.vocabulary = 6
            config.modelSize = 16
            config.feedForwardSize = 32
            config.classes = 3
            let model = try Transformer(config: config, seed: 1)
            var rng = RNG(seed: 8, purpose: .data)
            let B = 4, T = 4
            let source = (0..<B * T).map { _ in Int32(1 + rng.int(below: 5)) }
            let batch: SequenceBatch
            switch layout {
            case .encoderDecoder:
                // Copy: the decoder sees the start token 0 and the target shifted right.
                let decoderInput = (0..<B).flatMap { b in [Int32(0)] + source[b * T..<b * T + T - 1] }
                batch = SequenceBatch(size: B, sourceLength: T, source: source, sourceLengths: [Int32](repeating: Int32(T), count: B),
                                      targetLength: T, decoderInput: decoderInput, targets: source,
                                      targetLengths: [Int32](repeating: Int32(T), count: B))
            case .decoderOnly:
                // source, separator 0, copy: loss on the copy only.
                let sequences = (0..<B).map { b in Array(source[b * T..<b * T + T]) + [0] + Array(source[b * T..<b * T + T]) }
                let input = sequences.flatMap { $0.dropLast() }
                let targets = sequences.flatMap { sequence in
                    (1..<sequence.count).map { i in i > T ? sequence[i] : SequenceBatch.ignore }
                }
                batch = SequenceBatch(size: B, sourceLength: 0, source: [], sourceLengths: [], targetLength: 2 * T,
                                      decoderInput: input, targets: targets, targetLengths: [Int32](repeating: Int32(2 * T), count: B))
            case .encoderOnly:
                // The class is the first token modulo 3.
                batch = SequenceBatch(size: B, sourceLength: T, source: source, sourceLengths: [Int32](repeating: Int32(T), count: B),
                                      targetLength: 0, decoderInput: [], targets: [], targetLengths: [],
                                      labels: (0..<B).map { source[$0 * T] % 3 })
            }
            let workspace = model.makeWorkspace(maxBatch: B, maxSourceLength: T, maxTargetLength: 2 * T)
            let adam = Adam(parameterCount: model.parameterCount)
            var last = LossResult(loss: 0, correct: 0, counted: 1)
            var steps = 0
            for step in 0..<300 {
                steps = step
                var noDropout: RNG? = nil
                model.parameters.zeroGradients()
                last = model.forward(batch, workspace: workspace, rng: &noDropout)
                if last.correct == last.counted && last.loss < 0.05 { break }
                model.backward(workspace: workspace)
                adam.step(parameters: model.parameters, learningRate: 0.01)
            }
            XCTAssertEqual(last.correct, last.counted, "\(layout.rawValue): accuracy \(last.accuracy), loss \(last.loss)")
            XCTAssertGreaterThan(last.counted, 0)
            print("\(layout.rawValue): learned in \(steps) steps, loss \(last.loss)")
            if layout == .encoderDecoder {
                let decoded = model.greedyDecode(source: source, sourceLength: T, sourceLengths: [Int32](repeating: Int32(T), count: B),
                                                 prefix: [Int32](repeating: 0, count: B), prefixLength: 1, batch: B, steps: T)
                XCTAssertEqual(decoded.tokens, source, "greedy decoding reproduces the copies")
            }
        }
    }
}
