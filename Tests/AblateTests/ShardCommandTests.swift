import Foundation
import XCTest

/// `ablate submit --slurm`, `merge`, `worker --plan --shard` and the shards in `status`, end to end
/// without a cluster: a stand-in `sbatch` on PATH runs the array's tasks one after another, as Slurm
/// would run them, so the script, the plan, the shards and the merge are the real ones. (SlurmTests
/// does the same against a real Slurm.)
final class ShardCommandTests: FolderTestCase {
    typealias Experiment = RunCommandTests.Experiment
    typealias SQLite = RunCommandTests.SQLite

    override class var folderLabel: String { "shards" }

    override class func tearDown() {
        RunCommandTests.removeFixture()
        super.tearDown()
    }

    func fakeScheduler() throws -> [String: String?] { try Shard.fakeScheduler(in: directory) }

    // MARK: - Submit, merge, merge again; the same bits as a local run

    func testShardsMergeIntoTheSameMetricsAsALocalRunAndMergingTwiceAddsNothing() throws {
        let local = try RunCommandTests.fixture()
        XCTAssertEqual(local.result.status, 0, local.result.standardError)
        let environment = try fakeScheduler()
        // A folder whose name a shell would misread unquoted.
        let hostile = directory.appendingPathComponent("it's $(echo no) `x`")
        try FileManager.default.createDirectory(at: hostile, withIntermediateDirectories: true)
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: hostile)
        let database = hostile.appendingPathComponent("tiny.sqlite").path

