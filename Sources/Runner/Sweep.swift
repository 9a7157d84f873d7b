import Experiments
import Foundation
import Store
import Training

#if canImport(Glibc)
import Glibc
#endif

/// `ablate run`: every run of an experiment file, in worker processes, resumable.
public enum Sweep {
    public struct Options: Sendable {
        /// Worker processes (default: one per core).
        public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
        /// BLAS threads per worker.
        public var threads: Int = 1
        /// The database (default results/STEM.sqlite, see `FileNames.stem(_:)`).
        public var databasePath: String?
        /// Retry runs that failed before.
        public var retryFailed = false
        public init() {}
    }

    public struct Summary: Sendable {
        public var counts: [RunStatus: Int]
        public var total: Int
        public var databasePath: String
        /// True when every run is done (or diverged, which is a result).
        public var complete: Bool { (counts[.done] ?? 0) + (counts[.diverged] ?? 0) == total }
    }

    /// The database of an experiment unless the user names one: `results/STEM.sqlite`, whatever the name holds.
    public static func databasePath(for experiment: Experiment, options: Options) -> String {
        options.databasePath ?? FileNames.database(forExperiment: experiment.name)
    }

    /// Registers the experiment's runs in the store and runs what is left in `workers` processes of
    /// `executable` (`ablate worker ...`). With [tune], the runs a decision makes possible (the next
    /// rung's trials, the final runs) are registered as soon as the rung's trials have finished, and
    /// workers are started for them. Returns when every worker has exited and nothing is left to run.
    public static func run(_ experiment: Experiment, options: Options, executable: String,
                           output: Progress) throws -> Summary {
        let path = databasePath(for: experiment, options: options)
        let store = try ResultStore(path: path)
        var registration = try register(experiment, store: store)
        let reset = try store.resetStale(experiment: experiment.name)
        if !reset.isEmpty { output.note("\(reset.count) run(s) left running by a worker that died: they will run again") }
        func plannedRuns() throws -> [RunRecord] {
            let keys = Set(registration.runs.map(\.key))
            return try store.runs(experiment: experiment.name).filter { keys.contains($0.key) }
        }
        func claimable(_ runs: [RunRecord]) -> [RunRecord] {
            runs.filter { $0.status == .pending || $0.status == .interrupted || (options.retryFailed && $0.status == .failed) }
        }
        if registration.added > 0 { output.note("\(registration.added) new run(s) registered in \(path)") }
        if let note = registration.tuningNote { output.note(note) }
        let runnable = claimable(try plannedRuns())
        guard !runnable.isEmpty else {
            output.note("Nothing to do: all \(registration.runs.count) runs of \(experiment.name) are finished (\(path)).")
            return try summary(store, experiment: experiment.name, keys: Set(registration.runs.map(\.key)), path: path)
        }
        let checkpoints = Shards.checkpointFolder(forDatabase: path)
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)

