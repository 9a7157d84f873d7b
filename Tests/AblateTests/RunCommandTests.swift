import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// End-to-end: `ablate run`, `validate`, `status` and `export` of the real binary on tiny experiment
/// files in a temporary folder, with the database read back through the `sqlite3` shell.
///
/// Paths are absolute (the binary inherits the test's working directory); checkpoints go next to
/// the database, in `NAME-checkpoints/`.
final class RunCommandTests: FolderTestCase {
    // MARK: - Fixture: one tiny experiment run once with 2 workers, shared by the read-only tests

    struct Fixture {
        var directory: URL
        var file: String
        var database: String
        var result: AblateBinary.Result
    }

    nonisolated(unsafe) private static var shared: Fixture?
    nonisolated(unsafe) private static var sharedFailure: Error?

    /// Runs `tiny.toml` into `shared/tiny.sqlite` once per test process.
    static func fixture() throws -> Fixture {
        if let shared { return shared }
        if let sharedFailure { throw sharedFailure }
        do {
            let directory = try Experiment.temporaryDirectory("shared")
            let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
            let database = directory.appendingPathComponent("tiny.sqlite").path
            let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "2"])
            let fixture = Fixture(directory: directory, file: file, database: database, result: result)
            shared = fixture
            return fixture
        } catch {
            sharedFailure = error
            throw error
        }
    }

    override class func tearDown() {
        removeFixture()
        super.tearDown()
    }

    /// Removes the shared fixture's folder (other test classes that use the fixture call this when they end).
    static func removeFixture() {
        if let shared { try? FileManager.default.removeItem(at: shared.directory) }
        shared = nil
    }

    override class var folderLabel: String { "run" }


    // MARK: - 1. What a run writes, and a second run that does nothing

    func testARunWritesRunsCurvesEvaluationsSlicesEnvironmentAndCheckpoints() throws {
        let fixture = try Self.fixture()
        let database = fixture.database
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError + fixture.result.standardOutput)
        XCTAssertTrue(fixture.result.standardOutput.contains("\(database): 4 done of 4 runs"), fixture.result.standardOutput)
        XCTAssertEqual(fixture.result.standardError, "", "a successful run prints no error")
        // Not a terminal: one log line per finished run.
        XCTAssertEqual(fixture.result.standardOutput.components(separatedBy: "\n").filter { $0.hasPrefix("done: ") }.count, 4,
                       fixture.result.standardOutput)

        // Runs: the baseline and the variant, two seeds each, all done once, 30 steps.
        let runs = try SQLite.rows(database, """
            SELECT key, variant, seed, status, attempts, steps, parameters, worker_pid, started_at, finished_at
            FROM runs ORDER BY position
            """)
        XCTAssertEqual(runs.map { "\($0["variant"]!.text) \($0["seed"]!.text)" },
                       ["baseline 1", "baseline 2", "no-positional 1", "no-positional 2"])
        for run in runs {
            let name = "\(run["variant"]!.text) seed \(run["seed"]!.text)"
            XCTAssertEqual(run["status"]?.text, "done", name)
            XCTAssertEqual(run["attempts"]?.int, 1, name)
            XCTAssertEqual(run["steps"]?.int, 30, name)
            XCTAssertGreaterThan(run["parameters"]?.int ?? 0, 0, name)
            XCTAssertNotEqual(run["worker_pid"], .null, name)
            XCTAssertNotEqual(run["started_at"], .null, name)
            XCTAssertNotEqual(run["finished_at"], .null, name)
            XCTAssertEqual(run["key"]?.text.count, 64, name)
        }
        let keys = runs.map { $0["key"]!.text }

        // Training curves: one row per step and metric, steps 1...30, no gaps.
        for key in keys {
            let steps = try SQLite.rows(database, "SELECT step FROM metrics WHERE run = '\(key)' AND split = 'train' AND name = 'loss' ORDER BY step")
            XCTAssertEqual(steps.compactMap { $0["step"]?.int }, Array(1...30), key)
            let perName = try SQLite.rows(database, "SELECT name, count(*) AS n FROM metrics WHERE run = '\(key)' AND split = 'train' GROUP BY name ORDER BY name")
            XCTAssertFalse(perName.isEmpty, key)
            for row in perName { XCTAssertEqual(row["n"]?.int, 30, "\(key) train \(row["name"]!.text)") }
            let finite = try SQLite.rows(database, "SELECT count(*) AS n FROM metrics WHERE run = '\(key)' AND split = 'train' AND name = 'loss' AND value IS NOT NULL AND value > 0")
            XCTAssertEqual(finite.first?["n"]?.int, 30, "\(key): a positive, finite loss at every step")
        }

        // Validation at 10, 20 and 30; the test evaluation once, at the end, sliced by length 2...5.
        let splits = try SQLite.rows(database, "SELECT DISTINCT split FROM metrics ORDER BY split").map { $0["split"]!.text }
        XCTAssertEqual(splits, ["test", "train", "validation"])
        for key in keys {
            let validation = try SQLite.rows(database, "SELECT step FROM metrics WHERE run = '\(key)' AND split = 'validation' AND name = 'loss' ORDER BY step")
            XCTAssertEqual(validation.compactMap { $0["step"]?.int }, [10, 20, 30], key)
            let exact = try SQLite.rows(database, "SELECT value FROM metrics WHERE run = '\(key)' AND split = 'validation' AND name = 'exact_match' ORDER BY step")
            XCTAssertEqual(exact.count, 3, key)
            for row in exact { XCTAssertTrue((0...1).contains(row["value"]?.double ?? -1), "\(key): exact match \(row)") }
            let test = try SQLite.rows(database, "SELECT step FROM metrics WHERE run = '\(key)' AND split = 'test' AND name = 'loss'")
            XCTAssertEqual(test.compactMap { $0["step"]?.int }, [30], key)

            let slices = try SQLite.rows(database, "SELECT slice, step, examples FROM slices WHERE run = '\(key)' AND split = 'test' ORDER BY slice")
            XCTAssertEqual(slices.map { $0["slice"]!.text }, ["length=2", "length=3", "length=4", "length=5"], key)
            for slice in slices {
                XCTAssertEqual(slice["step"]?.int, 30, key)
                XCTAssertEqual(slice["examples"]?.int, 4, "\(key) \(slice["slice"]!.text): test_examples_per_size")
            }
            // Validation is drawn at the training lengths (length 2 has 16 sources, of which the
            // validation split may hold none), the same 16 examples at every evaluation.
            let validationSlices = try SQLite.rows(database, """
                SELECT step, group_concat(slice) AS slices, sum(examples) AS examples FROM slices
                WHERE run = '\(key)' AND split = 'validation' GROUP BY step ORDER BY step
                """)
            XCTAssertEqual(validationSlices.compactMap { $0["step"]?.int }, [10, 20, 30], key)
            XCTAssertEqual(Set(validationSlices.map { $0["slices"]!.text }).count, 1, "\(key): \(validationSlices)")
            for row in validationSlices {
                XCTAssertEqual(row["examples"]?.int, 16, "\(key): validation_examples")
                let lengths = row["slices"]!.text.split(separator: ",").map(String.init)
                XCTAssertTrue(Set(lengths).isSubset(of: ["length=2", "length=3", "length=4"]) && !lengths.isEmpty, "\(key): \(lengths)")
            }
        }

        // Environment: per run, written by its worker, and experiment-wide.
        for key in keys {
            let facts = try SQLite.rows(database, "SELECT name, value FROM environment WHERE run = '\(key)'")
            let byName = Dictionary(facts.map { ($0["name"]!.text, $0["value"]!.text) }, uniquingKeysWith: { a, _ in a })
            for name in ["git_commit", "blas_kernel", "cpu", "cores", "host", "os", "swift"] {
                XCTAssertFalse(byName[name, default: ""].isEmpty, "\(key): environment \(name) in \(byName)")
            }
        }
        let wide = try SQLite.rows(database, "SELECT name FROM environment WHERE run IS NULL").map { $0["name"]!.text }
        XCTAssertTrue(Set(wide).isSuperset(of: ["git_commit", "blas_kernel", "cpu"]), "\(wide)")

        // Checkpoints: one per run, next to the database, with its size.
        let artifacts = try SQLite.rows(database, "SELECT run, path, kind, bytes FROM artifacts ORDER BY run")
        XCTAssertEqual(artifacts.map { $0["run"]!.text }, keys.sorted())
        let checkpoints = (database as NSString).deletingPathExtension + "-checkpoints"
        for artifact in artifacts {
            let path = artifact["path"]!.text
            XCTAssertEqual(artifact["kind"]?.text, "checkpoint")
            XCTAssertTrue(path.hasPrefix(checkpoints + "/") && path.hasSuffix(".safetensors"), path)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(path) is recorded but missing")
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
            XCTAssertNotNil(size, path)
            XCTAssertEqual(artifact["bytes"]?.int, size, "\(path): recorded size")
        }
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA foreign_key_check").count, 0)
    }

    /// docs/store.md: artifacts.sha256 is "hex SHA-256 of the file, to check that it is the file the run wrote".
    func testCheckpointArtifactsRecordTheSHA256OfTheirFile() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let artifacts = try SQLite.rows(fixture.database, "SELECT path, sha256 FROM artifacts WHERE kind = 'checkpoint'")
        XCTAssertEqual(artifacts.count, 4)
        for artifact in artifacts {
            let path = artifact["path"]!.text
            XCTAssertEqual(artifact["sha256"]?.text, try Experiment.sha256(of: path), "\(path): the recorded SHA-256")
        }
    }

    func testASecondRunOfTheSameFileDoesNothing() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let before = try SQLite.fingerprint(fixture.database)
        let again = try AblateBinary.run(["run", fixture.file, "--database", fixture.database, "--workers", "2"])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("Nothing to do"), again.standardOutput)
        XCTAssertFalse(again.standardOutput.contains("Running "), again.standardOutput)
        XCTAssertTrue(again.standardOutput.contains("4 done of 4 runs"), again.standardOutput)
        XCTAssertEqual(again.standardError, "")
        XCTAssertEqual(try SQLite.fingerprint(fixture.database), before, "a run with nothing to do changes no result row")
    }

    /// docs/store.md's names table (generated from the metric vocabulary) says which metric each split
    /// records: the real run writes exactly those (split, name) pairs, and slices of the evaluated splits
    /// labelled `name=value`.
    func testARunWritesTheDocumentedMetricNames() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/store.md"), encoding: .utf8)
        // Rows "| `name` | meaning | `split`, `split` |" of the table headed "| name | meaning | recorded for |".
        let lines = docs.components(separatedBy: "\n")
        let header = try XCTUnwrap(lines.firstIndex(of: "| name | meaning | recorded for |"), "docs/store.md lacks the names table")
        var documented = Set<String>()
        for line in lines[(header + 2)...].prefix(while: { $0.hasPrefix("|") }) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            for split in cells[2].components(separatedBy: ", ") { documented.insert("\(split.trimmingCharacters(in: CharacterSet(charactersIn: "`"))) \(name)") }
        }
        XCTAssertGreaterThan(documented.count, 5, "the table lists names for several splits")

        let stored = try SQLite.rows(fixture.database, "SELECT DISTINCT split, name FROM metrics").map { "\($0["split"]!.text) \($0["name"]!.text)" }
        XCTAssertEqual(Set(stored), documented)

        let sliceSplits = try SQLite.rows(fixture.database, "SELECT DISTINCT split FROM slices ORDER BY split").map { $0["split"]!.text }
        XCTAssertEqual(sliceSplits, ["test", "validation"], "every evaluation is sliced; training batches are not")
        let labels = try SQLite.rows(fixture.database, "SELECT DISTINCT slice FROM slices").map { $0["slice"]!.text }
        XCTAssertFalse(labels.isEmpty)
        for label in labels {
            XCTAssertNotNil(label.range(of: "^[a-z]+=[0-9]+$", options: .regularExpression), "slice \(label) is name=value")
        }
    }

    // MARK: - 2. Editing one variant reruns only that variant

    func testEditingOneVariantRerunsOnlyThatVariant() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        // A copy of the finished database (ablate closed it: no WAL left to copy).
        let database = directory.appendingPathComponent("edited.sqlite").path
        try SQLite.execute(fixture.database, "PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(atPath: fixture.database, toPath: database)
        let before = try SQLite.rows(database, "SELECT key, variant, seed, started_at, finished_at, attempts FROM runs ORDER BY position")
        XCTAssertEqual(before.count, 4)

        let file = try Experiment.write(Experiment.tiny(variantPositional: "rope"), named: "tiny.toml", in: directory)
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "2"])
        XCTAssertEqual(result.status, 0, result.standardError + result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("2 new run(s) registered"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("Running 2 of 4 runs"), result.standardOutput)
        XCTAssertEqual(result.standardError, "", "a successful run prints no error")

        let after = try SQLite.rows(database, "SELECT key, variant, seed, status, started_at, finished_at, attempts, config FROM runs ORDER BY position")
        // The baseline (and the old variant's results) are untouched.
        for old in before {
            let same = after.first { $0["key"] == old["key"] }
            XCTAssertNotNil(same, "run \(old["key"]!.text) is still there")
            for column in ["variant", "seed", "started_at", "finished_at", "attempts"] {
                XCTAssertEqual(same?[column], old[column], "\(old["variant"]!.text) seed \(old["seed"]!.text): \(column)")
            }
        }
        // The edited variant has two new runs, trained now.
        let new = after.filter { row in !before.contains { $0["key"] == row["key"] } }
        XCTAssertEqual(new.map { "\($0["variant"]!.text) \($0["seed"]!.text)" }, ["no-positional 1", "no-positional 2"])
        for run in new {
            XCTAssertEqual(run["status"]?.text, "done")
            XCTAssertEqual(run["attempts"]?.int, 1)
            XCTAssertTrue(run["config"]!.text.contains("rope"), run["config"]!.text)
            let losses = try SQLite.rows(database, "SELECT count(*) AS n FROM metrics WHERE run = '\(run["key"]!.text)' AND split = 'train' AND name = 'loss'")
            XCTAssertEqual(losses.first?["n"]?.int, 30)
        }
        let baselineKeys = before.filter { $0["variant"]?.text == "baseline" }.map { $0["key"]!.text }
        let newStarts = new.compactMap { $0["started_at"]?.text }
        let oldFinishes = before.compactMap { $0["finished_at"]?.text }
        XCTAssertEqual(baselineKeys.count, 2)
        XCTAssertTrue(newStarts.allSatisfy { start in oldFinishes.allSatisfy { $0 < start } }, "the new runs started after the first sweep")
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
    }

    // MARK: - 3. 1 worker and 2 workers give the same bits

    func testOneWorkerAndTwoWorkersGiveBitIdenticalMetrics() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("one-worker.sqlite").path
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(result.status, 0, result.standardError + result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("with 1 worker(s)"), result.standardOutput)
        XCTAssertEqual(result.standardError, "", "a successful run prints no error")

        let metrics = """
            SELECT r.variant, r.seed, m.split, m.name, m.step, printf('%.17g', m.value) AS value
            FROM metrics m JOIN runs r ON r.key = m.run ORDER BY r.variant, r.seed, m.split, m.name, m.step
            """
        let slices = """
            SELECT r.variant, r.seed, s.split, s.slice, s.step, printf('%.17g|%.17g|%.17g', s.loss, s.token_accuracy, s.exact_match) AS value, s.examples
            FROM slices s JOIN runs r ON r.key = s.run ORDER BY r.variant, r.seed, s.split, s.slice, s.step
            """
        let runs = "SELECT key, variant, seed, parameters, steps FROM runs ORDER BY variant, seed"
        for sql in [metrics, slices, runs] {
            let one = try SQLite.rows(database, sql)
            let two = try SQLite.rows(fixture.database, sql)
            XCTAssertFalse(one.isEmpty)
            XCTAssertEqual(one.count, two.count, sql)
            if let index = (0..<min(one.count, two.count)).first(where: { one[$0] != two[$0] }) {
                XCTFail("1 and 2 workers differ at row \(index): \(one[index]) vs \(two[index])")
            }
        }
        let count = try SQLite.rows(database, "SELECT count(*) AS n FROM metrics")
        XCTAssertGreaterThan(count.first?["n"]?.int ?? 0, 4 * 30 * 4)
        // The checkpoints are the same bytes too.
        let checkpoints = "SELECT r.variant, r.seed, a.path FROM artifacts a JOIN runs r ON r.key = a.run ORDER BY r.variant, r.seed"
        let onePaths = try SQLite.rows(database, checkpoints).map { $0["path"]!.text }
        let twoPaths = try SQLite.rows(fixture.database, checkpoints).map { $0["path"]!.text }
        XCTAssertEqual(onePaths.count, 4)
        for (a, b) in zip(onePaths, twoPaths) {
            XCTAssertEqual(FileManager.default.contents(atPath: a), FileManager.default.contents(atPath: b), "\(a) vs \(b)")
        }
    }

    // MARK: - 4. A worker killed mid-run: its run is redone from scratch by the next `ablate run`

    func testAKilledWorkerLeavesNoTraceAndItsRunIsRedoneOnce() throws {
        let steps = 400
        let file = try Experiment.write(Experiment.tiny(name: "kill", steps: steps, evalEvery: 50), named: "kill.toml", in: directory)
        let database = directory.appendingPathComponent("kill.sqlite").path
        let outputFile = directory.appendingPathComponent("run.out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        let parent = try AblateBinary.startRun(file, database: database, output: output)
        defer { if parent.isRunning { parent.terminate(); parent.waitUntilExit() } }

        // Wait for a run that is running and has written part of its training curve.
        var victim: (key: String, pid: Int32, position: Int)? = nil
        let deadline = Date().addingTimeInterval(60)
        while victim == nil, parent.isRunning, Date() < deadline {
            if FileManager.default.fileExists(atPath: database),
               let row = (try? SQLite.rows(database, """
                   SELECT key, worker_pid, position FROM runs
                   WHERE status = 'running' AND worker_pid IS NOT NULL
                     AND (SELECT count(*) FROM metrics WHERE run = runs.key AND split = 'train' AND name = 'loss') > 0
                   ORDER BY position LIMIT 1
                   """))?.first,
               let pid = row["worker_pid"]?.int, let position = row["position"]?.int {
                victim = (row["key"]!.text, Int32(pid), position)
            } else {
                usleep(20_000)
            }
        }
        guard let victim else {
            XCTFail("no run was seen running with metrics (parent running: \(parent.isRunning))")
            return
        }
        XCTAssertNotEqual(victim.pid, parent.processIdentifier, "runs are trained by worker processes, not by ablate run itself")
        XCTAssertEqual(kill(victim.pid, SIGKILL), 0, "kill worker \(victim.pid)")
        parent.waitUntilExit()
        try output.close()
        let printed = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        XCTAssertEqual(parent.terminationReason, .exit, printed)
        XCTAssertEqual(parent.terminationStatus, 1, "the sweep is incomplete: \(printed)")
        XCTAssertTrue(printed.contains("a worker (pid \(victim.pid)) was killed by signal 9"), printed)

        // The parent put the killed run back to pending and deleted what it had written.
        let killed = try SQLite.rows(database, "SELECT status, attempts, error, worker_pid FROM runs WHERE key = '\(victim.key)'").first
        XCTAssertEqual(killed?["status"]?.text, "pending")
        XCTAssertEqual(killed?["attempts"]?.int, 1)
        XCTAssertEqual(killed?["worker_pid"], .null)
        XCTAssertTrue(killed?["error"]?.text.contains("reset: worker pid \(victim.pid)") ?? false, "\(String(describing: killed))")
        for table in ["metrics", "slices", "environment", "artifacts"] {
            let left = try SQLite.rows(database, "SELECT count(*) AS n FROM \(table) WHERE run = '\(victim.key)'")
            XCTAssertEqual(left.first?["n"]?.int, 0, "\(table) rows of the killed attempt")
        }
        // The sweep went on without it: a new worker trained the runs after it.
        let statuses = try SQLite.rows(database, "SELECT position, status, attempts FROM runs ORDER BY position")
        for row in statuses {
            let position = row["position"]?.int ?? -1
            XCTAssertEqual(row["status"]?.text, position == victim.position ? "pending" : "done", "run at position \(position)")
            XCTAssertEqual(row["attempts"]?.int, 1, "run at position \(position)")
        }
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")

        // The next run finishes the sweep; the killed run is trained once more, from step 1.
        let resumed = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError + resumed.standardOutput)
        XCTAssertTrue(resumed.standardOutput.contains("4 done of 4 runs"), resumed.standardOutput)
        XCTAssertTrue(resumed.standardOutput.contains("Running 1 of 4 runs"), resumed.standardOutput)
        XCTAssertEqual(resumed.standardError, "", "a successful run prints no error")
        let runs = try SQLite.rows(database, """
            SELECT key, status, attempts, steps,
                   (SELECT count(*) FROM metrics WHERE run = runs.key AND split = 'train' AND name = 'loss') AS n,
                   (SELECT count(DISTINCT step) FROM metrics WHERE run = runs.key AND split = 'train' AND name = 'loss') AS distinct_steps,
                   (SELECT min(step) FROM metrics WHERE run = runs.key AND split = 'train' AND name = 'loss') AS first,
                   (SELECT max(step) FROM metrics WHERE run = runs.key AND split = 'train' AND name = 'loss') AS last,
                   (SELECT count(*) FROM metrics WHERE run = runs.key AND split = 'validation' AND name = 'loss') AS validations,
                   (SELECT count(*) FROM slices WHERE run = runs.key AND split = 'test') AS test_slices,
                   (SELECT count(*) FROM artifacts WHERE run = runs.key) AS artifacts,
                   (SELECT count(*) FROM environment WHERE run = runs.key AND name = 'git_commit') AS commits
            FROM runs ORDER BY position
            """)
        XCTAssertEqual(runs.count, 4)
        for run in runs {
            let key = run["key"]!.text
            XCTAssertEqual(run["status"]?.text, "done", key)
            XCTAssertEqual(run["attempts"]?.int, key == victim.key ? 2 : 1, "\(key): claimed once, or twice if it was killed")
            XCTAssertEqual(run["steps"]?.int, steps, key)
            XCTAssertEqual(run["n"]?.int, steps, "\(key): one train loss per step")
            XCTAssertEqual(run["distinct_steps"]?.int, steps, key)
            XCTAssertEqual(run["first"]?.int, 1, key)
            XCTAssertEqual(run["last"]?.int, steps, key)
            XCTAssertEqual(run["validations"]?.int, steps / 50, key)
            XCTAssertEqual(run["test_slices"]?.int, 4, key)
            XCTAssertEqual(run["artifacts"]?.int, 1, key)
            XCTAssertEqual(run["commits"]?.int, 1, key)
        }
        let paths = try SQLite.rows(database, "SELECT path FROM artifacts").map { $0["path"]!.text }
        for path in paths { XCTAssertTrue(FileManager.default.fileExists(atPath: path), path) }
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA foreign_key_check").count, 0)
    }

    // MARK: - An interrupted run, and many workers at once

    /// docs/store.md: "interrupted: the next ablate run redoes it", from its first step; and the
    /// log names the runs that finish now, not those finished before.
    func testAnInterruptedRunIsRedoneFromScratchAndAloneInTheLog() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let database = directory.appendingPathComponent("interrupted.sqlite").path
        try SQLite.execute(fixture.database, "PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(atPath: fixture.database, toPath: database)
        let key = try SQLite.rows(database, "SELECT key FROM runs WHERE variant = 'no-positional' AND seed = 2").first!["key"]!.text
        try SQLite.execute(database, "UPDATE runs SET status = 'interrupted' WHERE key = '\(key)'")
        let before = try SQLite.rows(database, "SELECT key, started_at, finished_at, attempts FROM runs WHERE key != '\(key)' ORDER BY key")

        let result = try AblateBinary.run(["run", fixture.file, "--database", database, "--workers", "2"])
        XCTAssertEqual(result.status, 0, result.standardError + result.standardOutput)
        XCTAssertEqual(result.standardError, "", "a successful run prints no error")
        XCTAssertTrue(result.standardOutput.contains("Running 1 of 4 runs with 1 worker(s)"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("4 done of 4 runs"), result.standardOutput)
        let logged = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("done: ") }
        XCTAssertEqual(logged.count, 1, "only the run trained now is logged as done:\n\(result.standardOutput)")
        XCTAssertTrue(logged.contains { $0.hasPrefix("done: no-positional seed 2 (30 steps") }, result.standardOutput)

        let redone = try SQLite.rows(database, "SELECT status, attempts FROM runs WHERE key = '\(key)'").first
        XCTAssertEqual(redone?["status"]?.text, "done")
        XCTAssertEqual(redone?["attempts"]?.int, 2)
        XCTAssertEqual(try SQLite.rows(database, "SELECT key, started_at, finished_at, attempts FROM runs WHERE key != '\(key)' ORDER BY key"), before,
                       "the other runs are not touched")
        // Trained again from step 1: the same bits as the first time.
        let curve = "SELECT split, name, step, printf('%.17g', value) AS value FROM metrics WHERE run = '\(key)' ORDER BY split, name, step"
        let again = try SQLite.rows(database, curve)
        XCTAssertEqual(again.filter { $0["split"]?.text == "train" && $0["name"]?.text == "loss" }.compactMap { $0["step"]?.int }, Array(1...30))
        XCTAssertEqual(again, try SQLite.rows(fixture.database, curve))
    }

    /// Many workers finishing at about the same time: every run is done once, and `ablate run`
    /// prints no error (each worker's closing checkpoint may find another one's in progress).
    func testSixteenWorkersOnSixteenRunsPrintNoError() throws {
        let text = Experiment.tiny(name: "many", steps: 0).replacingOccurrences(of: "seeds = [1, 2]", with: "seeds = [1, 2, 3, 4, 5, 6, 7, 8]")
        let file = try Experiment.write(text, named: "many.toml", in: directory)
        let database = directory.appendingPathComponent("many.sqlite").path
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "16"])
        XCTAssertEqual(result.status, 0, result.standardError + result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("with 16 worker(s)"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("16 done of 16 runs"), result.standardOutput)
        XCTAssertEqual(result.standardError, "", "a successful run prints no error")
        let runs = try SQLite.rows(database, "SELECT status, attempts, count(*) AS n FROM runs GROUP BY status, attempts")
        XCTAssertEqual(runs, [["status": .text("done"), "attempts": .int(1), "n": .int(16)]])
        let workers = try SQLite.rows(database, "SELECT count(DISTINCT worker_pid) AS n FROM runs").first?["n"]?.int ?? 0
        XCTAssertGreaterThan(workers, 1, "the runs were shared between workers")
        XCTAssertEqual(try SQLite.rows(database, "SELECT count(*) AS n FROM artifacts").first?["n"]?.int, 16)
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
    }

    // MARK: - 5. The malformed corpus through the binary

    func testEveryMalformedFileIsRefusedByRunAndValidateWithoutADatabase() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ExperimentsTests/malformed")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 20)
        let database = directory.appendingPathComponent("m.sqlite").path
        for name in names {
            let path = folder.appendingPathComponent(name).path
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let first = String(decoding: data.prefix { $0 != 0x0A }, as: UTF8.self)
            guard first.hasPrefix("# expect: "), let line = Int(first.dropFirst("# expect: ".count).prefix { $0.isNumber }) else {
                XCTFail("\(name): no # expect: LINE line")
                continue
            }
            for command in [["run", path, "--database", database, "--workers", "1"], ["validate", path]] {
                let result = try AblateBinary.run(command)
                let label = "\(name), ablate \(command[0])"
                XCTAssertEqual(result.status, 2, "\(label): \(result.standardError)")
                XCTAssertTrue(result.standardError.hasPrefix("error: \(path):\(line):"), "\(label): \(result.standardError)")
                XCTAssertEqual(result.standardError.filter { $0 == "\n" }.count, 1, "\(label): one line: \(result.standardError)")
                XCTAssertEqual(result.standardOutput, "", label)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            XCTAssertEqual(left, [], "\(name): nothing is written for an invalid file")
        }
        let quickstart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("experiments/quickstart.toml").path
        let valid = try AblateBinary.run(["validate", quickstart])
        XCTAssertEqual(valid.status, 0, valid.standardError)
        XCTAssertEqual(valid.standardOutput, "\(quickstart): valid: quickstart, 2 variant(s) x 3 seed(s) = 6 runs\n"
                       + "  files: results/quickstart.sqlite, results/quickstart-checkpoints/, reports/quickstart.md, "
                       + "reports/quickstart.html, plots/quickstart/\n")
        XCTAssertEqual(valid.standardError, "")
    }

    func testValidateAndDryRunOfTheTinyFile() throws {
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let valid = try AblateBinary.run(["validate", file])
        XCTAssertEqual(valid.status, 0, valid.standardError)
        XCTAssertTrue(valid.standardOutput.contains("valid: tiny, 2 variant(s) x 2 seed(s) = 4 runs"), valid.standardOutput)
        let database = directory.appendingPathComponent("dry.sqlite").path
        let dry = try AblateBinary.run(["run", file, "--database", database, "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.standardError)
        let lines = dry.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.first, "tiny: 4 runs")
        XCTAssertEqual(lines.count, 5, dry.standardOutput)
        XCTAssertFalse(FileManager.default.fileExists(atPath: database), "--dry-run writes nothing")
    }

    // MARK: - 6. status and export

    func testStatusListsEachVariantWithItsDoneCount() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let status = try AblateBinary.run(["status", fixture.database])
        XCTAssertEqual(status.status, 0, status.standardError)
        let lines = status.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["tiny: \(Experiment.question)", "  baseline: 2 done", "  no-positional (model.positional = \"none\"): 2 done"])

        let missing = try AblateBinary.run(["status", directory.appendingPathComponent("none.sqlite").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.standardError.hasPrefix("error: "), missing.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("none.sqlite").path))
    }

    /// Status lists the variants in the sweep's order (the baseline, then the file's order, then the
    /// grid), not sorted by name, each with its changes as written and its statuses results first; a
    /// grid point equal to an earlier variant is "same as" it.
    func testStatusKeepsTheSweepsOrderOfVariants() throws {
        let text = Experiment.tiny(name: "order", steps: 2, evalEvery: 2)
            .replacingOccurrences(of: "name = \"no-positional\"", with: "name = \"zz-no-positional\"")
            + "[[variant]]\nname = \"aa-learned\"\nmodel.positional = \"learned\"\nmodel.max_length = 16\n"
            + "\n[grid]\n\"model.heads\" = [2, 1]\n"
        let file = try Experiment.write(text, named: "order.toml", in: directory)
        let database = directory.appendingPathComponent("order.sqlite").path
        let run = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let status = try AblateBinary.run(["status", database])
        XCTAssertEqual(status.status, 0, status.standardError)
        XCTAssertEqual(status.standardOutput.split(separator: "\n").dropFirst().map(String.init),
                       ["  baseline: 2 done", "  zz-no-positional (model.positional = \"none\"): 2 done",
                        "  aa-learned (model.positional = \"learned\", model.max_length = 16): 2 done",
                        "  heads=2 (model.heads = 2): same as baseline", "  heads=1 (model.heads = 1): 2 done"])
    }

    func testExportAsCSVAndJSON() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.result.status, 0, fixture.result.standardError)
        let keys = try SQLite.rows(fixture.database, "SELECT key FROM runs ORDER BY position").map { $0["key"]!.text }

        let csv = try AblateBinary.run(["export", fixture.database, "--format", "csv", "--table", "runs"])
        XCTAssertEqual(csv.status, 0, csv.standardError)
        let records = CSV.parse(csv.standardOutput)
        XCTAssertEqual(records.count, 5, "a header and one row per run:\n\(csv.standardOutput)")
        let header = records.first ?? []
        for column in ["key", "experiment", "variant", "seed", "config", "status", "attempts", "worker_pid"] {
            XCTAssertTrue(header.contains(column), "\(column) in \(header)")
        }
        if let keyColumn = header.firstIndex(of: "key"), let statusColumn = header.firstIndex(of: "status") {
            XCTAssertEqual(records.dropFirst().map { $0[keyColumn] }, keys)
            XCTAssertEqual(records.dropFirst().map { $0[statusColumn] }, Array(repeating: "done", count: 4))
        }
        for record in records { XCTAssertEqual(record.count, header.count, "\(record)") }

        let json = try AblateBinary.run(["export", fixture.database, "--format", "json", "--table", "runs"])
        XCTAssertEqual(json.status, 0, json.standardError)
        let objects = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]]
        XCTAssertEqual(objects?.count, 4)
        XCTAssertEqual(objects?.compactMap { $0["key"] as? String }, keys)
        XCTAssertEqual(objects?.compactMap { $0["status"] as? String }, Array(repeating: "done", count: 4))

        let metrics = try AblateBinary.run(["export", fixture.database, "--format", "json", "--table", "final_metrics"])
        XCTAssertEqual(metrics.status, 0, metrics.standardError)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(metrics.standardOutput.utf8)) as? [[String: Any]])

        let bad = try AblateBinary.run(["export", fixture.database, "--table", "nope"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.standardError.contains("--table must be one of"), bad.standardError)
    }
}

// MARK: - Helpers (nested, so that they cannot collide with other test files of the module)

extension RunCommandTests {
    /// Tiny experiment files.
    enum Experiment {
        static let question = "Does a tiny Transformer reverse without positions?"

        /// 2 configurations (the baseline and `no-positional`) x 2 seeds of a tiny Transformer on reversal.
        static func tiny(name: String = "tiny", steps: Int = 30, evalEvery: Int = 10, variantPositional: String = "none") -> String {
            TinyExperiment.text(name: name, question: question, steps: steps, evalEvery: evalEvery, variantPositional: variantPositional)
        }

        static func temporaryDirectory(_ label: String) throws -> URL {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-\(label)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }

        /// Writes `text` to `directory/name` and returns its absolute path.
        static func write(_ text: String, named name: String, in directory: URL) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        static func sha256(of path: String) throws -> String {
            let output = try Shell.run("/usr/bin/sha256sum", [path])
            return String(output.prefix { $0 != " " })
        }
    }

    enum Shell {
        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        /// Runs a tool and returns its standard output; throws with its standard error if it fails.
        static func run(_ tool: String, _ arguments: [String]) throws -> String {
            let result = try AblateBinary.execute(URL(fileURLWithPath: tool), arguments)
            guard result.status == 0 else {
                throw Failure(description: "\(tool) \(arguments.joined(separator: " ")): exit \(result.status): \(result.standardError)")
            }
            return result.standardOutput
        }
    }

    /// Reads a database with the `sqlite3` shell (`-json`), as a user would.
    enum SQLite {
        enum Cell: Decodable, Equatable, CustomStringConvertible {
            case null, int(Int), double(Double), text(String)

            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if container.decodeNil() { self = .null }
                else if let value = try? container.decode(Int.self) { self = .int(value) }
                else if let value = try? container.decode(Double.self) { self = .double(value) }
                else { self = .text(try container.decode(String.self)) }
            }

            var text: String {
                switch self {
                case .null: return "NULL"
                case let .int(value): return String(value)
                case let .double(value): return String(value)
                case let .text(value): return value
                }
            }

            var int: Int? { if case let .int(value) = self { value } else { nil } }
            var double: Double? {
                switch self {
                case let .int(value): return Double(value)
                case let .double(value): return value
                default: return nil
                }
            }

            var description: String { text }
        }

        static let tool = "/usr/bin/sqlite3"

        static func rows(_ database: String, _ sql: String) throws -> [[String: Cell]] {
            // (sqlite3 would create a missing file.)
            guard FileManager.default.fileExists(atPath: database) else { throw Shell.Failure(description: "no database at \(database)") }
            let output = try Shell.run(tool, ["-json", "-cmd", ".timeout 10000", database, sql])
            guard !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
            return try JSONDecoder().decode([[String: Cell]].self, from: Data(output.utf8))
        }

        static func execute(_ database: String, _ sql: String) throws {
            _ = try Shell.run(tool, ["-cmd", ".timeout 10000", database, sql])
        }

        /// What a run that does nothing must leave as it was: runs, metrics, slices, the runs'
        /// environment and artifacts (experiment-wide facts such as git_dirty may change meanwhile).
        static func fingerprint(_ database: String) throws -> [[String: Cell]] {
            try rows(database, """
                SELECT 'runs' AS t, count(*) AS n, group_concat(key || status || attempts || started_at || finished_at || ifnull(steps, '') || ifnull(printf('%.17g', wall_seconds), ''), ';') AS v FROM (SELECT * FROM runs ORDER BY key)
                UNION ALL SELECT 'metrics', count(*), printf('%.17g', sum(value)) FROM metrics
                UNION ALL SELECT 'metric_steps', count(*), sum(step) FROM metrics
                UNION ALL SELECT 'slices', count(*), printf('%.17g', sum(loss) + sum(exact_match)) FROM slices
                UNION ALL SELECT 'environment', count(*), group_concat(run || name || value, ';') FROM (SELECT * FROM environment WHERE run IS NOT NULL ORDER BY run, name)
                UNION ALL SELECT 'artifacts', count(*), group_concat(path || ifnull(bytes, '') || created_at, ';') FROM (SELECT * FROM artifacts ORDER BY path)
                UNION ALL SELECT 'experiments', count(*), group_concat(name || created_at, ';') FROM experiments
                """)
        }
    }

    /// RFC 4180 records (quoted fields may hold commas, quotes and line breaks).
    enum CSV {
        static func parse(_ text: String) -> [[String]] {
            var records: [[String]] = []
            var record: [String] = []
            var field = ""
            var quoted = false
            var characters = Array(text).makeIterator()
            var pending: Character? = nil
            while let character = pending ?? characters.next() {
                pending = nil
                if quoted {
                    if character == "\"" {
                        let next = characters.next()
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        field.append(character)
                    }
                } else if character == "\"" {
                    quoted = true
                } else if character == "," {
                    record.append(field); field = ""
                } else if character == "\n" {
                    record.append(field); field = ""
                    records.append(record); record = []
                } else {
                    field.append(character)
                }
            }
            if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
            return records
        }
    }
}
