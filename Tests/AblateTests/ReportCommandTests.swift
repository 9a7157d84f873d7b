import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import XCTest

/// `ablate report` and `ablate compare` through the real binary, on experiments it trained.
final class ReportCommandTests: FolderTestCase {
    typealias Experiment = RunCommandTests.Experiment
    typealias SQLite = RunCommandTests.SQLite

    override class var folderLabel: String { "report" }


    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Headless Chromium, or a skip (a failure when ABLATE_REQUIRE_CHROMIUM=1, as in scripts/test).
    func browser() throws -> HeadlessBrowser {
        switch HeadlessBrowser.availability() {
        case .found(let browser): return browser
        case .missing(let reason, let required):
            if required { throw HeadlessBrowser.Failure.notFound("ABLATE_REQUIRE_CHROMIUM=1, but \(reason)") }
            throw XCTSkip(reason)
        }
    }

    /// Trains `text` into `directory/NAME.sqlite` and returns the database path.
    func train(_ text: String, name: String) throws -> String {
        let file = try Experiment.write(text, named: "\(name).toml", in: directory)
        let database = path("\(name).sqlite")
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "2"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertFalse(result.standardOutput.contains("\u{1B}") || result.standardError.contains("\u{1B}"),
                       "names reach the terminal escaped")
        return database
    }

    func testReportFromATrainedExperiment() throws {
        let findings = "findings = \"\"\"\nPositions matter\nfor reversal.\n\nA <b>second</b> paragraph.\n\"\"\"\n"
        let text = Experiment.tiny(name: "tiny", steps: 30).replacingOccurrences(of: "seeds = [1, 2]\n", with: "seeds = [1, 2]\n" + findings)
        let database = try train(text, name: "tiny")
        let result = try AblateBinary.run(["report", database, "--reports", path("reports"), "--plots", path("plots")])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("tiny: wrote"), result.standardOutput)

