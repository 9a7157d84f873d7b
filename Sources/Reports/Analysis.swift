import Foundation
import Store

// The numbers of a report, computed from plain records: per-variant summaries over seeds, effects
// against the baseline paired by seed, accuracy per slice (length generalisation), and the
// warnings a careful reader needs. Rendering lives elsewhere (ReportDocument, ReportFigures).

/// What a report measures and how.
public struct ReportOptions: Sendable, Equatable {
    /// The accuracy a report is about: one of the store's accuracy metrics, by its stored name
    /// (`--metric exact_match`).
    public enum Metric: RawRepresentable, Sendable, CaseIterable {
        /// The fraction of examples whose whole output is right (the strict one).
        case exactMatch
        /// The fraction of target tokens predicted right.
        case tokenAccuracy

        /// The metric in the store's vocabulary.
        public var name: MetricName {
            switch self {
            case .exactMatch: return .exactMatch
            case .tokenAccuracy: return .tokenAccuracy
            }
        }

        public var rawValue: String { name.rawValue }

        public init?(rawValue: String) {
            guard let metric = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = metric
        }

        /// How tables and figures name it: "exact match".
        public var label: String { name.label }

        /// Its value in a slice's evaluation.
        func value(in slice: SliceEvaluation) -> Double {
            self == .exactMatch ? slice.exactMatch : slice.tokenAccuracy
        }
    }

    public var metric: Metric = .exactMatch
    /// The validation accuracy whose first crossing is "steps to threshold". nil: the baseline's
    /// `stop_at_accuracy`, or 0.9 when it has none.
    public var threshold: Double? = nil
    /// The variant effects are measured against.
    public var baseline: String = "baseline"
    /// Bootstrap resamples for effects.
    public var resamples: Int = 10_000
    /// The bootstrap's seed: the same database gives the same report.
    public var bootstrapSeed: UInt64 = 0x5EED

    public init(metric: Metric = .exactMatch, threshold: Double? = nil, baseline: String = "baseline") {
        self.metric = metric
        self.threshold = threshold
        self.baseline = baseline
    }
}

/// What the code knows of the experiment's task (its size axis and chance levels). The caller
/// computes it from the task registry; the report only shows it.
public struct TaskFacts: Sendable, Equatable {
    public var kind: String
    /// One line: what the model must do.
    public var summary: String
    /// What the size ranges control: "length", "distance", "pairs", "depth" or "digits".
    public var sizeName: String
    /// Chance level per size, for the report's metric.
    public var chanceBySize: [Int: Double]
    /// How chance is computed, in words.
    public var chanceExplanation: String

    public init(kind: String, summary: String, sizeName: String, chanceBySize: [Int: Double], chanceExplanation: String) {
        self.kind = kind
        self.summary = summary
        self.sizeName = sizeName
        self.chanceBySize = chanceBySize
        self.chanceExplanation = chanceExplanation
    }
}

/// A mean over seeds with its 95% Student-t interval (nil below 2 values).
public struct Estimate: Sendable, Equatable {
    public var values: [Double]
    public var n: Int { values.count }
    public var mean: Double? { Statistics.mean(values) }
    public var interval: ConfidenceInterval? { Statistics.meanConfidenceInterval95(values) }

    public init(_ values: [Double]) { self.values = values }
}

/// One variant's line in the report.
public struct VariantRow: Sendable {
    public var name: String
    /// What it changes against the baseline, as "path: value (baseline: value)".
    public var changes: [String]
    public var runs: Int
    /// Runs per status (every status present at least once).
    public var statuses: [RunStatus: Int]
    /// Parameter counts of its runs (usually one value).
    public var parameters: [Int]
    /// Final validation and test accuracy of its done runs.
    public var validation: Estimate
    public var test: Estimate
    /// Steps to the threshold of the done runs that reached it.
    public var stepsToThreshold: Estimate
    /// Done runs (the denominator of `stepsToThreshold.n`).
    public var done: Int
    /// Wall seconds of its done runs.
    public var wallSeconds: Estimate
}

