import Foundation
import TestSupport
import XCTest

/// End-to-end: `ablate reproduce` and `ablate eval` on a run that `ablate run` stored.
final class ReproduceCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-reproduce-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func sqlite(_ database: String, _ sql: String) throws -> String {
        try RunCommandTests.Shell.run("/usr/bin/sqlite3", [database, sql]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// ABLATE_GEMM=ordered trains on the ordered GEMM, the run records it, and `reproduce` (without the
    /// variable) retrains on the path the run recorded and says so; an OpenBLAS run is reproduced on
    /// OpenBLAS. A value naming no path is refused before anything is written.
    func testAGEMMPathIsRecordedAndReproducedAsRecorded() throws {
        let file = directory.appendingPathComponent("paths.toml")
        // Wider than the tiny model: at width 8 OpenBLAS's small-matrix kernel sums each element in
        // order with fused multiply-adds too, and the two paths would agree bit for bit.
        try TinyExperiment.file(
            name: "paths", question: "Which GEMM trained it?", seeds: [3], modelLines: [],
            trainLines: ["steps = 12", "batch = 8", "eval_every = 6", "validation_examples = 8", "test_examples_per_size = 2"]
        ).replacingOccurrences(of: "d_model = 8", with: "d_model = 64").replacingOccurrences(of: "d_ff = 8", with: "d_ff = 256")
            .write(to: file, atomically: true, encoding: .utf8)

        let refused = directory.appendingPathComponent("refused.sqlite").path
        let bad = try AblateBinary.run(["run", file.path, "--database", refused, "--workers", "1"], environment: ["ABLATE_GEMM": "fast"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.standardError.contains("ABLATE_GEMM must be one of \"openblas\", \"ordered\", got \"fast\""), bad.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: refused), "nothing written")

        var finalLosses: [String: String] = [:]
        for path in ["ordered", "openblas"] {
            let database = directory.appendingPathComponent("\(path).sqlite").path
            let run = try AblateBinary.run(["run", file.path, "--database", database, "--workers", "1"], environment: ["ABLATE_GEMM": path])
            XCTAssertEqual(run.status, 0, run.standardOutput + run.standardError)
            let key = try sqlite(database, "SELECT key FROM runs")
            XCTAssertEqual(try sqlite(database, "SELECT value FROM environment WHERE run = '\(key)' AND name = 'gemm'"), path)
            finalLosses[path] = try sqlite(database, "SELECT group_concat(value) FROM (SELECT value FROM metrics WHERE run = '\(key)' AND name = 'loss' ORDER BY split, step)")

            let reproduced = try AblateBinary.run(["reproduce", String(key.prefix(10)), "--database", database], environment: ["ABLATE_GEMM": nil])
            XCTAssertEqual(reproduced.status, 0, reproduced.standardOutput + reproduced.standardError)
            XCTAssertTrue(reproduced.standardOutput.contains("note: GEMM path \(path), as the run recorded"), reproduced.standardOutput)
            XCTAssertTrue(reproduced.standardOutput.contains("identical"), reproduced.standardOutput)
        }
        XCTAssertNotEqual(finalLosses["ordered"], finalLosses["openblas"], "the two paths sum in other orders: \(finalLosses)")
    }

    func testAStoredRunIsReproducedBitForBitAndATamperedOneIsNot() throws {
        let file = directory.appendingPathComponent("tiny.toml")
        try TinyExperiment.file(
            name: "tiny", question: "Does reproduce reproduce?", seeds: [7], modelLines: ["dropout = 0.1"],
            trainLines: ["steps = 30", "batch = 8", "eval_every = 10", "validation_examples = 16", "test_examples_per_size = 4",
                         "checkpoint_every = 10"]
        ).write(to: file, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("tiny.sqlite").path
        let run = try AblateBinary.run(["run", file.path, "--database", database, "--workers", "1"])
        XCTAssertEqual(run.status, 0, run.standardOutput + run.standardError)
        let key = try sqlite(database, "SELECT key FROM runs")
        XCTAssertEqual(key.count, 64)

        // The final model, and one every 10 steps before the end, each with its SHA-256.
        let artifacts = try sqlite(database, "SELECT kind || ' ' || path || ' ' || length(sha256) FROM artifacts ORDER BY path")
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(artifacts.count, 3, "\(artifacts)")
        XCTAssertEqual(artifacts.filter { $0.hasPrefix("checkpoint-step ") && $0.hasSuffix(" 64") }.count, 2, "\(artifacts)")
        XCTAssertTrue(artifacts.contains { $0.contains("-step-10.safetensors") } && artifacts.contains { $0.contains("-step-20.safetensors") })
        for line in artifacts {
            let path = line.split(separator: " ")[1]
            XCTAssertTrue(FileManager.default.fileExists(atPath: String(path)), String(path))
        }

        let reproduced = try AblateBinary.run(["reproduce", String(key.prefix(10)), "--database", database])
        XCTAssertEqual(reproduced.status, 0, reproduced.standardOutput + reproduced.standardError)
        XCTAssertTrue(reproduced.standardOutput.contains("identical"), reproduced.standardOutput)

        let evaluated = try AblateBinary.run(["eval", String(key.prefix(10)), "--database", database, "--length", "6...7", "--examples", "4"])
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        XCTAssertTrue(evaluated.standardOutput.contains("length=6") && evaluated.standardOutput.contains("length=7"), evaluated.standardOutput)

        _ = try sqlite(database, "UPDATE metrics SET value = value + 1e-9 WHERE split = 'validation' AND name = 'loss' AND step = 20")
        let tampered = try AblateBinary.run(["reproduce", String(key.prefix(10)), "--database", database])
        XCTAssertEqual(tampered.status, 1)
        XCTAssertTrue(tampered.standardOutput.contains("DIFFERENT: validation loss at step 20"), tampered.standardOutput)

        let unknown = try AblateBinary.run(["reproduce", "abcdef12", "--database", database])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.standardError.contains("no run with a key starting abcdef12"), unknown.standardError)
    }
}
