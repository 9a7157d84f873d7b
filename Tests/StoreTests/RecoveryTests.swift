import Foundation
import XCTest
import Store

/// A worker that stops without finishing its run: the run must go back to pending, with none of
/// its partial results left, so the next `ablate run` trains it once more and duplicates nothing.
final class RecoveryTests: StoreTestCase {
    func testAnAbandonedRunIsResetAndItsPartialMetricsDeleted() throws {
        do {
            let store = try openStore()
            try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
            try store.recordEnvironment(["git_commit": "abc"], experiment: "positional")
            try store.claim(runKey: "baseline/1", worker: Self.workerA)
            try store.claim(runKey: "baseline/2", worker: Self.workerB)
            try store.recordMetrics(Self.lossCurve(run: "baseline/1", count: 10))
            try store.recordMetrics(Self.lossCurve(run: "baseline/2", count: 10))
            try store.recordSlices([SliceEvaluation(run: "baseline/1", step: 90, split: .validation, slice: SliceLabel(name: "length", value: 8),
                                                    loss: 1, tokenAccuracy: 0.5, exactMatch: 0, examples: 8)])
            try store.recordEnvironment(["blas_threads": "1"], experiment: "positional", run: "baseline/1")
            // The worker dies here: no finish, no close.
        }
        let store = try openStore()
        XCTAssertEqual(try store.integrityCheck(), "ok")
        XCTAssertEqual(try store.run(key: "baseline/1")?.status, .running)

        // Worker A is gone, worker B still alive.
        let reset = try store.resetStale(isAlive: { $0 != Self.workerA })
        XCTAssertEqual(reset, ["baseline/1"])
        let run = try XCTUnwrap(store.run(key: "baseline/1"))
        XCTAssertEqual(run.status, .pending)
        XCTAssertNil(run.worker)
        XCTAssertNil(run.started)
        XCTAssertTrue(run.error?.contains("pid 101") ?? false, "\(String(describing: run.error))")
        XCTAssertEqual(try store.metrics(run: "baseline/1"), [])
        XCTAssertEqual(try store.slices(run: "baseline/1"), [])
        XCTAssertEqual(try store.environment(experiment: "positional", run: "baseline/1"), [:])
        XCTAssertEqual(try store.environment(experiment: "positional"), ["git_commit": "abc"], "experiment facts stay")
        XCTAssertEqual(try store.metrics(run: "baseline/2").count, 10, "a live worker's run is left alone")
        XCTAssertEqual(try store.run(key: "baseline/2")?.status, .running)

        // The next run trains it again; the new attempt's metrics are the only ones.
        let again = try XCTUnwrap(store.claimNext(experiment: "positional", worker: Self.workerB))
        XCTAssertEqual(again.key, "baseline/1")
        XCTAssertEqual(again.attempts, 2)
        try store.recordMetrics(Self.lossCurve(run: "baseline/1", count: 30))
        try store.finish(runKey: "baseline/1", worker: Self.workerB, outcome: RunOutcome(status: .done))
        XCTAssertEqual(try store.metrics(run: "baseline/1").count, 30)
        XCTAssertEqual(try store.resetStale(isAlive: { _ in false }), ["baseline/2"], "finished runs are never reset")
        XCTAssertEqual(try store.run(key: "baseline/1")?.status, .done)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testASilentWorkerIsResetAfterTheTimeLimit() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        try store.claim(runKey: "baseline/1", worker: Self.workerA)
        try store.recordMetrics(Self.lossCurve(run: "baseline/1", count: 3))
        let alive: (WorkerIdentity) -> Bool = { _ in true }
        XCTAssertEqual(try store.resetStale(olderThan: 3600, isAlive: alive), [], "recent heartbeat")
        XCTAssertEqual(try store.resetStale(olderThan: 3600, now: Date().addingTimeInterval(7200), isAlive: alive), ["baseline/1"])
        XCTAssertEqual(try store.metrics(run: "baseline/1"), [])
    }

    func testTheDefaultLivenessCheckSeesThisProcessAlive() {
        XCTAssertTrue(WorkerIdentity.isAlive(.current))
        XCTAssertTrue(WorkerIdentity.isAlive(WorkerIdentity(host: "another-host", pid: 1)), "other hosts cannot be checked")
        XCTAssertFalse(WorkerIdentity.isAlive(WorkerIdentity(host: WorkerIdentity.current.host, pid: Int32.max)))
    }
}
