import Foundation
import Models
import Settings
import Tensors
import TestSupport
import XCTest

/// Checkpoints that are damaged or lie about their model: every one must end in a thrown error that
/// says what is wrong (never a trap, a hang or an allocation the file cannot back), and a config
/// passes the same bounds as an experiment file.
final class HostileCheckpointTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-hostile-checkpoints-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func tinyConfig() -> TransformerConfig {
        var config = TransformerConfig()
        config.vocabulary = 7
        config.modelSize = 8
        config.heads = 2
        config.encoderLayers = 1
        config.decoderLayers = 1
        config.feedForwardSize = 8
        config.positional = .learned
        config.maxLength = 8
        return config
    }

    /// A valid checkpoint of a tiny model, as bytes.
    private func validCheckpoint() throws -> [UInt8] {
        let url = directory.appendingPathComponent("valid.safetensors")
        try Model.build(.transformer(tinyConfig()), seed: 1).save(to: url)
        return [UInt8](try Data(contentsOf: url))
    }

    /// The checkpoint of the tiny model with its config JSON object changed by `change`.
    private func checkpoint(configChange change: (inout [String: Any]) -> Void) throws -> URL {
        let model = try Model.build(.transformer(tinyConfig()), seed: 1)
        var config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(model.config.json().utf8)) as? [String: Any])
        change(&config)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        let url = directory.appendingPathComponent("changed-\(UUID().uuidString).safetensors")
        try Checkpoint.save(model.parameters, metadata: ["format": Model.checkpointFormat, "config": text], to: url)
        return url
    }

    private func loadError(_ url: URL, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try Model.load(from: url)
            XCTFail("the checkpoint loaded", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    // MARK: - The config passes the experiment file's bounds

    func testAHugeModelSizeIsRefusedByItsBoundWithoutEnumeratingDivisors() throws {
        // 2^40 is divisible by the heads: the old message enumerated every divisor up to 2^40 anyway.
        let message = loadError(try checkpoint { $0["d_model"] = 1 << 40 })
        XCTAssertTrue(message.contains("model.d_model: expected an integer in 1...16384, got 1099511627776"), message)
    }

    func testEveryBoundedKeyIsCheckedAgainstModelBounds() throws {
        let cases: [(key: String, value: Int, range: ClosedRange<Int>)] = [
            ("d_model", 16_385, ModelBounds.width), ("vocabulary", 1, ModelBounds.vocabulary),
            ("vocabulary", 1_000_001, ModelBounds.vocabulary), ("heads", 0, ModelBounds.heads), ("heads", 1025, ModelBounds.heads),
            ("encoder_layers", 65, ModelBounds.stackLayers), ("decoder_layers", -1, ModelBounds.stackLayers),
            ("d_ff", 0, ModelBounds.feedForwardSize), ("max_length", 65_537, ModelBounds.maxLength),
            ("classes", 1, ModelBounds.classes),
        ]
        for (key, value, range) in cases {
            let message = loadError(try checkpoint { $0[key] = value })
            XCTAssertTrue(message.contains("model.\(key): expected an integer in \(range.lowerBound)...\(range.upperBound), got \(value)"),
                          "\(key) = \(value): \(message)")
        }
    }

    func testTheRNNConfigIsCheckedToo() throws {
        var config = RNNConfig()
        config.hidden = 20_000
        XCTAssertThrowsError(try Model.parameterLayout(.rnn(config))) { error in
            XCTAssertEqual("\(error)", "model.hidden: expected an integer in 1...16384, got 20000")
        }
        config.hidden = 8
        config.layers = 0
        XCTAssertThrowsError(try Model.parameterLayout(.rnn(config))) { error in
            XCTAssertEqual((error as? SettingError)?.key, "model.layers")
        }
    }

    func testHeadsThatDoNotDivideListTheDivisorsQuickly() throws {
        var config = tinyConfig()
        config.modelSize = 16_383   // 3 x 43 x 127
        config.heads = 2
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".hasSuffix("choose heads among [1, 3, 43, 127, 129, 381, 5461, 16383]"), "\(error)")
        }
    }

    func testTheDocumentedRangesAreModelBounds() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/checkpoints.md")
        let text = try String(contentsOf: docs, encoding: .utf8).replacingOccurrences(of: "\n", with: " ")
        let documented: [(String, ClosedRange<Int>)] = [
            ("`attention_size` ", ModelBounds.width), ("`classes` ", ModelBounds.vocabulary), ("`classes` ", ModelBounds.classes),
            ("`heads` ", ModelBounds.heads), ("`layers` ", ModelBounds.layers), ("`encoder_layers`/`decoder_layers` ", ModelBounds.stackLayers),
            ("`d_ff` ", ModelBounds.feedForwardSize), ("`max_length` ", ModelBounds.maxLength),
        ]
        for (key, range) in documented {
            let words = key + "\(range.lowerBound)...\(range.upperBound)"
            XCTAssertTrue(text.contains(words), "docs/checkpoints.md should say \(words)")
        }
    }

    // MARK: - A config that cannot be decoded names the key, the value and the choices

    func testAnUnknownLayoutSaysWhichKeyWhatValueAndWhatIsAllowed() throws {
        let message = loadError(try checkpoint { $0["layout"] = "sideways" })
        XCTAssertTrue(message.contains(#"model.layout: expected one of "encoder-decoder", "decoder-only", "encoder-only", got "sideways""#), message)
        XCTAssertFalse(message.contains("DecodingError"), message)
        XCTAssertFalse(message.contains("codingPath"), message)
    }

    func testAKeyNoSettingHasIsRefusedByName() throws {
        // A version-1 name, and a Transformer key in an RNN's config.
        let message = loadError(try checkpoint { $0["modelSize"] = 64 })
        XCTAssertTrue(message.contains("model.modelSize: unknown key; a stored model config takes ") && message.contains(" d_model, "), message)
        let rnn = loadError(try checkpoint { $0["arch"] = "rnn"; $0["heads"] = 2 })
        XCTAssertTrue(rnn.contains("model.") && rnn.contains(": unknown key"), rnn)
    }

    func testWronglyTypedValuesAreNamed() throws {
        let cases: [(String, Any, String)] = [
            ("d_model", "big", #"model.d_model: expected an integer in 1...16384, got "big""#),
            ("max_length", 1e300, "model.max_length: expected an integer in 1...65536, got 1e+300"),
            ("bias", 1, "model.bias: expected true or false, got 1"),
            ("arch", "cnn", #"model.arch: expected one of "transformer", "rnn", got "cnn""#),
            ("positional", 3, "model.positional: expected one of"),
        ]
        for (key, value, expected) in cases {
            let message = loadError(try checkpoint { $0[key] = value })
            XCTAssertTrue(message.contains(expected), "\(key): \(message)")
        }
    }

    // MARK: - The tensors must be the config's before anything is allocated

    func testAConfigClaimingAHugeModelIsRefusedByItsTensorsNotAllocated() throws {
        // 1,000,000 x 16,384 floats, twice (values and gradients), is 131 GB: building it would trap or
        // exhaust the machine. The tensors of the file say otherwise, and are checked first.
        let message = loadError(try checkpoint { $0["vocabulary"] = 1_000_000; $0["d_model"] = 16_384; $0["heads"] = 16 })
        XCTAssertTrue(message.contains("but the model expects [1000000, 16384]"), message)
    }

    func testTheParameterLayoutIsTheBuiltModels() throws {
        for layout in TransformerConfig.Layout.allCases {
            var config = tinyConfig()
            config.layout = layout
            let expected = try Model.build(.transformer(config), seed: 2).parameters.slices
            XCTAssertEqual(try Model.parameterLayout(.transformer(config)).slices, expected, layout.rawValue)
        }
        var rnn = RNNConfig()
        rnn.bidirectional = true
        rnn.attention = .general
        XCTAssertEqual(try Model.parameterLayout(.rnn(rnn)).slices, try Model.build(.rnn(rnn), seed: 2).parameters.slices)
    }

    func testAPipeIsRefusedInsteadOfReadForEver() throws {
        let fifo = directory.appendingPathComponent("pipe.safetensors").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try Safetensors.read(from: URL(fileURLWithPath: fifo))) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
    }

    func testAFileLargerThanMemoryCanHoldIsRefusedBeforeReading() throws {
        // A sparse file: its size is what counts, nothing is written to the disk.
        let url = directory.appendingPathComponent("huge.safetensors")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: ProcessInfo.processInfo.physicalMemory)
        try handle.close()
        XCTAssertThrowsError(try Safetensors.read(from: url)) { error in
            XCTAssertTrue("\(error)".contains("more than this machine's"), "\(error)")
        }
    }

    // MARK: - Fuzz

    /// Thousands of damaged files (truncated, bad header lengths and JSON, wrong dtypes, overflowing
    /// shapes, out-of-range or overlapping offsets, duplicate, missing and extra tensors, hostile
    /// configs, random byte flips), each read by the safetensors reader and loaded as a model: each
    /// must throw one of the documented errors with a message, or load (a flip inside the values).
    func testDamagedCheckpointsAlwaysEndInAKnownError() throws {
        var mutations = CheckpointMutations(original: try validCheckpoint(), seed: 15)
        let url = directory.appendingPathComponent("damaged.safetensors")
        var refusedByKind: [String: Int] = [:]
        for index in 0..<1_300 {
            let damaged = mutations.next(index)
            try Data(damaged.bytes).write(to: url)
            let kind = CheckpointMutations.kinds[index % CheckpointMutations.kinds.count]
            do {
                _ = try Safetensors.read(from: url)
                _ = try Model.load(from: url)
            } catch let error as SafetensorsError {
                XCTAssertTrue(error.description.hasPrefix(url.path), "\(damaged.what): \(error)")
                refusedByKind[kind, default: 0] += 1
            } catch let error as CheckpointError {
                XCTAssertTrue(error.description.contains(url.path), "\(damaged.what): \(error)")
                refusedByKind[kind, default: 0] += 1
            } catch let error as ModelLoadError {
                XCTAssertFalse(error.description.contains("DecodingError"), "\(damaged.what): \(error)")
                refusedByKind[kind, default: 0] += 1
            } catch {
                XCTFail("\(damaged.what): an undocumented error \(type(of: error)): \(error)")
            }
        }
        // Every kind of damage but the flips (which may land in the values) and a config value that
        // stays valid is refused at least once: the cases do reach the checks.
        for kind in CheckpointMutations.kinds where kind != "byte flips" {
            XCTAssertGreaterThan(refusedByKind[kind, default: 0], 0, "no \(kind) case was refused")
        }
    }
}
