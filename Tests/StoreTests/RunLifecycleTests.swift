import Foundation
import XCTest
import Store

final class RunLifecycleTests: StoreTestCase {
    func testRegisteringTwiceAddsNothingAndKeepsFinishedRuns() throws {
        let store = try openStore()
        XCTAssertEqual(try store.register(experiment: Self.experiment, runs: Self.plannedRuns()), 6)
        XCTAssertTrue(try store.claim(runKey: "baseline/1", worker: Self.workerA))
        XCTAssertTrue(try store.finish(runKey: "baseline/1", worker: Self.workerA, outcome: RunOutcome(status: .done, parameters: 1234)))

        XCTAssertEqual(try store.register(experiment: Self.experiment, runs: Self.plannedRuns()), 0)
        let runs = try store.runs(experiment: "positional")
        XCTAssertEqual(runs.map(\.key), Self.plannedRuns().map(\.key), "sweep order")
        XCTAssertEqual(runs.map(\.position), Array(0..<6))
        XCTAssertEqual(runs[0].status, .done)
        XCTAssertEqual(runs[0].parameters, 1234)
        XCTAssertEqual(runs.dropFirst().map(\.status), Array(repeating: .pending, count: 5))

        // A variant added to the file later: only its runs are new, placed after the others.
        let grown = Self.plannedRuns(variants: ["baseline", "no-positional", "rope"])
        XCTAssertEqual(try store.register(experiment: Self.experiment, runs: grown), 3)
        XCTAssertEqual(try store.runs(experiment: "positional").map(\.position), Array(0..<9))
    }

