import Foundation
import XCTest

/// End-to-end: the plan (question, findings, each variant's description and changes as written) is
/// stored with the runs, so that editing the text and running the file again changes the report
/// without training anything, and a sqlite3 user can ask what each variant changes.
final class PlanCommandTests: FolderTestCase {
    override class var folderLabel: String { "plan" }

    typealias SQLite = RunCommandTests.SQLite
    typealias Experiment = RunCommandTests.Experiment

    /// The tiny experiment with findings, a described variant and a learning-rate variant.
    static func text(findings: String, description: String) -> String {
        Experiment.tiny(name: "plan", steps: 4, evalEvery: 2)
            .replacingOccurrences(of: "seeds = [1, 2]", with: "seeds = [1, 2]\nfindings = \"\(findings)\"")
            .replacingOccurrences(of: "name = \"no-positional\"", with: "name = \"no-positional\"\ndescription = \"\(description)\"")
            + "[[variant]]\nname = \"fast\"\ntrain.lr = 0.01\n"
    }

    func testEditingFindingsAndADescriptionReachesTheReportWithoutTraining() throws {
        let file = try Experiment.write(Self.text(findings: "First reading.", description: "no positions"), named: "plan.toml", in: directory)
        let database = directory.appendingPathComponent("plan.sqlite").path
        let first = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(first.status, 0, first.standardError)
        let runsBefore = try SQLite.rows(database, "SELECT key, attempts, finished_at FROM runs ORDER BY key")
        XCTAssertEqual(runsBefore.count, 6)

        _ = try Experiment.write(Self.text(findings: "Second reading: positions matter.", description: "without any positions"),
                                 named: "plan.toml", in: directory)
        let second = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(second.status, 0, second.standardError)
        XCTAssertTrue(second.standardOutput.contains("Nothing to do"), second.standardOutput)
        XCTAssertEqual(try SQLite.rows(database, "SELECT key, attempts, finished_at FROM runs ORDER BY key"), runsBefore,
                       "no run was added or trained again")
        XCTAssertEqual(try SQLite.rows(database, "SELECT findings FROM experiments").first?["findings"]?.text,
                       "Second reading: positions matter.")
        XCTAssertEqual(try SQLite.rows(database, "SELECT description FROM variants WHERE name = 'no-positional'")
                        .first?["description"]?.text, "without any positions")

        let reports = directory.appendingPathComponent("reports").path
        let report = try AblateBinary.run(["report", database, "--reports", reports, "--plots", directory.appendingPathComponent("plots").path])
        XCTAssertEqual(report.status, 0, report.standardError)
        let markdown = try String(contentsOfFile: (reports as NSString).appendingPathComponent("plan.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("Second reading: positions matter."), markdown)
        XCTAssertTrue(markdown.contains("without any positions"), markdown)
        XCTAssertFalse(markdown.contains("First reading."), markdown)
        XCTAssertFalse(markdown.contains("| no positions |"), markdown)
        // The changes as the file writes them, with the baseline's value of the setting.
        XCTAssertTrue(markdown.contains("train.lr = 0.01 (baseline: 0.003)"), markdown)
        XCTAssertTrue(markdown.contains(#"model.positional = "none" (baseline: "sinusoidal")"#), markdown)

        let compare = try AblateBinary.run(["compare", database])
        XCTAssertEqual(compare.status, 0, compare.standardError)
        XCTAssertTrue(compare.standardOutput.contains("train.lr = 0.01 (baseline: 0.003)"), compare.standardOutput)
        XCTAssertTrue(compare.standardOutput.contains("without any positions"), compare.standardOutput)
    }

    func testVariantChangesAnswerASQLiteQuery() throws {
        let file = try Experiment.write(Self.text(findings: "", description: "no positions")
                                        + "\n[grid]\n\"train.lr\" = [0.003, 0.001]\n", named: "plan.toml", in: directory)
        let database = directory.appendingPathComponent("plan.sqlite").path
        let run = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let rows = try SQLite.rows(database, "SELECT variant, key, value FROM variant_changes WHERE key = 'train.lr' ORDER BY position")
        XCTAssertEqual(rows.map { [$0["variant"]!.text, $0["value"]!.text] },
                       [["fast", "0.01"], ["lr=0.003", "0.003"], ["lr=0.001", "0.001"]])
        let variants = try SQLite.rows(database, "SELECT name, origin, same_as FROM variants ORDER BY position")
        XCTAssertEqual(variants.map { [$0["name"]!.text, $0["origin"]!.text, $0["same_as"]!.text] }, [
            ["baseline", "baseline", "NULL"], ["no-positional", "variant", "NULL"], ["fast", "variant", "NULL"],
            ["lr=0.003", "grid", "baseline"], ["lr=0.001", "grid", "NULL"],
        ])
        let export = try AblateBinary.run(["export", database, "--table", "variant_changes"])
        XCTAssertEqual(export.status, 0, export.standardError)
        XCTAssertEqual(export.standardOutput.split(separator: "\n").first, "experiment,variant,position,key,value")
        XCTAssertTrue(export.standardOutput.contains("plan,no-positional,1,model.positional,\"\"\"none\"\"\""), export.standardOutput)
    }
}
