import Foundation
import Models
import Settings
import Training
import XCTest

/// Every configuration type codes its JSON through its table: the keys are the settings' keys.
final class ConfigCodingTests: XCTestCase {
    private func object(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testTheTransformerRoundTripsUnderItsSettingsKeys() throws {
        var config = TransformerConfig()
        config.layout = .decoderOnly
        config.modelSize = 48
        config.heads = 3
        config.dropout = 0.1
        config.norm = .pre
        config.tiedEmbeddings = true
        let json = ModelConfig.transformer(config).json()
        XCTAssertEqual(try ModelConfig.fromJSON(json), .transformer(config))
        let keys = Set(try object(Data(json.utf8)).keys)
        XCTAssertEqual(keys, Set(["arch"] + TransformerConfig.settings.map(\.key)).subtracting(["layers"]),
                       "every stored setting under its key; the layers shorthand is not stored")
        XCTAssertTrue(json.contains(#""dropout":0.1,"#), "a 32-bit setting is stored as written: \(json)")
        XCTAssertTrue(json.contains(#""d_model":48"#), json)
    }

    func testTheRNNRoundTripsUnderItsSettingsKeys() throws {
        // Read from the names a file writes, every other setting at its default.
        let read = try ModelConfig.fromJSON(#"{"arch":"rnn","cell":"lstm","attention":"general","bidirectional":true,"embedding":24}"#)
        guard case .rnn(let config) = read else { return XCTFail("not an RNN: \(read)") }
        XCTAssertEqual([config.cell.rawValue, config.attention.rawValue], ["lstm", "general"])
        XCTAssertEqual(config.embeddingSize, 24)
        XCTAssertEqual(config.hidden, RNNConfig().hidden)
        let json = read.json()
        XCTAssertEqual(try ModelConfig.fromJSON(json), read)
        XCTAssertEqual(Set(try object(Data(json.utf8)).keys), Set(["arch"] + RNNConfig.settings.map(\.key)))
    }

    func testTrainingSettingsUseTheFileNamesAndFalseForOff() throws {
        var settings = TrainingSettings()
        settings.learningRate = 3e-4
        settings.evalEvery = 25
        settings.clipNorm = nil
        settings.stopAtAccuracy = 0.95
        let data = try JSONEncoder().encode(settings)
        let stored = try object(data)
        XCTAssertEqual(stored["lr"] as? Double, 3e-4)
        XCTAssertEqual(stored["eval_every"] as? Int, 25)
        XCTAssertEqual(stored["stop_at_accuracy"] as? Double, 0.95)
        XCTAssertEqual((stored["clip_norm"] as? NSNumber).map { String(cString: $0.objCType) }, "c", "off is stored as false")
        XCTAssertNil(stored["checkpoint_every"], "an unset checkpoint_every is left out")
        XCTAssertNil(stored["learning_rate"], "aliases are never stored")
        XCTAssertNil(stored["learningRate"])
        XCTAssertEqual(try JSONDecoder().decode(TrainingSettings.self, from: data), settings)
        settings.checkpointEvery = 10
        XCTAssertEqual(try JSONDecoder().decode(TrainingSettings.self, from: JSONEncoder().encode(settings)), settings)
    }

    func testAnUnknownKeyInAStoredConfigIsRefusedByName() throws {
        XCTAssertThrowsError(try ModelConfig.fromJSON(#"{"arch":"transformer","d_model":32,"modelSize":32}"#)) { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.modelSize")
            XCTAssertTrue("\(error)".contains("unknown key"), "\(error)")
        }
        XCTAssertThrowsError(try ModelConfig.fromJSON(#"{"arch":"rnn","heads":2}"#), "a Transformer key in an RNN config") { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.heads")
        }
        XCTAssertThrowsError(try ModelConfig.fromJSON(#"{"layers":2}"#), "the file's shorthand is not a stored key") { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.layers")
        }
        XCTAssertThrowsError(try JSONDecoder().decode(TrainingSettings.self, from: Data(#"{"learningRate":0.01}"#.utf8))) { error in
            XCTAssertEqual((error as? SettingError)?.key, "train.learningRate", "a version-1 name")
        }
    }

    func testARunStoredByTheEarlierVersionIsRefusedSayingWhatToDo() throws {
        let v1 = #"{"model":{"arch":"transformer"},"seed":1,"task":{"kind":"reverse","trainSize":[2,8]},"training":{"learningRate":0.001},"variant":"baseline"}"#
        XCTAssertThrowsError(try JSONDecoder().decode(RunSpec.self, from: Data(v1.utf8))) { error in
            XCTAssertEqual(error as? SettingError, SettingError(key: "config", RunSpec.earlierVersion))
            XCTAssertTrue("\(error)".contains("run `ablate run` on its experiment file again"), "\(error)")
        }
        let spec = RunSpec(variant: "b", seed: 3, task: TaskSpec(kind: "copy", trainSize: 2...5), model: .rnn(RNNConfig()),
                           training: TrainingSettings())
        XCTAssertEqual(try JSONDecoder().decode(RunSpec.self, from: Data(spec.canonicalJSON().utf8)), spec)
    }

    func testAWronglyTypedValueNamesTheKeyTheValueAndWhatItTakes() throws {
        XCTAssertThrowsError(try ModelConfig.fromJSON(#"{"heads":"four"}"#)) { error in
            XCTAssertEqual("\(error)", #"model.heads: expected an integer in 1...1024, got "four""#)
        }
        XCTAssertThrowsError(try JSONDecoder().decode(TrainingSettings.self, from: Data(#"{"clip_norm":true}"#.utf8))) { error in
            XCTAssertEqual("\(error)", "train.clip_norm: expected a number > 0, or false for none, got true")
        }
        XCTAssertThrowsError(try ModelConfig.fromJSON(#"{"norm":"mid"}"#)) { error in
            XCTAssertEqual("\(error)", #"model.norm: expected one of "post", "pre", "none", got "mid""#)
        }
    }

    func testAFloatSettingIsShownAsWritten() throws {
        var config = TransformerConfig()
        config.dropout = 1.2
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual("\(error)", "model.dropout: expected a number in [0, 1), got 1.2")
        }
    }

    func testRangesAreCheckedByValidationNotByDecoding() throws {
        let config = try ModelConfig.fromJSON(#"{"heads":0}"#)
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual("\(error)", "model.heads: expected an integer in 1...1024, got 0")
        }
        var settings = TrainingSettings()
        settings.learningRate = 11
        XCTAssertThrowsError(try settings.checkRanges(prefix: "train")) { error in
            XCTAssertEqual("\(error)", "train.lr: expected a number in [0, 10], got 11")
        }
    }

    func testTheDocumentationRowsSayTypeDefaultRangeAndDoc() throws {
        let heads = try XCTUnwrap(TransformerConfig.setting(named: "heads"))
        XCTAssertEqual(TransformerConfig.documentationRow(heads), "| `heads` | integer | 4 | 1...1024: \(heads.doc) |")
        let lr = try XCTUnwrap(TrainingSettings.setting(named: "learning_rate"), "an alias finds its setting")
        XCTAssertTrue(TrainingSettings.documentationRow(lr).hasPrefix("| `lr` (or `learning_rate`) | number | 0.001 | [0, 10]: "))
        let norm = try XCTUnwrap(TransformerConfig.setting(named: "norm"))
        XCTAssertTrue(TransformerConfig.documentationRow(norm).contains(#"| string | `"post"` | `"post"` (LN(x + sublayer(x)), the paper), `"pre"`"#))
    }
}
