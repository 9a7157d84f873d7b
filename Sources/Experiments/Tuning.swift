import Models
import Training

/// The experiment file's `[tune]` table: which settings each configuration is tuned over, how the
/// value is chosen (on the validation split of the selection seeds), and with which method.
///
/// Every distinct configuration (the baseline, each `[[variant]]`, each grid point with runs of its
/// own) is tuned on its own: its candidates are its own configuration with each candidate's values
/// applied (`Experiment.Variant.candidates`). The chosen candidate is then trained on all the
/// experiment's seeds (the "final" runs, the only ones evaluated on the test split).
public struct Tuning: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        /// Every candidate on every selection seed, to the end of training.
        case grid
        /// Successive halving: every candidate for a share of the steps, the best 1/eta go on to the
        /// next rung with eta times the steps, until one is left (see `rungs(steps:evalEvery:)`).
        case halving
    }

    /// What a trial is judged by: the validation evaluation at its last step.
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        /// Validation exact match, higher is better (ties broken by validation loss).
        case exactMatch = "exact_match"
        /// Validation loss, lower is better (ties broken by validation exact match).
        case loss
    }

    /// One tuned setting: its key as written ("train.lr") and its values in the file's syntax ("0.001").
    public struct Axis: Sendable, Hashable {
        public var key: String
        public var values: [String]
        /// Whether every value is a number (the edge-of-range warning applies to numeric axes only).
        public var numeric: Bool
        public var line: Int

        public init(key: String, values: [String], numeric: Bool, line: Int) {
            self.key = key
            self.values = values
            self.numeric = numeric
            self.line = line
        }
    }

    /// One point of the product of the axes: a value for each axis, in the axes' order.
    public struct Candidate: Sendable, Hashable {
        /// "lr=0.001", or "lr=0.001,dropout=0.1" for several axes (like a grid point's name).
        public var name: String
        /// The values it sets, one per axis: `train.lr = 0.001`.
        public var changes: [Experiment.Variant.Change]

        public init(name: String, changes: [Experiment.Variant.Change]) {
            self.name = name
            self.changes = changes
        }
    }

    /// One rung of the ladder: how many candidates train in it, and for how many steps.
    public struct Rung: Sendable, Hashable {
        public var candidates: Int
        public var steps: Int

        public init(candidates: Int, steps: Int) {
            self.candidates = candidates
            self.steps = steps
        }
    }

    public var axes: [Axis]
    /// The product of the axes, the first axis varying slowest (the order ties are broken in).
    public var candidates: [Candidate]
    public var metric: Metric
    /// The seeds trials train on (default: the experiment's first seed).
    public var selectionSeeds: [UInt64]
    public var method: Method
    /// Halving: each rung keeps the best ceil(n / eta) of its n candidates.
    public var eta: Int
    /// Halving: the first rung's steps as a share of `train.steps` (nil: 1 / eta^cuts, so that the
    /// survivor of the last cut would reach `train.steps`, the usual successive-halving geometry).
    public var firstRung: Double?
    /// The line of the [tune] table.
    public var line: Int

    public init(axes: [Axis], candidates: [Candidate], metric: Metric = .exactMatch, selectionSeeds: [UInt64],
                method: Method = .grid, eta: Int = 3, firstRung: Double? = nil, line: Int = 1) {
        self.axes = axes
        self.candidates = candidates
        self.metric = metric
        self.selectionSeeds = selectionSeeds
        self.method = method
        self.eta = eta
        self.firstRung = firstRung
        self.line = line
    }

    /// Settings that measure a run or bound it rather than shape its training: they cannot be tuned.
    public static let untunableKeys: Set<String> = [
        "train.steps", "train.eval_every", "train.validation_examples", "train.test_examples_per_size",
        "train.stop_at_accuracy", "train.time_budget_seconds", "train.checkpoint_every", "model.arch",
    ]

    /// The trials' rungs for a configuration trained for `steps` steps with validation every `evalEvery`.
    ///
    /// Grid: one rung, every candidate to `steps`. Halving: rung 0 trains all n candidates; rung k+1
    /// the best ceil(n_k / eta) of rung k; the rungs stop when one candidate would be left (that one
    /// is the choice, and its full-length runs are the final runs). With c cuts, rung k trains for
    /// `firstRung * eta^k * steps` steps (default firstRung = eta^-c), rounded down to a multiple of
    /// `evalEvery` (at least `evalEvery`, at most `steps`), so that a trial stops at a step where a
    /// full-length run evaluates too: its numbers are the same run's at that step.
    public func rungs(steps: Int, evalEvery: Int) -> [Rung] {
        let n = candidates.count
        guard method == .halving, n > 1 else { return [Rung(candidates: n, steps: steps)] }
        var counts = [n]
        // ceil(count / eta), written so that a huge eta cannot overflow.
        while counts.last! > 1 { counts.append((counts.last! - 1) / eta + 1) }
        counts.removeLast()  // the one left is chosen, not trained as a trial
        let cuts = counts.count
        return counts.enumerated().map { k, count in
            let evaluations: Int
            if let firstRung {
                // A share that makes a whole number of evaluations gives that number, not one less for a
                // floating-point hair (0.57 * 100 is 56.99999999999999).
                let exact = firstRung * Double(Self.power(eta, k)) * Double(steps) / Double(evalEvery)
                let nearest = exact.rounded()
                evaluations = Int(min(abs(exact - nearest) <= 1e-9 * max(1, nearest) ? nearest : exact.rounded(.down), Double(steps)))
            } else {
                // eta^k / eta^cuts of the steps, in integers: eta^k < n, so nothing overflows.
                evaluations = steps * Self.power(eta, k) / Self.power(eta, cuts) / evalEvery
            }
            return Rung(candidates: count, steps: min(steps, max(evalEvery, evaluations * evalEvery)))
        }
    }

    static func power(_ base: Int, _ exponent: Int) -> Int { (0..<exponent).reduce(1) { result, _ in result * base } }
}

extension Experiment.Variant {
    /// A configuration a variant can train in: its model and training settings.
    public struct Configuration: Sendable, Hashable {
        public var model: ModelConfig
        public var training: TrainingSettings

        public init(model: ModelConfig, training: TrainingSettings) {
            self.model = model
            self.training = training
        }
    }
}
