import Models
import Training

/// A validated experiment file, expanded into the runs it asks for.
///
/// `variants` lists the baseline first, then every `[[variant]]` in file order, then the `[grid]`
/// points; `runs` is each variant that is not the same configuration as an earlier one, times every
/// seed, in that order.
public struct Experiment: Sendable {
    public var name: String
    public var question: String
    /// What the experimenter found, written after the runs (shown in the report as written). Not part
    /// of any run's key: editing it reruns nothing.
    public var findings: String
    /// The file as it was named to the loader, and its text (kept with the results, so a report can
    /// show exactly what ran).
    public var sourcePath: String
    public var sourceText: String
    public var seeds: [UInt64]
    public var task: TaskSpec
    /// The baseline model, resolved (vocabulary and classes filled in from the task).
    public var baseline: ModelConfig
    /// The baseline training settings, resolved.
    public var training: TrainingSettings
    public var variants: [Variant]
    /// The untuned runs: each distinct variant in its own configuration, times every seed. With a
    /// [tune] table these are the "untuned" runs (the effect at the baseline's own settings); the
    /// trials and the final runs are planned as tuning goes (see the Runner's `TuningPlanner`).
    public var runs: [Run]
    /// The [tune] table (nil: nothing is tuned).
    public var tuning: Tuning? = nil

    /// One configuration of the experiment.
    public struct Variant: Sendable, Hashable {
        public enum Origin: String, Sendable, Hashable {
            case baseline, variant, grid
        }

        /// "baseline", the `[[variant]]` name, or a grid point's name such as "heads=2,d_model=32".
        public var name: String
        /// The `[[variant]]`'s description ("" when none).
        public var description: String
        public var origin: Origin
        /// One setting it changes, as the user wrote it: the key as the file names it ("model.positional",
        /// "train.lr"; "model" for a whole new model `model = { ... }`) and the value in the file's syntax
        /// ("\"none\"", "0.003", "{ arch = \"rnn\", layers = 1 }").
        /// (The Store keeps it as its own `VariantChange`; the Runner copies one into the other.)
        public struct Change: Sendable, Hashable, CustomStringConvertible {
            public var key: String
            public var value: String

            /// The change as a line of the file: `model.positional = "none"`.
            public var description: String { "\(key) = \(value)" }

            public init(key: String, value: String) {
                (self.key, self.value) = (key, value)
            }
        }

        /// What it changes with respect to the baseline, in the order written. Empty for the baseline.
        public var changes: [Change]
        public var model: ModelConfig
        public var training: TrainingSettings
        /// The line of the file it was defined on.
        public var line: Int
        /// For a grid point identical to an earlier variant (say, the baseline's own head count): that
        /// variant's name. Such a point has no runs of its own; its results are the earlier variant's.
        public var sameAs: String?
        /// With [tune]: this variant's configuration with each of `Tuning.candidates` applied, in the
        /// same order (empty without [tune], and for a variant that is `sameAs` another).
        public var candidates: [Configuration] = []
    }

    /// One training run: its resolved spec, and the key that identifies its results. The Store's
    /// `PlannedRun` is the row it becomes (the spec as canonical JSON text); the Runner serialises it,
    /// so the Store needs no Experiments type.
    public struct Run: Sendable, Hashable {
        /// The full run key: 64 hex digits (see `RunKey`).
        public var key: String
        public var spec: RunSpec

        /// The first 16 hex digits of the key, for display.
        public var shortKey: String { String(key.prefix(16)) }
    }

    /// The variants that have runs of their own (all but grid points equal to an earlier variant):
    /// `runs.count == distinctVariants.count * seeds.count`.
    public var distinctVariants: [Variant] { variants.filter { $0.sameAs == nil } }
}

/// Run keys: a stable hash of what determines a run's results.
///
/// The key is the SHA-256 of "ablate-run-v2\n" followed by `RunSpec.canonicalJSON()` with the variant
/// name blanked. Version 2: every key of the JSON is the experiment file's (`train.lr`,
/// `train.eval_every`, `task.train_length`, the task's parameters beside its kind); version 1 keys
/// were Swift property names (`training.learningRate`, `task.trainSize`, `task.parameters`).
///
/// Equal keys mean equal specs (task, model, training, seed), so results can be reused; renaming a
/// variant keeps its keys, and editing one variant changes only that variant's keys.
public enum RunKey {
    public static let version = "ablate-run-v2"

    public static func key(for spec: RunSpec) -> String {
        var anonymous = spec
        anonymous.variant = ""
        return SHA256.hex(version + "\n" + anonymous.canonicalJSON())
    }
}
