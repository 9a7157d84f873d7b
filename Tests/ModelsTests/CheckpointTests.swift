import Foundation
import Models
import Tensors
import TestSupport
import XCTest

/// Checkpoints in the safetensors format: round trips, the exact bytes, every rule a reader checks,
/// and interoperability with the reference Python library (safetensors.numpy).
final class CheckpointTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - Round trips

    /// Every shape ablate may save, including a scalar and empty tensors.
    private static let edgeShapes: [(name: String, shape: [Int])] = [
        ("encoder.0.attention.query.weight", [4, 3]),
        ("scalar", []),
        ("empty", [0, 3]),
        ("decoder.norm.bias", [5]),
        ("three.dimensions", [2, 3, 4]),
        ("empty.trailing", [3, 0]),
        ("one", [1]),
    ]

    /// Metadata a JSON writer must escape: quotes, backslashes, newlines, control characters, non-ASCII.
    private static let awkwardMetadata: [String: String] = [
        "format": "ablate-checkpoint-1",
        "config": "{\"d_model\": 64, \"name\": \"naïve \\\"run\\\"\"}\nline two\ttabbed\r\n",
        "unicode ключ ✓": "値 🚀 é",
        "control": "\u{0}\u{1}\u{1f}\u{7f}",
        "empty": "",
    ]

    /// A parameter set with the edge shapes and seeded values, plus values that must survive bit for
    /// bit: -0, infinities, a NaN with a payload, a subnormal.
    private func filledParameters(seed: UInt64) -> ParameterSet {
        let parameters = ParameterSet(Self.edgeShapes)
        for (index, slice) in parameters.slices.enumerated() {
            parameters.setValues(of: slice.name, to: randomFloats(slice.count, seed: seed + UInt64(index)))
        }
        let special: [Float] = [-0.0, .infinity, -.infinity, Float(bitPattern: 0x7FC0_1234), .leastNonzeroMagnitude,
                                .greatestFiniteMagnitude, 1, -1, 0.1, 3, 7, 11]
        parameters.setValues(of: "encoder.0.attention.query.weight", to: special)
        return parameters
    }

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    func testRoundTripIsBitIdenticalWithMetadata() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        let saved = filledParameters(seed: 11)
        try Checkpoint.save(saved, metadata: Self.awkwardMetadata, to: url)

        let loaded = ParameterSet(Self.edgeShapes)
        let metadata = try Checkpoint.load(into: loaded, from: url)
        XCTAssertEqual(metadata, Self.awkwardMetadata)
        XCTAssertEqual(try Checkpoint.metadata(at: url), Self.awkwardMetadata)
        for slice in saved.slices {
            XCTAssertEqual(bits(loaded.values(of: slice.name)), bits(saved.values(of: slice.name)), slice.name)
        }
        // The gradients are not part of a checkpoint and stay untouched.
        XCTAssertTrue(loaded.gradients.array.allSatisfy { $0 == 0 })

        // The file lists the tensors in the set's order.
        let file = try Safetensors.read(from: url)
        XCTAssertEqual(file.tensors.map(\.name), saved.names)
        XCTAssertEqual(file.tensors.map(\.shape), saved.slices.map(\.shape))
    }

    func testLoadingIgnoresTheOrderOfTheFile() throws {
        let url = directory.appendingPathComponent("reversed.safetensors")
        let saved = filledParameters(seed: 5)
        let reversed = ParameterSet(Self.edgeShapes.reversed())
        for slice in saved.slices { reversed.setValues(of: slice.name, to: saved.values(of: slice.name)) }
        try Checkpoint.save(reversed, metadata: [:], to: url)

        let loaded = ParameterSet(Self.edgeShapes)
        XCTAssertEqual(try Checkpoint.load(into: loaded, from: url), [:])
        XCTAssertEqual(bits(loaded.values.array), bits(saved.values.array))
    }

    func testSavingTheSameParametersTwiceGivesTheSameBytes() throws {
        let first = directory.appendingPathComponent("first.safetensors")
        let second = directory.appendingPathComponent("second.safetensors")
        try Checkpoint.save(filledParameters(seed: 3), metadata: Self.awkwardMetadata, to: first)
        try Checkpoint.save(filledParameters(seed: 3), metadata: Self.awkwardMetadata, to: second)
        XCTAssertEqual(try Data(contentsOf: first), try Data(contentsOf: second))
    }

    func testSavingReplacesAFileAtomicallyAndLeavesNoTemporaryFile() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(filledParameters(seed: 1), metadata: ["step": "1"], to: url)
        try Checkpoint.save(filledParameters(seed: 2), metadata: ["step": "2"], to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
        let loaded = ParameterSet(Self.edgeShapes)
        XCTAssertEqual(try Checkpoint.load(into: loaded, from: url), ["step": "2"])
        XCTAssertEqual(bits(loaded.values.array), bits(filledParameters(seed: 2).values.array))
    }

    func testSavingIntoAMissingFolderNamesTheFile() throws {
        let url = directory.appendingPathComponent("no-such-folder/model.safetensors")
        XCTAssertThrowsError(try Checkpoint.save(filledParameters(seed: 1), metadata: [:], to: url)) { error in
            guard case SafetensorsError.writeFailed(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
    }

    func testAnEmptyParameterSetRoundTrips() throws {
        let url = directory.appendingPathComponent("empty.safetensors")
        try Checkpoint.save(ParameterSet([]), metadata: [:], to: url)
        // The smallest file: the length 8, then "{}" padded with six spaces.
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        XCTAssertEqual(try Checkpoint.load(into: ParameterSet([]), from: url), [:])
    }

    // MARK: - The bytes

    /// The bytes of a file: the length, the header padded with spaces, then little-endian Float32s.
    private func fileBytes(header: String, padTo multiple: Int = 8, values: [Float]) -> [UInt8] {
        var headerBytes = Array(header.utf8)
        while headerBytes.count % multiple != 0 { headerBytes.append(UInt8(ascii: " ")) }
        let length = UInt64(headerBytes.count)
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        let data = values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32($0))) } }
        return lengthBytes + headerBytes + data
    }

    func testTheBytesOfATinyFile() throws {
        let url = directory.appendingPathComponent("tiny.safetensors")
        let parameters = ParameterSet([("w", [2]), ("s", [])])
        parameters.setValues(of: "w", to: [1.0, -2.5])
        parameters.setValues(of: "s", to: [0.5])
        try Checkpoint.save(parameters, metadata: ["k": "v"], to: url)
        let bytes = [UInt8](try Data(contentsOf: url))

        // Computed by hand: a 132-byte JSON header padded with 4 spaces to 136 = 0x88, and
        // 1.0 = 0x3F800000, -2.5 = 0xC0200000, 0.5 = 0x3F000000, least significant byte first.
        XCTAssertEqual(bytes.count, 8 + 136 + 12)
        XCTAssertEqual(Array(bytes[0..<8]), [0x88, 0, 0, 0, 0, 0, 0, 0])
        let header = String(decoding: bytes[8..<144], as: UTF8.self)
        XCTAssertEqual(header, #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""s":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}    "#)
        XCTAssertEqual(Array(bytes[144...]), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0, 0x00, 0x00, 0x00, 0x3F])

        // The header is JSON that any parser reads the same way.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[8..<144])) as? [String: Any])
        XCTAssertEqual(json["__metadata__"] as? [String: String], ["k": "v"])
        let w = try XCTUnwrap(json["w"] as? [String: Any])
        XCTAssertEqual(w["dtype"] as? String, "F32")
        XCTAssertEqual(w["shape"] as? [Int], [2])
        XCTAssertEqual(w["data_offsets"] as? [Int], [0, 8])
        let s = try XCTUnwrap(json["s"] as? [String: Any])
        XCTAssertEqual(s["shape"] as? [Int], [])
        XCTAssertEqual(s["data_offsets"] as? [Int], [8, 12])
    }

    /// The two F32 examples of the reference implementation's own serialisation tests, rebuilt by
    /// hand: a 64-byte header that needs no padding, and a 65-byte one padded with 7 spaces.
    func testTheReferenceImplementationsExamples() throws {
        let values: [Float] = [0, 1, 2, 3, 4, 5]
        let examples: [(name: String, shape: [Int], header: String, length: UInt8)] = [
            ("attn.0", [1, 2, 3], #"{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}"#, 64),
            ("attn0", [1, 1, 2, 3], #"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}"#, 72),
        ]
        for example in examples {
            let url = directory.appendingPathComponent("\(example.name).safetensors")
            try values.withUnsafeBufferPointer {
                try Safetensors.write(tensors: [(example.name, example.shape, $0)], metadata: [:], to: url)
            }
            let bytes = [UInt8](try Data(contentsOf: url))
            XCTAssertEqual(bytes, fileBytes(header: example.header, values: values), example.name)
            XCTAssertEqual(bytes[0], example.length)

            let file = try Safetensors.read(from: url)
            XCTAssertEqual(file.tensors.count, 1)
            XCTAssertEqual(file.tensors.first?.name, example.name)
            XCTAssertEqual(file.tensors.first?.shape, example.shape)
            XCTAssertEqual(file.tensors.first?.values, values)
            XCTAssertEqual(file.metadata, [:])
        }
    }

    func testReadsAHeaderWithoutPaddingOrInAnyOrder() throws {
        // Tensors listed out of data order, no padding, whitespace inside the JSON.
        let header = #"{ "b": {"data_offsets": [8, 12], "shape": [], "dtype": "F32"}, "#
            + #""a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]} }"#
        let url = try craft(fileBytes(header: header, padTo: 1, values: [1, 2, 3]))
        let file = try Safetensors.read(from: url)
        XCTAssertEqual(file.tensors.map(\.name), ["a", "b"])
        XCTAssertEqual(file.tensors.map(\.values), [[1, 2], [3]])
    }

    // MARK: - Files that break the rules

    private func craft(_ bytes: [UInt8], name: String = "crafted.safetensors") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Reads `url` expecting a `SafetensorsError` whose message names the file and contains `words`.
    private func assertReadFails(_ url: URL, _ words: [String], file: StaticString = #filePath, line: UInt = #line,
                                 _ check: (SafetensorsError) -> Bool) {
        XCTAssertThrowsError(try Safetensors.read(from: url), file: file, line: line) { error in
            guard let error = error as? SafetensorsError else { return XCTFail("not a SafetensorsError: \(error)", file: file, line: line) }
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            let message = error.description
            XCTAssertTrue(message.contains(url.path), "the message does not name the file: \(message)", file: file, line: line)
            for word in words {
                XCTAssertTrue(message.contains(word), "the message lacks \"\(word)\": \(message)", file: file, line: line)
            }
        }
        // Loading into a model reports the same error.
        XCTAssertThrowsError(try Checkpoint.load(into: ParameterSet([("a", [2])]), from: url), file: file, line: line) { error in
            XCTAssertTrue((error as? SafetensorsError).map(check) ?? false, "\(error)", file: file, line: line)
        }
    }

    private let goodTensor = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    func testAMissingFile() {
        assertReadFails(directory.appendingPathComponent("nothing-here.safetensors"), ["no such file"]) {
            if case .notFound = $0 { return true } else { return false }
        }
    }

    func testAFolderInsteadOfAFile() throws {
        let url = directory.appendingPathComponent("folder.safetensors")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        assertReadFails(url, ["folder"]) { if case .unreadable = $0 { return true } else { return false } }
    }

    func testAFileOfThreeBytes() throws {
        assertReadFails(try craft([1, 2, 3]), ["3 bytes", "too short"]) {
            $0 == .tooShort(path: self.directory.appendingPathComponent("crafted.safetensors").path, size: 3)
        }
    }

    func testAHeaderLengthLargerThanTheFile() throws {
        var bytes = fileBytes(header: "{\(goodTensor)}", values: [1, 2])
        bytes[0] = 200
        assertReadFails(try craft(bytes), ["200-byte header", "\(bytes.count) bytes"]) {
            if case .badHeaderLength(_, 200, bytes.count) = $0 { return true } else { return false }
        }
    }

    func testAHeaderLengthOverTheLimitOfTheFormat() throws {
        var bytes = fileBytes(header: "{\(goodTensor)}", values: [1, 2])
        for i in 0..<8 { bytes[i] = 0xFF }
        assertReadFails(try craft(bytes), ["18446744073709551615-byte header", "limit"]) {
            if case .headerTooLarge(_, UInt64.max) = $0 { return true } else { return false }
        }
    }

    func testAHeaderThatIsNotJSON() throws {
        assertReadFails(try craft(fileBytes(header: "{not json at all}", values: [])), ["not valid JSON"]) {
            if case .badHeaderJSON = $0 { return true } else { return false }
        }
        assertReadFails(try craft(fileBytes(header: "[1, 2, 3]", values: [])), ["start with '{'"]) {
            if case .badHeaderJSON = $0 { return true } else { return false }
        }
        var notUTF8 = fileBytes(header: "{\"\u{e9}\":1}", values: [])
        notUTF8[10] = 0xFF
        assertReadFails(try craft(notUTF8), ["UTF-8"]) {
            if case .badHeaderJSON = $0 { return true } else { return false }
        }
    }

    func testAHeaderWithWronglyTypedEntries() throws {
        let cases: [(header: String, words: [String])] = [
            (#"{"a":{"dtype":"F32","data_offsets":[0,8]}}"#, ["tensor 'a'", "no 'shape'"]),
            (#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, ["tensor 'a'", "shape"]),
            (#"{"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#, ["tensor 'a'", "shape", "an array"]),
            (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, ["tensor 'a'", "negative dimension"]),
            (#"{"__metadata__":{"step":3},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, ["__metadata__", "step", "a string"]),
            (#"{"a":[1,2]}"#, ["tensor 'a'", "an object"]),
            (#"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,8]}}"#, ["tensor 'a'", "'shape'", "[true]"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,1e100]}}"#, ["tensor 'a'", "'data_offsets'"]),
            (#"{"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#, ["tensor 'a'", "'dtype'", "a string"]),
            (#"{"__metadata__":"config","a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, ["__metadata__", "an object"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
             ["'a' appears twice"]),
            (#"{"x\"y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"x\"y":3}"#,
             [#"'x"y' appears twice"#]),
        ]
        for (index, example) in cases.enumerated() {
            let url = try craft(fileBytes(header: example.header, values: [1, 2]), name: "typed-\(index).safetensors")
            assertReadFails(url, example.words) { if case .badHeaderJSON = $0 { return true } else { return false } }
        }
    }

    func testADtypeOtherThanF32() throws {
        let header = #"{"half":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        assertReadFails(try craft(fileBytes(header: header, values: [0])), ["'half'", "F16", "only F32"]) {
            if case .unsupportedDType(_, "half", "F16") = $0 { return true } else { return false }
        }
    }

    func testOffsetsThatDoNotTileTheData() throws {
        let cases: [(header: String, values: [Float], words: [String])] = [
            // Out of range: the tensor ends past the end of the file.
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
             [1, 2], ["'b'", "past the end of the file"]),
            // Overlapping.
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
             [1, 2, 3], ["'b'", "overlaps"]),
            // A hole between two tensors.
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
             [1, 2, 3], ["'b'", "unused"]),
            // A hole at the start.
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [1, 2], ["'a'", "unused"]),
            // A byte length that does not match the shape.
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [1], ["'a'", "span 4 bytes", "needs 8"]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, [1, 2], ["'a'", "span 8 bytes", "needs 4"]),
            // Backwards.
            (#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, [1, 2], ["'a'", "[8, 0]"]),
            // Three numbers.
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}"#, [1, 2], ["'a'", "two numbers"]),
            // An element count that overflows.
            (#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, [1, 2], ["'a'", "too many elements"]),
        ]
        for (index, example) in cases.enumerated() {
            let url = try craft(fileBytes(header: example.header, values: example.values), name: "offsets-\(index).safetensors")
            assertReadFails(url, example.words) { if case .badOffsets = $0 { return true } else { return false } }
        }
    }

    func testBytesAfterTheLastTensor() throws {
        let bytes = fileBytes(header: "{\(goodTensor)}", values: [1, 2, 3])
        assertReadFails(try craft(bytes), ["end at byte \(bytes.count - 4)", "has \(bytes.count) bytes"]) {
            if case .trailingBytes = $0 { return true } else { return false }
        }
    }

    // MARK: - Checkpoints that do not fit the model

    private func assertLoadFails(_ model: [(name: String, shape: [Int])], _ expected: CheckpointError,
                                 _ words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(filledParameters(seed: 9), metadata: [:], to: url)
        let parameters = ParameterSet(model)
        for slice in parameters.slices { parameters.setValues(of: slice.name, to: [Float](repeating: 42, count: slice.count)) }
        XCTAssertThrowsError(try Checkpoint.load(into: parameters, from: url), file: file, line: line) { error in
            XCTAssertEqual(error as? CheckpointError, expected, file: file, line: line)
            let message = "\(error)"
            for word in [url.path] + words {
                XCTAssertTrue(message.contains(word), "the message lacks \"\(word)\": \(message)", file: file, line: line)
            }
        }
        // Nothing was written into the model.
        XCTAssertTrue(parameters.values.array.allSatisfy { $0 == 42 }, "a failed load changed the parameters", file: file, line: line)
    }

    func testLoadingIntoAModelWithAParameterTheCheckpointLacks() throws {
        let path = directory.appendingPathComponent("model.safetensors").path
        try assertLoadFails(Self.edgeShapes + [("decoder.0.ffn.output.bias", [64])],
                            .missingTensor(path: path, name: "decoder.0.ffn.output.bias", shape: [64]),
                            ["has no tensor 'decoder.0.ffn.output.bias'", "[64]"])
    }

    func testLoadingIntoAModelWithoutATensorOfTheCheckpoint() throws {
        let path = directory.appendingPathComponent("model.safetensors").path
        try assertLoadFails(Array(Self.edgeShapes.dropLast()),
                            .unexpectedTensor(path: path, name: "one", shape: [1]),
                            ["tensor 'one' of shape [1]", "no such parameter"])
    }

    func testLoadingIntoAModelWithAnotherShape() throws {
        let path = directory.appendingPathComponent("model.safetensors").path
        var model = Self.edgeShapes
        model[4].shape = [2, 4, 3]
        try assertLoadFails(model,
                            .shapeMismatch(path: path, name: "three.dimensions", expected: [2, 4, 3], found: [2, 3, 4]),
                            ["tensor 'three.dimensions' of shape [2, 3, 4] but the model expects [2, 4, 3]"])
        // A scalar is not a one-element vector.
        model = Self.edgeShapes
        model[1].shape = [1]
        try assertLoadFails(model, .shapeMismatch(path: path, name: "scalar", expected: [1], found: []),
                            ["tensor 'scalar' of shape [] but the model expects [1]"])
    }

    // MARK: - Interoperability with the reference Python library

    private func python() throws -> String { try TestPython.interpreter(unchecked: "Python interoperability") }

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("python/read_checkpoint.py")

    /// Runs the script with `arguments` and returns what it printed; a non-zero exit fails the test.
    private func runScript(_ arguments: [String]) throws -> Data {
        try TestPython.output(try python(), Self.script, arguments, scratch: directory)
    }

    private struct PythonView: Decodable {
        struct Tensor: Decodable {
            var name: String
            var dtype: String
            var shape: [Int]
            /// nil when the sum is not finite.
            var sum: Double?
            var bits: [UInt32]
        }
        var path: String
        var keys: [String]
        var metadata: [String: String]?
        var tensors: [Tensor]
    }

    func testPythonReadsWhatAblateWrites() throws {
        _ = try python()
        let full = directory.appendingPathComponent("full.safetensors")
        let saved = filledParameters(seed: 21)
        try Checkpoint.save(saved, metadata: Self.awkwardMetadata, to: full)
        let noMetadata = directory.appendingPathComponent("no-metadata.safetensors")
        try Checkpoint.save(filledParameters(seed: 22), metadata: [:], to: noMetadata)
        let noTensors = directory.appendingPathComponent("no-tensors.safetensors")
        try Checkpoint.save(ParameterSet([]), metadata: ["config": "{}"], to: noTensors)

        let views = try JSONDecoder().decode([PythonView].self, from: runScript([full.path, noMetadata.path, noTensors.path]))
        XCTAssertEqual(views.map(\.path), [full.path, noMetadata.path, noTensors.path])
        guard views.count == 3 else { return }

        let expected: [(view: PythonView, parameters: ParameterSet, metadata: [String: String]?)] = [
            (views[0], saved, Self.awkwardMetadata),
            (views[1], filledParameters(seed: 22), nil),
            (views[2], ParameterSet([]), ["config": "{}"]),
        ]
        for (view, parameters, metadata) in expected {
            XCTAssertEqual(view.metadata, metadata, view.path)
            XCTAssertEqual(Set(view.keys), Set(parameters.names), view.path)
            XCTAssertEqual(view.tensors.map(\.name), parameters.names.sorted(), view.path)
            for tensor in view.tensors {
                let slice = try XCTUnwrap(parameters.slice(named: tensor.name))
                let values = parameters.values(of: tensor.name)
                XCTAssertEqual(tensor.dtype, "float32", tensor.name)
                XCTAssertEqual(tensor.shape, slice.shape, tensor.name)
                XCTAssertEqual(tensor.bits, bits(values), tensor.name)
                let sum = values.reduce(0.0) { $0 + Double($1) }
                if let pythonSum = tensor.sum {
                    XCTAssertEqual(pythonSum, sum, accuracy: 1e-9 * max(1, abs(sum)), tensor.name)
                } else {
                    XCTAssertFalse(sum.isFinite, "Python's sum of \(tensor.name) is not finite, but \(sum) here")
                }
            }
        }
    }

    func testAblateReadsWhatPythonWrites() throws {
        let url = directory.appendingPathComponent("reference.safetensors")
        _ = try runScript(["--write-reference", url.path])
        let file = try Safetensors.read(from: url)
        XCTAssertEqual(file.metadata, ["format": "reference", "text": "café \"quoted\"\nsecond line"])
        let byName = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0) })
        XCTAssertEqual(Set(byName.keys), ["alpha", "beta.bias", "gamma", "delta.weight"])
        XCTAssertEqual(byName["alpha"]?.shape, [2, 3])
        XCTAssertEqual(byName["alpha"]?.values, [0, 0.5, 1, 1.5, 2, 2.5])
        XCTAssertEqual(byName["beta.bias"]?.shape, [])
        XCTAssertEqual(byName["beta.bias"]?.values, [-1.5])
        XCTAssertEqual(byName["gamma"]?.shape, [0, 3])
        XCTAssertEqual(byName["gamma"]?.values, [])
        XCTAssertEqual(byName["delta.weight"]?.shape, [1, 1, 4])
        XCTAssertEqual(byName["delta.weight"]?.values, [1e-3, -2e30, 3.25, 0])

        // And loads into a model of the same names and shapes.
        let parameters = ParameterSet([("alpha", [2, 3]), ("beta.bias", []), ("gamma", [0, 3]), ("delta.weight", [1, 1, 4])])
        XCTAssertEqual(try Checkpoint.load(into: parameters, from: url)["format"], "reference")
        XCTAssertEqual(parameters.values(of: "alpha"), [0, 0.5, 1, 1.5, 2, 2.5])
    }
}
