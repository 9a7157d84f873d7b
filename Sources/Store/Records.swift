import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The plain records the store reads and writes. They know nothing of tensors, models or
// experiment files: a run's configuration is JSON text, a metric is a name and a number.
// Every column is documented in docs/store.md.

/// One experiment: a row of `experiments` (read and written through `Codable`: `CodingKeys` names each column).
public struct ExperimentRecord: Codable, Equatable, Sendable {
    /// The experiment's name (`[experiment] name`), unique in the file.
    public var name: String
    /// The question the experiment asks, in words.
    public var question: String
    /// What the experimenter found (`[experiment] findings`), as written; "" when none.
    public var findings: String
    /// The experiment file's text, as it was when the experiment was last registered.
    public var source: String
    /// When the experiment was first registered.
    public var created: Date

    public init(name: String, question: String, findings: String = "", source: String, created: Date = Date()) {
        self.name = name
        self.question = question
        self.findings = findings
        self.source = source
        self.created = created
    }

    enum CodingKeys: String, CodingKey {
        case name, question, findings, source
        case created = "created_at"
    }
}

/// Where a run stands.
///
/// ```
/// pending --claim--> running --finish--> done | failed | diverged | interrupted
///    ^                  |                                              |
///    +--- resetStale ---+  (its worker is gone)        claim again <---+
/// ```
public enum RunStatus: String, Codable, CaseIterable, Sendable {
    /// Registered, not started (or reset after its worker vanished).
    case pending
    /// Claimed by a worker that is training it now.
    case running
    /// Trained to the end (or to the accuracy target).
    case done
    /// Stopped by an error (recorded in `error`); the sweep carries on.
    case failed
    /// Stopped because the loss became NaN or infinite: a result, not a fault.
    case diverged
    /// Stopped on purpose (Ctrl-C, a time limit); claimed again by the next `ablate run`.
    case interrupted

    /// Whether the run has ended one way or another.
    public var isFinished: Bool { self == .done || self == .failed || self == .diverged }

    /// The order in which summaries list the statuses: results first, then what is left.
    public static let reportingOrder: [RunStatus] = [.done, .diverged, .failed, .interrupted, .running, .pending]
}

/// The process training a run: a process id on a host.
public struct WorkerIdentity: Codable, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var pid: Int32

    public init(host: String, pid: Int32) {
        self.host = host
        self.pid = pid
    }

    /// This process.
    public static var current: WorkerIdentity { WorkerIdentity(host: hostName(), pid: getpid()) }

    /// The default liveness check of `ResultStore.resetStale`: a worker on this host is alive
    /// while its process exists; a worker on another host cannot be checked from here and
    /// counts as alive (use the `olderThan:` limit for those).
    public static func isAlive(_ worker: WorkerIdentity) -> Bool {
        guard worker.host == hostName() else { return true }
        return kill(worker.pid, 0) == 0 || errno == EPERM
    }

    public var description: String { "pid \(pid) on \(host)" }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A run as the sweep plans it, before it is trained: what `register` inserts. The loader's
/// `Experiment.Run` holds the same run typed (its `RunSpec`); the Runner serialises it into this row,
/// so the Store needs no Experiments type.
public struct PlannedRun: Codable, Equatable, Sendable {
    /// The stable run key (a run with the same key is the same run, in any later `ablate run`).
    public var key: String
    public var variant: String
    public var seed: Int
    /// The resolved configuration as JSON text. It must be serialised deterministically
    /// (sorted keys): registering the same key with a different text is an error.
    public var config: String

    public init(key: String, variant: String, seed: Int, config: String) {
        self.key = key
        self.variant = variant
        self.seed = seed
        self.config = config
    }
}

/// One run: a row of `runs`.
public struct RunRecord: Codable, Equatable, Sendable {
    public var key: String
    public var experiment: String
    public var variant: String
    public var seed: Int
    /// The resolved configuration, JSON text.
    public var config: String
    public var status: RunStatus
    /// The run's place in the sweep, in registration order; workers claim runs in this order.
    public var position: Int
    /// The worker that claimed it last (nil while pending).
    public var worker: WorkerIdentity?
    /// How many times it was claimed.
    public var attempts: Int
    public var registered: Date
    public var started: Date?
    public var finished: Date?
    /// The last sign of life of its worker: the claim or the latest metrics write.
    public var heartbeat: Date?
    public var wallSeconds: Double?
    /// The number of trainable parameters.
    public var parameters: Int?
    /// Optimisation steps actually taken.
    public var steps: Int?
    /// The first step whose evaluation reached the accuracy target (`stop_at_accuracy`), if any.
    public var stepsToTarget: Int?
    /// Why it failed, diverged or was reset.
    public var error: String?
    /// True while the run belongs to the experiment file as last registered; runs of earlier
    /// versions of the file are kept with `current` false, left out of the summaries and not claimed.
    public var current: Bool = true
}

/// How a run ended: what `finish` writes. Training's `TrainingOutcome` holds what the run measured;
/// the Runner translates it into this row, so the Store needs no Training type.
public struct RunOutcome: Codable, Equatable, Sendable {
    /// One of done, failed, diverged, interrupted.
    public var status: RunStatus
    public var wallSeconds: Double?
    public var parameters: Int?
    public var steps: Int?
    public var stepsToTarget: Int?
    public var error: String?

