import Foundation
import XCTest
@testable import Store

/// Real worker processes on one database: this test binary started again with a role in the
/// environment, which does its part (`ChildProcess`) before any test starts and exits.
final class ProcessTests: StoreTestCase {
    /// In a child process: its part, then exit (no test runs there).
    override class func setUp() {
        super.setUp()
        ChildProcess.runIfChild()
    }

    func testWorkerProcessesShareTheFileWithoutLockErrorsOrLostRows() throws {
        let setup = try openStore()
        let runs = (0..<30).map { PlannedRun(key: "run-\($0)", variant: "v\($0 % 3)", seed: $0, config: "{}") }
        let logs = (0..<3).map { PlannedRun(key: "log-\($0)", variant: "log", seed: $0, config: "{}") }
        try setup.register(experiment: Self.experiment, runs: logs + runs)
        for log in logs { try setup.claim(runKey: log.key, worker: WorkerIdentity(host: "parent", pid: 1)) }

        let children = try (0..<3).map { try startChild(role: "worker", index: $0) }
        // All start writing at once.
        _ = FileManager.default.createFile(atPath: databasePath + ".go", contents: nil)
        // Meanwhile this process reads, as `ablate status` would.
        while children.contains(where: { $0.process.isRunning }) {
            _ = try setup.statusCounts(experiment: "positional")
            usleep(5_000)
        }
        for child in children {
            XCTAssertEqual(child.process.terminationReason, .exit, child.output())
            XCTAssertEqual(child.process.terminationStatus, 0, child.output())
        }

        for log in logs {
            XCTAssertEqual(try setup.metrics(run: log.key).count, ChildProcess.logTransactions * 2, log.key)
        }
        let finished = try setup.runs(experiment: "positional").filter { $0.variant != "log" }
        XCTAssertEqual(finished.map(\.status), Array(repeating: .done, count: 30))
        XCTAssertEqual(finished.map(\.attempts), Array(repeating: 1, count: 30), "each run claimed once")
        let childIdentifiers = Set(children.map(\.process.processIdentifier))
        XCTAssertTrue(Set(finished.compactMap(\.worker?.pid)).isSubset(of: childIdentifiers))
        for run in finished {
            XCTAssertEqual(try setup.metrics(run: run.key).count, ChildProcess.stepsPerRun * 2, run.key)
        }
        XCTAssertEqual(try setup.integrityCheck(), "ok")
    }

    func testAWorkerKilledInsideATransactionLeavesAConsistentFile() throws {
        do {
            let store = try openStore()
            try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
            try store.close()
        }
        let child = try startChild(role: "crash", index: 0)
        child.process.waitUntilExit()
        XCTAssertEqual(child.process.terminationReason, .uncaughtSignal, child.output())
        XCTAssertEqual(child.process.terminationStatus, SIGKILL, child.output())

        let store = try openStore()
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let run = try XCTUnwrap(store.run(key: "baseline/1"))
        XCTAssertEqual(run.status, .running)
        XCTAssertEqual(run.worker, WorkerIdentity(host: WorkerIdentity.current.host, pid: child.process.processIdentifier))
        XCTAssertEqual(try store.metrics(run: "baseline/1").count, 10, "the committed points, not the uncommitted batch")

        // The real liveness check: the child's process is gone.
        XCTAssertEqual(try store.resetStale(), ["baseline/1"])
        XCTAssertEqual(try store.run(key: "baseline/1")?.status, .pending)
        XCTAssertEqual(try store.metrics(run: "baseline/1"), [])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    struct Child {
        var process: Process
        var log: URL
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "(no output)" }
    }

    func startChild(role: String, index: Int) throws -> Child {
        #if os(Linux)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        throw XCTSkip("child processes are started on Linux only")
        #endif
        let process = Process()
        process.executableURL = executable
        // Any test of this class: its class setUp runs the child's part and exits before the test.
        process.arguments = ["StoreTests.ProcessTests/testAWorkerKilledInsideATransactionLeavesAConsistentFile"]
        var environment = ProcessInfo.processInfo.environment
        environment[ChildProcess.indexVariable] = String(index)
        environment[ChildProcess.roleVariable] = role
        environment[ChildProcess.pathVariable] = databasePath
        process.environment = environment
        let log = folder.appendingPathComponent("child-\(role)-\(index).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Child(process: process, log: log)
    }
}

/// What a child process does: not a test (a child that counted as a passing test in the parent's
/// run would pass whatever it did); the parent reads its exit status and what it wrote.
enum ChildProcess {
    static let roleVariable = "ABLATE_STORE_TEST_ROLE"
    static let pathVariable = "ABLATE_STORE_TEST_PATH"
    static let indexVariable = "ABLATE_STORE_TEST_INDEX"
    static let stepsPerRun = 20
    static let logTransactions = 200

    /// A child's part went wrong: the message goes to its log and it exits 1.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// When this process is a child (the role variable is set), does its part and exits: 0 when it
    /// succeeded, 1 with a message on standard error when not. Otherwise returns at once.
    static func runIfChild() {
        let environment = ProcessInfo.processInfo.environment
        guard let role = environment[roleVariable], let path = environment[pathVariable] else { return }
        do {
            try run(role: role, path: path, index: environment[indexVariable] ?? "0")
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("child \(role) failed: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func run(role: String, path: String, index: String) throws {
        let store = try ResultStore(path: path)
        let worker = WorkerIdentity.current
        switch role {
        case "worker":
            for _ in 0..<500 where !FileManager.default.fileExists(atPath: path + ".go") { usleep(10_000) }
            // Many small transactions into a run of its own, while the others do the same.
            for step in 0..<logTransactions {
                try store.recordMetrics([
                    MetricPoint(run: "log-\(index)", step: step, split: .train, name: .loss, value: 1),
                    MetricPoint(run: "log-\(index)", step: step, split: .train, name: .learningRate, value: 1e-3),
                ])
            }
            // Then claim runs until none is left; one small transaction per step.
            while let run = try store.claimNext(experiment: "positional", worker: worker) {
                for step in 0..<stepsPerRun {
                    try store.recordMetrics([
                        MetricPoint(run: run.key, step: step, split: .train, name: .loss, value: 1 / Double(step + 1)),
                        MetricPoint(run: run.key, step: step, split: .validation, name: .exactMatch, value: Double(step) / 20),
                    ])
                }
                guard try store.finish(runKey: run.key, worker: worker, outcome: RunOutcome(status: .done)) else {
                    throw Failure(description: "could not finish \(run.key), which it had claimed")
                }
            }
        case "crash":
            guard try store.claim(runKey: "baseline/1", worker: worker) else { throw Failure(description: "could not claim baseline/1") }
            for step in 0..<5 {
                try store.recordMetrics([
                    MetricPoint(run: "baseline/1", step: step, split: .train, name: .loss, value: 1),
                    MetricPoint(run: "baseline/1", step: step, split: .validation, name: .loss, value: 1),
                ])
            }
            // Killed in the middle of a transaction that has already written rows.
            try store.write { db in
                for step in 5..<50 {
                    try db.execute(sql: "INSERT INTO metrics (run, split, name, step, value) VALUES ('baseline/1', 'train', 'loss', ?, 1)",
                                   arguments: [step])
                }
                kill(getpid(), SIGKILL)
            }
        default:
            throw Failure(description: "unknown role \(role)")
        }
    }
}
