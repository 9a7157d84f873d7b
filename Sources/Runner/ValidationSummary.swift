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
        lines.append("  files: " + FileNames.files(forExperiment: experiment.name).joined(separator: ", "))
        if !FileNames.isPlain(experiment.name) {
            lines.append("  (the name is not a plain file name of at most \(FileNames.maxStemLength) letters, digits, '.', '_' and '-' "
                         + "not starting with '.' or '-': its files take the stem \(FileNames.stem(experiment.name)), made safe and "
                         + "ending in a hash of the whole name)")
        }
        return lines
    }
}
