import Experiments
import Foundation
import Models
import Reports
import Store
import Tasks
import Tensors
import Training

#if canImport(Glibc)
import Glibc
#endif

/// One worker process: claims pending runs of an experiment from the store, trains each, and writes
/// its metrics, slices, environment and checkpoint, until no run is left or it is asked to stop.
public enum Worker {
    /// Set by SIGINT/SIGTERM: the current run stops at its next step and is recorded as interrupted.
    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    /// A worker started by `ablate run` stops (its run recorded as interrupted) when that process dies,
    /// even by SIGKILL: a watcher thread notices that the worker's parent changed.
    static func stopWhenParentDies(_ parent: Int32) {
        let watcher = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.2) }
            stopRequested = 1
        }
        watcher.start()
    }

    /// Runs pending runs of `experiment` in `databasePath` one after another. Returns the number of runs finished.
    /// `extraEnvironment` is recorded with every run besides `EnvironmentInfo.collect()` (a Slurm job id, a shard).
    @discardableResult
    public static func work(databasePath: String, experiment: String, threads: Int, checkpointDirectory: String,
                            retryFailed: Bool = false, extraEnvironment: [String: String] = [:],
                            parent: Int32? = nil, log: (String) -> Void = { _ in }) throws -> Int {
        signal(SIGINT) { _ in Worker.stopRequested = 1 }
        signal(SIGTERM) { _ in Worker.stopRequested = 1 }
        if let parent { stopWhenParentDies(parent) }
        BLAS.setThreads(threads)
        let store = try ResultStore(path: databasePath)
        let me = WorkerIdentity.current
        let environment = EnvironmentInfo.collect().merging(extraEnvironment) { _, extra in extra }
        var finished = 0
        while stopRequested == 0, let run = try store.claimNext(experiment: experiment, worker: me, retryFailed: retryFailed) {
            try execute(run, store: store, worker: me, environment: environment, checkpointDirectory: checkpointDirectory, log: log)
            finished += 1
        }
        try store.close()
        return finished
    }

    static func execute(_ run: RunRecord, store: ResultStore, worker: WorkerIdentity, environment: [String: String],
                        checkpointDirectory: String, log: (String) -> Void) throws {
        try store.recordEnvironment(environment, experiment: run.experiment, run: run.key)
        let spec: RunSpec
        do {
            spec = try JSONDecoder().decode(RunSpec.self, from: Data(run.config.utf8))
        } catch {
            try store.finish(runKey: run.key, worker: worker,
                             outcome: Store.RunOutcome(status: .failed, error: "the stored config cannot be read: \(error)"))
            return
        }
        if try reuseTrial(run, spec: spec, store: store, worker: worker, checkpointDirectory: checkpointDirectory, log: log) { return }
        if try deriveTrial(run, spec: spec, store: store, worker: worker, log: log) { return }
        let observer = StoreObserver(store: store, run: run.key)
        observer.saveCheckpoint = { step, model in
            try? saveCheckpoint(model, run: run, kind: "checkpoint-step", name: "\(checkpointStem(run))-step-\(step).safetensors",
                                directory: checkpointDirectory, store: store)
        }
        let started = Date()
        do {
            let (outcome, model) = try Trainer.run(spec, observer: observer) { Worker.stopRequested != 0 }
            try observer.flush()
            var ending = Store.RunOutcome(outcome)
            if ending.status == .done {
                try saveCheckpoint(model, run: run, kind: "checkpoint", name: "\(checkpointStem(run)).safetensors",
                                   directory: checkpointDirectory, store: store)
            }
            ending.wallSeconds = Date().timeIntervalSince(started)
            try store.finish(runKey: run.key, worker: worker, outcome: ending)
            log("\(Escaping.terminal(run.variant)) seed \(run.seed): \(ending.status.rawValue) after \(outcome.steps) steps")
        } catch {
            try? observer.flush()
            try store.finish(runKey: run.key, worker: worker, outcome: Store.RunOutcome(
                status: .failed, wallSeconds: Date().timeIntervalSince(started), error: "\(error)"))
            log("\(Escaping.terminal(run.variant)) seed \(run.seed): failed: \(Escaping.terminal("\(error)"))")
        }
    }
}

