import Experiments
import Foundation
import Store
import Training

/// The runs of a tuned experiment as far as its stored results allow, and the decisions they allow.
///
/// The plan is a function of the experiment file and the stored numbers alone: for every distinct
/// variant, rung 0's trials (every candidate on every selection seed); for each rung whose trials have
/// all finished, the decision (a stored one is replayed while it was taken on the same trials, else
/// it is taken now); the next rung's trials for the candidates kept; once a candidate is chosen, its
/// final runs on every seed. The untuned runs (`Experiment.runs`) are always planned. Since runs are
/// bit-identical whatever the worker or the order, a sweep resumed at any point comes to the same
/// decisions, and the decisions are stored in the transaction that registers the runs they plan.
///
/// Ranking at the end of a rung (`rank`): a candidate whose trial diverged or has no validation on
/// any selection seed ranks last; then by the mean over the selection seeds of the selection metric
/// at each trial's last step (exact match: higher first; loss: lower first); ties by the mean of
/// the other one (loss lower first; exact match higher first); then by the candidate's order in the
/// file (the product of the axes, first axis slowest).
public struct TuningPlanner {
    public let experiment: Experiment
    public let tuning: Tuning

    /// What the trials of one candidate measured: the selection metric and the tie-break, nil when a
    /// trial diverged or has no validation.
    public struct Measured: Equatable, Sendable {
        public var exactMatch: Double?
        public var loss: Double?

        public init(exactMatch: Double?, loss: Double?) {
            (self.exactMatch, self.loss) = (exactMatch, loss)
        }
    }

    /// Everything to register now, and how far tuning is.
    public struct Plan {
        /// The untuned runs first (a trial of the baseline's own value on a selection seed then takes
        /// its first steps from the untuned run: `Worker.deriveTrial`), then the trials by variant and
        /// rung, then the final runs; each key once.
        public var runs: [Store.PlannedRun]
        public var parts: [TuningRunRecord]
        /// Decisions taken now (not stored yet).
        public var newDecisions: [TuningDecisionRecord]
        /// Every decision in force (stored and new), by variant.
        public var decisions: [String: [TuningDecisionRecord]]
        /// Variants whose tuning has no choice yet.
        public var undecided: [String]
        /// Variants that cannot be decided because a trial failed (it is retried with --retry-failed).
        public var blocked: [String]
        /// The configurations tuned (the distinct variants).
        public var configurations: Int

        public var progress: TuningProgress {
            TuningProgress(chosen: configurations - undecided.count, configurations: configurations, blocked: blocked)
        }
    }

    public init?(_ experiment: Experiment) {
        guard let tuning = experiment.tuning else { return nil }
        self.experiment = experiment
        self.tuning = tuning
    }

    /// The store's copy of the [tune] table.
    public var settings: TuningSettings {
        TuningSettings(method: tuning.method.rawValue, metric: tuning.metric.rawValue, selectionSeeds: tuning.selectionSeeds.map { Int($0) },
                       eta: tuning.eta, firstRung: tuning.firstRung,
                       axes: tuning.axes.map { TuningSettings.Axis(key: $0.key, values: $0.values, numeric: $0.numeric) },
                       candidates: tuning.candidates.map {
                           TuningSettings.Candidate(name: $0.name, changes: $0.changes.map { VariantChange(key: $0.key, value: $0.value) })
                       })
    }

    /// A trial's spec: the candidate's configuration on a selection seed, stopped at the rung's steps, no test.
    public static func trialSpec(_ variant: Experiment.Variant, candidate: Experiment.Variant.Configuration, seed: UInt64,
                                 rung: Tuning.Rung, task: TaskSpec) -> RunSpec {
        var spec = RunSpec(variant: variant.name, seed: seed, task: task, model: candidate.model, training: candidate.training)
        spec.stopAfter = rung.steps < candidate.training.steps ? rung.steps : nil
        spec.evaluatesTest = false
        return spec
    }

