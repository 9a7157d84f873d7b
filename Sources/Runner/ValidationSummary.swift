import Experiments
import Reports

/// What `ablate validate` prints for a valid experiment file: the runs it plans and the files its
/// name gives, every piece of user text escaped for the terminal.
public enum ValidationSummary {
    /// For example:
    ///
    ///     experiments/positional.toml: valid: positional, 7 variant(s) x 3 seed(s) = 21 runs
    ///       files: results/positional.sqlite, results/positional-checkpoints/, reports/positional.md, ...
    ///
    /// and, for a name that is not a plain file name, a third line saying how its files are named.
    public static func lines(for experiment: Experiment, file: String) -> [String] {
        var lines = ["\(Escaping.terminal(file)): valid: \(Escaping.terminal(experiment.name)), "
                     + "\(experiment.distinctVariants.count) variant(s) x \(experiment.seeds.count) seed(s) = \(experiment.runs.count) runs"]
        if let tuning = experiment.tuning { lines += tuningLines(tuning, experiment: experiment) }
        lines.append("  files: " + FileNames.files(forExperiment: experiment.name).joined(separator: ", "))
        if !FileNames.isPlain(experiment.name) {
            lines.append("  (the name is not a plain file name of at most \(FileNames.maxStemLength) letters, digits, '.', '_' and '-' "
                         + "not starting with '.' or '-': its files take the stem \(FileNames.stem(experiment.name)), made safe and "
                         + "ending in a hash of the whole name)")
        }
        return lines
    }

    /// What tuning will train: the candidates, the rungs of the baseline's ladder, and the trial
    /// steps against the full grid's, e.g.
    ///
    ///       tuned: train.lr in [0.0003, 0.001, 0.003, 0.01] = 4 candidate(s) per configuration, by halving (eta 3)
    ///         on validation exact_match of seed(s) 1; the baseline's rungs: 4 x 200 steps, 2 x 600 steps
    ///         trials: at most 2,000 steps per configuration, 25% of the full grid's 8,000; then the choice on every seed, ...
    static func tuningLines(_ tuning: Tuning, experiment: Experiment) -> [String] {
        let axes = tuning.axes.map { "\($0.key) in [\($0.values.joined(separator: ", "))]" }.joined(separator: " x ")
        let method = tuning.method == .halving ? "halving (eta \(tuning.eta))" : "grid"
        let seeds = tuning.selectionSeeds.map(String.init).joined(separator: ", ")
        let training = experiment.training
        let rungs = tuning.rungs(steps: training.steps, evalEvery: training.evalEvery)
        let trialSteps = rungs.reduce(0) { $0 + $1.candidates * $1.steps } * tuning.selectionSeeds.count
        let gridSteps = tuning.candidates.count * training.steps * tuning.selectionSeeds.count
        let share = gridSteps > 0 ? Int((100 * Double(trialSteps) / Double(gridSteps)).rounded()) : 100
        return [
            "  tuned: \(Escaping.terminal(axes)) = \(tuning.candidates.count) candidate(s) per configuration, by \(method)",
            "    on validation \(tuning.metric.rawValue) of seed(s) \(seeds); the baseline's rungs: "
                + rungs.map { "\($0.candidates) x \($0.steps) steps" }.joined(separator: ", "),
            "    trials: at most \(Format.grouped(trialSteps)) steps per configuration, \(share)% of the full grid's \(Format.grouped(gridSteps)); "
                + "then the choice on every seed, beside the \(experiment.runs.count) untuned runs",
        ]
    }
}