/// A variant against the baseline, paired by seed.
public struct EffectRow: Sendable {
    public var variant: String
    public var validation: PairedEffect?
    public var test: PairedEffect?
}

/// Accuracy per slice value (length, distance, ...) of the final test evaluation.
public struct SliceTable: Sendable {
    /// The slice's name, e.g. "length".
    public var name: String
    /// Every value evaluated, ascending.
    public var values: [Int]
    /// The sizes seen in training (from the baseline's configuration), if known.
    public var trainingRange: ClosedRange<Int>?
    /// Per variant (in report order) the estimate at each value.
    public var cells: [(variant: String, byValue: [Int: Estimate])]
    /// Chance level per value, when the task is known.
    public var chance: [Int: Double]
}

public struct ExperimentAnalysis: Sendable {
    public var data: ExperimentData
    public var options: ReportOptions
    public var task: TaskFacts?
    /// The accuracy threshold of "steps to threshold".
    public var threshold: Double
    /// The baseline's name, or nil when the experiment has no run of it.
    public var baseline: String?
    public var variants: [VariantRow]
    public var effects: [EffectRow]
    public var slices: SliceTable?
    /// Things a reader must know before trusting the numbers.
    public var warnings: [String]
    /// What the report shows of the baseline's configuration (nil when it could not be decoded).
    public var configuration: BaselineConfiguration?
    /// What the experimenter found (the experiment file's `findings`, as stored), shown as written.
    public var findings: String { data.plan.findings }
    /// What tuning did, for an experiment with a [tune] table (nil without one). The rest of the
    /// analysis (`data`, `variants`, `effects`, `slices`, the figures) is then of the final runs only.
    public var tuning: TuningAnalysis? = nil

    /// - Parameters:
    ///   - data: the experiment as loaded. With tuning, the analysis is of its final runs
    ///     (`data.restricted(to: .final)`: each variant at its chosen values), and `tuning` holds
    ///     the rest, with a second analysis of the untuned runs; trials enter neither.
    ///   - configuration: the baseline's configuration (or the first run's when the experiment has no
    ///     baseline run; with tuning, an untuned baseline run's), decoded by the caller.
    ///   - trainingSteps: with tuning, each variant's `train.steps`, decoded by the caller from its
    ///     stored configs (what grid search would have spent, against halving).
    public init(data loaded: ExperimentData, options: ReportOptions = ReportOptions(), task: TaskFacts? = nil,
                configuration: BaselineConfiguration? = nil, trainingSteps: [String: Int] = [:]) {
        let data = loaded.restricted(to: .final)
        self.data = data
        self.options = options
        self.task = task
        self.configuration = configuration
        let metric = options.metric.name
        let names = data.variants
        let baselineRuns = data.runs.filter { $0.record.variant == options.baseline }
        baseline = baselineRuns.isEmpty ? nil : options.baseline
        threshold = options.threshold ?? configuration?.stopAtAccuracy ?? 0.9

        var rows: [VariantRow] = []
        for name in names {
            let runs = data.runs.filter { $0.record.variant == name }
            let done = runs.filter { $0.record.status == .done }
            var statuses: [RunStatus: Int] = [:]
            for run in runs { statuses[run.record.status, default: 0] += 1 }
            let threshold = self.threshold
            let steps = done.compactMap { run in
                run.curve(split: .validation, name: metric).first { $0.value >= threshold }.map { Double($0.step) }
            }
            rows.append(VariantRow(
                name: name,
                changes: name == options.baseline ? [] : Self.changes(of: data.plan.variant(name), baseline: configuration?.settings ?? [:]),
                runs: runs.count, statuses: statuses,
                parameters: Array(Set(runs.compactMap(\.record.parameters))).sorted(),
                validation: Estimate(done.compactMap { $0.final(split: .validation, name: metric) }),
                test: Estimate(done.compactMap { $0.final(split: .test, name: metric) }),
                stepsToThreshold: Estimate(steps), done: done.count,
                wallSeconds: Estimate(done.compactMap(\.record.wallSeconds))))
        }
        variants = rows

        // Effects: variant - baseline per seed, over done runs of both.
        func bySeed(_ variant: String, _ split: MetricSplit) -> [Int: Double] {
            var out: [Int: Double] = [:]
            for run in data.runs where run.record.variant == variant && run.record.status == .done {
                if let value = run.final(split: split, name: metric) { out[run.record.seed] = value }
            }
            return out
        }
        var effects: [EffectRow] = []
        if let baseline {
            for name in names where name != baseline {
                effects.append(EffectRow(
                    variant: name,
                    validation: Statistics.pairedBootstrapEffect(baseline: bySeed(baseline, .validation), variant: bySeed(name, .validation),
                                                                 resamples: options.resamples, rngSeed: options.bootstrapSeed),
                    test: Statistics.pairedBootstrapEffect(baseline: bySeed(baseline, .test), variant: bySeed(name, .test),
                                                           resamples: options.resamples, rngSeed: options.bootstrapSeed)))
            }
        }
        self.effects = effects

        slices = Self.sliceTable(data: data, variants: names, metric: options.metric, task: task,
                                 trainingRange: configuration?.trainingSizes)
        warnings = Self.warnings(data: data, rows: rows, effects: effects, baseline: baseline, options: options)

        if let stored = loaded.tuning {
            let untuned = ExperimentAnalysis(data: loaded.restricted(to: .untuned), options: options, task: task,
                                             configuration: configuration)
            let tuning = TuningAnalysis(data: loaded, tuning: stored, final: self, untuned: untuned, trainingSteps: trainingSteps)
            if data.runs.isEmpty {
                warnings.removeAll { $0 == Self.noRuns }
                warnings.insert("No final run yet: the tables and figures of results fill in once tuning has chosen "
                                + "and the final runs are trained (see Tuning).", at: 0)
            }
            warnings += tuning.warnings
            self.tuning = tuning
        }
    }