        let markdown = try String(contentsOfFile: path("reports/tiny.md"), encoding: .utf8)
        let html = try String(contentsOfFile: path("reports/tiny.html"), encoding: .utf8)
        for figure in ["accuracy-by-length", "validation-accuracy", "training-loss", "final-accuracy"] {
            let png = try Data(contentsOf: URL(fileURLWithPath: path("plots/tiny/\(figure).png")))
            XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], figure)
            XCTAssertGreaterThan(png.count, 5000, figure)
            _ = try XMLDocument(contentsOf: URL(fileURLWithPath: path("plots/tiny/\(figure).svg")), options: [])
            let script = try String(contentsOfFile: path("plots/tiny/\(figure).gp"), encoding: .utf8)
            XCTAssertTrue(script.contains("set terminal pngcairo"), figure)
            XCTAssertTrue(markdown.contains("](../plots/tiny/\(figure).png)"), figure)
        }
        _ = try XMLDocument(data: Data(html.utf8), options: [])
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 4)

        // Every file written is recorded in the database as an artifact of the experiment, with its digest.
        let artifacts = try SQLite.rows(database, "SELECT path, kind, run, sha256, bytes FROM artifacts WHERE kind != 'checkpoint' ORDER BY path")
        XCTAssertEqual(artifacts.count, 2 + 4 * 3, "\(artifacts)")
        XCTAssertEqual(artifacts.filter { $0["kind"]?.text == "report" }.count, 2)
        XCTAssertEqual(artifacts.filter { $0["kind"]?.text == "figure" }.count, 8)
        XCTAssertEqual(artifacts.filter { $0["kind"]?.text == "figure-script" }.count, 4)
        for artifact in artifacts {
            let file = try XCTUnwrap(artifact["path"]?.text)
            XCTAssertNil(artifact["run"]?.int, file)
            XCTAssertEqual(artifact["sha256"]?.text, try FileDigest.sha256(file), file)
            XCTAssertEqual(artifact["bytes"]?.int, try Data(contentsOf: URL(fileURLWithPath: file)).count, file)
        }
        // The page in a real browser: every figure decodes, no error, no script; also well-formed XHTML.
        let page = try browser().load(file: URL(fileURLWithPath: path("reports/tiny.html")))
        XCTAssertEqual(page.html.images, 4)
        XCTAssertEqual(page.html.decodedImages, 4, page.stderr)
        XCTAssertEqual(page.html.tables, 5)
        XCTAssertEqual(page.html.scripts, 0)
        XCTAssertEqual(page.html.errors, [])
        XCTAssertNil(page.xhtmlParseError)
        XCTAssertEqual(page.xhtml?.decodedImages, 4)

        // The variant table's means equal the database's own final test values, averaged here.
        let rows = try SQLite.rows(database, """
            SELECT variant, value FROM final_metrics WHERE split = 'test' AND name = 'exact_match' AND current = 1 AND status = 'done'
            """)
        for variant in ["baseline", "no-positional"] {
            let values = rows.filter { $0["variant"]?.text == variant }.compactMap { $0["value"]?.double }
            XCTAssertEqual(values.count, 2)
            let mean = String(format: "%.3f", values.reduce(0, +) / Double(values.count))
            let line = try XCTUnwrap(markdown.split(separator: "\n").first { $0.hasPrefix("| \(variant) |") || $0.hasPrefix("| \(variant) (baseline) |") },
                                     "no row for \(variant) in\n\(markdown)")
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertTrue(cells[4].hasPrefix(mean + " \\["), "\(cells[4]) vs \(mean)")
        }
        XCTAssertTrue(markdown.contains("## Findings\n\nPositions matter for reversal.\n\nA \\<b\\>second\\</b\\> paragraph.\n"), markdown)
        XCTAssertTrue(markdown.contains("## Length generalisation"))
        XCTAssertTrue(markdown.contains("| 5 | no |"), "length 5 was not seen in training (train_length = [2, 4])")
        XCTAssertTrue(markdown.contains("ablate run "), "the reproduce commands")

        let compare = try AblateBinary.run(["compare", database])
        XCTAssertEqual(compare.status, 0, compare.standardError)
        XCTAssertTrue(compare.standardOutput.contains("Variants"))
        XCTAssertTrue(compare.standardOutput.contains("no-positional"))
        XCTAssertTrue(compare.standardOutput.contains("Effect against the baseline"))
        XCTAssertTrue(compare.standardOutput.contains("Test exact match by length"))
    }

    func testBadInputWritesNothing() throws {
        let missing = path("missing.sqlite")
        let result = try AblateBinary.run(["report", missing, "--reports", path("reports"), "--plots", path("plots")])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("no database at \(missing)"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "a missing database is not created")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("reports")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("plots")))

        let compare = try AblateBinary.run(["compare", missing])
        XCTAssertEqual(compare.status, 2)
        XCTAssertTrue(compare.standardError.contains("no database at"), compare.standardError)

        let database = try train(Experiment.tiny(name: "tiny", steps: 10), name: "tiny")
        let unknown = try AblateBinary.run(["report", database, "--experiment", "other", "--reports", path("reports")])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.standardError.contains("no experiment named \"other\""), unknown.standardError)
        XCTAssertTrue(unknown.standardError.contains("\"tiny\""), "names the experiments it holds")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("reports")))

        let metric = try AblateBinary.run(["compare", database, "--metric", "bleu"])
        XCTAssertNotEqual(metric.status, 0)
        XCTAssertTrue(metric.standardError.contains("--metric must be one of exact_match, token_accuracy"), metric.standardError)
    }

    /// Names and text from the experiment file with quotes, backslashes, newlines, backticks,
    /// gnuplot's system(), HTML, SQL and a terminal escape: shown as written, never run or interpreted.
    func testHostileNamesAreShownNotRun() throws {
        let markers = (1...4).map { path("PWNED\($0)") }
        let experimentName = "../evil\\\"<script>alert(1)</script>`touch \(markers[0])`"
        let question = "It's \\\"quoted\\\" \\\\ back\\nnewline <b>bold</b> system(\\\"touch \(markers[1])\\\") '; DROP TABLE runs; --"
        let variant = "x'); system(\\\"touch \(markers[2])\\\") # `touch \(markers[3])` <img src=x onerror=alert(1)> | *b* \\u001b[31mred"
        var text = Experiment.tiny(name: "placeholder", steps: 10)
        text = text.replacingOccurrences(of: "name = \"placeholder\"", with: "name = \"\(experimentName)\"")
        text = text.replacingOccurrences(of: "question = \"\(Experiment.question)\"", with: "question = \"\(question)\"")
        text = text.replacingOccurrences(of: "name = \"no-positional\"", with: "name = \"\(variant)\"")
        let database = try train(text, name: "hostile")

        let report = try AblateBinary.run(["report", database, "--reports", path("reports"), "--plots", path("plots")])
        XCTAssertEqual(report.status, 0, report.standardError)
        let compare = try AblateBinary.run(["compare", database])
        XCTAssertEqual(compare.status, 0, compare.standardError)
        for marker in markers {
            XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "\(marker) was created: a name was run")
        }
        // Files stay inside the folders asked for, under a safe name.
        let reports = try FileManager.default.contentsOfDirectory(atPath: path("reports")).sorted()
        XCTAssertEqual(reports.count, 2)
        XCTAssertTrue(reports.allSatisfy { $0.hasPrefix("_._evil") && !$0.contains("/") }, "\(reports)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("plots")).count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().appendingPathComponent("evil").path))

        let stem = path("reports/" + reports[0].dropLast(reports[0].hasSuffix(".md") ? 3 : 5))
        let html = try String(contentsOfFile: stem + ".html", encoding: .utf8)
        XCTAssertFalse(html.contains("<script"), "no markup from names reaches the HTML")
        XCTAssertFalse(html.contains("<img src=x"))
        XCTAssertFalse(html.contains("<b>bold"))
        XCTAssertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        XCTAssertFalse(html.contains("\u{1B}"))
        _ = try XMLDocument(data: Data(html.utf8), options: [])
        let page = try browser().load(file: URL(fileURLWithPath: stem + ".html"))
        XCTAssertEqual(page.html.scripts, 0)
        XCTAssertEqual(page.html.errors, [])
        XCTAssertEqual(page.html.dialogs, [])
        XCTAssertNil(page.xhtmlParseError)
        XCTAssertEqual(page.html.decodedImages, page.html.images)
        XCTAssertTrue(page.html.text.contains("<img src=x onerror=alert(1)>"), "shown as text")
        XCTAssertTrue(page.html.title.contains("<script>alert(1)</script>"), page.html.title)
        let markdown = try String(contentsOfFile: stem + ".md", encoding: .utf8)
        // Outside code blocks (which show the experiment file verbatim) every < of a name is escaped.
        let prose = markdown.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
        XCTAssertFalse(prose.replacingOccurrences(of: "\\<", with: "").contains("<img"), prose)
        XCTAssertFalse(prose.replacingOccurrences(of: "\\<", with: "").contains("<script"), prose)
        XCTAssertTrue(prose.contains("\\<img src=x onerror=alert(1)\\>"))
        XCTAssertFalse(compare.standardOutput.contains("\u{1B}"), "no terminal escape reaches the terminal")
        XCTAssertTrue(compare.standardOutput.contains("'; DROP TABLE runs; --"))
        let status = try AblateBinary.run(["status", database])
        XCTAssertEqual(status.status, 0, status.standardError)
        XCTAssertFalse(status.standardOutput.contains("\u{1B}"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("\\u{1B}[31mred"), status.standardOutput)
        // The SQL in the question was bound, not run: the database is whole.
        XCTAssertEqual(try SQLite.rows(database, "SELECT count(*) AS n FROM runs").first?["n"]?.int, 4)
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
    }
}