        let submitted = try AblateBinary.run(["submit", file, "--slurm", "--tasks", "2", "--database", database], environment: environment)
        XCTAssertEqual(submitted.status, 0, submitted.standardError + submitted.standardOutput)
        XCTAssertTrue(submitted.standardOutput.contains("Submitted job 4242: 4 of 4 runs in 2 task(s)"), submitted.standardOutput)
        let folder = Shard.folder(database)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        XCTAssertTrue(names.isSuperset(of: ["job", "job.sbatch", "plan.json", "shard-0.sqlite", "shard-1.sqlite", "slurm-4242_0.out", "slurm-4242_1.out"]),
                      "\(names)")
        XCTAssertFalse(names.contains("shard-2.sqlite"))
        // Task i has the runs at positions i, i + 2 of the plan: baseline seeds 1 and 2 go to different shards.
        for (index, expected) in [(0, ["baseline 1", "no-positional 1"]), (1, ["baseline 2", "no-positional 2"])] {
            let shard = "\(folder)/shard-\(index).sqlite"
            let runs = try SQLite.rows(shard, "SELECT variant, seed, status FROM runs WHERE current = 1 ORDER BY position")
            XCTAssertEqual(runs.map { "\($0["variant"]!.text) \($0["seed"]!.text)" }, expected, shard)
            XCTAssertEqual(Set(runs.map { $0["status"]!.text }), ["done"], shard)
        }
        // The main database knows the runs, still pending: nothing is merged until asked.
        XCTAssertEqual(try SQLite.rows(database, "SELECT DISTINCT status FROM runs").map { $0["status"]!.text }, ["pending"])
        let status = try AblateBinary.run(["status", database], environment: environment)
        XCTAssertEqual(status.status, 0, status.standardError)
        XCTAssertTrue(status.standardOutput.contains("job 4242, 2 task(s) for 4 run(s); queue: not in the queue"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("shard-0.sqlite: 2 done of 2"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("4 finished run(s) not merged yet"), status.standardOutput)

        let merged = try AblateBinary.run(["merge", database])
        XCTAssertEqual(merged.status, 0, merged.standardError)
        XCTAssertTrue(merged.standardOutput.contains("Merged 4 run(s) from 2 shard(s)"), merged.standardOutput)
        XCTAssertEqual(merged.standardError, "")
        try Shard.assertSameMetrics(database, local.database)
        XCTAssertEqual(try SQLite.rows(database, "SELECT count(*) AS n FROM artifacts WHERE kind = 'checkpoint'").first?["n"]?.int, 4)
        let provenance = try SQLite.rows(database, "SELECT DISTINCT value FROM environment WHERE name = 'slurm_job_id'")
        XCTAssertEqual(provenance.map { $0["value"]!.text }, ["4242"])
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA foreign_key_check").count, 0)

        let before = try SQLite.fingerprint(database)
        let again = try AblateBinary.run(["merge", database])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("Merged 0 run(s) from 2 shard(s)"), again.standardOutput)
        XCTAssertTrue(again.standardOutput.contains("4 already there"), again.standardOutput)
        XCTAssertEqual(try SQLite.fingerprint(database), before, "merging twice adds nothing")

        // Submitting again: nothing missing, nothing submitted.
        let resubmitted = try AblateBinary.run(["submit", file, "--slurm", "--database", database], environment: environment)
        XCTAssertEqual(resubmitted.status, 0, resubmitted.standardError)
        XCTAssertTrue(resubmitted.standardOutput.contains("Nothing to submit"), resubmitted.standardOutput)

        try Shard.assertRefusals(database: database, shard: "\(folder)/shard-0.sqlite", in: directory)

        // A shard that cannot be read is named in the status, which still shows the rest.
        try Shard.newerSchema(copyOf: "\(folder)/shard-0.sqlite", as: "\(folder)/shard-5.sqlite")
        let withBadShard = try AblateBinary.run(["status", database], environment: environment)
        XCTAssertEqual(withBadShard.status, 0, withBadShard.standardError)
        XCTAssertTrue(withBadShard.standardOutput.contains("shard-5.sqlite: cannot be read: ") && withBadShard.standardOutput.contains("newer ablate"),
                      withBadShard.standardOutput)
        XCTAssertTrue(withBadShard.standardOutput.contains("shard-1.sqlite: 2 done of 2"), withBadShard.standardOutput)
        let refused = try AblateBinary.run(["merge", database])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.standardError.contains("shard-5.sqlite"), refused.standardError)
    }

    // MARK: - A killed task: only its finished runs count, and resubmitting runs only what is missing

    func testAHalfWrittenShardContributesOnlyItsFinishedRunsAndResubmittingRunsOnlyTheRest() throws {
        let local = try RunCommandTests.fixture()
        let environment = try fakeScheduler()
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("tiny.sqlite").path
        let folder = Shard.folder(database)

        // The plan, without sbatch; then task 1 run by hand, as a node would.
        let submitted = try AblateBinary.run(["submit", file, "--slurm", "--tasks", "2", "--database", database], environment: environment)
        XCTAssertEqual(submitted.status, 0, submitted.standardError)
        // Task 1 as if killed while training its second run (no-positional seed 2).
        let victim = try XCTUnwrap(SQLite.rows(database, "SELECT key FROM runs WHERE variant = 'no-positional' AND seed = 2").first?["key"]?.text)
        let shard1 = "\(folder)/shard-1.sqlite"
        let killed = directory.appendingPathComponent("killed.sqlite").path
        try Shard.halfWritten(copyOf: shard1, as: killed, run: victim)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: shard1 + suffix) }
        try FileManager.default.moveItem(atPath: killed, toPath: shard1)

        let merged = try AblateBinary.run(["merge", database])
        XCTAssertEqual(merged.status, 0, merged.standardError)
        XCTAssertTrue(merged.standardOutput.contains("Merged 3 run(s) from 2 shard(s)") && merged.standardOutput.contains("1 unfinished"),
                      merged.standardOutput)
        XCTAssertEqual(try SQLite.rows(database, "SELECT status FROM runs WHERE key = '\(victim)'").first?["status"]?.text, "pending")
        XCTAssertEqual(try SQLite.rows(database, "SELECT count(*) AS n FROM metrics WHERE run = '\(victim)'").first?["n"]?.int, 0)

        // Resubmitting plans the one missing run, in one task; it goes to shard 0 and runs from its first step.
        let resubmitted = try AblateBinary.run(["submit", file, "--slurm", "--tasks", "2", "--database", database], environment: environment)
        XCTAssertEqual(resubmitted.status, 0, resubmitted.standardError)
        XCTAssertTrue(resubmitted.standardOutput.contains("1 of 4 runs in 1 task(s)"), resubmitted.standardOutput)
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/plan.json"))) as? [String: Any]
        XCTAssertEqual((plan?["runs"] as? [[String: Any]])?.compactMap { $0["key"] as? String }, [victim])
        XCTAssertEqual(plan?["tasks"] as? Int, 1)

        let last = try AblateBinary.run(["merge", database])
        XCTAssertEqual(last.status, 0, last.standardError)
        XCTAssertTrue(last.standardOutput.contains("Merged 1 run(s)"), last.standardOutput)
        try Shard.assertSameMetrics(database, local.database)
    }

    // MARK: - The task itself, and what is refused

    func testATaskTrainsItsShareWithTheWorkerOfALocalRun() throws {
        let environment = try fakeScheduler()
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("tiny.sqlite").path
        let printed = try AblateBinary.run(["submit", file, "--slurm", "--print", "--tasks", "3", "--database", database], environment: environment)
        XCTAssertEqual(printed.status, 0, printed.standardError)
        XCTAssertTrue(printed.standardOutput.contains("#SBATCH --array=0-2\n"), printed.standardOutput)
        XCTAssertFalse(FileManager.default.fileExists(atPath: database), "--print writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: Shard.folder(database)), "--print writes nothing")

        let plan = "\(Shard.folder(database))/plan.json"
        let missing = try AblateBinary.run(["worker", "--plan", plan, "--shard", "0"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.standardError.contains(plan), missing.standardError)

        // The real plan, with no sbatch: write it by submitting to the stand-in, then rerun task 3 of 3: refused.
        _ = try AblateBinary.run(["submit", file, "--slurm", "--tasks", "3", "--database", database], environment: environment)
        let outside = try AblateBinary.run(["worker", "--plan", plan, "--shard", "3"])
        XCTAssertEqual(outside.status, 2)
        XCTAssertTrue(outside.standardError.contains("--shard 3 is outside the plan's 3 task(s)"), outside.standardError)
        let noIndex = try AblateBinary.run(["worker", "--plan", plan], environment: ["SLURM_ARRAY_TASK_ID": nil])
        XCTAssertEqual(noIndex.status, 2)
        XCTAssertTrue(noIndex.standardError.contains("SLURM_ARRAY_TASK_ID"), noIndex.standardError)
        // Running a finished task again does nothing.
        let shard = "\(Shard.folder(database))/shard-0.sqlite"
        let before = try SQLite.fingerprint(shard)
        let again = try AblateBinary.run(["worker", "--plan", plan, "--shard", "0"])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertEqual(try SQLite.fingerprint(shard), before)
    }

    func testBadOptionsAreRefusedWithExit2AndNothingWritten() throws {
        let environment = try fakeScheduler()
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("tiny.sqlite").path
        let cases: [([String], String)] = [
            ([], "give --slurm"),
            (["--slurm", "--sbatch", "mem=1G"], "--sbatch \"mem=1G\": each extra line must be one line starting with \"#SBATCH \""),
            (["--slurm", "--sbatch", "#SBATCH --mem=1G\nrm -rf /"], "each extra line must be one line"),
            (["--slurm", "--time", "1 hour"], "--time \"1 hour\": expected a Slurm time limit"),
            (["--slurm", "--partition", "debug; rm -rf /"], "--partition \"debug; rm -rf /\": expected partition names"),
            (["--slurm", "--tasks", "0"], "--tasks must be between 1 and 1000"),
            (["--slurm", "--cpus-per-task", "0"], "--cpus-per-task must be at least 1"),
            (["--slurm", "--max-parallel", "0"], "--max-parallel must be at least 1"),
        ]
        for (arguments, message) in cases {
            let result = try AblateBinary.run(["submit", file, "--database", database] + arguments, environment: environment)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains(message), "\(arguments): \(result.standardError)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: database), "\(arguments): nothing written")
            XCTAssertFalse(FileManager.default.fileExists(atPath: Shard.folder(database)), "\(arguments): nothing written")
        }
        let noDatabase = try AblateBinary.run(["merge", database])
        XCTAssertEqual(noDatabase.status, 2)
        XCTAssertTrue(noDatabase.standardError.contains("no database at \(database)"), noDatabase.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: database))
    }

    func testTheScriptQuotesWhatComesFromTheUserAndKeepsItOffSBATCHLines() throws {
        let name = "it's \\\"odd\\\" $(rm -rf ~) `id`"
        let file = try Experiment.write(Experiment.tiny(name: name), named: "odd.toml", in: directory)
        let database = directory.appendingPathComponent("odd 'db'.sqlite").path
        let result = try AblateBinary.run(["submit", file, "--slurm", "--print", "--database", database, "--partition", "debug",
                                           "--time", "1-00:30", "--cpus-per-task", "2", "--max-parallel", "1",
                                           "--sbatch", "#SBATCH --mem=500M"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let script = result.standardOutput
        let sbatchLines = script.split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
        XCTAssertNotNil(sbatchLines.first?.range(of: "^#SBATCH --job-name=ablate-[A-Za-z0-9_.-]+$", options: .regularExpression), "\(sbatchLines)")
        XCTAssertEqual(Array(sbatchLines.dropFirst()), ["#SBATCH --array=0-3%1", "#SBATCH --ntasks=1",
                                     "#SBATCH --cpus-per-task=2", "#SBATCH --output=slurm-%A_%a.out", "#SBATCH --partition=debug",
                                     "#SBATCH --time=1-00:30", "#SBATCH --mem=500M"])
        let folder = Shard.folder(database)
        XCTAssertTrue(script.contains("--plan '\(folder.replacingOccurrences(of: "'", with: "'\\''"))/plan.json'"), script)
        XCTAssertTrue(script.contains("--threads 2\n"), script)
        // The shell reads the paths back exactly: replace exec by printf and run the script.
        let probe = "SLURM_ARRAY_TASK_ID=7\n" + script.replacingOccurrences(of: "exec ", with: "printf '%s\\n' ")
        let path = try Experiment.write(probe, named: "probe.sh", in: directory)
        let words = try RunCommandTests.Shell.run("/bin/bash", [path]).split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(words.dropFirst()), ["worker", "--plan", "\(folder)/plan.json", "--shard", "7", "--threads", "2"])
    }
}
