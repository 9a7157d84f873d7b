import Foundation
import Models
import Settings
import Tasks
import Tensors

/// Receives the progress of a run as it happens (to stream metrics into the store, draw progress, ...).
/// Called on the training thread; `seconds` is wall-clock time since the run started (for plots
/// against time and for throughput, never for the math).
public protocol TrainingObserver: AnyObject {
    /// After optimizer step `step` (1-based): the batch's loss and teacher-forced token accuracy, the
    /// learning rate used, and the global gradient norm before clipping.
    func trained(step: Int, loss: Double, accuracy: Double, learningRate: Double, gradientNorm: Double, seconds: Double)
    /// After an evaluation: `.validation` every `eval_every` steps and at the end, `.test` once at the end.
    func evaluated(step: Int, split: Split, evaluation: Evaluation, seconds: Double)
    /// Every `checkpoint_every` steps (when set): the model as it is after step `step`, to save.
    func checkpoint(step: Int, model: Model)
}

extension TrainingObserver {
    public func checkpoint(step: Int, model: Model) {}
}

/// How a run's training ended and what it measured, evaluations included. The Store keeps its own
/// `RunOutcome`, the row `finish` writes (a status, counts, an error text: no `Evaluation`, since the
/// Store depends on no Training type); the Runner translates this into that.
public struct TrainingOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        /// All steps trained, or `stop_at_accuracy` reached.
        case done
        /// A NaN or infinite loss or gradient norm; the message names the step.
        case diverged(String)
        /// `time_budget_seconds` ran out before the last step.
        case stoppedByBudget
        /// `shouldStop` returned true (Ctrl-C).
        case cancelled
    }

    public var status: Status
    /// Optimizer steps taken (a diverged step is not taken).
    public var steps: Int
    /// The step whose validation first reached `stop_at_accuracy` (nil: no target, or not reached).
    public var stepsToTarget: Int?
    public var parameterCount: Int
    /// The validation evaluation of the returned model, at `steps`.
    public var finalValidation: Evaluation
    /// The test evaluation over the evaluation sizes (nil for diverged and cancelled runs).
    public var finalTest: Evaluation?
    /// Wall-clock seconds of the whole run, evaluations included.
    public var seconds: Double

    public init(status: Status, steps: Int, stepsToTarget: Int?, parameterCount: Int, finalValidation: Evaluation,
                finalTest: Evaluation?, seconds: Double) {
        self.status = status
        self.steps = steps
        self.stepsToTarget = stepsToTarget
        self.parameterCount = parameterCount
        self.finalValidation = finalValidation
        self.finalTest = finalTest
        self.seconds = seconds
    }
}

/// The train/eval loop of one run.
///
/// Everything that influences the numbers comes from the spec and its seed, through separate streams:
/// the model's initialisation `RNG(seed, .initialization)`, the training batches
/// `Dataset.Stream(task, seed)` (data stream, train substream), the validation set drawn once from the
/// validation substream, the test set from `TaskSetup.evaluationExamples`, and dropout
/// `RNG(seed, .dropout)`. There is no global state and the clock never enters the math, so the same
/// spec gives bit-identical losses and metrics. Only the point where a run stops may depend on the
/// clock (`time_budget_seconds`) or the user (`shouldStop`); the steps taken up to it do not.
///
/// One step (t = 1, 2, ...; `TrainingStep` takes the first three lines):
///
///     zero gradients; loss = forward(batch_t, label smoothing, dropout)   NaN/Inf -> .diverged
///     backward; norm = ||g|| (clipped to clip_norm if set)                 NaN/Inf -> .diverged
///     optimizer step with lr = schedule(t)
///     every eval_every steps and at the last: validation (stop once exact match >= stop_at_accuracy)
///
/// At the end the model is evaluated on the validation set (if the last step was not) and, unless it
/// diverged or was cancelled, on the test set over every evaluation size (length generalisation).
/// A tuning trial (`stop_after`, `evaluate_test = false`) stops at its budget's step, with the
/// schedule of the full `train.steps`, and is never evaluated on the test split.
public enum Trainer {
    /// Trains the run's model on its task and evaluates it; calls the observer as it goes;
    /// `shouldStop` is polled before every step (Ctrl-C). Throws for a task, model or settings that
    /// cannot work (`TaskConfigError`, `SettingError` for the model or the training settings,
    /// `Formatting.Mismatch`, `LearningRateScheduleError`, `Dataset.InfeasibleError`).
    public static func run(_ spec: RunSpec, observer: TrainingObserver?,
                           shouldStop: () -> Bool = { false }) throws -> (outcome: TrainingOutcome, model: Model) {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let duration = clock.now - start
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }

