import Foundation
import XCTest

/// End-to-end: the real binary trains what the file says whichever way a model is written, the later
/// of `layers` and `decoder_layers` winning, inside inline tables too (where the keys once had no
/// position and were applied alphabetically, so `model = { layers = 1, decoder_layers = 2 }` trained
/// one decoder layer).
///
/// A run key hashes the configuration and not the variant's name, so a variant has the key of a
/// baseline written with the same model: `run --dry-run` compares configurations without training.
final class KeyOrderCommandTests: FolderTestCase {
    override class var folderLabel: String { "key-order" }

    /// The experiment and the task, as inline tables of the root (so that more root keys may follow).
    private static let head = """
    experiment = { name = "order", seeds = [1] }
    task = { kind = "reverse", symbols = 4, train_length = [2, 4], eval_length = [2, 4] }

    """

    /// The short key of each run of `text` (variant name to key), from `ablate run --dry-run`.
    private func keys(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        let path = try RunCommandTests.Experiment.write(text, named: "e-\(UUID().uuidString).toml", in: directory)
        let result = try AblateBinary.run(["run", path, "--dry-run", "--database", directory.appendingPathComponent("unused.sqlite").path])
        XCTAssertEqual(result.status, 0, result.standardError, file: file, line: line)
        var keys: [String: String] = [:]
        for row in result.standardOutput.split(separator: "\n") {
            let words = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if words.count == 4, words[2] == "seed" { keys[words[1]] = words[0] }
        }
        XCTAssertFalse(keys.isEmpty, "no runs listed: \(result.standardOutput)", file: file, line: line)
        return keys
    }

    func testEveryWayOfWritingAModelTrainsTheLaterKey() throws {
        // What each order means: the baseline written without any tie.
        let oneTwo = try XCTUnwrap(keys(Self.head + "[model]\nencoder_layers = 1\ndecoder_layers = 2\n")["baseline"])
        let oneOne = try XCTUnwrap(keys(Self.head + "[model]\nencoder_layers = 1\ndecoder_layers = 1\n")["baseline"])
        XCTAssertNotEqual(oneTwo, oneOne)

        let orders = [(["layers = 1", "decoder_layers = 2"], oneTwo), (["decoder_layers = 2", "layers = 1"], oneOne)]
        for (keysInOrder, expected) in orders {
            let writings: [(String, String)] = [
                ("baseline table", Self.head + "[model]\n" + keysInOrder.joined(separator: "\n") + "\n"),
                ("inline baseline", "model = { " + keysInOrder.joined(separator: ", ") + " }\n" + Self.head),
                ("dotted variant", Self.head + "[model]\nlayers = 6\n\n[[variant]]\nname = \"v\"\nmodel." + keysInOrder.joined(separator: "\nmodel.") + "\n"),
                ("[variant.model]", Self.head + "[model]\nlayers = 6\n\n[[variant]]\nname = \"v\"\n[variant.model]\n" + keysInOrder.joined(separator: "\n") + "\n"),
                ("inline variant", Self.head + "[model]\nlayers = 6\n\n[[variant]]\nname = \"v\"\nmodel = { arch = \"transformer\", " + keysInOrder.joined(separator: ", ") + " }\n"),
                ("array of inline variants", "variant = [\n  { name = \"v\", model = { " + keysInOrder.joined(separator: ", ") + " } },\n]\n"
                    + Self.head + "[model]\nlayers = 6\n"),
            ]
            for (writing, text) in writings {
                let runs = try keys(text)
                XCTAssertEqual(runs["v"] ?? runs["baseline"], expected, "\(writing), \(keysInOrder)")
            }
        }
    }

    /// The run stores the model the inline table wrote: two decoder layers, one encoder layer.
    func testAnInlineVariantStoresTheLaterKey() throws {
        let text = Self.head + """
        [model]
        d_model = 8
        heads = 2
        d_ff = 8

        [train]
        steps = 2
        batch = 4
        eval_every = 2
        validation_examples = 4
        test_examples_per_size = 2

        [[variant]]
        name = "one-two"
        model = { arch = "transformer", d_model = 8, heads = 2, d_ff = 8, layers = 1, decoder_layers = 2 }

        """
        let file = try RunCommandTests.Experiment.write(text, named: "order.toml", in: directory)
        let database = directory.appendingPathComponent("order.sqlite").path
        let result = try AblateBinary.run(["run", file, "--database", database])
        XCTAssertEqual(result.status, 0, result.standardError + result.standardOutput)
        let rows = try RunCommandTests.SQLite.rows(database, """
            SELECT variant, json_extract(config, '$.model.encoder_layers') AS encoder, json_extract(config, '$.model.decoder_layers') AS decoder
            FROM runs ORDER BY position
            """)
        XCTAssertEqual(rows.map { "\($0["variant"]!.text) \($0["encoder"]!.text) \($0["decoder"]!.text)" },
                       ["baseline 2 2", "one-two 1 2"])
    }
}
