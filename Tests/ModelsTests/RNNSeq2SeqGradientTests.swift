@testable import Models
import Settings
import Tensors
import TestSupport
import XCTest

/// Whole-model finite-difference checks of the RNN baseline: every cell with every attention, and
/// bidirectional encoders, stacked layers, dropout and label smoothing, on padded batches.
final class RNNSeq2SeqGradientTests: XCTestCase {
    /// A tiny config: vocabulary 7, embedding 5, hidden 6, attention 4.
    static func tiny(_ cell: RNNConfig.Cell, _ attention: RNNConfig.Attention) -> RNNConfig {
        var config = RNNConfig()
        config.cell = cell
        config.attention = attention
        config.vocabulary = 7
        config.embeddingSize = 5
        config.hidden = 6
        config.attentionSize = 4
        return config
    }

    /// B 2, Ts 4, Tt 3, with padding: example 1 has 2 source tokens (the last two are padding) and 2
    /// target positions (the last target is ignored).
    static func batch(vocabulary V: Int, seed: UInt64 = 5) -> SequenceBatch {
        var rng = RNG(seed: seed, purpose: .data)
        let B = 2, Ts = 4, Tt = 3
        func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.int(below: V)) } }
        var targets = tokens(B * Tt)
        targets[Tt + 2] = SequenceBatch.ignore
        return SequenceBatch(size: B, sourceLength: Ts, source: tokens(B * Ts), sourceLengths: [4, 2],
                             targetLength: Tt, decoderInput: tokens(B * Tt), targets: targets, targetLengths: [3, 2])
    }

    /// Checks every parameter slice of an RNN built from `config` (see `ModelGradientCheck`).
    func assertGradientsMatch(_ config: RNNConfig, labelSmoothing: Float = 0, _ label: String,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let model = Model.rnn(try RNNSeq2Seq(config: config, seed: 11))
        ModelGradientCheck.assertMatches(model, batch: Self.batch(vocabulary: config.vocabulary), labelSmoothing: labelSmoothing,
                                         directional: true, label, file: file, line: line)
    }

    func testEveryCellWithEveryAttention() throws {
        for cell in RNNConfig.Cell.allCases {
            for attention in RNNConfig.Attention.allCases {
                try assertGradientsMatch(Self.tiny(cell, attention), "\(cell.rawValue) \(attention.rawValue)")
            }
        }
    }

    func testBidirectionalEncoders() throws {
        for cell in RNNConfig.Cell.allCases {
            for attention in [RNNConfig.Attention.general, .additive, .none] {
                var config = Self.tiny(cell, attention)
                config.bidirectional = true
                try assertGradientsMatch(config, "\(cell.rawValue) \(attention.rawValue) bidirectional")
            }
        }
    }

    func testStackedLayers() throws {
        for cell in RNNConfig.Cell.allCases {
            for attention in [RNNConfig.Attention.additive, .dot, .none] {
                var config = Self.tiny(cell, attention)
                config.layers = 2
                try assertGradientsMatch(config, "\(cell.rawValue) \(attention.rawValue) 2 layers")
            }
            var config = Self.tiny(cell, .general)
            config.layers = 2
            config.bidirectional = true
            try assertGradientsMatch(config, "\(cell.rawValue) general 2 layers bidirectional")
        }
    }

    func testDropoutWithFixedMasks() throws {
        for cell in RNNConfig.Cell.allCases {
            var config = Self.tiny(cell, .additive)
            config.layers = 2
            config.dropout = 0.2
            try assertGradientsMatch(config, "\(cell.rawValue) additive 2 layers dropout")
            config.bidirectional = true
            config.attention = .general
            try assertGradientsMatch(config, "\(cell.rawValue) general 2 layers bidirectional dropout")
        }
    }

    func testLabelSmoothing() throws {
        for cell in RNNConfig.Cell.allCases {
            try assertGradientsMatch(Self.tiny(cell, .additive), labelSmoothing: 0.1, "\(cell.rawValue) label smoothing")
        }
    }

    func testW3HasTheBenchmarkParameterCount() throws {
        var config = RNNConfig()
        config.cell = .gru
        config.attention = .additive
        config.vocabulary = 20
        config.embeddingSize = 64
        config.hidden = 128
        config.attentionSize = 128
        config.layers = 1
        config.bidirectional = false
        XCTAssertEqual(try RNNSeq2Seq(config: config, seed: 1).parameterCount, 238_740)
    }

    func testParameterNamesAreTheCheckpointKeys() throws {
        var config = Self.tiny(.lstm, .additive)
        config.bidirectional = true
        config.layers = 2
        let names = try RNNSeq2Seq(config: config, seed: 1).parameters.names
        let cell = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        var expected = ["encoder.embedding.weight"]
        for l in 0..<2 { for direction in ["forward", "backward"] { expected += cell.map { "encoder.layers.\(l).\(direction).\($0)" } } }
        expected += ["decoder.embedding.weight", "decoder.bridge.0.weight", "decoder.bridge.0.bias",
                     "decoder.bridge.1.weight", "decoder.bridge.1.bias",
                     "decoder.attention.W", "decoder.attention.U", "decoder.attention.v"]
        for l in 0..<2 { expected += cell.map { "decoder.layers.\(l).\($0)" } }
        expected += ["output.weight", "output.bias"]
        XCTAssertEqual(names, expected)

        let plain = try RNNSeq2Seq(config: Self.tiny(.gru, .none), seed: 1).parameters.names
        XCTAssertEqual(plain, ["encoder.embedding.weight"] + cell.map { "encoder.layers.0.\($0)" } + ["decoder.embedding.weight"]
                       + cell.map { "decoder.layers.0.\($0)" } + ["output.weight", "output.bias"])
    }

    func testDotAttentionWithABidirectionalEncoderIsRejected() {
        var config = Self.tiny(.gru, .dot)
        config.bidirectional = true
        XCTAssertThrowsError(try RNNSeq2Seq(config: config, seed: 1)) { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.attention")
        }
    }
}
