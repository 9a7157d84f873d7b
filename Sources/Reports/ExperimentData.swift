import Foundation
import Store

// What a report is built from: an experiment's current runs and their metrics, and its plan (the
// question, the findings, each variant with what it changes as the user wrote it), read from the
// Store as plain records. Nothing here knows of tensors, models or training settings: what the
// report needs of a configuration is decoded by the caller (see `BaselineConfiguration`).

/// One run of the experiment with what a report needs of its metrics.
public struct RunData: Sendable {
    public var record: RunRecord
    /// Every metric point, by split and name, ordered by step.
    public var curves: [String: [MetricPoint]]
    /// The slice evaluations of the last evaluation step of each split.
    public var finalSlices: [SliceEvaluation]

    public init(record: RunRecord, curves: [String: [MetricPoint]], finalSlices: [SliceEvaluation]) {
        self.record = record
        self.curves = curves
        self.finalSlices = finalSlices
    }

    /// The key of `curves` for a split and metric name as stored.
    public static func curveKey(split: String, name: String) -> String { split + "/" + name }

    /// The points of one metric of one split, ordered by step (empty when none were recorded).
    public func curve(split: MetricSplit, name: MetricName) -> [MetricPoint] {
        curves[Self.curveKey(split: split.rawValue, name: name.rawValue)] ?? []
    }

    /// The last recorded value of a metric (nil when none, or when it is not finite).
    public func final(split: MetricSplit, name: MetricName) -> Double? {
        guard let value = curve(split: split, name: name).last?.value, value.isFinite else { return nil }
        return value
    }
}

/// What the experiment file planned, as the store keeps it (`experiments` and `variants`).
public struct ExperimentPlan: Sendable, Equatable {
    public var question: String
    /// What the experimenter found, as written ("" when none).
    public var findings: String
    /// The variants in the file's order: the baseline, the `[[variant]]`s, the grid points.
    public var variants: [VariantRecord]

    public init(question: String, findings: String, variants: [VariantRecord]) {
        self.question = question
        self.findings = findings
        self.variants = variants
    }

    /// The variant named `name`, if the plan has it.
    public func variant(_ name: String) -> VariantRecord? { variants.first { $0.name == name } }
}

/// What the report shows of the baseline's resolved configuration, decoded once by the caller
/// from the stored run configuration (the Runner, which knows the configuration types).
public struct BaselineConfiguration: Sendable, Equatable {
    /// The task as "reverse (symbols=8)".
    public var task: String
    /// The sizes trained on and evaluated on.
    public var trainingSizes: ClosedRange<Int>
    public var evaluationSizes: ClosedRange<Int>?
    /// `train.stop_at_accuracy`, when set.
    public var stopAtAccuracy: Double?
    /// Every setting of the baseline by the name experiment files give it ("model.heads",
    /// "train.lr", "task.train_length"), its value in the file's syntax ("2", "0.001", "\"none\"").
    public var settings: [String: String]

    public init(task: String, trainingSizes: ClosedRange<Int>, evaluationSizes: ClosedRange<Int>?, stopAtAccuracy: Double?,
                settings: [String: String]) {
        self.task = task
        self.trainingSizes = trainingSizes
        self.evaluationSizes = evaluationSizes
        self.stopAtAccuracy = stopAtAccuracy
        self.settings = settings
    }
}

/// An experiment as stored: its record, its current runs in sweep order, its environment.
public struct ExperimentData: Sendable {
    public var experiment: ExperimentRecord
    /// The runs of the file as last registered (`current = 1`), in sweep order.
    public var runs: [RunData]
    /// Runs of earlier versions of the file, kept in the database but left out of the report.
    public var staleRuns: Int
    /// Facts about the machine and software recorded for the experiment as a whole.
    public var environment: [String: String]
    /// Facts recorded per run (git commit, BLAS kernel, ...), by run key.
    public var runEnvironments: [String: [String: String]]
    /// The database file the data came from, as the caller named it.
    public var databasePath: String
    /// The experiment's variants as last registered (the `variants` table), in the file's order.
    public var plannedVariants: [VariantRecord]
    /// The experiment's tuning (its [tune] table, each run's part, the decisions), or nil when its file
    /// has none. With it, `runs` holds every part: trials, final and untuned runs (see `restricted(to:)`).
    public var tuning: StoredTuning?

    /// The question, the findings and the variants, as last registered.
    public var plan: ExperimentPlan {
        ExperimentPlan(question: experiment.question, findings: experiment.findings, variants: plannedVariants)
    }

