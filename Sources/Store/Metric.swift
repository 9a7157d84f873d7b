// The metric vocabulary: the splits, metric names and slice labels that `ablate` writes into the
// `metrics` and `slices` tables and that every reader (progress display, reports, figures) asks
// for. The raw values are the stored text: they never change, so old databases and their run
// keys stay valid. docs/store.md lists them from `MetricVocabulary.markdown` (a test compares).

/// The data split a metric was measured on: the `split` column of `metrics` and `slices`.
public enum MetricSplit: String, CaseIterable, Codable, Sendable {
    /// The training batches: recorded at every step.
    case train
    /// The held-out examples evaluated every `eval_every` steps (the accuracy target is checked on them).
    case validation
    /// The held-out examples evaluated once, after training, over the evaluation sizes.
    case test

    /// One line for the docs.
    public var summary: String {
        switch self {
        case .train: return "the training batches, at every step"
        case .validation: return "held-out examples, every `eval_every` steps and at the end; `stop_at_accuracy` is checked on them"
        case .test: return "held-out examples over the evaluation sizes, once after training"
        }
    }
}

/// A metric's name: the `name` column of `metrics`.
public enum MetricName: String, CaseIterable, Codable, Sendable {
    /// Mean cross-entropy per target token.
    case loss
    /// The fraction of target tokens predicted right (teacher-forced).
    case tokenAccuracy = "token_accuracy"
    /// The fraction of examples whose whole greedily decoded output is right.
    case exactMatch = "exact_match"
    /// The learning rate of the step (after warm-up and schedule).
    case learningRate = "learning_rate"
    /// The global norm of the gradient before clipping.
    case gradientNorm = "gradient_norm"

    /// The metrics recorded for a split: every training step records the loss, token accuracy,
    /// learning rate and gradient norm; an evaluation records the loss and both accuracies.
    public static func recorded(for split: MetricSplit) -> [MetricName] {
        split == .train ? [.loss, .tokenAccuracy, .learningRate, .gradientNorm] : [.loss, .tokenAccuracy, .exactMatch]
    }

    /// How tables, figures and messages name it, in words: "exact match".
    public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// One line for the docs.
    public var summary: String {
        switch self {
        case .loss: return "mean cross-entropy per target token"
        case .tokenAccuracy: return "fraction of target tokens predicted right (teacher forcing)"
        case .exactMatch: return "fraction of examples whose whole greedily decoded output is right"
        case .learningRate: return "the step's learning rate, after warm-up and schedule"
        case .gradientNorm: return "global norm of the gradient, before clipping"
        }
    }
}

/// A slice of a split, such as the examples of length 64: the `slice` column of `slices`, stored
/// as `name=value` ("length=64"). The name is the task's (`length`, `distance`, `pairs`, `depth`,
/// `digits`): tasks own their slices, so a new task brings its own names without a change here.
public struct SliceLabel: Hashable, Sendable, CustomStringConvertible {
    /// What the slice measures, e.g. "length".
    public var name: String
    /// Its value, e.g. 64.
    public var value: Int

    public init(name: String, value: Int) {
        precondition(!name.isEmpty && !name.contains("="), "SliceLabel: bad slice name \"\(name)\"")
        self.name = name
        self.value = value
    }

    /// Reads a stored label, "name=value"; nil when the text is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]) else { return nil }
        self.init(name: String(parts[0]), value: value)
    }

    /// The stored text, "name=value".
    public var description: String { "\(name)=\(value)" }
}

/// The vocabulary as the docs show it.
public enum MetricVocabulary {
    /// The Markdown tables of docs/store.md's section on names: splits, then metrics with the
    /// splits that record them.
    public static var markdown: String {
        var lines = ["| split | what it measures |", "| --- | --- |"]
        for split in MetricSplit.allCases { lines.append("| `\(split.rawValue)` | \(split.summary) |") }
        lines += ["", "| name | meaning | recorded for |", "| --- | --- | --- |"]
        for name in MetricName.allCases {
            let splits = MetricSplit.allCases.filter { MetricName.recorded(for: $0).contains(name) }
            lines.append("| `\(name.rawValue)` | \(name.summary) | \(splits.map { "`\($0.rawValue)`" }.joined(separator: ", ")) |")
        }
        return lines.joined(separator: "\n")
    }
}
