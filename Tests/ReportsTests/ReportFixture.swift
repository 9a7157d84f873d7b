import Foundation
import Models
import Reports
import Store
import Training
import XCTest

/// A small experiment written straight into a store, with numbers chosen so that every mean,
/// interval and effect of its report is known in advance.
///
/// - baseline, seeds 1-3: final test exact match 0.5, 0.6, 0.7 (mean 0.6, sd 0.1), validation
///   0.55, 0.65, 0.75; validation reaches 0.9... never (threshold 0.6 reached at steps 20, 10, 10).
/// - "wide", seeds 1-3: test 0.8, 0.8, 0.9 (differences +0.3, +0.2, +0.2 against the baseline);
///   parameters 1,200 against the baseline's 1,000 (20% more: a warning).
/// - "broken": seed 1 done (test 0.1), seed 2 failed, seed 3 diverged.
/// Test slices "length=2...4" per run; training lengths 2...3.
enum ReportFixture {
    struct Run {
        var variant: String
        var seed: Int
        var status: RunStatus
        var test: Double
        var validation: [Double]  // at steps 0, 10, 20
        var parameters: Int
        var wall: Double
    }

    static let runs: [Run] = [
        Run(variant: "baseline", seed: 1, status: .done, test: 0.5, validation: [0.1, 0.3, 0.55], parameters: 1000, wall: 2),
        Run(variant: "baseline", seed: 2, status: .done, test: 0.6, validation: [0.1, 0.6, 0.65], parameters: 1000, wall: 3),
        Run(variant: "baseline", seed: 3, status: .done, test: 0.7, validation: [0.2, 0.7, 0.75], parameters: 1000, wall: 4),
        Run(variant: "wide", seed: 1, status: .done, test: 0.8, validation: [0.2, 0.7, 0.8], parameters: 1200, wall: 5),
        Run(variant: "wide", seed: 2, status: .done, test: 0.8, validation: [0.3, 0.8, 0.85], parameters: 1200, wall: 5),
        Run(variant: "wide", seed: 3, status: .done, test: 0.9, validation: [0.3, 0.8, 0.9], parameters: 1200, wall: 5),
        Run(variant: "broken", seed: 1, status: .done, test: 0.1, validation: [0.0, 0.1, 0.1], parameters: 1000, wall: 1),
        Run(variant: "broken", seed: 2, status: .failed, test: .nan, validation: [], parameters: 1000, wall: 1),
        Run(variant: "broken", seed: 3, status: .diverged, test: .nan, validation: [0.0], parameters: 1000, wall: 1),
    ]

    /// The run's config as the sweep stores it: the real `RunSpec`, encoded by `canonicalJSON()`, so
    /// that a change in how configs are encoded reaches these tests.
    static func config(variant: String, seed: Int, positional: TransformerConfig.Positional, learningRate: Double = 0.001) -> String {
        var model = TransformerConfig()
        model.heads = 2
        model.positional = positional
        var training = TrainingSettings()
        training.steps = 20
        training.learningRate = learningRate
        training.stopAtAccuracy = 0.6
        let task = TaskSpec(kind: "reverse", parameters: ["symbols": .integer(8)], trainSize: 2...3, evaluationSize: 2...4)
        return RunSpec(variant: variant, seed: UInt64(seed), task: task, model: .transformer(model), training: training).canonicalJSON()
    }

    /// The plan as the sweep registers it: "wide" learns its positions, "broken" trains at a learning
    /// rate of 10 (its stored configs say the same), "heads=2" is the baseline's configuration.
    static func variants(experiment: String, names: [String: String] = [:]) -> [VariantRecord] {
        let name = { (variant: String) in names[variant] ?? variant }
        return [
            VariantRecord(experiment: experiment, name: name("baseline"), position: 0, origin: .baseline),
            VariantRecord(experiment: experiment, name: name("wide"), position: 1, origin: .variant, description: "learned positions",
                          changes: [VariantChange(key: "model.positional", value: "\"learned\"")]),
            VariantRecord(experiment: experiment, name: name("broken"), position: 2, origin: .variant,
                          changes: [VariantChange(key: "train.lr", value: "10")]),
            // A grid point equal to the baseline: no runs of its own.
            VariantRecord(experiment: experiment, name: name("heads=2"), position: 3, origin: .grid,
                          changes: [VariantChange(key: "model.heads", value: "2")], sameAs: name("baseline")),
        ]
    }

    /// What the Runner decodes from the baseline's stored config (`ReportInput.configuration`),
    /// written out as plain values: Reports sees nothing else of a configuration.
    static let configuration = BaselineConfiguration(
        task: "reverse (symbols=8)", trainingSizes: 2...3, evaluationSizes: 2...4, stopAtAccuracy: 0.6,
        settings: ["model.heads": "2", "model.positional": "\"sinusoidal\"", "train.lr": "0.001", "train.steps": "20",
                   "task.kind": "\"reverse\"", "task.train_length": "[2, 3]"])

