import Foundation
import XCTest

/// End-to-end: the exit codes and error messages of the real binary (docs/exit-codes.md). Every
/// usage error exits 2 with the usage line of its own subcommand, on standard error, in one form
/// ("error: ..."), whether ArgumentParser or the command found it; help and version exit 0 on
/// standard output; bad input exits 2 and a failure of the work exits 1.
final class ExitCodeTests: FolderTestCase {
    override class var folderLabel: String { "exit" }

    /// Runs ablate and checks a usage error: exit 2, nothing on standard output, one "error:" line
    /// first and the usage of `subcommand` ("ablate eval ...") after it.
    private func assertUsageError(_ arguments: [String], subcommand: String, mentions: String,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try AblateBinary.run(arguments)
        let shown = "ablate \(arguments.joined(separator: " ")):\n\(result.standardError)"
        XCTAssertEqual(result.status, 2, shown, file: file, line: line)
        XCTAssertEqual(result.standardOutput, "", shown, file: file, line: line)
        let lines = result.standardError.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("error: ") == true, shown, file: file, line: line)
        XCTAssertTrue(lines.first?.contains(mentions) == true, "expected the message to mention \(mentions): \(shown)",
                      file: file, line: line)
        let usage = lines.first { $0.hasPrefix("Usage: ") }
        XCTAssertNotNil(usage, shown, file: file, line: line)
        XCTAssertTrue(usage?.hasPrefix("Usage: ablate \(subcommand)") == true, "the usage of \(subcommand): \(shown)",
                      file: file, line: line)
        XCTAssertTrue(result.standardError.contains("See 'ablate \(subcommand) --help'"), shown, file: file, line: line)
    }

    func testUsageErrorsExitTwoWithTheirSubcommandsUsage() throws {
        let file = try RunCommandTests.Experiment.write(RunCommandTests.Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("none.sqlite").path
        // Found by ArgumentParser: an unknown option, a missing value, a malformed or unknown value.
        try assertUsageError(["status", database, "--bogus"], subcommand: "status", mentions: "--bogus")
        try assertUsageError(["run"], subcommand: "run", mentions: "<file>")
        try assertUsageError(["run", file, "--workers"], subcommand: "run", mentions: "--workers")
        try assertUsageError(["run", file, "--workers", "two"], subcommand: "run", mentions: "two")
        try assertUsageError(["export", database, "--format", "nosuch"], subcommand: "export", mentions: "nosuch")
        try assertUsageError(["eval", "abcd", "--examples", "many", "--length", "4"], subcommand: "eval", mentions: "many")
        try assertUsageError(["plot", "attention"], subcommand: "plot attention", mentions: "<run-key>")
        // Found by a command's validate() or run().
        try assertUsageError(["run", file, "--workers", "0"], subcommand: "run", mentions: "--workers")
        try assertUsageError(["bench", "--threads", "-1"], subcommand: "bench", mentions: "--threads")
        try assertUsageError(["bench", "--steps", "0"], subcommand: "bench", mentions: "--steps")
        try assertUsageError(["eval", "abcd", "--length", "abc"], subcommand: "eval", mentions: "--length")
        try assertUsageError(["eval", "abcd", "--length", "8...4"], subcommand: "eval", mentions: "--length")
        try assertUsageError(["report", database, "--metric", "nosuch"], subcommand: "report", mentions: "--metric")
        try assertUsageError(["tasks", "--count", "0"], subcommand: "tasks", mentions: "--count")
        try assertUsageError(["doctor", "--size", "3"], subcommand: "doctor", mentions: "--size")
        // Nothing was written by any of them.
        XCTAssertFalse(FileManager.default.fileExists(atPath: database))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["tiny.toml"])
    }

    func testAnUnknownSubcommandExitsTwoWithTheRootUsage() throws {
        let result = try AblateBinary.run(["nosuch"])
        XCTAssertEqual(result.status, 2, result.standardError)
        XCTAssertTrue(result.standardError.hasPrefix("error: "), result.standardError)
        XCTAssertTrue(result.standardError.contains("nosuch"), result.standardError)
        XCTAssertTrue(result.standardError.contains("Usage: ablate <subcommand>"), result.standardError)
    }

    func testHelpAndVersionExitZeroOnStandardOutput() throws {
        for arguments in [["--help"], ["help"], ["eval", "--help"], ["help", "eval"], ["plot", "attention", "--help"]] {
            let result = try AblateBinary.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.standardError)")
            XCTAssertEqual(result.standardError, "", "\(arguments)")
            XCTAssertTrue(result.standardOutput.contains("USAGE: ablate"), "\(arguments): \(result.standardOutput)")
        }
        // The root help lists the exit codes.
        let help = try AblateBinary.run(["--help"])
        XCTAssertTrue(help.standardOutput.contains("Exit codes"), help.standardOutput)
        let version = try AblateBinary.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    func testBadInputExitsTwoWithOneErrorLineAndNoUsage() throws {
        // Input that parses but names something unusable: one line saying what, no usage block.
        let malformed = directory.appendingPathComponent("bad.toml")
        try "[experiment]\nname = \"x\"\nseeds = [1]\n[task]\nkind = \"nosuch\"\n".write(to: malformed, atomically: true, encoding: .utf8)
        let cases: [[String]] = [
            ["validate", malformed.path],
            ["validate", directory.appendingPathComponent("missing.toml").path],
            ["predict", directory.appendingPathComponent("missing.safetensors").path, "--input", "1 2"],
        ]
        for arguments in cases {
            let result = try AblateBinary.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.standardError)")
            XCTAssertTrue(result.standardError.hasPrefix("error: ") || result.standardError.hasPrefix(malformed.path),
                          "\(arguments): \(result.standardError)")
            XCTAssertFalse(result.standardError.contains("Usage:"), "\(arguments): \(result.standardError)")
        }
    }

    func testErrorMessagesReachTheTerminalEscaped() throws {
        // A path with an escape sequence and a bidirectional override, echoed by the error message.
        let hostile = directory.appendingPathComponent("x\u{1B}[31mred\u{202E}\u{7}.toml").path
        let result = try AblateBinary.run(["validate", hostile])
        XCTAssertEqual(result.status, 2, result.standardError)
        for raw in ["\u{1B}", "\u{202E}", "\u{7}"] {
            XCTAssertFalse(result.standardError.contains(raw), "raw control character in: \(result.standardError.debugDescription)")
        }
        XCTAssertTrue(result.standardError.contains("\\u{1B}[31mred\\u{202E}\\u{7}"), result.standardError)
    }
}