        let settings = spec.training
        try Trainer.validate(settings)
        let schedule = settings.learningRateSchedule
        try schedule.validate()
        let setup = try spec.task.setup()
        let task = setup.task
        try Formatting.check(task, model: spec.model)
        let reading = Formatting.reading(of: spec.model)

        let model = try Model.build(spec.model, seed: spec.seed)
        let trainingStep = TrainingStep(model: model, settings: settings)
        var stream = Dataset.Stream(task: task, seed: spec.seed, size: setup.trainSize)
        let validationExamples = try Dataset.examples(task, seed: spec.seed, split: .validation, size: setup.trainSize,
                                                      count: settings.validationExamples)
        var dropout: RNG? = RNG(seed: spec.seed, purpose: .dropout)
        var workspace = TrainingWorkspace(model: model, batch: settings.batch)

        var lastValidation: (step: Int, evaluation: Evaluation)? = nil
        func evaluateValidation(at step: Int) -> Evaluation {
            let evaluation = Evaluator.evaluate(model, task: task, examples: validationExamples)
            lastValidation = (step, evaluation)
            observer?.evaluated(step: step, split: .validation, evaluation: evaluation, seconds: elapsed())
            return evaluation
        }

        var status = TrainingOutcome.Status.done
        var step = 0
        var stepsToTarget: Int? = nil
        let lastStep = spec.lastStep
        training: while step < lastStep {
            if shouldStop() {
                status = .cancelled
                break
            }
            let t = step + 1
            let batch = Formatting.batch(try stream.next(settings.batch), task: task, reading: reading)
            let buffers = workspace.fitting(batch)
            let learningRate = schedule.learningRate(at: t)
            let result: LossResult, norm: Float
            switch trainingStep.take(batch, workspace: buffers, learningRate: learningRate, dropout: &dropout) {
            case .taken(let loss, let gradientNorm):
                (result, norm) = (loss, gradientNorm)
            case .nonFiniteLoss(let loss):
                status = .diverged("loss became \(nonFinite(loss)) at step \(t)")
                break training
            case .nonFiniteGradientNorm(let gradientNorm):
                status = .diverged("gradient norm became \(nonFinite(gradientNorm)) at step \(t)")
                break training
            }
            step = t
            observer?.trained(step: t, loss: Double(result.loss), accuracy: result.accuracy,
                              learningRate: Double(learningRate), gradientNorm: Double(norm), seconds: elapsed())
            if let every = settings.checkpointEvery, t % every == 0, t < lastStep {
                observer?.checkpoint(step: t, model: model)
            }

            if t % settings.evalEvery == 0 || t == lastStep {
                let evaluation = evaluateValidation(at: t)
                if let target = settings.stopAtAccuracy, evaluation.overall.exactMatch >= target {
                    stepsToTarget = t
                    break
                }
            }
            if let budget = settings.timeBudgetSeconds, t < lastStep, elapsed() >= budget {
                status = .stoppedByBudget
                break
            }
        }