    /// Writes the fixture into a new store at `path`. `names` renames the variants (for hostile-name
    /// tests); `experiment` names the experiment. Returns the keys of the runs by index.
    @discardableResult
    static func write(to path: String, experiment: String = "fixture", question: String = "Is wider better?",
                      findings: String = "Wider is better.", names: [String: String] = [:]) throws -> [String] {
        let store = try ResultStore(path: path)
        defer { try? store.close() }
        let name = { (variant: String) in names[variant] ?? variant }
        let planned = runs.enumerated().map { index, run in
            PlannedRun(key: String(format: "%064x", index + 1), variant: name(run.variant), seed: run.seed,
                       config: config(variant: name(run.variant), seed: run.seed,
                                      positional: run.variant == "wide" ? .learned : .sinusoidal,
                                      learningRate: run.variant == "broken" ? 10 : 0.001))
        }
        // A stale run of an earlier version of the file: registered, then dropped by a new registration.
        let stale = PlannedRun(key: String(repeating: "e", count: 64), variant: "old", seed: 1, config: "{}")
        let record = ExperimentRecord(name: experiment, question: question, findings: findings,
                                      source: "[experiment]\nname = \"\(experiment)\"\n")
        _ = try store.register(experiment: record, variants: [], runs: [stale] + planned)
        _ = try store.register(experiment: record, variants: variants(experiment: experiment, names: names), runs: planned)
        // The experiment's facts are those of its last registration (here from a later, dirty checkout);
        // the runs were all trained at abc123, clean: the report must show and reproduce the runs' commit.
        try store.recordEnvironment(["git_commit": "def456", "git_dirty": "true", "blas_kernel": "SkylakeX",
                                     "experiment_file": "experiments/fixture.toml"],
                                    experiment: experiment)
        let worker = WorkerIdentity(host: "fixture-host", pid: 1)
        for (index, run) in runs.enumerated() {
            let key = planned[index].key
            guard let claimed = try store.claimNext(experiment: experiment, worker: worker) else {
                throw NSError(domain: "fixture", code: 1)
            }
            XCTAssertEqual(claimed.key, key)
            var points: [MetricPoint] = []
            for (step, value) in run.validation.enumerated() {
                points.append(MetricPoint(run: key, step: step * 10, split: .validation, name: .exactMatch, value: value))
                points.append(MetricPoint(run: key, step: step * 10, split: .validation, name: .tokenAccuracy, value: min(1, value + 0.1)))
            }
            for step in 0..<20 {
                points.append(MetricPoint(run: key, step: step, split: .train, name: .loss, value: 2.0 / Double(step + 1) + Double(run.seed) * 0.01))
            }
            if run.test.isFinite {
                points.append(MetricPoint(run: key, step: 20, split: .test, name: .exactMatch, value: run.test))
                points.append(MetricPoint(run: key, step: 20, split: .test, name: .tokenAccuracy, value: min(1, run.test + 0.1)))
                // Slices: length 2 at the run's accuracy + 0.1, 3 at it, 4 at it - 0.3 (never below 0).
                let slices = [(2, min(1, run.test + 0.1)), (3, run.test), (4, max(0, run.test - 0.3))].map { length, value in
                    SliceEvaluation(run: key, step: 20, split: .test, slice: SliceLabel(name: "length", value: length), loss: 1, tokenAccuracy: value,
                                    exactMatch: value, examples: 16)
                }
                // An earlier evaluation that the report must ignore (only the last step counts).
                let early = SliceEvaluation(run: key, step: 10, split: .test, slice: SliceLabel(name: "length", value: 2), loss: 9, tokenAccuracy: 0,
                                            exactMatch: 0, examples: 16)
                try store.recordSlices(slices + [early])
            }
            try store.recordMetrics(points)
            try store.recordEnvironment(["git_commit": "abc123", "git_dirty": "false"], experiment: experiment, run: key)
            _ = try store.finish(runKey: key, worker: worker, outcome: RunOutcome(
                status: run.status, wallSeconds: run.wall, parameters: run.parameters, steps: 20,
                error: run.status == .failed ? "out of memory\nsecond line" : run.status == .diverged ? "loss is NaN" : nil))
        }
        return planned.map(\.key)
    }
}

/// A fresh folder per test, removed afterwards.
class ReportTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("ablate-report-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    var databasePath: String { folder.appendingPathComponent("results/fixture.sqlite").path }

    func analysis(_ options: ReportOptions = ReportOptions(), experiment: String = "fixture", task: TaskFacts? = nil) throws -> ExperimentAnalysis {
        let store = try ResultStore(path: databasePath)
        defer { try? store.close() }
        let data = try ExperimentData.load(from: store, experiment: experiment, databasePath: databasePath)
        return ExperimentAnalysis(data: data, options: options, task: task, configuration: ReportFixture.configuration)
    }
}