    public init(experiment: ExperimentRecord, runs: [RunData], staleRuns: Int, environment: [String: String],
                runEnvironments: [String: [String: String]], databasePath: String, variants: [VariantRecord] = [],
                tuning: StoredTuning? = nil) {
        self.experiment = experiment
        self.plannedVariants = variants
        self.tuning = tuning
        self.runs = runs
        self.staleRuns = staleRuns
        self.environment = environment
        self.runEnvironments = runEnvironments
        self.databasePath = databasePath
    }

    /// Variant names in sweep order (the order of their first run).
    public var variants: [String] {
        var seen = Set<String>()
        return runs.map(\.record.variant).filter { seen.insert($0).inserted }
    }

    /// Reads one experiment from a store.
    public static func load(from store: ResultStore, experiment name: String, databasePath: String) throws -> ExperimentData {
        guard let experiment = try store.experiments().first(where: { $0.name == name }) else {
            throw ReportError.unknownExperiment(name, database: databasePath, known: try store.experiments().map(\.name))
        }
        let all = try store.runs(experiment: name)
        var runs: [RunData] = []
        var environments: [String: [String: String]] = [:]
        for record in all where record.current {
            var curves: [String: [MetricPoint]] = [:]
            for point in try store.metrics(run: record.key) {
                curves[RunData.curveKey(split: point.split, name: point.name), default: []].append(point)
            }
            let slices = try store.slices(run: record.key)
            var lastStep: [String: Int] = [:]
            for slice in slices { lastStep[slice.split] = max(lastStep[slice.split] ?? slice.step, slice.step) }
            let finalSlices = slices.filter { $0.step == lastStep[$0.split] }
            runs.append(RunData(record: record, curves: curves, finalSlices: finalSlices))
            environments[record.key] = try store.environment(experiment: name, run: record.key)
        }
        return ExperimentData(experiment: experiment, runs: runs, staleRuns: all.count - runs.count,
                              environment: try store.environment(experiment: name), runEnvironments: environments,
                              databasePath: databasePath, variants: try store.variants(experiment: name),
                              tuning: try store.tuning(experiment: name))
    }

    /// The runs that play `role` in the tuning, as a plain experiment: each run labelled with the variant
    /// it plays the part for (whatever its stored variant), variants in the file's order, seeds ascending
    /// within a variant; only those runs' environments; no tuning (so an analysis of the copy is an
    /// ordinary one). A run of two roles (a final run that is also the untuned one) is in both copies.
    /// Without tuning the copy is this data unchanged.
    public func restricted(to role: RunRole) -> ExperimentData {
        guard let tuning else { return self }
        let byKey = Dictionary(runs.map { ($0.record.key, $0) }, uniquingKeysWith: { first, _ in first })
        let order = Dictionary(plannedVariants.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<String>()
        var firstSeen: [String: Int] = [:]
        var chosen: [(part: TuningRunRecord, run: RunData)] = []
        for part in tuning.runs(role) {
            guard let run = byKey[part.run], seen.insert(part.variant + "\u{0}" + part.run).inserted else { continue }
            if firstSeen[part.variant] == nil { firstSeen[part.variant] = firstSeen.count }
            chosen.append((part, run))
        }
        // The file's order; variants the plan does not name (none, normally) after, in the order first seen.
        func rank(_ variant: String) -> Int { order[variant] ?? (order.count + (firstSeen[variant] ?? 0)) }
        chosen.sort { a, b in
            let (ra, rb) = (rank(a.part.variant), rank(b.part.variant))
            if ra != rb { return ra < rb }
            if a.run.record.seed != b.run.record.seed { return a.run.record.seed < b.run.record.seed }
            return a.run.record.position < b.run.record.position
        }
        var copy = self
        copy.runs = chosen.map { part, run in
            var relabelled = run
            relabelled.record.variant = part.variant
            return relabelled
        }
        let keys = Set(copy.runs.map(\.record.key))
        copy.runEnvironments = runEnvironments.filter { keys.contains($0.key) }
        copy.tuning = nil
        return copy
    }
}

/// A problem with the report's input that a user can fix.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    case noDatabase(String)
    case unknownExperiment(String, database: String, known: [String])
    case emptyDatabase(String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "no database at \(path) (ablate run EXPERIMENT.toml writes results/NAME.sqlite)"
        case .unknownExperiment(let name, let database, let known):
            return "no experiment named \"\(name)\" in \(database); it holds: "
                + (known.isEmpty ? "none" : known.map { "\"\($0)\"" }.joined(separator: ", "))
        case .emptyDatabase(let path):
            return "\(path) holds no experiment yet (run ablate run EXPERIMENT.toml first)"
        }
    }
}
