import Foundation
@testable import Models
import Tensors
import XCTest

/// Whole models through checkpoints: the config travels in the metadata and outputs stay bit-identical.
final class ModelCheckpointTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testSaveAndLoadGiveBitIdenticalPredictionsForEveryLayout() throws {
        for layout in TransformerConfig.Layout.allCases {
            var config = TransformerGradientTests.tiny(layout)
            config.positional = .learned
            config.norm = .pre
            let model = try Model.build(.transformer(config), seed: 21)
            let url = directory.appendingPathComponent("\(layout.rawValue).safetensors")
            try model.save(to: url, extra: ["run": "test"])
            let (loaded, metadata) = try Model.load(from: url)
            XCTAssertEqual(metadata["format"], Model.checkpointFormat)
            XCTAssertEqual(metadata["run"], "test")
            XCTAssertEqual(loaded.config, model.config)
            XCTAssertEqual(loaded.parameters.values.array.map(\.bitPattern), model.parameters.values.array.map(\.bitPattern))
            let source: [Int32] = [3, 1, 4, 1]
            let before = model.predict(source: source, steps: 4), after = loaded.predict(source: source, steps: 4)
            XCTAssertEqual(before.tokens, after.tokens, layout.rawValue)
            XCTAssertEqual(before.logits.flatMap { $0 }.map(\.bitPattern), after.logits.flatMap { $0 }.map(\.bitPattern), layout.rawValue)
        }
    }

    func testTheRNNBaselineRoundTripsToo() throws {
        for cell in RNNConfig.Cell.allCases {
            var config = RNNConfig()
            config.cell = cell
            config.attention = .additive
            config.bidirectional = cell == .gru
            config.layers = 2
            config.vocabulary = 7
            config.embeddingSize = 4
            config.hidden = 5
            config.attentionSize = 3
            let model = try Model.build(.rnn(config), seed: 8)
            let url = directory.appendingPathComponent("rnn-\(cell.rawValue).safetensors")
            try model.save(to: url)
            let (loaded, _) = try Model.load(from: url)
            XCTAssertEqual(loaded.config, model.config)
            let before = model.predict(source: [1, 2, 3], steps: 4), after = loaded.predict(source: [1, 2, 3], steps: 4)
            XCTAssertEqual(before.tokens, after.tokens)
            XCTAssertEqual(before.logits.flatMap { $0 }.map(\.bitPattern), after.logits.flatMap { $0 }.map(\.bitPattern))
        }
    }

    func testLoadingIntoAnotherConfigNamesTheMismatch() throws {
        let config = TransformerGradientTests.tiny(.encoderDecoder)
        let url = directory.appendingPathComponent("small.safetensors")
        try Model.build(.transformer(config), seed: 1).save(to: url)
        var wider = config
        wider.feedForwardSize = 20
        let other = try Model.build(.transformer(wider), seed: 1)
        XCTAssertThrowsError(try Checkpoint.load(into: other.parameters, from: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("encoder.layers.0.feed_forward.input.weight"), message)
            XCTAssertTrue(message.contains("[12, 8]") && message.contains("[20, 8]"), message)
        }
    }

    func testACheckpointWithoutAConfigIsRefusedClearly() throws {
        let url = directory.appendingPathComponent("bare.safetensors")
        try Checkpoint.save(ParameterSet([("x", [2])]), metadata: [:], to: url)
        XCTAssertThrowsError(try Model.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("has no \"config\""), "\(error)")
        }
    }
}
