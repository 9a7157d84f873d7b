import Foundation
import XCTest
@testable import Store

/// The metric vocabulary (`MetricSplit`, `MetricName`, `SliceLabel`) against what it must agree
/// with: the text databases already hold, the schema's views and docs/store.md.
final class MetricVocabularyTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let beginMarker = "<!-- metric vocabulary: generated from MetricVocabulary.markdown -->"
    static let endMarker = "<!-- end of metric vocabulary -->"

    func storeDocs() throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent("docs/store.md"), encoding: .utf8)
    }

    /// The stored text is a contract with every database written so far (and with `sqlite3` queries
    /// people keep): renaming a case's raw value would orphan their rows, so the names are pinned here.
    func testRawValuesAreTheTextDatabasesHold() {
        XCTAssertEqual(MetricSplit.allCases.map(\.rawValue), ["train", "validation", "test"])
        XCTAssertEqual(MetricName.allCases.map(\.rawValue), ["loss", "token_accuracy", "exact_match", "learning_rate", "gradient_norm"])
    }

    /// Every name is recorded for some split, and the training split records what an optimiser step
    /// knows (no exact match: there is no greedy decoding of training batches).
    func testEveryNameIsRecordedSomewhere() {
        let recorded = Set(MetricSplit.allCases.flatMap(MetricName.recorded(for:)))
        XCTAssertEqual(recorded, Set(MetricName.allCases))
        XCTAssertFalse(MetricName.recorded(for: .train).contains(.exactMatch))
        XCTAssertEqual(MetricName.recorded(for: .validation), MetricName.recorded(for: .test))
    }

    func testLabelsAreWords() {
        XCTAssertEqual(MetricName.exactMatch.label, "exact match")
        XCTAssertEqual(MetricName.gradientNorm.label, "gradient norm")
    }

    func testSliceLabelsRoundTrip() throws {
        let label = try XCTUnwrap(SliceLabel("length=64"))
        XCTAssertEqual(label, SliceLabel(name: "length", value: 64))
        XCTAssertEqual(label.description, "length=64")
        for value in [0, 1, 7, 128, 100_000] {
            let text = SliceLabel(name: "distance", value: value).description
            XCTAssertEqual(SliceLabel(text), SliceLabel(name: "distance", value: value), text)
        }
        for bad in ["length", "=8", "length=", "length=eight", "length=8.5", ""] {
            XCTAssertNil(SliceLabel(bad), bad)
        }
    }

    func testSliceEvaluationReadsItsLabel() {
        let slice = SliceEvaluation(run: "r", step: 1, split: .test, slice: SliceLabel(name: "pairs", value: 3), loss: 1,
                                    tokenAccuracy: 0.5, exactMatch: 0, examples: 4)
        XCTAssertEqual(slice.split, "test")
        XCTAssertEqual(slice.slice, "pairs=3")
        XCTAssertEqual(slice.label, SliceLabel(name: "pairs", value: 3))
    }

    /// docs/store.md shows the vocabulary's tables as `MetricVocabulary.markdown` makes them.
    func testStoreDocsListTheVocabulary() throws {
        let docs = try storeDocs()
        let begin = try XCTUnwrap(docs.range(of: Self.beginMarker), "docs/store.md lacks \(Self.beginMarker)")
        let end = try XCTUnwrap(docs.range(of: Self.endMarker, range: begin.upperBound..<docs.endIndex),
                                "docs/store.md lacks \(Self.endMarker)")
        let shown = docs[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(shown, MetricVocabulary.markdown,
                       "docs/store.md's metric vocabulary differs from the code; put this between its markers:\n\(MetricVocabulary.markdown)")
    }

    /// Every split and metric name the docs' queries and tables mention (`split = 'x'`, `name = 'y'`,
    /// the backticked values of the metrics table) is one of the vocabulary's.
    func testEveryNameTheDocsMentionIsInTheVocabulary() throws {
        let docs = try storeDocs()
        let splits = Self.quoted(after: "split = ", in: docs)
        let names = Self.quoted(after: "name = ", in: docs)
        XCTAssertFalse(splits.isEmpty, "the docs' example queries filter by split")
        XCTAssertFalse(names.isEmpty, "the docs' example queries filter by name")
        for split in splits { XCTAssertNotNil(MetricSplit(rawValue: split), "docs/store.md queries split '\(split)'") }
        for name in names { XCTAssertNotNil(MetricName(rawValue: name), "docs/store.md queries name '\(name)'") }

        let rows = docs.components(separatedBy: "\n")
        let splitRow = try XCTUnwrap(rows.first { $0.hasPrefix("| `split` |") })
        let nameRow = try XCTUnwrap(rows.first { $0.hasPrefix("| `name` | `loss`") })
        XCTAssertEqual(Self.backticked(splitRow).dropFirst().map { $0 }, MetricSplit.allCases.map(\.rawValue), splitRow)
        XCTAssertEqual(Self.backticked(nameRow).dropFirst().map { $0 }, MetricName.allCases.map(\.rawValue), nameRow)
        for slice in Self.backticked(docs) where slice.contains("=") && !slice.contains(" ") && slice != "name=value" {
            XCTAssertNotNil(SliceLabel(slice), "docs/store.md shows the slice `\(slice)`")
        }
    }

    /// The views of migration v1 (which never changes) name no split or metric: they summarise
    /// whatever names are stored. Every text literal they hold is a run status, so none can drift
    /// from the vocabulary; a view that filtered by a name would have to use one of its cases.
    func testTheViewsNameOnlyStatusesOrVocabulary() {
        let views = Schema.version1.components(separatedBy: "CREATE VIEW").dropFirst().joined()
        let literals = Self.quoted(after: "", in: views)
        XCTAssertFalse(literals.isEmpty, "the views filter by status")
        for literal in literals {
            let known = RunStatus(rawValue: literal) != nil || MetricSplit(rawValue: literal) != nil
                || MetricName(rawValue: literal) != nil
            XCTAssertTrue(known, "a view names '\(literal)', which is neither a status nor in the metric vocabulary")
        }
    }

    // MARK: - Text helpers

    /// The single-quoted SQL literals that follow `prefix` in `text`.
    static func quoted(after prefix: String, in text: String) -> [String] {
        let pattern = NSRegularExpression.escapedPattern(for: prefix) + "'([^']*)'"
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }

    /// The backticked spans of `text`, in order.
    static func backticked(_ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "`([^`\n]+)`")
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }
}
