import Foundation
import XCTest

/// Helpers shared by the shard tests (without Slurm) and the tests against a real Slurm.
enum Shard {
    typealias SQLite = RunCommandTests.SQLite

    /// A folder with a stand-in `sbatch` (runs every task of the array in turn, answers job 4242) and
    /// `squeue` (an empty queue), and the environment that puts it first on PATH.
    static func fakeScheduler(in directory: URL) throws -> [String: String?] {
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let sbatch = """
            #!/bin/bash
            # A stand-in for sbatch: runs the array's tasks one after another in this folder, like Slurm's default output files.
            set -e
            script="${@: -1}"
            last=$(sed -n 's/^#SBATCH --array=0-\\([0-9]*\\).*/\\1/p' "$script")
            for i in $(seq 0 "$last"); do
                SLURM_ARRAY_JOB_ID=4242 SLURM_ARRAY_TASK_ID=$i bash "$script" > "slurm-4242_$i.out" 2>&1 || { cat "slurm-4242_$i.out" >&2; exit 1; }
            done
            echo 4242
            """
        for (name, text) in [("sbatch", sbatch), ("squeue", "#!/bin/sh\nexit 0\n")] {
            let path = bin.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ["PATH": "\(bin.path):\(path)"]
    }

    /// What must be bit-identical between a merged database and a local `ablate run` of the same
    /// file: every metric, every slice evaluation, and each run's parameters and steps.
    static let comparedQueries = [
        """
        SELECT r.variant, r.seed, m.split, m.name, m.step, printf('%.17g', m.value) AS value
        FROM metrics m JOIN runs r ON r.key = m.run ORDER BY r.variant, r.seed, m.split, m.name, m.step
        """,
        """
        SELECT r.variant, r.seed, s.split, s.slice, s.step, printf('%.17g|%.17g|%.17g', s.loss, s.token_accuracy, s.exact_match) AS value, s.examples
        FROM slices s JOIN runs r ON r.key = s.run ORDER BY r.variant, r.seed, s.split, s.slice, s.step
        """,
        "SELECT key, variant, seed, status, attempts, parameters, steps, steps_to_target FROM runs ORDER BY variant, seed",
    ]

    static func assertSameMetrics(_ merged: String, _ local: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for sql in comparedQueries {
            let a = try SQLite.rows(merged, sql)
            let b = try SQLite.rows(local, sql)
            XCTAssertFalse(a.isEmpty, sql, file: file, line: line)
            XCTAssertEqual(a.count, b.count, sql, file: file, line: line)
            if let index = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) {
                XCTFail("merged and local differ at row \(index): \(a[index]) vs \(b[index])", file: file, line: line)
            }
        }
    }

    /// The folder of a database's shards.
    static func folder(_ database: String) -> String { (database as NSString).deletingPathExtension + "-slurm" }

    /// A copy of a shard made to look like one a task was killed in: `key` back to `running`, with
    /// half of its training curve; returns the copy's path.
    static func halfWritten(copyOf shard: String, as path: String, run key: String) throws {
        try SQLite.execute(shard, "PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(atPath: shard, toPath: path)
        try SQLite.execute(path, """
            UPDATE runs SET status = 'running', finished_at = NULL, steps = NULL WHERE key = '\(key)';
            DELETE FROM metrics WHERE run = '\(key)' AND step > 15;
            DELETE FROM slices WHERE run = '\(key)' AND step > 15;
            """)
    }

    /// A copy of a shard that claims a schema version this ablate does not know.
    static func newerSchema(copyOf shard: String, as path: String) throws {
        try SQLite.execute(shard, "PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(atPath: shard, toPath: path)
        try SQLite.execute(path, "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
    }

    /// A copy of a shard whose experiment has another name.
    static func otherExperiment(copyOf shard: String, as path: String) throws {
        try SQLite.execute(shard, "PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(atPath: shard, toPath: path)
        try SQLite.execute(path, "PRAGMA foreign_keys = OFF; UPDATE experiments SET name = 'other'; UPDATE runs SET experiment = 'other'")
    }

    /// `ablate merge` with extra shards must refuse each tampered copy, naming it, exit 2, and leave
    /// the database as it was.
    static func assertRefusals(database: String, shard: String, in directory: URL,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try SQLite.fingerprint(database)
        let newer = directory.appendingPathComponent("newer.sqlite").path
        try newerSchema(copyOf: shard, as: newer)
        let other = directory.appendingPathComponent("other.sqlite").path
        try otherExperiment(copyOf: shard, as: other)
        for (path, expected) in [(newer, "newer ablate"), (other, "experiment other")] {
            let result = try AblateBinary.run(["merge", database, shard, path])
            XCTAssertEqual(result.status, 2, result.standardError + result.standardOutput, file: file, line: line)
            XCTAssertTrue(result.standardError.contains(path) && result.standardError.contains(expected), result.standardError,
                          file: file, line: line)
            XCTAssertEqual(result.standardOutput, "", file: file, line: line)
        }
        XCTAssertEqual(try SQLite.fingerprint(database), before, "a refused merge writes nothing", file: file, line: line)
    }
}
