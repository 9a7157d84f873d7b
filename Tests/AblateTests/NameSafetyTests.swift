import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// Names from experiment files never escape `results/`, `reports/` and `plots/`, and never reach the
/// terminal or a Markdown report raw: the real binary, run in a fresh working folder (`work/` inside
/// the test's folder, so a file written beside it is seen), with the default file locations.
final class NameSafetyTests: FolderTestCase {
    typealias Experiment = RunCommandTests.Experiment
    typealias SQLite = RunCommandTests.SQLite

    override class var folderLabel: String { "names" }

    /// The working folder the commands run in.
    var work: URL { directory.appendingPathComponent("work") }

    /// Experiment files live here, outside the working folder.
    var files: URL { directory.appendingPathComponent("experiments") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    }

    /// Runs `ablate arguments...` in the working folder.
    func ablate(_ arguments: [String]) throws -> AblateBinary.Result {
        try AblateBinary.run(arguments, currentDirectory: work)
    }

    /// A tiny experiment (1 seed, 3 steps, the baseline and one variant) named by `name`, a TOML
    /// basic string's contents (escapes allowed), written to `experiments/FILE`.
    func experiment(name: String, variant: String = "no-positional", file: String = "x.toml") throws -> String {
        let text = Experiment.tiny(steps: 3, evalEvery: 3)
            .replacingOccurrences(of: "name = \"tiny\"", with: "name = \"\(name)\"")
            .replacingOccurrences(of: "seeds = [1, 2]", with: "seeds = [1]")
            .replacingOccurrences(of: "name = \"no-positional\"", with: "name = \"\(variant)\"")
        return try Experiment.write(text, named: file, in: files)
    }