        let finalValidation = lastValidation?.step == step ? lastValidation!.evaluation : evaluateValidation(at: step)
        var finalTest: Evaluation? = nil
        if spec.evaluatesTest, status == .done || status == .stoppedByBudget {
            let evaluation = try testEvaluation(model, setup: setup, spec: spec)
            observer?.evaluated(step: step, split: .test, evaluation: evaluation, seconds: elapsed())
            finalTest = evaluation
        }
        let outcome = TrainingOutcome(status: status, steps: step, stepsToTarget: stepsToTarget, parameterCount: model.parameterCount,
                                 finalValidation: finalValidation, finalTest: finalTest, seconds: elapsed())
        return (outcome, model)
    }

    /// The end-of-run test evaluation of a trained model: `test_examples_per_size` examples of every
    /// evaluation size, drawn from the run's seed.
    static func testEvaluation(_ model: Model, setup: TaskSetup, spec: RunSpec) throws -> Evaluation {
        let examples = try setup.evaluationExamples(seed: spec.seed, perSize: spec.training.testExamplesPerSize)
        return Evaluator.evaluate(model, task: setup.task, examples: examples)
    }

    /// The test evaluation `run` would end with, of a model trained by the same steps (a tuning
    /// trial's, reloaded from its checkpoint): the same numbers, without training again.
    public static func testEvaluation(_ model: Model, spec: RunSpec) throws -> Evaluation {
        try testEvaluation(model, setup: try spec.task.setup(), spec: spec)
    }

    /// Throws a `SettingError` for `train.KEY` unless every setting is in its range
    /// (`TrainingSettings.settings`, the ranges an experiment file is checked against): what the
    /// optimizers and the loop would otherwise trap on.
    static func validate(_ settings: TrainingSettings) throws {
        try settings.checkRanges(prefix: "train")
    }

    /// The optimizer the settings name, with its moment buffers for `parameterCount` parameters.
    static func makeOptimizer(_ settings: TrainingSettings, parameterCount: Int) -> Optimizer {
        switch settings.optimizer {
        case .adam:
            return Adam(parameterCount: parameterCount, beta1: settings.beta1, beta2: settings.beta2, weightDecay: settings.weightDecay)
        case .adamw:
            return AdamW(parameterCount: parameterCount, beta1: settings.beta1, beta2: settings.beta2, weightDecay: settings.weightDecay)
        case .sgd:
            return SGD(parameterCount: parameterCount, momentum: settings.momentum, weightDecay: settings.weightDecay)
        }
    }

    private static func nonFinite(_ value: Float) -> String { value.isNaN ? "NaN" : "infinite" }
}

/// The training buffers, sized by the largest batch seen so far.
///
/// Batch shapes vary with the sizes drawn, and a task's longest source and target at a size are only
/// known by generating, so the workspace starts at the first batch's shape and is reallocated only when
/// a batch is longer on some side than every batch before it. It reaches its final size within the
/// first few steps (the longest sizes are drawn early); after that no step allocates model buffers.
/// The capacity never enters the math: the model reads and writes only the batch's own (B, T) region.
struct TrainingWorkspace {
    let model: Model
    private(set) var batch: Int
    private(set) var sourceLength = 0
    private(set) var targetLength = 0
    private var workspace: Model.Workspace? = nil

    init(model: Model, batch: Int) {
        self.model = model
        self.batch = batch
    }

    /// A workspace that holds `shape`, growing (reallocating) only if it does not fit.
    mutating func fitting(_ shape: SequenceBatch) -> Model.Workspace {
        if let workspace, shape.size <= batch, shape.sourceLength <= sourceLength, shape.targetLength <= targetLength {
            return workspace
        }
        batch = max(batch, shape.size)
        sourceLength = max(sourceLength, shape.sourceLength)
        targetLength = max(targetLength, shape.targetLength)
        let grown = model.makeWorkspace(maxBatch: batch, maxSourceLength: sourceLength, maxTargetLength: targetLength)
        workspace = grown
        return grown
    }
}
