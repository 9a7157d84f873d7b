import Foundation
import XCTest

/// End-to-end: Ctrl-C during `ablate run` records the running run as interrupted, and the next run redoes it.
final class InterruptCommandTests: FolderTestCase {
    override class var folderLabel: String { "interrupt" }


    func testCtrlCMarksTheRunningRunInterruptedAndTheNextRunFinishesIt() throws {
        typealias SQLite = RunCommandTests.SQLite
        let file = try RunCommandTests.Experiment.write(RunCommandTests.Experiment.tiny(name: "interrupt", steps: 400, evalEvery: 50),
                                                        named: "interrupt.toml", in: directory)
        let database = directory.appendingPathComponent("interrupt.sqlite").path
        let outputFile = directory.appendingPathComponent("run.out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        let parent = try AblateBinary.startRun(file, database: database, output: output)
        defer { if parent.isRunning { parent.terminate(); parent.waitUntilExit() } }
        let worker = waitForARunningWorker(database: database, parent: parent)
        guard let worker else { return XCTFail("no run was seen running") }
        // A terminal's Ctrl-C reaches the whole foreground group: the parent and its workers.
        XCTAssertEqual(kill(parent.processIdentifier, SIGINT), 0)
        XCTAssertEqual(kill(worker.pid, SIGINT), 0)
        parent.waitUntilExit()
        try output.close()
        let printed = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        XCTAssertEqual(parent.terminationReason, .exit, printed)
        XCTAssertEqual(parent.terminationStatus, 1, "an interrupted sweep is incomplete: \(printed)")
        XCTAssertTrue(printed.contains("interrupted: "), printed)
        let status = try SQLite.rows(database, "SELECT status FROM runs WHERE key = '\(worker.key)'").first?["status"]?.text
        XCTAssertEqual(status, "interrupted")
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")

        let again = try AblateBinary.run(["run", file, "--database", database, "--workers", "2"])
        XCTAssertEqual(again.status, 0, again.standardOutput + again.standardError)
        let rows = try SQLite.rows(database, "SELECT status, (SELECT count(*) FROM metrics WHERE run = runs.key AND split = 'train' AND name = 'loss') AS n FROM runs")
        XCTAssertEqual(rows.count, 4)
        for row in rows {
            XCTAssertEqual(row["status"]?.text, "done")
            XCTAssertEqual(row["n"]?.int, 400, "one training-loss row per step, none left from the interrupted attempt")
        }
    }

    /// `kill` of the parent alone (SIGTERM), or its death by SIGKILL: the workers stop too and record
    /// their runs as interrupted, instead of training on unattended.
    func testKillingTheParentAloneStopsItsWorkers() throws {
        typealias SQLite = RunCommandTests.SQLite
        for (index, signalNumber) in [SIGTERM, SIGKILL].enumerated() {
            let file = try RunCommandTests.Experiment.write(RunCommandTests.Experiment.tiny(name: "parent\(index)", steps: 1_000_000, evalEvery: 100_000),
                                                            named: "parent\(index).toml", in: directory)
            let database = directory.appendingPathComponent("parent\(index).sqlite").path
            let parent = try AblateBinary.startRun(file, database: database, output: FileHandle.nullDevice)
            defer { if parent.isRunning { parent.terminate(); parent.waitUntilExit() } }
            let worker = waitForARunningWorker(database: database, parent: parent)
            guard let worker else { return XCTFail("no run was seen running (signal \(signalNumber))") }
            XCTAssertEqual(kill(parent.processIdentifier, signalNumber), 0)
            parent.waitUntilExit()
            // The worker is not our child: wait for it to disappear.
            let gone = Date().addingTimeInterval(30)
            while kill(worker.pid, 0) == 0, Date() < gone { usleep(50_000) }
            XCTAssertNotEqual(kill(worker.pid, 0), 0, "the worker still runs after its parent got signal \(signalNumber)")
            if kill(worker.pid, 0) == 0 { kill(worker.pid, SIGKILL) }
            let status = try SQLite.rows(database, "SELECT status FROM runs WHERE key = '\(worker.key)'").first?["status"]?.text
            XCTAssertEqual(status, "interrupted", "signal \(signalNumber)")
            XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
        }
    }

    /// What `ablate run` prints reaches a file as it happens (line-buffered), not when the sweep ends.
    func testTheLogReachesAFileWhileTheSweepRuns() throws {
        let file = try RunCommandTests.Experiment.write(RunCommandTests.Experiment.tiny(name: "log", steps: 1_000_000, evalEvery: 100_000),
                                                        named: "log.toml", in: directory)
        let database = directory.appendingPathComponent("log.sqlite").path
        let outputFile = directory.appendingPathComponent("run.out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        let parent = try AblateBinary.startRun(file, database: database, output: output)
        defer { if parent.isRunning { parent.terminate(); parent.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(60)
        var printed = ""
        while parent.isRunning, Date() < deadline, !printed.contains("Running 4 of 4 runs") {
            usleep(50_000)
            printed = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        }
        XCTAssertTrue(parent.isRunning, "the sweep of a million steps per run ended: \(printed)")
        XCTAssertTrue(printed.contains("4 new run(s) registered") && printed.contains("Running 4 of 4 runs"), printed)
        kill(parent.processIdentifier, SIGTERM)
        parent.waitUntilExit()
        try output.close()
    }

    /// The run a worker is training (with at least one training metric written) and the worker's pid,
    /// or nil if none is seen within a minute.
    func waitForARunningWorker(database: String, parent: Process) -> (key: String, pid: Int32)? {
        let deadline = Date().addingTimeInterval(60)
        while parent.isRunning, Date() < deadline {
            if FileManager.default.fileExists(atPath: database),
               let row = (try? RunCommandTests.SQLite.rows(database, """
                   SELECT key, worker_pid FROM runs WHERE status = 'running' AND worker_pid IS NOT NULL
                     AND (SELECT count(*) FROM metrics WHERE run = runs.key AND split = 'train') > 0 LIMIT 1
                   """))?.first, let pid = row["worker_pid"]?.int {
                return (row["key"]!.text, Int32(pid))
            }
            usleep(20_000)
        }
        return nil
    }
}