    public init(status: RunStatus, wallSeconds: Double? = nil, parameters: Int? = nil, steps: Int? = nil,
                stepsToTarget: Int? = nil, error: String? = nil) {
        self.status = status
        self.wallSeconds = wallSeconds
        self.parameters = parameters
        self.steps = steps
        self.stepsToTarget = stepsToTarget
        self.error = error
    }
}

/// One value of one metric at one step: a row of `metrics`, unique by (run, split, name, step).
/// Written through the vocabulary (`MetricSplit`, `MetricName`); `split` and `name` hold the stored text.
public struct MetricPoint: Codable, Equatable, Sendable {
    public var run: String
    public var step: Int
    /// A `MetricSplit`'s raw value: "train", "validation" or "test".
    public var split: String
    /// A `MetricName`'s raw value: "loss", "token_accuracy", "exact_match", ...
    public var name: String
    /// NaN is stored as NULL (SQLite has no NaN) and read back as NaN.
    public var value: Double
    /// Seconds since the run started.
    public var wallSeconds: Double?

    public init(run: String, step: Int, split: MetricSplit, name: MetricName, value: Double, wallSeconds: Double? = nil) {
        self.init(run: run, step: step, storedSplit: split.rawValue, storedName: name.rawValue, value: value, wallSeconds: wallSeconds)
    }

    /// A row as read back, whatever text it holds.
    init(run: String, step: Int, storedSplit: String, storedName: String, value: Double, wallSeconds: Double?) {
        self.run = run
        self.step = step
        self.split = storedSplit
        self.name = storedName
        self.value = value
        self.wallSeconds = wallSeconds
    }
}

/// An evaluation of one slice of a split (say, the examples of length 64): a row of `slices`.
public struct SliceEvaluation: Codable, Equatable, Sendable {
    public var run: String
    public var step: Int
    /// A `MetricSplit`'s raw value.
    public var split: String
    /// A `SliceLabel` as text, "name=value", e.g. "length=8".
    public var slice: String
    public var loss: Double
    /// The fraction of target tokens predicted right.
    public var tokenAccuracy: Double
    /// The fraction of examples whose whole output is right.
    public var exactMatch: Double
    public var examples: Int

    /// The slice as a label (nil when the stored text is not "name=value").
    public var label: SliceLabel? { SliceLabel(slice) }

    public init(run: String, step: Int, split: MetricSplit, slice: SliceLabel, loss: Double, tokenAccuracy: Double,
                exactMatch: Double, examples: Int) {
        self.init(run: run, step: step, storedSplit: split.rawValue, storedSlice: slice.description, loss: loss,
                  tokenAccuracy: tokenAccuracy, exactMatch: exactMatch, examples: examples)
    }

    /// A row as read back, whatever text it holds.
    init(run: String, step: Int, storedSplit: String, storedSlice: String, loss: Double, tokenAccuracy: Double,
         exactMatch: Double, examples: Int) {
        self.run = run
        self.step = step
        self.split = storedSplit
        self.slice = storedSlice
        self.loss = loss
        self.tokenAccuracy = tokenAccuracy
        self.exactMatch = exactMatch
        self.examples = examples
    }
}

/// One fact about the environment (git commit, OpenBLAS kernel, ...) of a run, or of a whole
/// experiment when `run` is nil: a row of `environment`.
public struct EnvironmentRecord: Codable, Equatable, Sendable {
    public var experiment: String
    public var run: String?
    public var name: String
    public var value: String

    public init(experiment: String, run: String?, name: String, value: String) {
        self.experiment = experiment
        self.run = run
        self.name = name
        self.value = value
    }
}

/// A file a run or an experiment produced: a row of `artifacts`, unique by path.
public struct ArtifactRecord: Codable, Equatable, Sendable {
    public var experiment: String
    /// nil for an experiment-wide file (a figure across variants, a report).
    public var run: String?
    /// "checkpoint", "figure", "report", ...
    public var kind: String
    /// As the writer gave it; by convention relative to the directory `ablate` ran in.
    public var path: String
    /// Hex SHA-256 of the file's bytes, if computed.
    public var sha256: String?
    public var bytes: Int?
    public var created: Date

    public init(experiment: String, run: String?, kind: String, path: String, sha256: String? = nil,
                bytes: Int? = nil, created: Date = Date()) {
        self.experiment = experiment
        self.run = run
        self.kind = kind
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
        self.created = created
    }
}

/// The number of runs of a variant in one status (the `run_counts` view).
public struct StatusCount: Codable, Equatable, Sendable {
    public var variant: String
    public var status: RunStatus
    public var runs: Int
}

/// The last recorded value of a metric of a run (the `final_metrics` view).
public struct FinalMetric: Codable, Equatable, Sendable {
    public var run: String
    public var variant: String
    public var seed: Int
    public var status: RunStatus
    public var split: String
    public var name: String
    public var step: Int
    public var value: Double
}

/// A metric's final values summarised over the seeds of a variant's finished runs (the
/// `variant_summary` view). `stddev` is the sample standard deviation (n - 1), nil when n < 2.
public struct VariantSummary: Codable, Equatable, Sendable {
    public var variant: String
    public var split: String
    public var name: String
    public var n: Int
    public var mean: Double
    public var stddev: Double?
    public var min: Double
    public var max: Double
}
