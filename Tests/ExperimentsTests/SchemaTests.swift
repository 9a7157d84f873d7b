import Foundation
import Models
import Tasks
import Training
import XCTest
@testable import Experiments

final class SchemaTests: XCTestCase {
    /// The [model] and [train] key tables of docs/experiment-file.md are the settings' own tables.
    /// `ABLATE_REGENERATE_DOCS=1` rewrites them.
    func testTheKeyTablesOfTheDocumentationAreGenerated() throws {
        let path = Files.root.appendingPathComponent("docs/experiment-file.md").path
        let page = try Files.text(path)
        let (regenerated, missing) = KeyTables.regenerate(page)
        XCTAssertEqual(missing, [], "docs/experiment-file.md has no <!-- generated: NAME --> ... <!-- end generated --> markers for these tables")
        if regenerated != page, ProcessInfo.processInfo.environment["ABLATE_REGENERATE_DOCS"] == "1" {
            try regenerated.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let differing = zip(page.components(separatedBy: "\n"), regenerated.components(separatedBy: "\n")).first { $0 != $1 }
        XCTAssertTrue(page == regenerated, "docs/experiment-file.md's key tables differ from the settings' tables (first difference: \(differing.map { "\($0.0) -> \($0.1)" } ?? "in length")); "
                       + "rerun this test with ABLATE_REGENERATE_DOCS=1 to rewrite them")
        for name in KeyTables.blocks.map(\.name) {
            XCTAssertTrue(regenerated.contains("<!-- generated: \(name) -->\n| key | type |"), name)
        }
    }

    /// The keys no settings table has ([experiment], [task], [[variant]], [tune]) and every task are documented.
    func testTheDocumentationListsEveryOtherKey() throws {
        let doc = try Files.text(Files.root.appendingPathComponent("docs/experiment-file.md").path)
        let keys: [String] = Schema.experimentKeys + ["kind", "name", "description"] + Schema.tuneKeys
        for key in Set(keys) {
            XCTAssertTrue(doc.contains("| `\(key)`") || doc.contains("(or `\(key)`)"), "docs/experiment-file.md has no row for \(key)")
        }
        for key in Tuning.untunableKeys {
            XCTAssertTrue(doc.contains("`\(key)`"), "docs/experiment-file.md does not say that \(key) cannot be tuned")
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
