@testable import Inspection
import Foundation
import Models
import Reports
import Store
import Training
import XCTest

/// What ReportInput decodes for a tuned experiment: the baseline's own configuration (an untuned run's,
/// not a trial's or a final run's, which hold a candidate's values) and each variant's train.steps.
final class TunedReportInputTests: XCTestCase {
    func testTheBaselineSettingsAreTheUntunedRunsAndTheStepsAreDecoded() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-tuned-input-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tuned.sqlite").path
        func config(lr: Double, trial: Bool) -> String {
            var training = TrainingSettings()
            training.steps = 40
            training.learningRate = lr
            let task = TaskSpec(kind: "reverse", parameters: ["symbols": .integer(8)], trainSize: 2...3, evaluationSize: 2...4)
            var spec = RunSpec(variant: "baseline", seed: 1, task: task, model: .transformer(TransformerConfig()), training: training)
            if trial { (spec.stopAfter, spec.evaluatesTest) = (10, false) }
            return spec.canonicalJSON()
        }
        // Trials and the final run first in sweep order, at lr 0.03 and 0.001; the untuned run last, at the baseline's 0.002.
        let planned = [
            PlannedRun(key: String(repeating: "1", count: 64), variant: "baseline", seed: 1, config: config(lr: 0.03, trial: true)),
            PlannedRun(key: String(repeating: "2", count: 64), variant: "baseline", seed: 1, config: config(lr: 0.001, trial: true)),
            PlannedRun(key: String(repeating: "3", count: 64), variant: "baseline", seed: 1, config: config(lr: 0.03, trial: false)),
            PlannedRun(key: String(repeating: "4", count: 64), variant: "baseline", seed: 1, config: config(lr: 0.002, trial: false)),
        ]
        let rates = ["0.03", "0.001"]
        let settings = TuningSettings(method: "halving", metric: "exact_match", selectionSeeds: [1], eta: 2, firstRung: nil,
                                      axes: [TuningSettings.Axis(key: "train.lr", values: rates, numeric: true)],
                                      candidates: rates.map { .init(name: "lr=\($0)", changes: [VariantChange(key: "train.lr", value: $0)]) })
        let parts = [
            TuningRunRecord(experiment: "tuned", variant: "baseline", role: .trial, candidate: 0, rung: 0, seed: 1, run: planned[0].key),
            TuningRunRecord(experiment: "tuned", variant: "baseline", role: .trial, candidate: 1, rung: 0, seed: 1, run: planned[1].key),
            TuningRunRecord(experiment: "tuned", variant: "baseline", role: .final, candidate: 0, rung: nil, seed: 1, run: planned[2].key),
            TuningRunRecord(experiment: "tuned", variant: "baseline", role: .untuned, candidate: nil, rung: nil, seed: 1, run: planned[3].key),
        ]
        let store = try ResultStore(path: path)
        try store.register(experiment: ExperimentRecord(name: "tuned", question: "?", source: ""),
                           variants: [VariantRecord(experiment: "tuned", name: "baseline", position: 0, origin: .baseline)],
                           runs: planned, tuning: TuningRegistration(settings: settings, runs: parts, decisions: []))
        try store.close()

        let analysis = try XCTUnwrap(try ReportInput.analyses(database: path, experiment: "tuned", options: ReportOptions()).first)
        XCTAssertEqual(analysis.configuration?.settings["train.lr"], "0.002")
        let tuning = try XCTUnwrap(analysis.tuning)
        // Halving: a full grid would have run 2 candidates x 1 selection seed x 40 steps.
        XCTAssertEqual(tuning.steps.map(\.fullGrid), [80, 80])
        XCTAssertEqual(analysis.data.runs.map(\.record.key), [planned[2].key], "the main analysis is of the final run")
    }
}