    /// The plan, given the stored decisions, the status of every stored run by key, and what a finished trial measured.
    public func plan(stored: [TuningDecisionRecord], status: [String: RunStatus], measured: (String) -> Measured) -> Plan {
        var trials: [Store.PlannedRun] = [], finals: [Store.PlannedRun] = []
        var parts: [TuningRunRecord] = [], finalParts: [TuningRunRecord] = []
        var newDecisions: [TuningDecisionRecord] = []
        var inForce: [String: [TuningDecisionRecord]] = [:]
        var undecided: [String] = [], blocked: [String] = []
        let name = experiment.name

        for variant in experiment.variants where variant.sameAs == nil {
            precondition(variant.candidates.count == tuning.candidates.count, "every tuned variant has a configuration per candidate")
            let ladder = tuning.rungs(steps: variant.training.steps, evalEvery: variant.training.evalEvery)
            var alive = Array(tuning.candidates.indices)
            var chosen: Int? = nil
            for (r, rung) in ladder.enumerated() {
                var keys: [Int: [String]] = [:]
                for c in alive {
                    for seed in tuning.selectionSeeds {
                        let spec = Self.trialSpec(variant, candidate: variant.candidates[c], seed: seed, rung: rung, task: experiment.task)
                        let key = RunKey.key(for: spec)
                        keys[c, default: []].append(key)
                        trials.append(Store.PlannedRun(key: key, variant: variant.name, seed: Int(seed), config: spec.canonicalJSON()))
                        parts.append(TuningRunRecord(experiment: name, variant: variant.name, role: .trial, candidate: c, rung: r,
                                                     seed: Int(seed), run: key))
                    }
                }
                let last = r == ladder.count - 1
                let keep = last ? 1 : ladder[r + 1].candidates
                let storedHere = stored.filter { $0.variant == variant.name && $0.rung == r }
                let decisions: [TuningDecisionRecord]
                if storedHere.count == alive.count,
                   alive.allSatisfy({ c in storedHere.contains { $0.candidate == c && $0.runs == keys[c]! && $0.steps == rung.steps } }) {
                    decisions = storedHere
                } else {
                    let statuses = alive.flatMap { keys[$0]! }.map { status[$0] }
                    if statuses.contains(.failed) { blocked.append(variant.name) }
                    guard statuses.allSatisfy({ $0 == .done || $0 == .diverged }) else { break }
                    decisions = decide(variant: variant.name, rung: r, steps: rung.steps, alive: alive, keys: keys,
                                       diverged: { status[$0] == .diverged }, measured: measured, keep: keep, last: last)
                    newDecisions += decisions
                }
                inForce[variant.name, default: []] += decisions
                alive = decisions.filter { $0.decision != .stopped }.map(\.candidate).sorted()
                if last { chosen = decisions.first { $0.decision == .chosen }?.candidate }
            }
            guard let chosen else {
                undecided.append(variant.name)
                continue
            }
            for seed in experiment.seeds {
                let candidate = variant.candidates[chosen]
                let spec = RunSpec(variant: variant.name, seed: seed, task: experiment.task, model: candidate.model, training: candidate.training)
                let key = RunKey.key(for: spec)
                finals.append(Store.PlannedRun(key: key, variant: variant.name, seed: Int(seed), config: spec.canonicalJSON()))
                finalParts.append(TuningRunRecord(experiment: name, variant: variant.name, role: .final, candidate: chosen, rung: nil,
                                                  seed: Int(seed), run: key))
            }
        }
        let untuned = Sweep.untunedRuns(experiment)
        let untunedParts = experiment.runs.map {
            TuningRunRecord(experiment: name, variant: $0.spec.variant, role: .untuned, candidate: nil, rung: nil, seed: Int($0.spec.seed), run: $0.key)
        }
        var seen = Set<String>()
        let runs = (untuned + trials + finals).filter { seen.insert($0.key).inserted }
        return Plan(runs: runs, parts: parts + finalParts + untunedParts, newDecisions: newDecisions, decisions: inForce,
                    undecided: undecided, blocked: blocked, configurations: experiment.variants.filter { $0.sameAs == nil }.count)
    }

    /// Ranks the candidates of one rung and decides: the best `keep` go on (or, at the last rung, the best is chosen).
    func decide(variant: String, rung: Int, steps: Int, alive: [Int], keys: [Int: [String]], diverged: (String) -> Bool,
                measured: (String) -> Measured, keep: Int, last: Bool) -> [TuningDecisionRecord] {
        struct Score { var candidate: Int; var value: Double?; var tieBreak: Double?; var runs: [String] }
        let scores: [Score] = alive.map { c in
            let values = keys[c]!.map { key -> Measured in diverged(key) ? Measured(exactMatch: nil, loss: nil) : measured(key) }
            func mean(_ pick: (Measured) -> Double?) -> Double? {
                let numbers = values.map(pick)
                guard numbers.allSatisfy({ $0 != nil && $0!.isFinite }) else { return nil }
                return numbers.reduce(0) { $0 + $1! } / Double(numbers.count)
            }
            let exact = mean(\.exactMatch), loss = mean(\.loss)
            return tuning.metric == .exactMatch
                ? Score(candidate: c, value: exact, tieBreak: exact == nil ? nil : loss, runs: keys[c]!)
                : Score(candidate: c, value: loss, tieBreak: loss == nil ? nil : exact, runs: keys[c]!)
        }
        let higherIsBetter = tuning.metric == .exactMatch
        let ranked = scores.sorted { a, b in
            switch (a.value, b.value) {
            case (nil, nil): return a.candidate < b.candidate
            case (nil, _): return false
            case (_, nil): return true
            case let (x?, y?):
                if x != y { return higherIsBetter ? x > y : x < y }
                let (s, t) = (a.tieBreak ?? (higherIsBetter ? .infinity : -.infinity), b.tieBreak ?? (higherIsBetter ? .infinity : -.infinity))
                if s != t { return higherIsBetter ? s < t : s > t }
                return a.candidate < b.candidate
            }
        }
        let now = Date()
        return ranked.enumerated().map { place, score in
            let decision: TuningDecisionRecord.Decision = place < keep ? (last ? .chosen : .kept) : .stopped
            return TuningDecisionRecord(experiment: experiment.name, variant: variant, rung: rung, candidate: score.candidate, steps: steps,
                                        value: score.value, tieBreak: score.tieBreak, rank: place + 1, decision: decision,
                                        runs: score.runs, decidedAt: now)
        }
    }
}
