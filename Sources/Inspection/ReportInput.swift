import Experiments
import Foundation
import Reports
import Settings
import Store
import Tasks
import Training

/// What `ablate report` and `ablate compare` read: an experiment's runs from its database, with what
/// the code knows of its task (size axis and chance levels), analysed for the report.
public enum ReportInput {
    /// The analyses of `experiment` in `database` (every experiment of the file when nil).
    /// Throws `ReportError` for a missing database or an unknown experiment; never creates a file.
    public static func analyses(database: String, experiment: String?, options: ReportOptions) throws -> [ExperimentAnalysis] {
        let store = try ReportWriter.openStore(database)
        defer { try? store.close() }
        return try ReportWriter.experimentNames(in: store, databasePath: database, name: experiment).map { name in
            let data = try ExperimentData.load(from: store, experiment: name, databasePath: database)
            // The baseline's configuration, decoded once; the first run's when there is no baseline run. With tuning,
            // an untuned run's: the baseline's own settings (a trial's or a final run's are a candidate's).
            let configs = Dictionary(data.runs.map { ($0.record.key, $0.record.config) }, uniquingKeysWith: { first, _ in first })
            let untuned = data.tuning.map { tuning in
                (tuning.runs(.untuned, variant: options.baseline) + tuning.runs(.untuned)).compactMap { configs[$0.run] }
            } ?? []
            let stored = untuned.first ?? data.runs.first { $0.record.variant == options.baseline }?.record.config ?? data.runs.first?.record.config
            let spec = stored.flatMap { try? JSONDecoder().decode(RunSpec.self, from: Data($0.utf8)) }
            let setup = spec.flatMap { try? $0.task.setup() }
            return ExperimentAnalysis(data: data, options: options, task: setup.map { taskFacts(setup: $0, metric: options.metric) },
                                      configuration: spec.map { configuration(of: $0, sizeName: setup.map { type(of: $0.task).sizeName }) },
                                      trainingSteps: trainingSteps(data, configs: configs))
        }
    }

    /// Each tuned variant's `train.steps`, from the stored config of one of its runs (every run of a
    /// variant has the same: `train.steps` cannot be tuned, and a trial's budget is its "stop_after").
    static func trainingSteps(_ data: ExperimentData, configs: [String: String]) -> [String: Int] {
        var out: [String: Int] = [:]
        for part in data.tuning?.runs ?? [] where out[part.variant] == nil {
            guard let config = configs[part.run], let spec = try? JSONDecoder().decode(RunSpec.self, from: Data(config.utf8)) else { continue }
            out[part.variant] = spec.training.steps
        }
        return out
    }

    /// Writes the report and figures of `analysis` (see `ReportWriter.write`) under the experiment's
    /// file stem (`FileNames.stem(_:)`): `reportsDirectory/STEM.md`, `.html` and `plotsDirectory/STEM/`.
    public static func write(_ analysis: ExperimentAnalysis, reportsDirectory: URL, plotsDirectory: URL) throws -> ReportWriter.Output {
        try ReportWriter.write(analysis, fileStem: FileNames.stem(analysis.data.experiment.name),
                               reportsDirectory: reportsDirectory, plotsDirectory: plotsDirectory)
    }

    /// What the code knows of a run's task: its size axis and chance levels for the report's metric.
    static func taskFacts(setup: TaskSetup, metric: ReportOptions.Metric) -> TaskFacts {
        let task = setup.task
        var chance: [Int: Double] = [:]
        for size in setup.evaluationSize where task.canGenerate(size: size) {
            let level = task.chance(size: size...size)
            chance[size] = metric == .exactMatch ? level.sequenceAccuracy : level.tokenAccuracy
        }
        // Explained over the whole evaluation range, as the report's per-size column uses it.
        let explanation = task.chance(size: setup.evaluationSize).explanation
        let type = type(of: task)
        return TaskFacts(kind: type.kind, summary: type.summary, sizeName: type.sizeName, chanceBySize: chance,
                         chanceExplanation: explanation)
    }

    /// What the report shows of a run's configuration: the task, its size ranges, the accuracy
    /// target, and every setting by the name experiment files give it (`baselineSettings`).
    static func configuration(of spec: RunSpec, sizeName: String?) -> BaselineConfiguration {
        let parameters = spec.task.parameters.keys.sorted().map { "\($0)=\(spec.task.parameters[$0]!.plainText)" }
        return BaselineConfiguration(
            task: spec.task.kind + (parameters.isEmpty ? "" : " (" + parameters.joined(separator: ", ") + ")"),
            trainingSizes: spec.task.trainSize, evaluationSizes: spec.task.evaluationSize,
            stopAtAccuracy: spec.training.stopAtAccuracy, settings: baselineSettings(spec, sizeName: sizeName ?? "size"))
    }

    /// Every setting of a run by its experiment-file name ("model.heads", "train.lr",
    /// "task.train_length"), valued in the file's syntax: what "baseline: X" shows next to a change.
    /// The settings come from the configuration types' own tables (`TransformerConfig.settings`, ...),
    /// aliases included (`train.learning_rate`); the model holds `train.dropout` too.
    static func baselineSettings(_ spec: RunSpec, sizeName: String) -> [String: String] {
        var settings: [String: String] = [:]
        func add<Root: SettingsTable>(_ prefix: String, _ root: Root) {
            for setting in Root.settings {
                guard let value = setting.get(root) else { continue }
                for name in [setting.key] + setting.aliases { settings[prefix + name] = value.written }
            }
        }
        switch spec.model {
        case .transformer(let config): settings["model.arch"] = SettingValue.text("transformer").written; add("model.", config)
        case .rnn(let config): settings["model.arch"] = SettingValue.text("rnn").written; add("model.", config)
        }
        add("train.", spec.training)
        if let dropout = settings["model.dropout"] { settings["train.dropout"] = dropout }
        settings["task.kind"] = SettingValue.text(spec.task.kind).written
        for (name, value) in spec.task.parameters { settings["task." + name] = value.plainText }
        settings["task.train_" + sizeName] = "[\(spec.task.trainSize.lowerBound), \(spec.task.trainSize.upperBound)]"
        if let evaluation = spec.task.evaluationSize {
            settings["task.eval_" + sizeName] = "[\(evaluation.lowerBound), \(evaluation.upperBound)]"
        }
        return settings
    }
}

extension TaskParameterValue {
    /// The value as the experiment file writes it: `8`, `"abc"`.
    fileprivate var plainText: String {
        switch self {
        case .integer(let value): return String(value)
        case .text(let value): return SettingValue.text(value).written
        }
    }
}