        output.markReported(try plannedRuns())
        let count = max(1, min(options.workers, runnable.count))
        output.note("Running \(runnable.count) of \(registration.runs.count) runs with \(count) worker(s), \(options.threads) BLAS thread(s) each.")
        let workers = WorkerPool()
        func startWorker() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            // "--option=value": a name or path starting with "-" stays a value, not an option.
            var arguments = ["worker", "--database=\(path)", "--experiment=\(experiment.name)", "--threads", String(options.threads),
                             "--checkpoints=\(checkpoints)", "--parent", String(getpid())]
            if options.retryFailed { arguments.append("--retry-failed") }
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            try process.run()
            workers.add(process)
        }
        // Ctrl-C reaches the workers too (same process group): the parent stops starting workers and
        // waits for them to record their runs as interrupted. A SIGTERM or SIGHUP sent to this process
        // alone (kill, a closed terminal) is passed on to the workers, which do the same.
        let handlers = [SIGINT, SIGTERM, SIGHUP].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                workers.stop()
                if number != SIGINT { for pid in workers.running { kill(pid, SIGTERM) } }
            }
            source.resume()
            return source
        }
        defer {
            for source in handlers { source.cancel() }
            for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
        }
        for _ in 0..<count { try startWorker() }
        var finishedSeen = -1
        while true {
            let runs = try plannedRuns()
            output.update(runs, store: store)
            for child in workers.reap() {
                if child.terminationReason == .uncaughtSignal && child.terminationStatus != SIGINT {
                    output.note("a worker (pid \(child.processIdentifier)) was killed by signal \(child.terminationStatus): its run will be redone")
                } else if child.terminationReason == .exit && child.terminationStatus != 0 {
                    output.note("a worker (pid \(child.processIdentifier)) stopped with exit status \(child.terminationStatus) (see its error above)")
                }
            }
            if workers.stopping {
                if workers.running.isEmpty { break }
            } else {
                // A finished run may decide a rung: plan again, and start workers for what it adds.
                let finished = runs.filter { $0.status.isFinished }.count
                if registration.tuned && finished != finishedSeen {
                    finishedSeen = finished
                    let before = registration.runs.count
                    registration = try register(experiment, store: store)
                    if registration.runs.count > before, let note = registration.tuningNote { output.note(note) }
                }
                var waiting = claimable(try plannedRuns()).count
                let alive = workers.running.count
                if waiting == 0 && alive == 0 {
                    // The last worker may have finished the rung's last trial after the snapshot
                    // above: plan once more from what is stored now before ending.
                    if registration.tuned {
                        registration = try register(experiment, store: store)
                        waiting = claimable(try plannedRuns()).count
                        if waiting > 0, let note = registration.tuningNote { output.note(note) }
                    }
                    if waiting == 0 { break }
                }
                if waiting > alive && alive < count {
                    for _ in 0..<min(count - alive, waiting - alive) { try startWorker() }
                }
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        _ = try store.resetStale(experiment: experiment.name)
        // Runs that another `ablate run` of the same file on this machine is training (both started
        // at once): wait for them, so that the summary says how they ended. Ctrl-C stops the wait.
        for source in handlers { source.cancel() }
        signal(SIGINT, SIG_DFL)
        let host = WorkerIdentity.current.host
        while try plannedRuns().contains(where: { $0.status == .running && $0.worker?.host == host }) {
            output.update(try plannedRuns(), store: store)
            Thread.sleep(forTimeInterval: 0.5)
            _ = try store.resetStale(experiment: experiment.name)
        }
        output.update(try plannedRuns(), store: store)
        let result = try summary(store, experiment: experiment.name, keys: Set(registration.runs.map(\.key)), path: path)
        try store.close()
        return result
    }

    /// The experiment's untuned runs (every distinct variant in its own configuration, every seed) as the store plans them.
    static func untunedRuns(_ experiment: Experiment) -> [Store.PlannedRun] {
        experiment.runs.map {
            Store.PlannedRun(key: $0.key, variant: $0.spec.variant, seed: Int($0.spec.seed), config: $0.spec.canonicalJSON())
        }
    }

    /// The experiment's variants as the store keeps them: in the file's order, with their changes as written.
    static func variantRecords(_ experiment: Experiment) -> [VariantRecord] {
        experiment.variants.enumerated().map { position, variant in
            VariantRecord(experiment: experiment.name, name: variant.name, position: position,
                          origin: VariantOrigin(rawValue: variant.origin.rawValue) ?? .variant, description: variant.description,
                          changes: variant.changes.map { VariantChange(key: $0.key, value: $0.value) }, sameAs: variant.sameAs)
        }
    }

    /// What one registration planned.
    public struct Registration {
        /// Every run the experiment plans now (with [tune]: as far as the stored decisions go).
        public var runs: [Store.PlannedRun]
        /// Runs new to the database.
        public var added: Int
        /// The tuning plan (nil without [tune]).
        public var tuning: TuningPlanner.Plan?
        public var tuned: Bool { tuning != nil }

        /// How far tuning is (nil without [tune]).
        public var progress: TuningProgress? {
            tuning?.progress
        }

        /// One line on how far tuning is, nil without [tune].
        public var tuningNote: String? { progress?.description }
    }

    /// The runs the experiment plans now, given what `store` holds (nil: an empty database): without
    /// [tune] its untuned runs; with [tune], as far as the stored results allow, with the decisions
    /// they allow (not stored: `register` stores them). Only reads.
    public static func plan(_ experiment: Experiment, store: ResultStore?) throws -> (runs: [Store.PlannedRun], tuning: TuningRegistration?, plan: TuningPlanner.Plan?) {
        guard let planner = TuningPlanner(experiment) else { return (untunedRuns(experiment), nil, nil) }
        let status = Dictionary(try store?.runs(experiment: experiment.name).map { ($0.key, $0.status) } ?? []) { first, _ in first }
        let stored = try store?.tuning(experiment: experiment.name)?.decisions ?? []
        let made = planner.plan(stored: stored, status: status) { key in
            let exact = (try? store?.metrics(run: key, split: .validation, name: .exactMatch))??.last?.value
            let loss = (try? store?.metrics(run: key, split: .validation, name: .loss))??.last?.value
            return TuningPlanner.Measured(exactMatch: exact, loss: loss)
        }
        return (made.runs, TuningRegistration(settings: planner.settings, runs: made.parts, decisions: made.newDecisions), made)
    }

    /// Registers the experiment and the runs it plans now (with [tune]: and the decisions the stored
    /// results allow, in the same transaction), with the environment of this machine as
    /// experiment-wide facts.
    @discardableResult
    public static func register(_ experiment: Experiment, store: ResultStore) throws -> Registration {
        let record = ExperimentRecord(name: experiment.name, question: experiment.question, findings: experiment.findings,
                                      source: experiment.sourceText)
        let (planned, tuningRows, plan) = try plan(experiment, store: store)
        let added = try store.register(experiment: record, variants: variantRecords(experiment), runs: planned, tuning: tuningRows)
        var facts = EnvironmentInfo.collect()
        facts["experiment_file"] = relativePath(experiment.sourcePath)
        try store.recordEnvironment(facts, experiment: experiment.name)
        return Registration(runs: planned, added: added, tuning: plan)
    }

    /// The status of the runs the experiment file plans now (runs of earlier versions of the file stay
    /// in the database but are not counted).
    static func summary(_ store: ResultStore, experiment: String, keys: Set<String>, path: String) throws -> Summary {
        let runs = try store.runs(experiment: experiment).filter { keys.contains($0.key) }
        var counts: [RunStatus: Int] = [:]
        for run in runs { counts[run.status, default: 0] += 1 }
        return Summary(counts: counts, total: runs.count, databasePath: path)
    }
}