    static let noRuns = "The experiment has no runs."

    // MARK: - Pieces

    /// What a variant changes, as the experiment file writes it, each with the baseline's value of
    /// the setting when it has one: `train.lr = 0.003 (baseline: 0.001)`. A whole new model
    /// (`model = { ... }`) has no single baseline value.
    static func changes(of variant: VariantRecord?, baseline: [String: String]) -> [String] {
        (variant?.changes ?? []).map { change in
            change.description + (baseline[change.key].map { " (baseline: \($0))" } ?? "")
        }
    }

    static func sliceTable(data: ExperimentData, variants: [String], metric: ReportOptions.Metric, task: TaskFacts?,
                           trainingRange: ClosedRange<Int>?) -> SliceTable? {
        // The slice along the task's size axis; "length" when the task is unknown.
        let name = task?.sizeName ?? "length"
        var cells: [(variant: String, byValue: [Int: Estimate])] = []
        var values = Set<Int>()
        for variant in variants {
            var byValue: [Int: [Double]] = [:]
            for run in data.runs where run.record.variant == variant && run.record.status == .done {
                for slice in run.finalSlices where slice.split == MetricSplit.test.rawValue {
                    guard let label = slice.label, label.name == name else { continue }
                    let value = label.value, accuracy = metric.value(in: slice)
                    guard accuracy.isFinite else { continue }
                    byValue[value, default: []].append(accuracy)
                    values.insert(value)
                }
            }
            cells.append((variant, byValue.mapValues(Estimate.init)))
        }
        guard !values.isEmpty else { return nil }
        return SliceTable(name: name, values: values.sorted(), trainingRange: trainingRange, cells: cells,
                          chance: task?.chanceBySize ?? [:])
    }

