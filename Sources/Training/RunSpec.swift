import Foundation
import Models
import Tasks

/// How a run trains: every setting of an experiment file's [train] table, with defaults.
public struct TrainingSettings: Codable, Sendable, Hashable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adam, adamw, sgd }
    public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
        /// The same rate throughout.
        case constant
        /// Linear warm-up to `learningRate`, then constant.
        case warmup
        /// Linear warm-up to `learningRate`, then proportional to 1/sqrt(step) (the paper's shape).
        case inverseSqrt = "inverse_sqrt"
        /// Linear warm-up, then cosine decay to 0 at `steps`.
        case cosine
    }

    /// Optimizer steps.
    public var steps: Int = 3000
    /// Examples per step.
    public var batch: Int = 32
    public var optimizer: OptimizerKind = .adam
    /// The peak learning rate.
    public var learningRate: Double = 1e-3
    public var schedule: ScheduleKind = .inverseSqrt
    /// Warm-up steps.
    public var warmup: Int = 200
    /// Adam's betas; SGD's momentum is `momentum`.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.98
    public var momentum: Double = 0
    public var weightDecay: Double = 0
    /// Gradient-norm clipping (nil: none).
    public var clipNorm: Double? = 1
    public var labelSmoothing: Double = 0
    /// Validation every this many steps (and at the end).
    public var evalEvery: Int = 100
    /// Examples in the validation set (drawn once per run, from the validation split).
    public var validationExamples: Int = 256
    /// Test examples per evaluation size at the end of the run.
    public var testExamplesPerSize: Int = 32
    /// Stop once validation exact match reaches this (nil: train all steps). Steps to it are recorded.
    public var stopAtAccuracy: Double? = nil
    /// Stop after this many seconds of training (nil: no limit).
    public var timeBudgetSeconds: Double? = nil
    /// Also save the model every this many steps (nil: only the final model). nil is left out of the
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

/// What to train on: a task by name and parameters, with its size ranges.
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
    public var training: TrainingSettings

    public init(variant: String, seed: UInt64, task: TaskSpec, model: ModelConfig, training: TrainingSettings) {
        self.variant = variant
        self.seed = seed
        self.task = task
        self.model = model
        self.training = training
    }

    /// The resolved config as canonical JSON (sorted keys): what the run key hashes and the store keeps.
    public func canonicalJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
