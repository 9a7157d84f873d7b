@testable import Models
import Tensors
import TestSupport
import Training
import XCTest

/// Properties of the RNN baseline that must hold whatever the weights: padding is invisible, greedy
/// decoding agrees with teacher forcing, attention weights are distributions over the real source,
/// and each variant can learn a small copy batch.
final class RNNSeq2SeqPropertyTests: XCTestCase {
    /// The configs the properties are checked on: every cell and attention, plus bidirectional and stacked.
    static var variants: [(String, RNNConfig)] {
        var variants: [(String, RNNConfig)] = []
        for cell in RNNConfig.Cell.allCases {
            for attention in RNNConfig.Attention.allCases {
                variants.append(("\(cell.rawValue) \(attention.rawValue)", RNNSeq2SeqGradientTests.tiny(cell, attention)))
            }
            var config = RNNSeq2SeqGradientTests.tiny(cell, .additive)
            config.bidirectional = true
            config.layers = 2
            variants.append(("\(cell.rawValue) additive bidirectional 2 layers", config))
            config.attention = .none
            variants.append(("\(cell.rawValue) none bidirectional 2 layers", config))
        }
        return variants
    }

    private func logits(_ model: RNNSeq2Seq, _ batch: SequenceBatch) -> [Float] {
        let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength, maxTargetLength: batch.targetLength)
        var noDropout: RNG? = nil
        _ = model.forward(batch, workspace: workspace, rng: &noDropout)
        return Array(UnsafeBufferPointer(start: workspace.logits.data, count: batch.size * batch.targetLength * model.config.vocabulary))
    }

    func testSourcePaddingChangesNothing() throws {
        for (label, config) in Self.variants {
            let model = try RNNSeq2Seq(config: config, seed: 2)
            let batch = RNNSeq2SeqGradientTests.batch(vocabulary: config.vocabulary)  // example 1 has 2 of 4 source tokens
            let Ts = batch.sourceLength, V = config.vocabulary
            var padded = batch, real = batch
            for t in 2..<Ts { padded.source[Ts + t] = (padded.source[Ts + t] + 1) % Int32(V) }
            real.source[Ts + 1] = (real.source[Ts + 1] + 1) % Int32(V)
            let before = logits(model, batch)
            XCTAssertLessThanOrEqual(worstError(logits(model, padded), before, relative: 0, absolute: 1e-6).ratio, 1,
                                     "\(label): tokens past the source length must not matter")
            let changed = logits(model, real)
            let rows = batch.targetLength * V
            XCTAssertLessThanOrEqual(worstError(Array(changed[0..<rows]), Array(before[0..<rows]), relative: 0, absolute: 1e-6).ratio, 1,
                                     "\(label): example 0 must not see example 1")
            XCTAssertNotEqual(Array(changed[rows...]), Array(before[rows...]), "\(label): a real source token must matter")
        }
    }

    func testGreedyDecodingMatchesTeacherForcingOnItsOwnTokens() throws {
        for (label, config) in Self.variants {
            let model = try RNNSeq2Seq(config: config, seed: 9)
            let B = 2, Ts = 4, steps = 5, V = config.vocabulary, start: Int32 = 0
            let source: [Int32] = [1, 2, 3, 4, 5, 6, 0, 0]
            let decoded = model.greedyDecode(source: source, sourceLength: Ts, sourceLengths: [4, 2], startToken: start,
                                             batch: B, steps: steps)
            XCTAssertEqual(decoded.tokens.count, B * steps, label)
            XCTAssertEqual(decoded.logits.count, B * steps * V, label)
            // Teacher forcing on [start] + decoded tokens must give the logits each token was chosen from.
            let decoderInput = (0..<B).flatMap { b in [start] + decoded.tokens[b * steps..<b * steps + steps - 1] }
            let batch = SequenceBatch(size: B, sourceLength: Ts, source: source, sourceLengths: [4, 2], targetLength: steps,
                                      decoderInput: decoderInput, targets: decoded.tokens,
                                      targetLengths: [Int32](repeating: Int32(steps), count: B))
            let forced = logits(model, batch)
            XCTAssertLessThanOrEqual(worstError(decoded.logits, forced, relative: 0, absolute: 1e-5).ratio, 1, label)
            for i in 0..<B * steps {
                let row = decoded.logits[i * V..<(i + 1) * V]
                XCTAssertEqual(Int(decoded.tokens[i]), row.firstIndex(of: row.max()!)! - i * V, "\(label): tokens are the argmax")
            }
        }
    }

    func testAttentionMapsAreDistributionsOverTheRealSource() throws {
        for (label, config) in Self.variants {
            let model = try RNNSeq2Seq(config: config, seed: 1)
            let example = SequenceBatch(size: 1, sourceLength: 5, source: [1, 2, 3, 4, 5], sourceLengths: [3], targetLength: 4,
                                        decoderInput: [0, 4, 3, 2], targets: [4, 3, 2, 1], targetLengths: [4])
            let maps = model.attentionMaps(example)
            guard config.attention != .none else {
                XCTAssertTrue(maps.isEmpty, "\(label): no attention, no map")
                continue
            }
            XCTAssertEqual(maps.count, 1, label)
            guard let map = maps.first else { continue }
            XCTAssertEqual(map.kind, "alignment")
            XCTAssertEqual([map.layer, map.heads, map.queryLength, map.keyLength], [0, 1, 4, 5], label)
            XCTAssertEqual(map.weights.count, 4 * 5, label)
            for t in 0..<4 {
                let row = map.weights[t * 5..<(t + 1) * 5]
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5, "\(label): row \(t) sums to 1")
                XCTAssertEqual(Array(row.suffix(2)), [0, 0], "\(label): row \(t) gives padding no weight")
                XCTAssertTrue(row.prefix(3).allSatisfy { $0 > 0 }, "\(label): row \(t) weights the real source")
            }
        }
    }

    func testDropoutIsSeededAndOffInEvaluation() throws {
        var config = RNNSeq2SeqGradientTests.tiny(.lstm, .additive)
        config.layers = 2
        config.dropout = 0.3
        let model = try RNNSeq2Seq(config: config, seed: 4)
        let batch = RNNSeq2SeqGradientTests.batch(vocabulary: config.vocabulary)
        let workspace = model.makeWorkspace(maxBatch: 2, maxSourceLength: 4, maxTargetLength: 3)
        func loss(_ seed: UInt64?) -> Float {
            var rng: RNG? = seed.map { RNG(seed: $0, purpose: .dropout) }
            return model.forward(batch, workspace: workspace, rng: &rng).loss
        }
        XCTAssertEqual(loss(1), loss(1), "the same dropout stream gives bit-identical losses")
        XCTAssertNotEqual(loss(1), loss(2), "another dropout stream draws other masks")
        XCTAssertEqual(loss(nil), loss(nil))
        XCTAssertNotEqual(loss(nil), loss(1), "evaluation runs without dropout")
        config.dropout = 0
        let plain = try RNNSeq2Seq(config: config, seed: 4)
        var rng: RNG? = RNG(seed: 1, purpose: .dropout)
        XCTAssertEqual(plain.forward(batch, workspace: plain.makeWorkspace(maxBatch: 2, maxSourceLength: 4, maxTargetLength: 3), rng: &rng).loss,
                       loss(nil), "dropout 0 in training is evaluation")
    }

    /// Each variant learns one small batch of a copy task completely within 300 Adam steps, and greedy
    /// decoding then reproduces the copies.
    func testEachVariantOverfitsASmallCopyBatch() throws {
        let variants: [(RNNConfig.Cell, RNNConfig.Attention)] = [(.gru, .additive), (.lstm, .dot), (.gru, .none), (.lstm, .general)]
        for (cell, attention) in variants {
            var config = RNNSeq2SeqGradientTests.tiny(cell, attention)
            config.vocabulary = 6
            config.embeddingSize = 16
            config.hidden = 32
            config.attentionSize = 16
            let label = "\(cell.rawValue) \(attention.rawValue)"
            let model = try RNNSeq2Seq(config: config, seed: 1)
            var rng = RNG(seed: 8, purpose: .data)
            let B = 4, T = 4
            let lengths = [Int32](repeating: Int32(T), count: B)
            let source = (0..<B * T).map { _ in Int32(1 + rng.int(below: 5)) }
            // Copy: the decoder sees the start token 0 and the target shifted right.
            let decoderInput = (0..<B).flatMap { b in [Int32(0)] + source[b * T..<b * T + T - 1] }
            let batch = SequenceBatch(size: B, sourceLength: T, source: source, sourceLengths: lengths, targetLength: T,
                                      decoderInput: decoderInput, targets: source, targetLengths: lengths)
            let workspace = model.makeWorkspace(maxBatch: B, maxSourceLength: T, maxTargetLength: T)
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
            XCTAssertEqual(last.correct, last.counted, "\(label): accuracy \(last.accuracy), loss \(last.loss)")
            print("rnn \(label): learned in \(steps) steps, loss \(last.loss)")
            let decoded = model.greedyDecode(source: source, sourceLength: T, sourceLengths: lengths, startToken: 0, batch: B, steps: T)
            XCTAssertEqual(decoded.tokens, source, "\(label): greedy decoding reproduces the copies")
        }
    }
}
