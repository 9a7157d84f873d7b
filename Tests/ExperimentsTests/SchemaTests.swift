import Foundation
import Models
import Tasks
import Training
import XCTest
@testable import Experiments

final class SchemaTests: XCTestCase {
    /// The keys ModelConfig encodes (its CodingKeys), from a JSON round of a default config.
    private func encodedKeys(_ config: ModelConfig) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(config.json().utf8)) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }

    /// Every key of ModelConfig can be written in an experiment file (and nothing else is a model key
    /// but `arch` and the `layers` shorthand of the Transformer).
    func testTheSchemaCoversEveryModelKey() throws {
        XCTAssertEqual(try encodedKeys(.transformer(TransformerConfig())), Set(["arch"] + Schema.transformer.map(\.key)).subtracting(["layers"]))
        XCTAssertEqual(try encodedKeys(.rnn(RNNConfig())), Set(["arch"] + Schema.rnn.map(\.key)))
    }

    /// Every stored field of TrainingSettings has a [train] key.
    func testTheSchemaCoversEveryTrainingSetting() throws {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingSettings())) as? [String: Any] ?? [:]
        let snake = Set(object.keys.map { key in key.reduce(into: "") { out, c in if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) } } })
        // clip_norm is the one optional with a default; stop_at_accuracy, time_budget_seconds and checkpoint_every are nil by default.
        XCTAssertEqual(snake.union(["stop_at_accuracy", "time_budget_seconds", "checkpoint_every", "lr"]), Set(Schema.training.map(\.key)))
    }

    /// docs/experiment-file.md has a row for every key the loader takes.
    func testTheDocumentationListsEveryKey() throws {
        let doc = try Files.text(Files.root.appendingPathComponent("docs/experiment-file.md").path)
        let keys = Schema.transformer.map(\.key) + Schema.rnn.map(\.key) + Schema.training.map(\.key) + ["dropout"]
            + Schema.experimentKeys + ["kind", "name", "description"]
        for key in Set(keys) {
            XCTAssertTrue(doc.contains("| `\(key)`") || doc.contains("(or `\(key)`)"), "docs/experiment-file.md has no row for \(key)")
        }
        for entry in TaskRegistry.entries {
            XCTAssertTrue(doc.contains("`\(entry.kind)`"), "docs/experiment-file.md does not list the task \(entry.kind)")
            for parameter in entry.parameters {
                XCTAssertTrue(doc.contains("`\(parameter.name)`: \(parameter.range == nil ? "string" : "integer")"), "\(entry.kind).\(parameter.name) is not documented")
            }
        }
    }

    func testSourceMapFindsKeysInTablesArraysAndInlineTables() {
        let text = """
        [experiment]
        name = "x"   # a comment with = and [brackets]
        seeds = [
          1, 2,
          3,
        ]
        [[variant]]
        name = "a"
        model.heads = 2
        [[variant]]
        'name' = "b"
        model = { arch = "rnn", hidden = 8 }
        [grid]
        "model.heads" = [1, 2]
        train . lr = [1e-3]
        text = \"\"\"
        fake = 1
        \"\"\"
        """
        let map = SourceMap(text: text)
        XCTAssertEqual(map.line(["experiment", "name"]), 2)
        XCTAssertEqual(map.line(["experiment", "seeds"]), 3)
        XCTAssertEqual(map.line(["variant", "#0", "model", "heads"]), 9)
        XCTAssertEqual(map.line(["variant", "#1", "name"]), 11)
        XCTAssertEqual(map.line(["variant", "#1", "model", "hidden"]), 12, "inside an inline table: its line")
        XCTAssertEqual(map.line(["variant", "#1", "train", "lr"]), 10, "not written: the variant's header")
        XCTAssertEqual(map.line(["grid", "model.heads"]), 14)
        XCTAssertEqual(map.line(["grid", "train", "lr"]), 15)
        XCTAssertNil(map.exact(["grid", "fake"]), "inside a multi-line string")
        XCTAssertNil(map.line(["task", "kind"]))
    }
}