extension Worker {
    /// A final run whose tuning trial is the same run up to its test evaluation (a full-length trial
    /// of the chosen candidate on a selection seed): when that trial is done and its final checkpoint
    /// is on disk with the SHA-256 the store recorded, the final run takes the trial's training and
    /// validation numbers and its model, and only evaluates it on the test split. Returns false when
    /// there is no such trial (the run then trains from step 0, to the same numbers).
    static func reuseTrial(_ run: RunRecord, spec: RunSpec, store: ResultStore, worker: WorkerIdentity, checkpointDirectory: String,
                           log: (String) -> Void) throws -> Bool {
        guard spec.evaluatesTest, spec.stopAfter == nil else { return false }
        var trialSpec = spec
        trialSpec.evaluatesTest = false
        let trialKey = RunKey.key(for: trialSpec)
        guard let trial = try store.run(key: trialKey), trial.status == .done, trial.experiment == run.experiment,
              let checkpoint = try store.artifacts(experiment: run.experiment).first(where: { $0.run == trialKey && $0.kind == "checkpoint" }),
              let contents = FileManager.default.contents(atPath: checkpoint.path),
              SHA256.hex(bytes: contents) == checkpoint.sha256
        else { return false }
        let started = Date()
        do {
            let (model, _) = try Model.load(from: URL(fileURLWithPath: checkpoint.path))
            let evaluation = try Trainer.testEvaluation(model, spec: spec)
            var recorder = MetricRecorder(run: run.key)
            let steps = trial.steps ?? spec.training.steps
            recorder.evaluated(step: steps, split: .test, evaluation: evaluation, seconds: Date().timeIntervalSince(started))
            let copied = numbers(of: try store.metrics(run: trialKey), try store.slices(run: trialKey), as: run.key, through: steps)
            try store.recordMetrics(copied.points + recorder.points)
            try store.recordSlices(copied.slices + recorder.slices)
            try store.recordEnvironment(["reused_trial": trialKey], experiment: run.experiment, run: run.key)
            try saveCheckpoint(model, run: run, kind: "checkpoint", name: "\(checkpointStem(run)).safetensors",
                               directory: checkpointDirectory, store: store)
            try store.finish(runKey: run.key, worker: worker, outcome: Store.RunOutcome(
                status: .done, wallSeconds: Date().timeIntervalSince(started), parameters: trial.parameters, steps: trial.steps,
                stepsToTarget: trial.stepsToTarget))
            log("\(Escaping.terminal(run.variant)) seed \(run.seed): done, from its tuning trial \(trialKey.prefix(16)) and a test evaluation")
            return true
        } catch {
            // An unreadable checkpoint: train the run instead (its claim stands; earlier rows are replaced).
            log("\(Escaping.terminal(run.variant)) seed \(run.seed): the trial's checkpoint could not be reused (\(Escaping.terminal("\(error)"))); training it")
            return false
        }
    }
}

extension Worker {
    /// A tuning trial whose steps a finished run of the same training already took (the untuned run
    /// at the baseline's own value on a selection seed, or a full-length trial for a shorter rung):
    /// the trial takes that run's training and validation numbers up to its last step, which are the
    /// numbers training it would give (the same spec trains the same steps; a trial stops at a multiple
    /// of `eval_every`, where the longer run evaluated too). It has no checkpoint of its own. Returns
    /// false when there is no such run (the trial then trains).
    static func deriveTrial(_ run: RunRecord, spec: RunSpec, store: ResultStore, worker: WorkerIdentity,
                            log: (String) -> Void) throws -> Bool {
        guard !spec.evaluatesTest else { return false }
        let last = spec.lastStep
        var candidates: [RunSpec] = []
        for test in [true, false] {
            var longer = spec
            longer.stopAfter = nil
            longer.evaluatesTest = test
            if longer != spec { candidates.append(longer) }
        }
        for longer in candidates {
            let key = RunKey.key(for: longer)
            guard let source = try store.run(key: key), source.status == .done, source.experiment == run.experiment,
                  let steps = source.steps else { continue }
            let reachedTarget = source.stepsToTarget.map { $0 == steps && steps <= last } ?? false
            guard reachedTarget || steps >= last else { continue }
            let points = try store.metrics(run: key)
            guard reachedTarget || points.contains(where: { $0.split == MetricSplit.validation.rawValue && $0.step == last }) else { continue }
            let limit = reachedTarget ? steps : last
            let started = Date()
            let copied = numbers(of: points, try store.slices(run: key), as: run.key, through: limit)
            try store.recordMetrics(copied.points)
            try store.recordSlices(copied.slices)
            try store.recordEnvironment(["derived_from": key], experiment: run.experiment, run: run.key)
            try store.finish(runKey: run.key, worker: worker, outcome: Store.RunOutcome(
                status: .done, wallSeconds: Date().timeIntervalSince(started), parameters: source.parameters, steps: limit,
                stepsToTarget: reachedTarget ? source.stepsToTarget : nil))
            log("\(Escaping.terminal(run.variant)) seed \(run.seed): done, the first \(limit) steps of run \(key.prefix(16))")
            return true
        }
        return false
    }
}

