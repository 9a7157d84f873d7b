import Foundation
import Store

// What tuning did, from plain records (docs/reports.md, "Tuned experiments"): per variant the chosen
// candidate, its value, the edge-of-range rule, its effect against the baseline with both tuned (the
// final runs) beside the effect at the baseline's own setting (the untuned runs), every rung's
// ranking, the steps spent, and the sensitivity of the selection metric to each tuned setting.
// The report's main analysis is of the final runs; trials never enter it.

/// One variant's tuning.
public struct TunedVariant: Sendable {
    public var name: String
    /// Every decision taken for it, by rung then rank.
    public var decisions: [TuningDecisionRecord]
    /// The chosen candidate's index in `TuningSettings.candidates` (nil while undecided).
    public var chosen: Int?
    /// The chosen candidate's decision (its value at its last rung).
    public var chosenDecision: TuningDecisionRecord?
    /// The numeric tuned settings whose chosen value is the smallest or largest of their values.
    public var edges: [Edge]
    /// Final runs planned and done.
    public var finals: Int
    public var finalsDone: Int
    /// Untuned runs planned and done.
    public var untuned: Int
    public var untunedDone: Int
    /// Against the baseline, each at its best (final runs against the baseline's final runs); nil for
    /// the baseline itself.
    public var tuned: EffectRow?
    /// Against the baseline at the baseline's own setting (untuned runs against the baseline's untuned runs).
    public var atBaselineSetting: EffectRow?

    /// A tuned setting whose chosen value is at one end of the values tried.
    public struct Edge: Sendable, Equatable {
        public var key: String
        public var value: String
        /// True for the largest value, false for the smallest.
        public var largest: Bool

        public init(key: String, value: String, largest: Bool) {
            (self.key, self.value, self.largest) = (key, value, largest)
        }
    }

    /// The highest rung decided (nil before the first decision).
    public var lastRung: Int? { decisions.map(\.rung).max() }
}

/// Steps spent on one variant's tuning (or on all of them), from `RunRecord.steps` of distinct runs.
public struct TuningSteps: Sendable, Equatable {
    /// The variant, or nil for the whole experiment.
    public var variant: String?
    public var trials: Int
    public var finals: Int
    /// Untuned runs that are not also final runs (a run in both parts is counted once, under finals).
    public var untuned: Int
    /// Runs that are both a final and an untuned run.
    public var shared: Int
    /// Runs that have not finished yet (no steps recorded; not counted).
    public var unfinished: Int
    /// Halving: what grid search would have spent on trials (candidates x selection seeds x train.steps);
    /// nil for grid, or when a variant's train.steps is unknown.
    public var fullGrid: Int?

    public init(variant: String?, trials: Int, finals: Int, untuned: Int, shared: Int, unfinished: Int, fullGrid: Int?) {
        self.variant = variant
        self.trials = trials
        self.finals = finals
        self.untuned = untuned
        self.shared = shared
        self.unfinished = unfinished
        self.fullGrid = fullGrid
    }

    public var total: Int { trials + finals + untuned }
    /// What halving saved on trials against the full grid.
    public var saved: Int? { fullGrid.map { $0 - trials } }
}

/// The selection metric at rung 0 against the values of one tuned setting.
public struct AxisSensitivity: Sendable {
    public struct Point: Sendable, Equatable {
        /// The value's index in the axis's values.
        public var value: Int
        /// The candidate shown (with several axes, the value's best candidate over the other axes).
        public var candidate: Int
        /// Mean over the selection seeds, and the range over them.
        public var mean: Double
        public var low: Double
        public var high: Double
        public var seeds: Int
    }

    public var axis: TuningSettings.Axis
    /// The value of each point on the x axis: the number for a numeric axis, else its position.
    public var positions: [Double]
    /// Numeric, every value above 0, and spanning more than a factor of 10.
    public var logScale: Bool
    /// Per tuned variant (in the report's order), its points, by value.
    public var lines: [(variant: String, points: [Point])]
    /// Rung 0's steps (one value when every variant trains as long).
    public var steps: [Int]
}

public struct TuningAnalysis: Sendable {
    public var settings: TuningSettings
    /// The tuned variants in the file's order (the baseline first when it is tuned).
    public var variants: [TunedVariant]
    /// Per variant, then the experiment's total (variant nil) last.
    public var steps: [TuningSteps]
    public var sensitivity: [AxisSensitivity]
    /// Edge-of-range warnings and what is not finished.
    public var warnings: [String]
    /// The analysis of the untuned runs: the variants at their own settings, and their effects.
    public var untunedVariants: [VariantRow]
    public var untunedEffects: [EffectRow]

    /// Whether higher values of the selection metric are better (exact match) or lower (loss).
    public var higherIsBetter: Bool { settings.metric != MetricName.loss.rawValue }

    /// The selection metric as tables name it: "validation exact match".
    public var metricLabel: String { "validation " + (MetricName(rawValue: settings.metric)?.label ?? settings.metric) }