    /// Every file under the test's folder except the experiment files, relative to it.
    func writtenFiles() throws -> [String] {
        let root = directory.standardizedFileURL.path + "/"
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var out: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = root + path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !path.hasPrefix("experiments/") else { continue }
            out.append(path)
        }
        return out.sorted()
    }

    /// Every file written lies in work/results, work/reports or work/plots.
    func assertEverythingInside(file: StaticString = #filePath, line: UInt = #line) throws {
        let outside = try writtenFiles().filter {
            !($0.hasPrefix("work/results/") || $0.hasPrefix("work/reports/") || $0.hasPrefix("work/plots/"))
        }
        XCTAssertEqual(outside, [], "files outside results/, reports/ and plots/", file: file, line: line)
    }

    /// No control character but the newline, no C1 control, separator or bidirectional control.
    func assertNoHiddenCharacters(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let hidden = text.unicodeScalars.filter {
            ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || [0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains($0.value)
                || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
        }
        XCTAssertTrue(hidden.isEmpty, "\(what) holds \(hidden.map { String($0.value, radix: 16) }): \(text.debugDescription)",
                      file: file, line: line)
    }

    // MARK: - Names that would escape, long names, NUL

    func testNamesWithPathsStayInsideResultsReportsAndPlots() throws {
        for (index, name) in ["../escaped", "../../up/and/away", "/absolute", ".."].enumerated() {
            let file = try experiment(name: name, file: "escape-\(index).toml")
            let validate = try ablate(["validate", file])
            XCTAssertEqual(validate.status, 0, validate.standardError)
            let listed = validate.standardOutput.components(separatedBy: "\n").first { $0.hasPrefix("  files: ") } ?? ""
            let database = String(listed.dropFirst("  files: ".count).prefix { $0 != "," })
            XCTAssertTrue(database.hasPrefix("results/") && database.hasSuffix(".sqlite") && !database.dropFirst(8).contains("/"),
                          validate.standardOutput)

            let run = try ablate(["run", file, "--workers", "1"])
            XCTAssertEqual(run.status, 0, run.standardError + run.standardOutput)
            XCTAssertTrue(run.standardOutput.contains("\(database): 2 done of 2 runs"), run.standardOutput)
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent(database).path), database)
            try assertEverythingInside()
            // The name is kept whole in the database.
            XCTAssertEqual(try SQLite.rows(work.appendingPathComponent(database).path, "SELECT name FROM experiments").first?["name"]?.text, name)
        }
        // One of them reported: its files are named by the same stem.
        let database = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("results").path)
            .filter { $0.hasPrefix("_._escaped~") && $0.hasSuffix(".sqlite") }
        XCTAssertEqual(database.count, 1)
        let report = try ablate(["report", "results/" + database[0]])
        XCTAssertEqual(report.status, 0, report.standardError)
        let stem = String(database[0].dropLast(".sqlite".count))
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("reports/\(stem).md").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("plots/\(stem)/final-accuracy.png").path))
        let markdown = try String(contentsOf: work.appendingPathComponent("reports/\(stem).md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("](../plots/\(stem)/final-accuracy.png)"), "the report links its figures under the stem")
        try assertEverythingInside()
    }

    /// The name reaches the worker processes in argv: one that looks like an option stays a value.
    func testNamesThatLookLikeOptionsRun() throws {
        for (index, name) in ["-rf", "--help", "--experiment=x"].enumerated() {
            let file = try experiment(name: name, file: "dash-\(index).toml")
            let run = try ablate(["run", file, "--workers", "1"])
            XCTAssertEqual(run.status, 0, run.standardError + run.standardOutput)
            XCTAssertTrue(run.standardOutput.contains(": 2 done of 2 runs"), "\(name): \(run.standardOutput)")
            XCTAssertEqual(run.standardError, "", name)
        }
        try assertEverythingInside()
    }

    func testALongNameValidatesRunsAndReports() throws {
        let name = String(repeating: "long-name.", count: 30)
        let file = try experiment(name: name)
        let validate = try ablate(["validate", file])
        XCTAssertEqual(validate.status, 0, validate.standardError)
        let run = try ablate(["run", file, "--workers", "1"])
        XCTAssertEqual(run.status, 0, run.standardError + run.standardOutput)
        let databases = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("results").path).filter { $0.hasSuffix(".sqlite") }
        XCTAssertEqual(databases.count, 1)
        XCTAssertEqual(databases.first?.count, 100 + ".sqlite".count, "a stem of 100 characters")
        XCTAssertTrue(validate.standardOutput.contains("results/\(databases[0])"), validate.standardOutput)
        XCTAssertEqual(try ablate(["report", "results/" + databases[0]]).status, 0)
        try assertEverythingInside()
    }

    func testANameWithANULIsRefusedAndNothingIsWritten() throws {
        for name in [#"nul\u0000x"#, #"nul\U00000000"#] {
            let file = try experiment(name: name)
            for command in ["validate", "run"] {
                let result = try ablate([command, file])
                XCTAssertEqual(result.status, 2, "\(command): \(result.standardOutput)")
                XCTAssertTrue(result.standardError.contains("x.toml:2: experiment.name:") && result.standardError.contains("NUL"),
                              result.standardError)
            }
        }
        let variant = try experiment(name: "ok", variant: #"v\u0000"#)
        let result = try ablate(["run", variant])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("variant.name:"), result.standardError)
        XCTAssertEqual(try writtenFiles(), [], "nothing written")
    }

    /// `submit --print`: the shard folder is the stem's, the script holds no raw control character
    /// even for a database path the user chose with one, and nothing is written.
    func testTheSlurmScriptUsesTheStemAndQuotesHostilePaths() throws {
        let file = try experiment(name: #"../e\u001Bx"#)
        let script = try ablate(["submit", file, "--slurm", "--print"])
        XCTAssertEqual(script.status, 0, script.standardError)
        let plans = script.standardOutput.components(separatedBy: "\n").filter { $0.contains("--plan ") }
        XCTAssertEqual(plans.count, 1, script.standardOutput)
        let folder = work.standardizedFileURL.path + "/results/_._e_x~"
        XCTAssertTrue(plans.first?.contains("--plan '\(folder)") ?? false, script.standardOutput)
        XCTAssertTrue(plans.first?.contains("-slurm/plan.json'") ?? false, script.standardOutput)
        assertNoHiddenCharacters(script.standardOutput, "the job script")

        let chosen = work.appendingPathComponent("my\u{1B}[1m db.sqlite").path
        let custom = try ablate(["submit", file, "--slurm", "--print", "--database", chosen])
        XCTAssertEqual(custom.status, 0, custom.standardError)
        assertNoHiddenCharacters(custom.standardOutput + custom.standardError, "the job script")
        XCTAssertTrue(custom.standardOutput.contains("--plan $'"), custom.standardOutput)
        XCTAssertEqual(try writtenFiles(), [], "--print writes nothing")
    }

    // MARK: - Control and bidirectional characters, quotes, backticks, newlines

    func testHostileCharactersNeverReachTheTerminalOrTheMarkdownRaw() throws {
        let name = #"e\u001B[31mred\u0007\r\u202Eok'\"`x`\nline $(id)"#
        let variant = #"v\u001B]0;title\u0007\u202E\u009B2J"#
        // The experiment file's own path holds ESC, a quote and a space: it reaches the report's commands.
        let file = try experiment(name: name, variant: variant, file: "exp\u{1B}[1m it's.toml")

        let validate = try ablate(["validate", file])
        XCTAssertEqual(validate.status, 0, validate.standardError)
        XCTAssertTrue(validate.standardOutput.contains(#"valid: e\u{1B}[31mred\u{7}\r\u{202E}ok'"`x`\nline $(id),"#), validate.standardOutput)
        XCTAssertTrue(validate.standardOutput.contains("files: results/e__31mred"), validate.standardOutput)
        let dryRun = try ablate(["run", file, "--dry-run"])
        XCTAssertEqual(dryRun.status, 0)
        let run = try ablate(["run", file, "--workers", "1"])
        XCTAssertEqual(run.status, 0, run.standardError + run.standardOutput)
        let databases = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("results").path).filter { $0.hasSuffix(".sqlite") }
        XCTAssertEqual(databases.count, 1)
        let database = "results/" + databases[0]
        XCTAssertTrue(run.standardOutput.contains("\(database): 2 done of 2 runs"), run.standardOutput)

        let status = try ablate(["status", database])
        XCTAssertEqual(status.status, 0, status.standardError)
        let report = try ablate(["report", database])
        XCTAssertEqual(report.status, 0, report.standardError)
        XCTAssertTrue(report.standardOutput.contains(#"e\u{1B}[31mred\u{7}\r\u{202E}ok'"`x`\nline $(id): wrote reports/"#), report.standardOutput)
        let compare = try ablate(["compare", database])
        XCTAssertEqual(compare.status, 0, compare.standardError)
        for (command, result) in [("validate", validate), ("run --dry-run", dryRun), ("run", run), ("status", status), ("report", report),
                                  ("compare", compare)] {
            assertNoHiddenCharacters(result.standardOutput, "\(command)'s output")
            assertNoHiddenCharacters(result.standardError, "\(command)'s errors")
        }
        try assertEverythingInside()

        let stem = String(databases[0].dropLast(".sqlite".count))
        let markdown = try String(contentsOf: work.appendingPathComponent("reports/\(stem).md"), encoding: .utf8)
        assertNoHiddenCharacters(markdown, "the Markdown report")
        let html = try String(contentsOf: work.appendingPathComponent("reports/\(stem).html"), encoding: .utf8)
        _ = try XMLDocument(data: Data(html.utf8), options: [])
        XCTAssertTrue(html.contains("\\u{202E}ok&#39;&quot;`x`"), "the name shown, escaped for HTML")
        XCTAssertFalse(html.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) },
                       "no bidirectional control in the page")

        // The commands block gives commands that are safe to paste and mean the real paths.
        let commands = markdown.components(separatedBy: "\n").filter { $0.hasPrefix("ablate run ") || $0.hasPrefix("ablate report ") }
        XCTAssertEqual(commands.count, 2, markdown)
        let words = try commands.map { command -> String in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "printf '%s' " + command.dropFirst(command.hasPrefix("ablate run ") ? 11 : 14)]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        XCTAssertEqual(words, [file, database], commands.joined(separator: "\n"))
    }
}