/// `path` relative to the working directory when it lies inside it (as a report shows it), else as given.
public func relativePath(_ path: String) -> String {
    let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    guard absolute.hasPrefix(directory + "/") else { return path }
    return String(absolute.dropFirst(directory.count + 1))
}

/// The worker processes of a sweep, shared with the signal handlers.
final class WorkerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [Process] = []
    private var stopped = false

    func add(_ process: Process) {
        lock.lock(); defer { lock.unlock() }
        processes.append(process)
    }

    /// The pids of the workers still running.
    var running: [Int32] {
        lock.lock(); defer { lock.unlock() }
        return processes.filter(\.isRunning).map(\.processIdentifier)
    }

    /// Removes and returns the workers that have exited.
    func reap() -> [Process] {
        lock.lock(); defer { lock.unlock() }
        let done = processes.filter { !$0.isRunning }
        processes.removeAll { !$0.isRunning }
        return done
    }

    /// Asked to stop (Ctrl-C, SIGTERM): no new worker is started.
    func stop() {
        lock.lock(); defer { lock.unlock() }
        stopped = true
    }

    var stopping: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }
}

/// How far an experiment's tuning is: configurations chosen, of how many, and those a failed trial blocks.
public struct TuningProgress: Sendable, Equatable, CustomStringConvertible {
    public var chosen: Int
    public var configurations: Int
    public var blocked: [String]

    public var done: Bool { chosen == configurations }

    /// "tuning: 3 of 4 configuration(s) chosen; blocked by a failed trial: "x" (rerun with --retry-failed)".
    public var description: String {
        var note = "tuning: \(chosen) of \(configurations) configuration(s) chosen"
        if !blocked.isEmpty {
            note += "; blocked by a failed trial: " + blocked.map { "\"\($0)\"" }.joined(separator: ", ") + " (rerun with --retry-failed)"
        }
        return note
    }
}
