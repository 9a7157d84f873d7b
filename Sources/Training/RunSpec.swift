import Foundation
import Models
import Settings
import Tasks

/// How a run trains: every setting of an experiment file's [train] table, with defaults. Each
/// property is the setting of `TrainingSettings.settings` named in its comment (the key the file,
/// the stored config and the messages use).
public struct TrainingSettings: Sendable, Hashable, SettingsTable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adam, adamw, sgd }
    public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
        /// The same rate throughout.
        case constant
        /// Linear warm-up to `lr`, then constant.
        case warmup
        /// Linear warm-up to `lr`, then proportional to 1/sqrt(step) (the paper's shape).
        case inverseSqrt = "inverse_sqrt"
        /// Linear warm-up, then cosine decay to 0 at `steps`.
        case cosine
    }

    /// `steps`: optimizer steps.
    public var steps: Int = 3000
    /// `batch`: examples per step.
    public var batch: Int = 32
    /// `optimizer`.
    public var optimizer: OptimizerKind = .adam
    /// `lr` (or `learning_rate` in a file): the peak learning rate.
    public var learningRate: Double = 1e-3
    /// `schedule`: the learning rate's shape over the steps.
    public var schedule: ScheduleKind = .inverseSqrt
    /// `warmup`: warm-up steps.
    public var warmup: Int = 200
    /// `beta1`, `beta2`: Adam's betas; SGD's momentum is `momentum`.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.98
    /// `momentum` (SGD).
    public var momentum: Double = 0
    /// `weight_decay`.
    public var weightDecay: Double = 0
    /// `clip_norm`: gradient-norm clipping (nil, written `false`: none).
    public var clipNorm: Double? = 1
    /// `label_smoothing`.
    public var labelSmoothing: Double = 0
    /// `eval_every`: validation every this many steps (and at the end).
    public var evalEvery: Int = 100
    /// `validation_examples`: examples in the validation set (drawn once per run, from the validation split).
    public var validationExamples: Int = 256
    /// `test_examples_per_size`: test examples per evaluation size at the end of the run.
    public var testExamplesPerSize: Int = 32
    /// `stop_at_accuracy`: stop once validation exact match reaches this (nil: train all steps). Steps to it are recorded.
    public var stopAtAccuracy: Double? = nil
    /// `time_budget_seconds`: stop after this many seconds of training (nil: no limit).
    public var timeBudgetSeconds: Double? = nil
    /// `checkpoint_every`: also save the model every this many steps (nil: only the final model). nil is left out of the
    /// canonical JSON, so the keys of runs that do not use it are unchanged.
    public var checkpointEvery: Int? = nil

    public init() {}

    /// The learning-rate schedule these settings describe.
    public var learningRateSchedule: LearningRateSchedule {
        let peak = Float(learningRate)
        switch schedule {
        case .constant: return .constant(learningRate: peak)
        case .warmup: return .linearWarmup(peak: peak, warmup: warmup)
        case .inverseSqrt: return warmup > 0 ? .inverseSquareRoot(peak: peak, warmup: warmup) : .constant(learningRate: peak)
        case .cosine: return .cosine(peak: peak, minimum: 0, warmup: warmup, total: max(steps, warmup + 1))
        }
    }
}

/// What to train on: a task by name and parameters, with its size ranges. Stored as the [task] table
/// is written: `{"kind": "reverse", "symbols": 8, "train_length": [2, 8], "eval_length": [2, 16]}`,
/// the sizes named after the task's size (`train_pairs` for associative-recall).
public struct TaskSpec: Codable, Sendable, Hashable {
    public var kind: String
    /// Integer or text parameters of the task (see `TaskRegistry`).
    public var parameters: [String: TaskParameterValue]
    public var trainSize: ClosedRange<Int>
    public var evaluationSize: ClosedRange<Int>?

    public init(kind: String, parameters: [String: TaskParameterValue] = [:], trainSize: ClosedRange<Int>,
                evaluationSize: ClosedRange<Int>? = nil) {
        self.kind = kind
        self.parameters = parameters
        self.trainSize = trainSize
        self.evaluationSize = evaluationSize
    }

    /// The name of the task's size ("length", "pairs", ...): the stored ranges are `train_NAME` and `eval_NAME`.
    public var sizeName: String { Self.sizeName(kind: kind) }