extension Worker {
    /// Another run's training and validation numbers (never its test ones) up to step `limit`, as the
    /// rows of run `key`: what a reused or derived run records instead of training.
    static func numbers(of points: [MetricPoint], _ slices: [SliceEvaluation], as key: String,
                        through limit: Int) -> (points: [MetricPoint], slices: [SliceEvaluation]) {
        let test = MetricSplit.test.rawValue
        return (points.filter { $0.split != test && $0.step <= limit }.map { point in
                    var copy = point
                    copy.run = key
                    return copy
                },
                slices.filter { $0.split != test && $0.step <= limit }.map { slice in
                    var copy = slice
                    copy.run = key
                    return copy
                })
    }
}

extension Store.RunOutcome {
    /// The row `finish` writes for a run that trained to its end (or was stopped): a budget stop
    /// counts as done, a divergence keeps its message, a cancellation is an interruption. The caller
    /// sets `wallSeconds` once the run's last write (its checkpoint) is done.
    init(_ trained: TrainingOutcome) {
        let status: RunStatus
        var error: String? = nil
        switch trained.status {
        case .done, .stoppedByBudget: status = .done
        case .diverged(let message): status = .diverged; error = message
        case .cancelled: status = .interrupted
        }
        self.init(status: status, parameters: trained.parameterCount,
                  steps: trained.steps, stepsToTarget: trained.stepsToTarget, error: error)
    }
}

/// The start of a run's checkpoint file names: the first 16 hex digits of its key (the key comes from
/// the database, so it goes through `FileNames.stem` like every name that becomes a file name).
func checkpointStem(_ run: RunRecord) -> String {
    FileNames.stem(String(run.key.prefix(16)))
}

/// Saves a model as a safetensors artifact of `run` (with the run in its metadata and its SHA-256 in the store).
func saveCheckpoint(_ model: Model, run: RunRecord, kind: String, name: String, directory: String, store: ResultStore) throws {
    let path = (directory as NSString).appendingPathComponent(name)
    try model.save(to: URL(fileURLWithPath: path), extra: ["run": run.key, "experiment": run.experiment,
                                                             "variant": run.variant, "seed": String(run.seed)])
    let contents = try Data(contentsOf: URL(fileURLWithPath: path))
    let digest = SHA256.hex(bytes: contents)
    try store.recordArtifact(ArtifactRecord(experiment: run.experiment, run: run.key, kind: kind, path: path,
                                            sha256: digest, bytes: contents.count))
}

/// The metric rows of a run, in the form the store keeps them: what training and evaluation report,
/// named in the store's vocabulary (`MetricSplit`, `MetricName`, `SliceLabel`).
struct MetricRecorder {
    let run: String
    var points: [MetricPoint] = []
    var slices: [SliceEvaluation] = []

    mutating func trained(step: Int, loss: Double, accuracy: Double, learningRate: Double, gradientNorm: Double, seconds: Double) {
        let values: [MetricName: Double] = [.loss: loss, .tokenAccuracy: accuracy, .learningRate: learningRate, .gradientNorm: gradientNorm]
        for name in MetricName.recorded(for: .train) {
            points.append(MetricPoint(run: run, step: step, split: .train, name: name, value: values[name]!, wallSeconds: seconds))
        }
    }

