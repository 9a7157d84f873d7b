import Experiments
import Foundation
import Reports
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
            let config = data.runs.first { $0.record.variant == options.baseline }?.record.config ?? data.runs.first?.record.config
            var analysis = ExperimentAnalysis(data: data, options: options,
                                              task: config.flatMap { taskFacts(storedConfig: $0, metric: options.metric) })
            // The findings live in the experiment file, kept whole in the database.
            analysis.findings = (try? ExperimentLoader.load(text: data.experiment.source, path: name))?.findings ?? ""
            return analysis
        }
    }

    /// Writes the report and figures of `analysis` (see `ReportWriter.write`) under the experiment's
    /// file stem (`FileNames.stem(_:)`): `reportsDirectory/STEM.md`, `.html` and `plotsDirectory/STEM/`.
    public static func write(_ analysis: ExperimentAnalysis, reportsDirectory: URL, plotsDirectory: URL) throws -> ReportWriter.Output {
        try ReportWriter.write(analysis, fileStem: FileNames.stem(analysis.data.experiment.name),
                               reportsDirectory: reportsDirectory, plotsDirectory: plotsDirectory)
    }

    /// The task of a stored run configuration (the JSON text the store keeps), or nil when it
    /// cannot be rebuilt (an unknown task, a file written by another version).
    public static func taskFacts(storedConfig: String, metric: ReportOptions.Metric) -> TaskFacts? {
        guard let spec = try? JSONDecoder().decode(RunSpec.self, from: Data(storedConfig.utf8)),
              let setup = try? spec.task.setup() else { return nil }
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
}