    static func warnings(data: ExperimentData, rows: [VariantRow], effects: [EffectRow], baseline: String?,
                         options: ReportOptions) -> [String] {
        var out: [String] = []
        if data.runs.isEmpty { out.append(noRuns) }
        if baseline == nil, !data.runs.isEmpty {
            out.append("No run of the baseline \"\(options.baseline)\": effects cannot be measured.")
        }
        for row in rows {
            let failed = row.statuses[.failed] ?? 0, diverged = row.statuses[.diverged] ?? 0
            let unfinished = (row.statuses[.pending] ?? 0) + (row.statuses[.running] ?? 0) + (row.statuses[.interrupted] ?? 0)
            if failed > 0 {
                let reasons = data.runs.filter { $0.record.variant == row.name && $0.record.status == .failed }
                    .compactMap { $0.record.error.map { firstLine($0, limit: 160) } }
                out.append("\(row.name): \(failed) of \(row.runs) runs failed and are left out"
                           + (reasons.isEmpty ? "." : " (first error: \(reasons[0]))."))
            }
            if diverged > 0 {
                out.append("\(row.name): \(diverged) of \(row.runs) runs diverged (loss NaN or infinite) and are left out of the means: "
                           + "the variant's real accuracy is lower than shown.")
            }
            if unfinished > 0 {
                out.append("\(row.name): \(unfinished) of \(row.runs) runs have not finished (pending, running or interrupted); "
                           + "run ablate run again to complete them.")
            }
            if row.parameters.count > 1 {
                out.append("\(row.name): its runs have different parameter counts (\(row.parameters.map(String.init).joined(separator: ", "))).")
            }
        }
        let doneCounts = Set(rows.map(\.done))
        if doneCounts.count > 1 {
            out.append("Unequal numbers of finished seeds: "
                       + rows.map { "\($0.name) \($0.done)" }.joined(separator: ", ")
                       + ". Means over different seed sets are not directly comparable; effects use only common seeds.")
        }
        if let base = rows.first(where: { $0.name == baseline }), let reference = base.parameters.first, reference > 0 {
            for row in rows where row.name != baseline {
                guard let count = row.parameters.first else { continue }
                let ratio = Double(count) / Double(reference)
                if abs(ratio - 1) > 0.10 {
                    out.append("\(row.name) has \(count) parameters, \(percent(ratio - 1)) against the baseline's \(reference): "
                               + "part of its effect may come from its size.")
                }
            }
        }
        let pairs = effects.compactMap { $0.test?.pairedCount ?? $0.validation?.pairedCount }
        if let fewest = pairs.min(), fewest < 5 {
            out.append("Effects rest on \(fewest == pairs.max() ? "" : "as few as ")\(fewest) paired seed(s): a bootstrap interval "
                       + "from fewer than 5 pairs is too narrow (it cannot reach beyond the observed differences). "
                       + "Treat the intervals as indicative; add seeds to firm them up.")
        }
        for effect in effects where effect.test?.droppedUnpairedSeeds == true || effect.validation?.droppedUnpairedSeeds == true {
            out.append("\(effect.variant): some seeds have no partner in the baseline and are left out of its effect.")
        }
        let commits = Set(data.runEnvironments.values.compactMap { $0["git_commit"] })
        if commits.count > 1 {
            out.append("Runs were trained by different versions of ablate (git commits \(commits.sorted().joined(separator: ", "))).")
        }
        if data.runEnvironments.values.contains(where: { $0["git_dirty"] == "true" }) {
            out.append("Some runs were trained from a working tree with uncommitted changes: the commit alone does not reproduce them.")
        }
        if data.staleRuns > 0 {
            out.append("\(data.staleRuns) run(s) of earlier versions of the experiment file are in the database and left out.")
        }
        return out
    }

    static func firstLine(_ text: String, limit: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > limit ? String(line.prefix(limit)) + "..." : line
    }

    static func percent(_ fraction: Double) -> String {
        let value = (fraction * 1000).rounded() / 10
        return (value >= 0 ? "+" : "") + Format.fixed(value, 1) + "%"
    }
}