    func testARunKeyRegisteredWithAnotherConfigurationIsAnError() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        var changed = Self.plannedRuns()
        changed[2].config = "{\"seed\":3,\"lr\":0.1}"
        XCTAssertThrowsError(try store.register(experiment: Self.experiment, runs: changed)) { error in
            XCTAssertEqual(error as? StoreError, .runChanged(path: databasePath, key: "baseline/3", field: "configuration"))
        }
        XCTAssertEqual(try store.run(key: "baseline/3")?.config, Self.plannedRuns()[2].config, "nothing written")
    }

    func testClaimIsExclusive() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        XCTAssertTrue(try store.claim(runKey: "baseline/2", worker: Self.workerA))
        XCTAssertFalse(try store.claim(runKey: "baseline/2", worker: Self.workerB))
        XCTAssertFalse(try store.claim(runKey: "baseline/2", worker: Self.workerA), "not even twice by the same worker")
        let run = try XCTUnwrap(store.run(key: "baseline/2"))
        XCTAssertEqual(run.status, .running)
        XCTAssertEqual(run.worker, Self.workerA)
        XCTAssertEqual(run.attempts, 1)
        XCTAssertNotNil(run.started)
        XCTAssertThrowsError(try store.claim(runKey: "nope", worker: Self.workerA)) { error in
            XCTAssertEqual(error as? StoreError, .unknownRun(path: databasePath, key: "nope"))
        }
    }

    func testClaimNextHandsOutEachRunOnceInSweepOrder() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        var claimed: [String] = []
        while let run = try store.claimNext(experiment: "positional", worker: claimed.count % 2 == 0 ? Self.workerA : Self.workerB) {
            XCTAssertEqual(run.status, .running)
            claimed.append(run.key)
        }
        XCTAssertEqual(claimed, Self.plannedRuns().map(\.key))
        XCTAssertNil(try store.claimNext(experiment: "positional", worker: Self.workerA))
    }

    func testFinishAndTheStatusTransitions() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        XCTAssertFalse(try store.finish(runKey: "baseline/1", worker: Self.workerA, outcome: RunOutcome(status: .done)),
                       "a pending run cannot be finished")
        try store.claim(runKey: "baseline/1", worker: Self.workerA)
        XCTAssertFalse(try store.finish(runKey: "baseline/1", worker: Self.workerB, outcome: RunOutcome(status: .done)),
                       "only its worker finishes a run")
        XCTAssertTrue(try store.finish(runKey: "baseline/1", worker: Self.workerA, outcome: RunOutcome(
            status: .done, wallSeconds: 12.5, parameters: 4096, steps: 700, stepsToTarget: 650)))
        let done = try XCTUnwrap(store.run(key: "baseline/1"))
        XCTAssertEqual(done.status, .done)
        XCTAssertEqual(done.wallSeconds, 12.5)
        XCTAssertEqual(done.steps, 700)
        XCTAssertEqual(done.stepsToTarget, 650)
        XCTAssertNotNil(done.finished)
        XCTAssertFalse(try store.claim(runKey: "baseline/1", worker: Self.workerB), "done is final")

        // Failed: kept unless asked to retry. Diverged: final. Interrupted: claimed again.
        for (key, status) in [("baseline/2", RunStatus.failed), ("baseline/3", .diverged), ("no-positional/1", .interrupted)] {
            try store.claim(runKey: key, worker: Self.workerA)
            try store.finish(runKey: key, worker: Self.workerA, outcome: RunOutcome(status: status, error: "\(status)"))
        }
        XCTAssertFalse(try store.claim(runKey: "baseline/2", worker: Self.workerB))
        XCTAssertFalse(try store.claim(runKey: "baseline/3", worker: Self.workerB, retryFailed: true))
        XCTAssertTrue(try store.claim(runKey: "no-positional/1", worker: Self.workerB))
        XCTAssertTrue(try store.claim(runKey: "baseline/2", worker: Self.workerB, retryFailed: true))
        let retried = try XCTUnwrap(store.run(key: "baseline/2"))
        XCTAssertEqual(retried.attempts, 2)
        XCTAssertNil(retried.error, "a new attempt starts clean")

        let counts = try store.statusCounts(experiment: "positional")
        XCTAssertEqual(counts.map { "\($0.variant) \($0.status.rawValue) \($0.runs)" },
                       ["baseline running 1", "baseline done 1", "baseline diverged 1",
                        "no-positional pending 2", "no-positional running 1"])
    }

    func testARetriedMetricsWriteAddsNothing() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        try store.claim(runKey: "baseline/1", worker: Self.workerA)
        let points = Self.lossCurve(run: "baseline/1", count: 5) + [
            MetricPoint(run: "baseline/1", step: 40, split: .validation, name: .exactMatch, value: 0.5, wallSeconds: 3),
            MetricPoint(run: "baseline/1", step: 40, split: .train, name: .loss, value: .nan),
        ]
        try store.recordMetrics(points)
        try store.recordMetrics(points)
        try store.recordMetrics([points[0]])
        let stored = try store.metrics(run: "baseline/1")
        XCTAssertEqual(stored.count, 7)
        XCTAssertEqual(try store.metrics(run: "baseline/1", split: .validation, name: .loss).map(\.step), [0, 10, 20, 30, 40])
        XCTAssertTrue(try XCTUnwrap(store.metrics(run: "baseline/1", split: .train).first).value.isNaN, "NaN comes back as NaN")

        // The same point again with a new value replaces it.
        try store.recordMetrics([MetricPoint(run: "baseline/1", step: 40, split: .validation, name: .exactMatch, value: 0.75)])
        XCTAssertEqual(try store.metrics(run: "baseline/1", name: .exactMatch).map(\.value), [0.75])

        let slice = SliceEvaluation(run: "baseline/1", step: 40, split: .validation, slice: SliceLabel(name: "length", value: 8), loss: 0.2,
                                    tokenAccuracy: 0.9, exactMatch: 0.5, examples: 64)
        try store.recordSlices([slice, slice])
        XCTAssertEqual(try store.slices(run: "baseline/1"), [slice])
        XCTAssertThrowsError(try store.recordMetrics([MetricPoint(run: "ghost", step: 0, split: .validation, name: .loss, value: 1)]),
                             "a metric of an unknown run")
    }

    func testEnvironmentFactsAndArtifactsAreReplacedNotDuplicated() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        try store.recordEnvironment(["git_commit": "abc", "git_dirty": "false"], experiment: "positional")
        try store.recordEnvironment(["git_commit": "def"], experiment: "positional")
        try store.recordEnvironment(["blas_kernel": "SkylakeX", "blas_threads": "1"], experiment: "positional", run: "baseline/1")
        try store.recordEnvironment(["blas_threads": "2"], experiment: "positional", run: "baseline/1")
        XCTAssertEqual(try store.environment(experiment: "positional"), ["git_commit": "def", "git_dirty": "false"])
        XCTAssertEqual(try store.environment(experiment: "positional", run: "baseline/1"), ["blas_kernel": "SkylakeX", "blas_threads": "2"])

        let figure = ArtifactRecord(experiment: "positional", run: nil, kind: "figure", path: "plots/positional/loss.svg",
                                    sha256: "00ff", bytes: 10, created: Date(timeIntervalSince1970: 1_700_000_000))
        try store.recordArtifact(figure)
        var newer = figure
        newer.bytes = 20
        try store.recordArtifact(newer)
        XCTAssertEqual(try store.artifacts(experiment: "positional"), [newer])
    }
}
