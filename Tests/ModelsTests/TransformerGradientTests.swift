@testable import Models
import Settings
import Tensors
import TestSupport
import XCTest

/// Whole-model finite-difference checks: every layout, and every value of every switch.
final class TransformerGradientTests: XCTestCase {
    /// A tiny config of the given layout.
    static func tiny(_ layout: TransformerConfig.Layout) -> TransformerConfig {
        var config = TransformerConfig()
        config.layout = layout
        config.vocabulary = 7
        config.classes = 3
        config.modelSize = 8
        config.heads = 2
        config.encoderLayers = 1
        config.decoderLayers = 2
        config.feedForwardSize = 12
        config.maxLength = 16
        // GELU (exact) is smooth, so the directional check below can difference whole slices; ReLU is covered by its own variant.
        config.activation = .gelu
        return config
    }

    /// A batch with padding: example 1 is shorter on both sides.
    static func batch(for config: TransformerConfig, seed: UInt64 = 5) -> SequenceBatch {
        var rng = RNG(seed: seed, purpose: .data)
        let B = 2, V = config.vocabulary
        func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.int(below: V)) } }
        switch config.layout {
        case .encoderDecoder:
            let Ts = 4, Tt = 3
            var targets = tokens(B * Tt)
            targets[Tt + 2] = SequenceBatch.ignore
            return SequenceBatch(size: B, sourceLength: Ts, source: tokens(B * Ts), sourceLengths: [4, 3],
                                 targetLength: Tt, decoderInput: tokens(B * Tt), targets: targets, targetLengths: [3, 2])
        case .decoderOnly:
            let T = 5
            var targets = tokens(B * T)
            targets[0] = SequenceBatch.ignore
            targets[T + 4] = SequenceBatch.ignore
            return SequenceBatch(size: B, sourceLength: 0, source: [], sourceLengths: [],
                                 targetLength: T, decoderInput: tokens(B * T), targets: targets, targetLengths: [5, 4])
        case .encoderOnly:
            let Ts = 4
            return SequenceBatch(size: B, sourceLength: Ts, source: tokens(B * Ts), sourceLengths: [4, 2],
                                 targetLength: 0, decoderInput: [], targets: [], targetLengths: [],
                                 labels: [Int32(rng.int(below: config.classes)), Int32(rng.int(below: config.classes))])
        }
    }

    /// Checks every parameter slice of a Transformer built from `config` (see `ModelGradientCheck`).
    func assertGradientsMatch(_ config: TransformerConfig, labelSmoothing: Float = 0, _ label: String,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let model = Model.transformer(try Transformer(config: config, seed: 11))
        // ReLU's kinks make a difference over a whole slice unreliable: that variant keeps the coordinate
        // checks. A key bias adds the same q.b to every score of a row, which the softmax ignores: its
        // gradient is 0.
        ModelGradientCheck.assertMatches(model, batch: Self.batch(for: config), labelSmoothing: labelSmoothing,
                                         directional: !(config.activation == .relu && config.feedForward),
                                         mayBeZero: { $0.hasSuffix("key.bias") }, label, file: file, line: line)
    }

    func testEveryLayoutAndEverySwitchValue() throws {
        for layout in TransformerConfig.Layout.allCases {
            let base = Self.tiny(layout)
            try assertGradientsMatch(base, "\(layout.rawValue) baseline")
            for positional in TransformerConfig.Positional.allCases where positional != base.positional {
                var config = base
                config.positional = positional
                try assertGradientsMatch(config, "\(layout.rawValue) positional \(positional.rawValue)")
            }
            for norm in TransformerConfig.Norm.allCases where norm != base.norm {
                var config = base
                config.norm = norm
                try assertGradientsMatch(config, "\(layout.rawValue) norm \(norm.rawValue)")
            }
            var config = base
            config.attentionScale = .none
            try assertGradientsMatch(config, "\(layout.rawValue) attention_scale none")
            config = base
            config.residual = false
            try assertGradientsMatch(config, "\(layout.rawValue) residual off")
            config = base
            config.activation = .relu
            try assertGradientsMatch(config, "\(layout.rawValue) relu")
            config = base
            config.activation = .geluTanh
            try assertGradientsMatch(config, "\(layout.rawValue) gelu_tanh")
            config = base
            config.feedForward = false
            try assertGradientsMatch(config, "\(layout.rawValue) feed_forward off")
            config = base
            config.bias = false
            try assertGradientsMatch(config, "\(layout.rawValue) bias off")
            config = base
            config.scaleEmbeddings = false
            try assertGradientsMatch(config, "\(layout.rawValue) scale_embeddings off")
            config = base
            config.heads = 1
            try assertGradientsMatch(config, "\(layout.rawValue) one head")
            config = base
            config.dropout = 0.2
            try assertGradientsMatch(config, "\(layout.rawValue) dropout")
            try assertGradientsMatch(base, labelSmoothing: 0.1, "\(layout.rawValue) label smoothing")
            if layout != .encoderOnly {
                config = base
                config.causalMask = false
                try assertGradientsMatch(config, "\(layout.rawValue) causal mask off")
                config = base
                config.tiedEmbeddings = true
                try assertGradientsMatch(config, "\(layout.rawValue) tied embeddings")
            }
        }
    }

    func testParameterCountsOfTheReferenceWorkloads() throws {
        var encdec = TransformerConfig()
        encdec.vocabulary = 20
        encdec.modelSize = 128
        encdec.heads = 4
        encdec.feedForwardSize = 512
        encdec.encoderLayers = 2
        encdec.decoderLayers = 2
        XCTAssertEqual(try Transformer(config: encdec, seed: 1).parameterCount, 933_396)

        var decoder = encdec
        decoder.layout = .decoderOnly
        decoder.decoderLayers = 4
        decoder.positional = .learned
        decoder.maxLength = 128
        decoder.norm = .pre
        XCTAssertEqual(try Transformer(config: decoder, seed: 1).parameterCount, 814_868)
    }

    func testInvalidConfigsAreRejectedWithTheKey() {
        var config = Self.tiny(.encoderDecoder)
        config.heads = 3
        XCTAssertThrowsError(try Transformer(config: config, seed: 1)) { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.heads")
            XCTAssertTrue("\(error)".contains("do not divide d_model = 8"), "\(error)")
        }
        config = Self.tiny(.encoderDecoder)
        config.positional = .rope
        config.modelSize = 6
        config.heads = 2
        XCTAssertThrowsError(try Transformer(config: config, seed: 1)) { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.positional")
        }
    }
}