    /// - Parameters:
    ///   - data: every run of the experiment (trials, final and untuned), with its tuning.
    ///   - final: the analysis of the final runs (the report's main one).
    ///   - untuned: the analysis of the untuned runs.
    ///   - trainingSteps: each variant's `train.steps`, decoded by the caller from its stored configs.
    init(data: ExperimentData, tuning: StoredTuning, final: ExperimentAnalysis, untuned: ExperimentAnalysis,
         trainingSteps: [String: Int]) {
        settings = tuning.settings
        untunedVariants = untuned.variants
        untunedEffects = untuned.effects
        let byKey = Dictionary(data.runs.map { ($0.record.key, $0) }, uniquingKeysWith: { first, _ in first })
        let order = Dictionary(data.plannedVariants.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var names: [String] = []
        for name in tuning.runs.map(\.variant) + tuning.decisions.map(\.variant) where !names.contains(name) { names.append(name) }
        names = names.enumerated().sorted { (order[$0.element] ?? Int.max, $0.offset) < (order[$1.element] ?? Int.max, $1.offset) }
            .map(\.element)

        func done(_ parts: [TuningRunRecord]) -> Int { parts.filter { byKey[$0.run]?.record.status == .done }.count }
        var rows: [TunedVariant] = []
        for name in names {
            let decisions = tuning.decisions.filter { $0.variant == name }.sorted { ($0.rung, $0.rank) < ($1.rung, $1.rank) }
            let chosenDecision = decisions.last { $0.decision == .chosen }
            let finals = tuning.runs(.final, variant: name), untunedParts = tuning.runs(.untuned, variant: name)
            rows.append(TunedVariant(
                name: name, decisions: decisions, chosen: chosenDecision?.candidate, chosenDecision: chosenDecision,
                edges: chosenDecision.map { Self.edges(of: $0.candidate, settings: tuning.settings) } ?? [],
                finals: finals.count, finalsDone: done(finals), untuned: untunedParts.count, untunedDone: done(untunedParts),
                tuned: name == final.baseline ? nil : final.effects.first { $0.variant == name },
                atBaselineSetting: name == untuned.baseline ? nil : untuned.effects.first { $0.variant == name }))
        }
        variants = rows
        steps = Self.steps(tuning: tuning, variants: names, runs: byKey, trainingSteps: trainingSteps)
        sensitivity = Self.sensitivity(tuning: tuning, variants: names, runs: byKey)
        var warnings: [String] = []
        for row in rows {
            for edge in row.edges {
                warnings.append("\(row.name): the chosen \(edge.key) = \(edge.value) is the \(edge.largest ? "largest" : "smallest") "
                                + "of the values tried (\(Self.axis(edge.key, in: tuning.settings)?.values.joined(separator: ", ") ?? "")): "
                                + "at the edge of its range: widen it.")
            }
        }
        let undecided = rows.filter { $0.chosen == nil }.map(\.name)
        if !undecided.isEmpty {
            warnings.append("Tuning is in progress: no candidate chosen yet for \(undecided.joined(separator: ", ")); "
                            + "run ablate run again to go on. Their final runs come after the choice.")
        }
        let waiting = rows.filter { $0.chosen != nil && $0.finalsDone < $0.finals }
        if !waiting.isEmpty {
            warnings.append("Final runs not all done: " + waiting.map { "\($0.name) \($0.finalsDone)/\($0.finals)" }.joined(separator: ", ")
                            + "; the effects each at its best use the seeds done.")
        }
        let untunedWaiting = rows.filter { $0.untunedDone < $0.untuned }
        if !untunedWaiting.isEmpty {
            warnings.append("Untuned runs not all done: " + untunedWaiting.map { "\($0.name) \($0.untunedDone)/\($0.untuned)" }.joined(separator: ", ")
                            + "; the effects at the baseline's own setting use the seeds done.")
        }
        self.warnings = warnings
    }

    static func axis(_ key: String, in settings: TuningSettings) -> TuningSettings.Axis? { settings.axes.first { $0.key == key } }

    /// A candidate's value of each axis, in the axes' order (nil where the candidate does not set it).
    static func values(of candidate: Int, settings: TuningSettings) -> [String?] {
        guard settings.candidates.indices.contains(candidate) else { return settings.axes.map { _ in nil } }
        let changes = settings.candidates[candidate].changes
        return settings.axes.map { axis in changes.first { $0.key == axis.key }?.value }
    }

    /// The edge rule: a numeric axis with at least two distinct values whose chosen value is its smallest or largest.
    static func edges(of candidate: Int, settings: TuningSettings) -> [TunedVariant.Edge] {
        zip(settings.axes, values(of: candidate, settings: settings)).compactMap { axis, value in
            guard axis.numeric, let value, let chosen = Double(value) else { return nil }
            let numbers = axis.values.compactMap(Double.init)
            guard let low = numbers.min(), let high = numbers.max(), low < high else { return nil }
            if chosen == high { return TunedVariant.Edge(key: axis.key, value: value, largest: true) }
            if chosen == low { return TunedVariant.Edge(key: axis.key, value: value, largest: false) }
            return nil
        }
    }

    /// Steps per variant and in all: each distinct run counted once, under the first of trial, final,
    /// untuned that it plays (a trial is never a final or untuned run: it has no test evaluation).
    static func steps(tuning: StoredTuning, variants: [String], runs: [String: RunData], trainingSteps: [String: Int]) -> [TuningSteps] {
        func count(_ parts: [TuningRunRecord], variant: String?) -> TuningSteps {
            var trials = Set<String>(), finals = Set<String>(), untuned = Set<String>()
            for part in parts where runs[part.run] != nil {
                switch part.role {
                case .trial: trials.insert(part.run)
                case .final: finals.insert(part.run)
                case .untuned: untuned.insert(part.run)
                }
            }
            finals.subtract(trials)
            let shared = untuned.intersection(finals).count
            untuned.subtract(finals)
            untuned.subtract(trials)
            func sum(_ keys: Set<String>) -> Int { keys.reduce(0) { $0 + (runs[$1]?.record.steps ?? 0) } }
            let unfinished = trials.union(finals).union(untuned).filter { runs[$0]?.record.status.isFinished != true }.count
            return TuningSteps(variant: variant, trials: sum(trials), finals: sum(finals), untuned: sum(untuned), shared: shared,
                               unfinished: unfinished, fullGrid: nil)
        }
        let halving = tuning.settings.method == "halving"
        let perTrialSet = tuning.settings.candidates.count * tuning.settings.selectionSeeds.count
        var out: [TuningSteps] = []
        var grids: [Int?] = []
        for name in variants {
            var row = count(tuning.runs.filter { $0.variant == name }, variant: name)
            if halving { row.fullGrid = trainingSteps[name].map { perTrialSet * $0 } }
            grids.append(row.fullGrid)
            out.append(row)
        }
        var total = count(tuning.runs, variant: nil)
        if halving, !grids.isEmpty, grids.allSatisfy({ $0 != nil }) { total.fullGrid = grids.reduce(0) { $0 + $1! } }
        out.append(total)
        return out
    }

    /// Each trial's value: the selection metric of its last validation evaluation (done trials only).
    static func trialValue(_ run: RunData, metric: String) -> Double? {
        guard run.record.status == .done, let name = MetricName(rawValue: metric) else { return nil }
        return run.final(split: .validation, name: name)
    }

    /// Per axis, per variant, per value: the rung-0 trials of the value's best candidate (over the
    /// other axes), mean and range over the selection seeds.
    static func sensitivity(tuning: StoredTuning, variants: [String], runs: [String: RunData]) -> [AxisSensitivity] {
        let settings = tuning.settings
        let higher = settings.metric != MetricName.loss.rawValue
        let rung0 = tuning.runs(.trial).filter { $0.rung == 0 }
        var stepsSeen = Set<Int>()
        for decision in tuning.decisions where decision.rung == 0 { stepsSeen.insert(decision.steps) }
        return settings.axes.enumerated().map { index, axis in
            let numbers = axis.values.map(Double.init)
            let numeric = axis.numeric && numbers.allSatisfy { $0 != nil }
            let positions = numeric ? numbers.map { $0! } : axis.values.indices.map(Double.init)
            let logScale = numeric && positions.allSatisfy { $0 > 0 } && (positions.max()! / positions.min()! > 10)
            var lines: [(variant: String, points: [AxisSensitivity.Point])] = []
            for variant in variants {
                // Each candidate's values over the selection seeds, by candidate.
                var byCandidate: [Int: [Double]] = [:]
                for part in rung0 where part.variant == variant {
                    guard let candidate = part.candidate, let run = runs[part.run], let value = trialValue(run, metric: settings.metric)
                    else { continue }
                    byCandidate[candidate, default: []].append(value)
                }
                var points: [AxisSensitivity.Point] = []
                for (valueIndex, value) in axis.values.enumerated() {
                    var best: AxisSensitivity.Point?
                    for candidate in byCandidate.keys.sorted() where values(of: candidate, settings: settings)[index] == value {
                        let seeds = byCandidate[candidate]!
                        let mean = seeds.reduce(0, +) / Double(seeds.count)
                        let point = AxisSensitivity.Point(value: valueIndex, candidate: candidate, mean: mean,
                                                          low: seeds.min()!, high: seeds.max()!, seeds: seeds.count)
                        if let current = best, higher ? mean <= current.mean : mean >= current.mean { continue }
                        best = point
                    }
                    if let best { points.append(best) }
                }
                lines.append((variant, points))
            }
            return AxisSensitivity(axis: axis, positions: positions, logScale: logScale, lines: lines, steps: stepsSeen.sorted())
        }
    }
}
