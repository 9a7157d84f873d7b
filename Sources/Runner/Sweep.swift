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
    /// `executable` (`ablate worker ...`). Returns when every worker has exited.
    public static func run(_ experiment: Experiment, options: Options, executable: String,
                           output: Progress) throws -> Summary {
        let path = databasePath(for: experiment, options: options)
        let store = try ResultStore(path: path)
        let planned = plannedRuns(experiment)
        let added = try register(experiment, runs: planned, store: store)
        let reset = try store.resetStale(experiment: experiment.name)
        if !reset.isEmpty { output.note("\(reset.count) run(s) left running by a worker that died: they will run again") }
        let plannedKeys = Set(planned.map(\.key))
        let runnable = try store.runs(experiment: experiment.name).filter { plannedKeys.contains($0.key) }.filter {
            $0.status == .pending || $0.status == .interrupted || (options.retryFailed && $0.status == .failed)
        }
        if added > 0 { output.note("\(added) new run(s) registered in \(path)") }
        guard !runnable.isEmpty else {
            output.note("Nothing to do: all \(planned.count) runs of \(experiment.name) are finished (\(path)).")
            return try summary(store, experiment: experiment.name, keys: Set(planned.map(\.key)), path: path)
        }
        let checkpoints = Shards.checkpointFolder(forDatabase: path)
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)

        output.markReported(try store.runs(experiment: experiment.name).filter { plannedKeys.contains($0.key) })
        let count = max(1, min(options.workers, runnable.count))
        output.note("Running \(runnable.count) of \(planned.count) runs with \(count) worker(s), \(options.threads) BLAS thread(s) each.")
        var children: [Process] = []
        for _ in 0..<count {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            // "--option=value": a name or path starting with "-" stays a value, not an option.
            var arguments = ["worker", "--database=\(path)", "--experiment=\(experiment.name)", "--threads", String(options.threads),
                             "--checkpoints=\(checkpoints)", "--parent", String(getpid())]
            if options.retryFailed { arguments.append("--retry-failed") }
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            try process.run()
            children.append(process)
        }
        // Ctrl-C reaches the workers too (same process group); the parent waits for them to record it.
        signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, SIG_DFL) }
        // A SIGTERM or SIGHUP sent to this process alone (kill, a closed terminal) is passed on to the
        // workers, which record their runs as interrupted; then this process ends as usual.
        let forwarders = [SIGTERM, SIGHUP].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let pids = children.map(\.processIdentifier)
            source.setEventHandler { for pid in pids { kill(pid, SIGTERM) } }
            source.resume()
            return source
        }
        defer {
            for source in forwarders { source.cancel() }
            signal(SIGTERM, SIG_DFL)
            signal(SIGHUP, SIG_DFL)
        }
        while children.contains(where: \.isRunning) {
            output.update(try store.runs(experiment: experiment.name).filter { plannedKeys.contains($0.key) }, store: store)
            Thread.sleep(forTimeInterval: 0.5)
        }
        for child in children {
            if child.terminationReason == .uncaughtSignal && child.terminationStatus != SIGINT {
                output.note("a worker (pid \(child.processIdentifier)) was killed by signal \(child.terminationStatus): its run will be redone")
            } else if child.terminationReason == .exit && child.terminationStatus != 0 {
                output.note("a worker (pid \(child.processIdentifier)) stopped with exit status \(child.terminationStatus) (see its error above)")
            }
        }
        _ = try store.resetStale(experiment: experiment.name)
        // Runs that another `ablate run` of the same file on this machine is training (both started
        // at once): wait for them, so that the summary says how they ended. Ctrl-C stops the wait.
        signal(SIGINT, SIG_DFL)
        let host = WorkerIdentity.current.host
        while try store.runs(experiment: experiment.name).contains(where: {
            plannedKeys.contains($0.key) && $0.status == .running && $0.worker?.host == host
        }) {
            output.update(try store.runs(experiment: experiment.name).filter { plannedKeys.contains($0.key) }, store: store)
            Thread.sleep(forTimeInterval: 0.5)
            _ = try store.resetStale(experiment: experiment.name)
        }
        output.update(try store.runs(experiment: experiment.name).filter { plannedKeys.contains($0.key) }, store: store)
        let result = try summary(store, experiment: experiment.name, keys: Set(planned.map(\.key)), path: path)
        try store.close()
        return result
    }

    /// The experiment's runs as the store plans them.
    static func plannedRuns(_ experiment: Experiment) -> [Store.PlannedRun] {
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

    /// Registers the experiment and its runs, with the environment of this machine as experiment-wide facts.
    /// Returns the number of runs added.
    @discardableResult
    static func register(_ experiment: Experiment, runs planned: [Store.PlannedRun], store: ResultStore) throws -> Int {
        let record = ExperimentRecord(name: experiment.name, question: experiment.question, findings: experiment.findings,
                                      source: experiment.sourceText)
        let added = try store.register(experiment: record, variants: variantRecords(experiment), runs: planned)
        var facts = EnvironmentInfo.collect()
        facts["experiment_file"] = relativePath(experiment.sourcePath)
        try store.recordEnvironment(facts, experiment: experiment.name)
        return added
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
