import Foundation
import XCTest

/// `ablate submit --slurm` against a real Slurm: `scripts/slurm-local start` runs one on this
/// machine (scripts/test does, and sets ABLATE_REQUIRE_SLURM=1). Without sbatch, or with a cluster
/// that does not answer, the test is skipped, unless ABLATE_REQUIRE_SLURM=1 makes that a failure.
final class SlurmTests: FolderTestCase {
    typealias Experiment = RunCommandTests.Experiment
    typealias SQLite = RunCommandTests.SQLite

    override class var folderLabel: String { "slurm" }

    override class func tearDown() {
        RunCommandTests.removeFixture()
        super.tearDown()
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The paths of sbatch and squeue when a cluster answers; otherwise skips (or fails when required).
    func requireSlurm() throws -> (sbatch: String, squeue: String) {
        let required = ProcessInfo.processInfo.environment["ABLATE_REQUIRE_SLURM"] == "1"
        func unavailable(_ reason: String) throws -> Never {
            if required { XCTFail("ABLATE_REQUIRE_SLURM=1 but \(reason) (scripts/slurm-local start)"); throw XCTSkip(reason) }
            throw XCTSkip("\(reason): start a local Slurm with scripts/slurm-local start and export SLURM_CONF")
        }
        guard let sbatch = Self.which("sbatch"), let squeue = Self.which("squeue"), let sinfo = Self.which("sinfo") else {
            try unavailable("sbatch, squeue or sinfo is not on PATH")
        }
        let answer = try AblateBinary.execute(URL(fileURLWithPath: sinfo), ["-h", "-o", "%t"])
        guard answer.status == 0, !answer.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            try unavailable("sinfo gets no answer from a cluster: \(answer.standardError)")
        }
        return (sbatch, squeue)
    }

    /// Waits until the job has left the queue; fails after `timeout` seconds.
    func waitForJob(_ job: String, squeue: String, timeout: TimeInterval = 300) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let result = try AblateBinary.execute(URL(fileURLWithPath: squeue), ["-h", "-r", "-j", job, "-o", "%i %T %R"])
            if result.status != 0 && result.standardError.contains("Invalid job id") { return }
            if result.status == 0 && result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            Thread.sleep(forTimeInterval: 1)
        }
        let queue = try AblateBinary.execute(URL(fileURLWithPath: squeue), ["-r", "-j", job])
        XCTFail("job \(job) still in the queue after \(Int(timeout)) s:\n\(queue.standardOutput)\(queue.standardError)")
        throw XCTSkip("timed out")
    }

    func testAJobArrayOnARealSlurmMergesIntoTheMetricsOfALocalRun() throws {
        let (_, squeue) = try requireSlurm()
        let local = try RunCommandTests.fixture()
        XCTAssertEqual(local.result.status, 0, local.result.standardError)
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("results/tiny.sqlite").path
        let folder = Shard.folder(database)

        let submitted = try AblateBinary.run(["submit", file, "--slurm", "--tasks", "2", "--database", database, "--time", "10",
                                              "--sbatch", "#SBATCH --mem=200M"])
        XCTAssertEqual(submitted.status, 0, submitted.standardError + submitted.standardOutput)
        let job = try XCTUnwrap(submitted.standardOutput.firstMatch(of: /Submitted job ([0-9]+): 4 of 4 runs in 2 task\(s\)/)?.1,
                                submitted.standardOutput)
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/job", encoding: .utf8), "\(job)\n")

        try waitForJob(String(job), squeue: squeue)
        for index in 0..<2 {
            let log = (try? String(contentsOfFile: "\(folder)/slurm-\(job)_\(index).out", encoding: .utf8)) ?? "(no log)"
            let shard = "\(folder)/shard-\(index).sqlite"
            XCTAssertTrue(FileManager.default.fileExists(atPath: shard), "task \(index) wrote no shard; its log:\n\(log)")
            let runs = try SQLite.rows(shard, "SELECT status, count(*) AS n FROM runs WHERE current = 1 GROUP BY status")
            XCTAssertEqual(runs.map { "\($0["n"]!.text) \($0["status"]!.text)" }, ["2 done"], "task \(index); its log:\n\(log)")
            let facts = try SQLite.rows(shard, "SELECT DISTINCT value FROM environment WHERE name = 'slurm_array_task_id' AND run IS NOT NULL")
            XCTAssertEqual(facts.map { $0["value"]!.text }, [String(index)])
        }
        let status = try AblateBinary.run(["status", database])
        XCTAssertEqual(status.status, 0, status.standardError)
        XCTAssertTrue(status.standardOutput.contains("job \(job), 2 task(s) for 4 run(s); queue: not in the queue"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("4 finished run(s) not merged yet"), status.standardOutput)

        let merged = try AblateBinary.run(["merge", database])
        XCTAssertEqual(merged.status, 0, merged.standardError)
        XCTAssertTrue(merged.standardOutput.contains("Merged 4 run(s) from 2 shard(s)"), merged.standardOutput)
        try Shard.assertSameMetrics(database, local.database)

        let before = try SQLite.fingerprint(database)
        let again = try AblateBinary.run(["merge", database])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("Merged 0 run(s)"), again.standardOutput)
        XCTAssertEqual(try SQLite.fingerprint(database), before, "merging twice adds nothing")

        // Refused: a shard of another experiment, one of a newer schema; then a half-written one.
        try Shard.assertRefusals(database: database, shard: "\(folder)/shard-1.sqlite", in: directory)
        let fresh = directory.appendingPathComponent("fresh.sqlite").path
        try SQLite.execute(database, "PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(atPath: database, toPath: fresh)
        try SQLite.execute(fresh, "DELETE FROM metrics; DELETE FROM slices; DELETE FROM environment WHERE run IS NOT NULL; DELETE FROM artifacts; UPDATE runs SET status = 'pending', attempts = 0")
        let victim = try XCTUnwrap(SQLite.rows(fresh, "SELECT key FROM runs WHERE variant = 'no-positional' AND seed = 2").first?["key"]?.text)
        let killed = directory.appendingPathComponent("killed.sqlite").path
        try Shard.halfWritten(copyOf: "\(folder)/shard-1.sqlite", as: killed, run: victim)
        let partial = try AblateBinary.run(["merge", fresh, "\(folder)/shard-0.sqlite", killed])
        XCTAssertEqual(partial.status, 0, partial.standardError)
        XCTAssertTrue(partial.standardOutput.contains("Merged 3 run(s) from 2 shard(s)") && partial.standardOutput.contains("1 unfinished"),
                      partial.standardOutput)
        XCTAssertEqual(try SQLite.rows(fresh, "SELECT status FROM runs WHERE key = '\(victim)'").first?["status"]?.text, "pending")
    }
}