    /// The size name of task `kind`; "size" for a kind the registry does not know.
    static func sizeName(kind: String) -> String { TaskRegistry.entry(kind: kind)?.sizeName ?? "size" }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: SettingKey.self)
        try container.encode(kind, forKey: SettingKey("kind"))
        for (name, value) in parameters { try container.encode(value, forKey: SettingKey(name)) }
        try container.encode([trainSize.lowerBound, trainSize.upperBound], forKey: SettingKey("train_\(sizeName)"))
        if let evaluationSize {
            try container.encode([evaluationSize.lowerBound, evaluationSize.upperBound], forKey: SettingKey("eval_\(sizeName)"))
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: SettingKey.self)
        kind = try container.decode(String.self, forKey: SettingKey("kind"))
        let sizeName = Self.sizeName(kind: kind)
        func range(_ key: String) throws -> ClosedRange<Int>? {
            guard let bounds = try container.decodeIfPresent([Int].self, forKey: SettingKey(key)) else { return nil }
            guard bounds.count == 2, bounds[0] <= bounds[1] else {
                throw SettingError(key: "task.\(key)", "expected [smallest, largest], got \(bounds)")
            }
            return bounds[0]...bounds[1]
        }
        guard let train = try range("train_\(sizeName)") else {
            throw SettingError(key: "task.train_\(sizeName)", "missing from the stored task")
        }
        trainSize = train
        evaluationSize = try range("eval_\(sizeName)")
        var parameters: [String: TaskParameterValue] = [:]
        for key in container.allKeys where !["kind", "train_\(sizeName)", "eval_\(sizeName)"].contains(key.stringValue) {
            parameters[key.stringValue] = try container.decode(TaskParameterValue.self, forKey: key)
        }
        self.parameters = parameters
    }

    /// Builds the task and its size ranges; throws `TaskConfigError` naming the key.
    public func setup() throws -> TaskSetup {
        let task = try TaskRegistry.make(kind: kind, parameters: parameters.mapValues(\.taskParameter))
        return try TaskSetup(task: task, trainSize: trainSize, evaluationSize: evaluationSize)
    }
}

/// A `TaskParameter` that can be stored as JSON.
public enum TaskParameterValue: Codable, Sendable, Hashable {
    case integer(Int)
    case text(String)

    public var taskParameter: TaskParameter {
        switch self {
        case .integer(let value): return .integer(value)
        case .text(let value): return .text(value)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .integer(value) } else { self = .text(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }
}

/// One run of an experiment: everything that determines its result. Two runs with equal specs give
/// bit-identical metrics.
public struct RunSpec: Codable, Sendable, Hashable {
    /// The variant's name ("baseline" for the baseline).
    public var variant: String
    public var seed: UInt64
    public var task: TaskSpec
    public var model: ModelConfig
    /// Stored under `train`, the table's name.
    public var training: TrainingSettings
    /// A tuning trial's budget: training stops after this step (nil: `train.steps`). The learning-rate
    /// schedule is still the one of `train.steps`, so a trial is the first steps of the full-length run.
    /// Stored as "stop_after", only when set (the keys of other runs are unchanged).
    public var stopAfter: Int? = nil
    /// Whether the run is evaluated on the test split at its end. A tuning trial is not (selection
    /// never sees the test split). Stored as "evaluate_test": false, only when false.
    public var evaluatesTest: Bool = true

    private enum CodingKeys: String, CodingKey {
        case variant, seed, task, model, training = "train", stopAfter = "stop_after", evaluatesTest = "evaluate_test"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(variant, forKey: .variant)
        try container.encode(seed, forKey: .seed)
        try container.encode(task, forKey: .task)
        try container.encode(model, forKey: .model)
        try container.encode(training, forKey: .training)
        try container.encodeIfPresent(stopAfter, forKey: .stopAfter)
        if !evaluatesTest { try container.encode(false, forKey: .evaluatesTest) }
    }

    /// The last step this run trains to: `stop_after` when set (at most `train.steps`), else `train.steps`.
    public var lastStep: Int { min(training.steps, stopAfter ?? training.steps) }

    /// Reads a stored config. One written before run keys were `ablate-run-v2` (its settings under
    /// Swift names: "training", "learningRate", "trainSize") is refused, saying what to do.
    public init(from decoder: Decoder) throws {
        if try decoder.container(keyedBy: SettingKey.self).contains(SettingKey("training")) {
            throw SettingError(key: "config", Self.earlierVersion)
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        variant = try container.decode(String.self, forKey: .variant)
        seed = try container.decode(UInt64.self, forKey: .seed)
        task = try container.decode(TaskSpec.self, forKey: .task)
        model = try container.decode(ModelConfig.self, forKey: .model)
        training = try container.decode(TrainingSettings.self, forKey: .training)
        stopAfter = try container.decodeIfPresent(Int.self, forKey: .stopAfter)
        evaluatesTest = try container.decodeIfPresent(Bool.self, forKey: .evaluatesTest) ?? true
        if let stopAfter, stopAfter < 1 { throw SettingError(key: "stop_after", "expected a step of at least 1, got \(stopAfter)") }
    }

    /// What to do with a run stored by an earlier version (run keys `ablate-run-v1`).
    public static let earlierVersion = "this run was stored by an earlier version of ablate (run keys ablate-run-v1, settings under "
        + "other names such as training.learningRate): run `ablate run` on its experiment file again, which registers the runs "
        + "under this version's keys and trains them; the earlier rows stay in the database, marked as not current"

    public init(variant: String, seed: UInt64, task: TaskSpec, model: ModelConfig, training: TrainingSettings) {
        self.variant = variant
        self.seed = seed
        self.task = task
        self.model = model
        self.training = training
    }

    /// The resolved config as canonical JSON (sorted keys): what the run key hashes and the store keeps.
    /// Every key is the experiment file's: `{"model":{"arch":"transformer","d_model":64,...},"seed":1,
    /// "task":{"kind":"reverse","train_length":[2,8],...},"train":{"lr":0.001,"stop_at_accuracy":false,...},"variant":"baseline"}`.
    public func canonicalJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
