import Foundation
import XCTest
@testable import Store

/// Reading another results file (a shard) and importing its finished runs: what `ablate merge` does.
final class TransferTests: StoreTestCase {
    /// The experiment's database with every run registered and pending, and a shard holding the
    /// runs `keys` of the same experiment, trained (finished with `status`) by another process.
    func makeShard(_ name: String, keys: [String], status: RunStatus = .done, experiment: ExperimentRecord = StoreTestCase.experiment,
                   runs planned: [PlannedRun] = StoreTestCase.plannedRuns()) throws -> String {
        let path = folder.appendingPathComponent("shards/\(name).sqlite").path
        let shard = try ResultStore(path: path)
        try shard.register(experiment: experiment, runs: planned.filter { keys.contains($0.key) })
        let worker = WorkerIdentity(host: "node-7", pid: 4242)
        for key in keys {
            XCTAssertTrue(try shard.claim(runKey: key, worker: worker))
            var curve = Self.lossCurve(run: key, count: 4)
            curve.append(MetricPoint(run: key, step: 40, split: .validation, name: .loss, value: .nan))
            curve.append(MetricPoint(run: key, step: 40, split: .train, name: .loss, value: 0.1 + 0.2, wallSeconds: 1.0 / 3))
            try shard.recordMetrics(curve)
            try shard.recordSlices([SliceEvaluation(run: key, step: 40, split: .validation, slice: SliceLabel(name: "length", value: 8), loss: 0.5,
                                                    tokenAccuracy: 0.75, exactMatch: .nan, examples: 4)])
            try shard.recordEnvironment(["host": "node-7", "shard": name], experiment: experiment.name, run: key)
            try shard.recordArtifact(ArtifactRecord(experiment: experiment.name, run: key, kind: "checkpoint", path: "ck/\(key).safetensors",
                                                    sha256: "ab", bytes: 10))
            XCTAssertTrue(try shard.finish(runKey: key, worker: worker, outcome: RunOutcome(
                status: status, wallSeconds: 1.25, parameters: 99, steps: 40, stepsToTarget: 30, error: status == .failed ? "boom" : nil)))
        }
        try shard.close()
        return path
    }

    /// Every row of the run tables, as text (SQLite's own rendering of the stored values).
    func dump(_ store: ResultStore, keys: [String]) throws -> [String] {
        let list = keys.map { "'\($0)'" }.joined(separator: ",")
        var lines: [String] = []
        for (table, order) in [("metrics", "run, split, name, step"), ("slices", "run, split, slice, step"),
                               ("environment", "run, name"), ("artifacts", "path")] {
            lines += try store.query("SELECT * FROM \(table) WHERE run IN (\(list)) ORDER BY \(order)").rows.map { "\(table) \($0)" }
        }
        lines += try store.query("""
            SELECT key, status, worker_host, worker_pid, attempts, started_at, finished_at, wall_seconds, parameters, steps,
                   steps_to_target, error FROM runs WHERE key IN (\(list)) ORDER BY key
            """).rows.map { "runs \($0)" }
        return lines
    }

    func testFinishedRunsAreCopiedExactlyAndImportingTwiceAddsNothing() throws {
        let main = try openStore()
        try main.register(experiment: Self.experiment, runs: Self.plannedRuns())
        let keys = ["baseline/1", "no-positional/2"]
        let shardPath = try makeShard("shard-0", keys: keys)

        let transfer = try ResultStore.readForTransfer(path: shardPath)
        XCTAssertEqual(transfer.experiments, ["positional"])
        XCTAssertEqual(transfer.schemaVersions, ResultStore.knownSchemaVersions)
        let summary = try main.importRuns([transfer])
        XCTAssertEqual(summary.imported, keys)
        XCTAssertEqual(summary.alreadyFinished, 0)
        XCTAssertEqual(summary.unfinished, 0)

        let shard = try ResultStore(path: shardPath)
        XCTAssertEqual(try dump(main, keys: keys), try dump(shard, keys: keys), "the same rows, bit for bit")
        XCTAssertEqual(try main.metrics(run: "baseline/1", split: .validation).last?.value.isNaN, true, "NaN stays NaN")
        XCTAssertEqual(try main.run(key: "baseline/1")?.position, 0, "the database's own sweep order is kept")
        XCTAssertEqual(try main.runs().filter { $0.status == .pending }.count, 4)
        XCTAssertEqual(try main.integrityCheck(), "ok")

        let before = try dump(main, keys: Self.plannedRuns().map(\.key))
        let again = try main.importRuns([try ResultStore.readForTransfer(path: shardPath)])
        XCTAssertEqual(again.imported, [])
        XCTAssertEqual(again.alreadyFinished, 2)
        XCTAssertEqual(try dump(main, keys: Self.plannedRuns().map(\.key)), before, "a second import changes nothing")
    }

