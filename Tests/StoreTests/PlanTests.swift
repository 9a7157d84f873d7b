import Foundation
import Store
import XCTest

/// An experiment file edited between two `ablate run`s: the runs of its earlier version stay in the
/// file, but only the current plan is counted, summarised and claimed.
final class PlanTests: StoreTestCase {
    func testRunsOfAnEarlierVersionOfTheFileLeaveTheSummariesAndAreNotClaimed() throws {
        let store = try openStore()
        let first = Self.plannedRuns(variants: ["baseline", "rope"], seeds: [1, 2])
        try store.register(experiment: Self.experiment, runs: first)
        // Finish every run of the first version, each with a final metric equal to its seed (rope: 10 x seed).
        while let run = try store.claimNext(experiment: Self.experiment.name, worker: Self.workerA) {
            let value = Double(run.seed) * (run.variant == "rope" ? 10 : 1)
            try store.recordMetrics([MetricPoint(run: run.key, step: 5, split: .validation, name: .exactMatch, value: value)])
            try store.finish(runKey: run.key, worker: Self.workerA, outcome: RunOutcome(status: .done, steps: 5))
        }
        // The edited file: rope's config changed (new keys, same variant name), plus a pending run left over.
        let edited = Self.plannedRuns(variants: ["baseline"], seeds: [1, 2]) + [
            PlannedRun(key: "rope-v2/1", variant: "rope", seed: 1, config: "{\"seed\":1,\"variant\":\"rope\",\"v\":2}"),
        ]
        XCTAssertEqual(try store.register(experiment: Self.experiment, runs: edited), 1)

        let runs = try store.runs(experiment: Self.experiment.name)
        XCTAssertEqual(runs.filter(\.current).map(\.key).sorted(), ["baseline/1", "baseline/2", "rope-v2/1"])
        XCTAssertEqual(runs.filter { !$0.current }.map(\.key).sorted(), ["rope/1", "rope/2"])

        let counts = try store.statusCounts(experiment: Self.experiment.name)
        XCTAssertEqual(counts.first { $0.variant == "rope" && $0.status == .done }?.runs, nil, "old rope runs are not counted")
        XCTAssertEqual(counts.first { $0.variant == "rope" && $0.status == .pending }?.runs, 1)

        let claimed = try store.claimNext(experiment: Self.experiment.name, worker: Self.workerB)
        XCTAssertEqual(claimed?.key, "rope-v2/1")
        try store.recordMetrics([MetricPoint(run: "rope-v2/1", step: 5, split: .validation, name: .exactMatch, value: 7)])
        try store.finish(runKey: "rope-v2/1", worker: Self.workerB, outcome: RunOutcome(status: .done, steps: 5))
        XCTAssertNil(try store.claimNext(experiment: Self.experiment.name, worker: Self.workerB))

        let rope = try store.variantSummary(experiment: Self.experiment.name).first { $0.variant == "rope" && $0.name == MetricName.exactMatch.rawValue }
        XCTAssertEqual(rope?.n, 1, "only the current version's run")
        XCTAssertEqual(rope?.mean, 7)

        // Registering the first version again makes its runs current again (they are done: nothing to redo).
        XCTAssertEqual(try store.register(experiment: Self.experiment, runs: first), 0)
        let again = try store.variantSummary(experiment: Self.experiment.name).first { $0.variant == "rope" && $0.name == MetricName.exactMatch.rawValue }
        XCTAssertEqual(again?.n, 2)
        XCTAssertEqual(again?.mean, 15)
    }
}
