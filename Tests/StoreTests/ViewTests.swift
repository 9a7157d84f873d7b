import Foundation
import XCTest
import Store

final class ViewTests: StoreTestCase {
    /// baseline: final valid accuracy 0.9, 0.8, 1.0 (done); no-positional: 0.5, 0.7 (done) and 0.1 (failed).
    /// Every run also has an earlier step with a different value, written after the final one.
    func makeFixture() throws -> ResultStore {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        let finals: [(String, Double, RunStatus)] = [
            ("baseline/1", 0.9, .done), ("baseline/2", 0.8, .done), ("baseline/3", 1.0, .done),
            ("no-positional/1", 0.5, .done), ("no-positional/2", 0.7, .done), ("no-positional/3", 0.1, .failed),
        ]
        for (key, accuracy, status) in finals {
            try store.claim(runKey: key, worker: Self.workerA)
            try store.recordMetrics([
                MetricPoint(run: key, step: 200, split: .validation, name: .exactMatch, value: accuracy),
                MetricPoint(run: key, step: 200, split: .validation, name: .loss, value: 1 - accuracy),
            ])
            try store.recordMetrics([
                MetricPoint(run: key, step: 100, split: .validation, name: .exactMatch, value: 0.3),
                MetricPoint(run: key, step: 100, split: .validation, name: .loss, value: 2),
            ])
            try store.finish(runKey: key, worker: Self.workerA, outcome: RunOutcome(status: status))
        }
        return store
    }

    func testFinalMetricsTakeTheLastStepOfEachRun() throws {
        let store = try makeFixture()
        let finals = try store.finalMetrics(experiment: "positional").filter { $0.name == MetricName.exactMatch.rawValue }
        XCTAssertEqual(finals.map(\.run), Self.plannedRuns().map(\.key))
        XCTAssertEqual(finals.map(\.step), Array(repeating: 200, count: 6))
        XCTAssertEqual(finals.map(\.value), [0.9, 0.8, 1.0, 0.5, 0.7, 0.1])
        XCTAssertEqual(finals.last?.status, .failed)
    }

    func testVariantSummaryGivesMeanAndSampleStddevOverTheSeedsOfDoneRuns() throws {
        let store = try makeFixture()
        let summary = try store.variantSummary(experiment: "positional").filter { $0.name == MetricName.exactMatch.rawValue }
        XCTAssertEqual(summary.map(\.variant), ["baseline", "no-positional"])
        XCTAssertEqual(summary.map(\.n), [3, 2], "the failed run is left out")
        XCTAssertEqual(summary[0].mean, 0.9, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(summary[0].stddev), 0.1, accuracy: 1e-12)
        XCTAssertEqual(summary[0].min, 0.8)
        XCTAssertEqual(summary[0].max, 1.0)
        XCTAssertEqual(summary[1].mean, 0.6, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(summary[1].stddev), 0.1 * 2.0.squareRoot(), accuracy: 1e-12)

        // One seed: no spread.
        try store.register(experiment: Self.experiment, runs: [PlannedRun(key: "solo/1", variant: "solo", seed: 1, config: "{}")])
        try store.claim(runKey: "solo/1", worker: Self.workerB)
        try store.recordMetrics([MetricPoint(run: "solo/1", step: 5, split: .validation, name: .exactMatch, value: 0.25)])
        try store.finish(runKey: "solo/1", worker: Self.workerB, outcome: RunOutcome(status: .done))
        let solo = try XCTUnwrap(store.variantSummary(experiment: "positional").first { $0.variant == "solo" && $0.name == MetricName.exactMatch.rawValue })
        XCTAssertEqual(solo.n, 1)
        XCTAssertEqual(solo.mean, 0.25)
        XCTAssertNil(solo.stddev)
    }

    func testExportGivesCSVAndJSONRows() throws {
        let store = try makeFixture()
        let table = try store.export(.variantSummary, experiment: "positional")
        XCTAssertEqual(table.columns, ["experiment", "variant", "split", "name", "n", "mean", "stddev", "min", "max"])
        XCTAssertEqual(table.rows.count, 4)
        let lines = table.csv().split(separator: "\n")
        XCTAssertEqual(lines.first, "experiment,variant,split,name,n,mean,stddev,min,max")
        XCTAssertEqual(lines.count, 5)

        let metrics = try store.export(.metrics, experiment: "positional")
        XCTAssertEqual(metrics.rows.count, 24)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) as? [[String: Any]]
        XCTAssertEqual(json?.count, 24)
        XCTAssertEqual(json?.first?["run"] as? String, "baseline/1")
        XCTAssertEqual(json?.first?["step"] as? Int, 100)

        XCTAssertEqual(ExportValue.text("a,\"b\"").csvField, "\"a,\"\"b\"\"\"")
        XCTAssertEqual(try store.export(.experiments).rows.count, 1)
        for source in ExportSource.allCases {
            XCTAssertNoThrow(try store.export(source), "\(source)")
        }
    }
}