    mutating func evaluated(step: Int, split: Split, evaluation: Evaluation, seconds: Double) {
        let split = MetricSplit(split)
        for name in MetricName.recorded(for: split) {
            points.append(MetricPoint(run: run, step: step, split: split, name: name, value: evaluation.overall.value(of: name),
                                      wallSeconds: seconds))
        }
        for label in evaluation.sliceLabels {
            guard let slice = SliceLabel(label) else { preconditionFailure("a task's slice label is not name=value: \(label)") }
            let metrics = evaluation.slices[label]!
            slices.append(SliceEvaluation(run: run, step: step, split: split, slice: slice, loss: metrics.loss,
                                          tokenAccuracy: metrics.tokenAccuracy, exactMatch: metrics.exactMatch, examples: metrics.examples))
        }
    }
}

extension MetricSplit {
    /// The store's name of a data split (an exhaustive switch: a new split must enter the vocabulary).
    init(_ split: Split) {
        switch split {
        case .train: self = .train
        case .validation: self = .validation
        case .test: self = .test
        }
    }
}

extension Metrics {
    /// The value of a metric an evaluation records (`MetricName.recorded(for:)` of an evaluation split).
    func value(of name: MetricName) -> Double {
        switch name {
        case .loss: return loss
        case .tokenAccuracy: return tokenAccuracy
        case .exactMatch: return exactMatch
        case .learningRate, .gradientNorm: preconditionFailure("an evaluation does not measure \(name.rawValue)")
        }
    }
}

/// Writes a run's training curve and evaluations to the store: training points in batches, each
/// evaluation at once (so a killed run leaves whole evaluations behind, and the store's heartbeat moves).
final class StoreObserver: TrainingObserver {
    let store: ResultStore
    /// Saves the periodic checkpoints (`checkpoint_every`).
    var saveCheckpoint: (Int, Model) -> Void = { _, _ in }
    private var recorder: MetricRecorder
    private var lastFlush = Date()

    init(store: ResultStore, run: String) {
        self.store = store
        recorder = MetricRecorder(run: run)
    }

    func trained(step: Int, loss: Double, accuracy: Double, learningRate: Double, gradientNorm: Double, seconds: Double) {
        recorder.trained(step: step, loss: loss, accuracy: accuracy, learningRate: learningRate, gradientNorm: gradientNorm, seconds: seconds)
        if Date().timeIntervalSince(lastFlush) > 2 { try? flush() }
    }

    func evaluated(step: Int, split: Split, evaluation: Evaluation, seconds: Double) {
        recorder.evaluated(step: step, split: split, evaluation: evaluation, seconds: seconds)
        try? flush()
    }

    func checkpoint(step: Int, model: Model) {
        saveCheckpoint(step, model)
    }

    func flush() throws {
        if !recorder.points.isEmpty { try store.recordMetrics(recorder.points) }
        if !recorder.slices.isEmpty { try store.recordSlices(recorder.slices) }
        recorder.points.removeAll(keepingCapacity: true)
        recorder.slices.removeAll(keepingCapacity: true)
        lastFlush = Date()
    }
}

/// Keeps what a run reports in memory (for `ablate reproduce`).
public final class MemoryObserver: TrainingObserver {
    var recorder: MetricRecorder
    /// The metric points and slice evaluations reported so far.
    public var points: [MetricPoint] { recorder.points }
    public var slices: [SliceEvaluation] { recorder.slices }

    public init(run: String) { recorder = MetricRecorder(run: run) }

    public func trained(step: Int, loss: Double, accuracy: Double, learningRate: Double, gradientNorm: Double, seconds: Double) {
        recorder.trained(step: step, loss: loss, accuracy: accuracy, learningRate: learningRate, gradientNorm: gradientNorm, seconds: seconds)
    }

    public func evaluated(step: Int, split: Split, evaluation: Evaluation, seconds: Double) {
        recorder.evaluated(step: step, split: split, evaluation: evaluation, seconds: seconds)
    }
}