    func testReadingAShardChangesNothingAndAMissingOneIsNotCreated() throws {
        let path = try makeShard("shard-0", keys: ["baseline/1"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try ResultStore.readForTransfer(path: path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes)
        let missing = folder.appendingPathComponent("shards/shard-9.sqlite").path
        XCTAssertThrowsError(try ResultStore.readForTransfer(path: missing)) { error in
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testUnfinishedRunsOfAShardAreIgnored() throws {
        let main = try openStore()
        try main.register(experiment: Self.experiment, runs: Self.plannedRuns())
        let path = try makeShard("shard-0", keys: ["baseline/1"])
        // A task killed while training baseline/2: claimed, with part of its curve, never finished.
        let shard = try ResultStore(path: path)
        try shard.register(experiment: Self.experiment, runs: Array(Self.plannedRuns().prefix(2)))
        XCTAssertTrue(try shard.claim(runKey: "baseline/2", worker: WorkerIdentity(host: "node-7", pid: 4242)))
        try shard.recordMetrics(Self.lossCurve(run: "baseline/2", count: 2))
        try shard.close()

        let summary = try main.importRuns([try ResultStore.readForTransfer(path: path)])
        XCTAssertEqual(summary.imported, ["baseline/1"])
        XCTAssertEqual(summary.unfinished, 1)
        XCTAssertEqual(try main.run(key: "baseline/2")?.status, .pending)
        XCTAssertEqual(try main.metrics(run: "baseline/2"), [], "nothing of the unfinished run")
    }

    func testAFailedRunIsReplacedByASuccessfulRetryButNotByAnotherFailure() throws {
        let main = try openStore()
        try main.register(experiment: Self.experiment, runs: Self.plannedRuns())
        let failed = try makeShard("shard-0", keys: ["baseline/1"], status: .failed)
        XCTAssertEqual(try main.importRuns([try ResultStore.readForTransfer(path: failed)]).imported, ["baseline/1"])
        XCTAssertEqual(try main.run(key: "baseline/1")?.status, .failed)
        XCTAssertEqual(try main.importRuns([try ResultStore.readForTransfer(path: failed)]).imported, [], "the same failure again")

        let retried = try makeShard("shard-1", keys: ["baseline/1"], status: .done)
        let summary = try main.importRuns([try ResultStore.readForTransfer(path: failed), try ResultStore.readForTransfer(path: retried)])
        XCTAssertEqual(summary.imported, ["baseline/1"])
        let run = try XCTUnwrap(main.run(key: "baseline/1"))
        XCTAssertEqual(run.status, .done)
        XCTAssertNil(run.error)
        XCTAssertEqual(run.attempts, 2, "the failed attempt and the retry")
    }

    func testAShardOfAnotherExperimentIsRefusedAndNothingIsWritten() throws {
        let main = try openStore()
        try main.register(experiment: Self.experiment, runs: Self.plannedRuns())
        let good = try makeShard("shard-0", keys: ["baseline/1"])
        let other = ExperimentRecord(name: "heads", question: "How many heads?", source: "")
        let foreign = try makeShard("shard-1", keys: ["baseline/2"], experiment: other)
        let before = try dump(main, keys: Self.plannedRuns().map(\.key))
        XCTAssertThrowsError(try main.importRuns([try ResultStore.readForTransfer(path: good), try ResultStore.readForTransfer(path: foreign)])) { error in
            guard case let .transferRefused(source, reason)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, foreign)
            XCTAssertTrue(reason.contains("experiment heads"), reason)
            XCTAssertTrue("\(error)".hasPrefix("refused \(foreign): "), "\(error)")
        }
        XCTAssertEqual(try dump(main, keys: Self.plannedRuns().map(\.key)), before, "not even the good shard")

        // The same experiment name, but runs the database does not plan (another database's shard).
        let stranger = try makeShard("shard-2", keys: ["rope/1"], runs: Self.plannedRuns(variants: ["rope"]))
        XCTAssertThrowsError(try main.importRuns([try ResultStore.readForTransfer(path: stranger)])) { error in
            XCTAssertTrue("\(error)".contains("run rope/1") && "\(error)".contains("does not plan"), "\(error)")
        }
    }

    func testAShardOfAnotherSchemaVersionIsRefused() throws {
        let main = try openStore()
        try main.register(experiment: Self.experiment, runs: Self.plannedRuns())
        let newer = try makeShard("shard-0", keys: ["baseline/1"])
        do {
            let shard = try ResultStore(path: newer)
            try shard.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
            try shard.close()
        }
        XCTAssertThrowsError(try ResultStore.readForTransfer(path: newer)) { error in
            XCTAssertEqual(error as? StoreError, .newerSchema(path: newer, unknownVersions: ["v99"]))
        }
        // A shard that lacks a version the database has (an older ablate): refused at import.
        let older = try makeShard("shard-1", keys: ["baseline/2"])
        var transfer = try ResultStore.readForTransfer(path: older)
        transfer = RunTransfer(sourcePath: transfer.sourcePath, schemaVersions: [], experiments: transfer.experiments,
                               runs: transfer.runs, tables: transfer.tables)
        XCTAssertThrowsError(try main.importRuns([transfer])) { error in
            XCTAssertTrue("\(error)".contains("schema versions") && "\(error)".contains(older), "\(error)")
        }
        // Not an ablate database at all.
        let notes = folder.appendingPathComponent("notes.sqlite").path
        try String(repeating: "notes\n", count: 200).write(toFile: notes, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultStore.readForTransfer(path: notes)) { error in
            XCTAssertEqual(error as? StoreError, .notADatabase(path: notes))
        }
    }
}
