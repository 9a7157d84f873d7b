import Foundation
import Models
import Tensors
import XCTest

/// End-to-end: `ablate predict` on checkpoints written by the library.
final class PredictCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private struct Output: Decodable {
        var model: String
        var input: [Int32]
        var output: [Int32]
        var logits: [[Float]]
    }

    private func checkpoint(_ layout: TransformerConfig.Layout) throws -> (Model, String) {
        var config = TransformerConfig()
        config.layout = layout
        config.vocabulary = 9
        config.modelSize = 16
        config.heads = 2
        config.encoderLayers = 1
        config.decoderLayers = 1
        config.feedForwardSize = 24
        let model = try Model.build(.transformer(config), seed: 3)
        let path = directory.appendingPathComponent("\(layout.rawValue).safetensors").path
        try model.save(to: URL(fileURLWithPath: path))
        return (model, path)
    }

    func testPredictionsAndLogitsMatchTheLibrary() throws {
        for layout in TransformerConfig.Layout.allCases {
            let (model, path) = try checkpoint(layout)
            let expected = model.predict(source: [3, 1, 4, 1, 5], steps: 5)

            let text = try AblateBinary.run(["predict", path, "--input", "3 1 4 1 5"])
            XCTAssertEqual(text.status, 0, text.standardError)
            XCTAssertEqual(text.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines),
                           expected.tokens.map(String.init).joined(separator: " "), layout.rawValue)

            let json = try AblateBinary.run(["predict", path, "--input", "3,1,4,1,5", "--json"])
            XCTAssertEqual(json.status, 0, json.standardError)
            let output = try JSONDecoder().decode(Output.self, from: Data(json.standardOutput.utf8))
            XCTAssertEqual(output.input, [3, 1, 4, 1, 5])
            XCTAssertEqual(output.output, expected.tokens)
            XCTAssertEqual(output.logits, expected.logits, "logits survive JSON exactly")
            XCTAssertEqual(output.model, "transformer \(layout.rawValue)")
            XCTAssertEqual(output.logits.count, layout == .encoderOnly ? 1 : 5)
        }
    }

    /// A checkpoint whose weights are NaN (as a diverged run may leave) still predicts with --json:
    /// JSON has no NaN, so the logits are the string "NaN" rather than a failed encoding.
    func testNonFiniteLogitsAreWrittenAsStrings() throws {
        let (model, _) = try checkpoint(.decoderOnly)
        let output = model.parameters.slices.first { $0.name == "output.bias" }
        let bias = try XCTUnwrap(output)
        model.parameters.values.data[bias.offset] = .nan
        let path = directory.appendingPathComponent("nan.safetensors").path
        try model.save(to: URL(fileURLWithPath: path))
        let json = try AblateBinary.run(["predict", path, "--input", "3 1", "--json"])
        XCTAssertEqual(json.status, 0, json.standardError)
        XCTAssertTrue(json.standardOutput.contains("\"NaN\""), json.standardOutput)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let decoded = try decoder.decode(Output.self, from: Data(json.standardOutput.utf8))
        XCTAssertTrue(decoded.logits[0][0].isNaN)
        XCTAssertEqual(decoded.logits.count, 2)
    }

    func testTheRNNBaselinePredictsThroughTheCommandToo() throws {
        var config = RNNConfig()
        config.cell = .lstm
        config.attention = .general
        config.bidirectional = true
        config.vocabulary = 9
        config.embeddingSize = 6
        config.hidden = 8
        let model = try Model.build(.rnn(config), seed: 4)
        let path = directory.appendingPathComponent("rnn.safetensors").path
        try model.save(to: URL(fileURLWithPath: path))
        let expected = model.predict(source: [2, 7, 1, 8], steps: 6)
        let json = try AblateBinary.run(["predict", path, "--input", "2 7 1 8", "--steps", "6", "--json"])
        XCTAssertEqual(json.status, 0, json.standardError)
        let output = try JSONDecoder().decode(Output.self, from: Data(json.standardOutput.utf8))
        XCTAssertEqual(output.model, "rnn lstm general")
        XCTAssertEqual(output.output, expected.tokens)
        XCTAssertEqual(output.logits, expected.logits)
        XCTAssertEqual(output.output.count, 6)
    }

    func testBadCheckpointsAndInputsGiveClearErrors() throws {
        let missing = directory.appendingPathComponent("missing.safetensors").path
        var result = try AblateBinary.run(["predict", missing, "--input", "1 2"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains(missing), result.standardError)

        let garbage = directory.appendingPathComponent("garbage.safetensors")
        try Data("this is not a checkpoint at all".utf8).write(to: garbage)
        result = try AblateBinary.run(["predict", garbage.path, "--input", "1 2"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.hasPrefix("error: "), result.standardError)
        XCTAssertTrue(result.standardError.contains(garbage.path), result.standardError)

        let (_, path) = try checkpoint(.encoderDecoder)
        result = try AblateBinary.run(["predict", path, "--input", "1 99"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("outside this model's vocabulary 0..<9"), result.standardError)
        result = try AblateBinary.run(["predict", path, "--input", "1 x"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("\"x\" is not a token id"), result.standardError)
    }
}
