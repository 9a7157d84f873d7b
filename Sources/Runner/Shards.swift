import Experiments
import Foundation
import Store

// Sweeps split across independent processes that share no database: each task of a cluster job
// trains its share of the pending runs into its own shard database, and `ablate merge` folds the
// finished runs of the shards into the experiment's database. Slurm specifics live in Slurm.swift.

/// A user error of the cluster commands (a bad option, a missing or foreign file), or an error of
/// the scheduler's tools. `isUserError` decides the exit status (2 for a user error).
public struct ClusterError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public var isUserError: Bool

    public init(_ description: String, isUserError: Bool = true) {
        self.description = description
        self.isUserError = isUserError
    }
}

/// What the tasks of a cluster job run: written as JSON (`plan.json`) beside the shards by
/// `ablate submit`, read by every task. Task `i` of `tasks` runs `runs[j]` for every `j` with
/// `j % tasks == i`: the share depends only on the plan and the task index.
public struct ShardPlan: Codable, Equatable, Sendable {
    /// The plan format, 1.
    public var format = 1
    public var experiment: String
    public var question: String
    /// The experiment file's text (registered in each shard as in the experiment's database).
    public var source: String
    /// The experiment's database, absolute.
    public var database: String
    /// Where checkpoints go (the folder `ablate run` uses), absolute.
    public var checkpoints: String
    /// The schema versions of the store that wrote the plan.
    public var schemaVersions: [String]
    /// The number of tasks (shards).
    public var tasks: Int
    /// BLAS threads per task.
    public var threads: Int
    /// Whether failed runs were planned again.
    public var retryFailed: Bool
    /// The runs still missing when the plan was written, in sweep order.
    public var runs: [Store.PlannedRun]

    /// The runs of task `index` (0-based).
    public func share(_ index: Int) -> [Store.PlannedRun] {
        runs.enumerated().filter { $0.offset % tasks == index }.map(\.element)
    }

    public static func read(_ path: String) throws -> ShardPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterError("cannot read the shard plan \(path): no such file (ablate submit writes it)")
        }
        do {
            let plan = try JSONDecoder().decode(ShardPlan.self, from: data)
            guard plan.format == 1 else { throw ClusterError("\(path): plan format \(plan.format) is unknown to this ablate; update ablate") }
            guard plan.tasks >= 1 else { throw ClusterError("\(path): tasks must be at least 1") }
            return plan
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError("\(path) is not a shard plan written by ablate submit: \(error)")
        }
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

public enum Shards {
    /// The folder of a database's shards, plan and job script: `results/STEM.sqlite` -> `results/STEM-slurm`.
    public static func folder(forDatabase path: String) -> String {
        (path as NSString).deletingPathExtension + "-slurm"
    }

    /// The folder where `ablate run` puts a database's checkpoints (`results/STEM-checkpoints`).
    public static func checkpointFolder(forDatabase path: String) -> String {
        (path as NSString).deletingPathExtension + "-checkpoints"
    }

    static func shardPath(folder: String, index: Int) -> String {
        (folder as NSString).appendingPathComponent("shard-\(index).sqlite")
    }

    /// The shard databases in `folder` (`shard-N.sqlite`), by index.
    public static func shardPaths(folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let indexed: [(Int, String)] = names.compactMap { name in
            guard name.hasPrefix("shard-"), name.hasSuffix(".sqlite"),
                  let index = Int(name.dropFirst("shard-".count).dropLast(".sqlite".count)) else { return nil }
            return (index, (folder as NSString).appendingPathComponent(name))
        }
        return indexed.sorted { $0.0 < $1.0 }.map(\.1)
    }

    // MARK: - A task

    /// Runs task `index` of a plan: registers its share in its shard database (`shard-INDEX.sqlite`
    /// beside the plan) and trains it there with the same worker as `ablate run`. A shard has one
    /// writer, so a run found `running` in it was left by a killed task and is redone.
    ///
    /// - Parameter index: the task index; nil takes `SLURM_ARRAY_TASK_ID`.
    /// - Returns: the number of runs finished.
    @discardableResult
    public static func runTask(planPath: String, index: Int?, threads: Int?, log: (String) -> Void = { _ in }) throws -> Int {
        let plan = try ShardPlan.read(planPath)
        let environment = ProcessInfo.processInfo.environment
        guard let index = index ?? environment["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }) else {
            throw ClusterError("no shard index: give --shard or run inside a Slurm array task (SLURM_ARRAY_TASK_ID)")
        }
        guard (0..<plan.tasks).contains(index) else {
            throw ClusterError("--shard \(index) is outside the plan's \(plan.tasks) task(s) (0...\(plan.tasks - 1)) in \(planPath)")
        }
        guard plan.schemaVersions == ResultStore.knownSchemaVersions else {
            throw ClusterError("\(planPath) was written by an ablate with schema versions \(plan.schemaVersions.joined(separator: ", ")), "
                               + "this one has \(ResultStore.knownSchemaVersions.joined(separator: ", ")): run the same ablate on every node")
        }
        let folder = (planPath as NSString).deletingLastPathComponent
        let shard = shardPath(folder: folder, index: index)
        let store = try ResultStore(path: shard)
        try store.register(experiment: ExperimentRecord(name: plan.experiment, question: plan.question, source: plan.source),
                           runs: plan.share(index))
        _ = try store.resetStale(experiment: plan.experiment, isAlive: { _ in false })
        var facts: [String: String] = ["shard": "\(index) of \(plan.tasks)"]
        if let job = environment["SLURM_ARRAY_JOB_ID"] ?? environment["SLURM_JOB_ID"] { facts["slurm_job_id"] = job }
        if let task = environment["SLURM_ARRAY_TASK_ID"] { facts["slurm_array_task_id"] = task }
        try store.recordEnvironment(EnvironmentInfo.collect().merging(facts) { _, new in new }, experiment: plan.experiment)
        try store.close()
        try FileManager.default.createDirectory(atPath: plan.checkpoints, withIntermediateDirectories: true)
        return try Worker.work(databasePath: shard, experiment: plan.experiment, threads: threads ?? plan.threads,
                               checkpointDirectory: plan.checkpoints, retryFailed: plan.retryFailed,
                               extraEnvironment: facts, log: log)
    }

    // MARK: - Merge

    public struct MergeResult: Sendable {
        public var shards: [String]
        public var summary: ImportSummary
    }

    /// Folds the finished runs of `shards` (default: every `shard-N.sqlite` in the database's
    /// shard folder) into the database, in one transaction; see `ResultStore.importRuns`.
    public static func merge(databasePath: String, shards explicit: [String]? = nil) throws -> MergeResult {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw ClusterError("no database at \(databasePath): give the experiment's database (results/NAME.sqlite)")
        }
        let shards = explicit ?? shardPaths(folder: folder(forDatabase: databasePath))
        let sources = try shards.map { try ResultStore.readForTransfer(path: $0) }
        let store = try ResultStore(path: databasePath)
        let summary = try store.importRuns(sources)
        try store.close()
        return MergeResult(shards: shards, summary: summary)
    }

    // MARK: - Progress

    /// The progress of the shards of a database, for `ablate status`.
    public struct Progress: Sendable {
        public struct Shard: Sendable {
            public var path: String
            /// Runs of the shard's current share, per status.
            public var counts: [RunStatus: Int]
            public var planned: Int
            /// Why the shard could not be read (it is then left out of the counts).
            public var error: String?
        }
        public var folder: String
        public var plan: ShardPlan?
        public var jobID: String?
        public var shards: [Shard]
        /// Finished runs in the shards that the database does not have yet.
        public var unmerged: Int
        /// What squeue says of the job ("2 RUNNING"), "not in the queue", or nil without squeue.
        public var queue: String?

        public var lines: [String] {
            var lines: [String] = []
            let job = jobID.map { "job \($0)" } ?? "no job submitted"
            let tasks = plan.map { "\($0.tasks) task(s) for \($0.runs.count) run(s)" } ?? "no plan"
            lines.append("cluster (\(folder)): \(job), \(tasks)" + (queue.map { "; queue: \($0)" } ?? ""))
            let order: [RunStatus] = [.done, .diverged, .failed, .interrupted, .running, .pending]
            for shard in shards {
                if let error = shard.error {
                    lines.append("  \((shard.path as NSString).lastPathComponent): cannot be read: \(error)")
                    continue
                }
                let parts = order.compactMap { status in shard.counts[status].map { "\($0) \(status.rawValue)" } }
                lines.append("  \((shard.path as NSString).lastPathComponent): \(parts.isEmpty ? "empty" : parts.joined(separator: ", ")) of \(shard.planned)")
            }
            if let plan, shards.count < plan.tasks {
                lines.append("  \(plan.tasks - shards.count) task(s) not started yet")
            }
            if unmerged > 0 { lines.append("  \(unmerged) finished run(s) not merged yet: ablate merge \(plan.map { Slurm.shellQuoted($0.database) } ?? "DATABASE")") }
            return lines
        }
    }

    /// The shards' progress, or nil when the database has no shard folder. Shards are read without
    /// being changed; one that cannot be read is shown with its error instead of failing.
    public static func progress(databasePath: String) throws -> Progress? {
        let folder = folder(forDatabase: databasePath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let plan = try? ShardPlan.read((folder as NSString).appendingPathComponent("plan.json"))
        let jobID = Slurm.jobID(folder: folder)
        let main = try ResultStore.readForTransfer(path: databasePath, rows: false)
        let mainStatus = Dictionary(main.runs.map { ($0.key, $0.status) }, uniquingKeysWith: { a, _ in a })
        var shards: [Progress.Shard] = []
        var unmerged = Set<String>()
        for path in shardPaths(folder: folder) {
            let transfer: RunTransfer
            do {
                transfer = try ResultStore.readForTransfer(path: path, rows: false)
            } catch {
                shards.append(Progress.Shard(path: path, counts: [:], planned: 0, error: "\(error)"))
                continue
            }
            let current = transfer.runs.filter(\.current)
            var counts: [RunStatus: Int] = [:]
            for run in current { counts[run.status, default: 0] += 1 }
            shards.append(Progress.Shard(path: path, counts: counts, planned: current.count))
            for run in transfer.finishedRuns {
                switch mainStatus[run.key] {
                case .done, .diverged: continue
                case .failed where run.status == .failed: continue
                default: unmerged.insert(run.key)
                }
            }
        }
        let queue = jobID.flatMap { Slurm.queueState(jobID: $0) }
        return Progress(folder: folder, plan: plan, jobID: jobID, shards: shards, unmerged: unmerged.count, queue: queue)
    }
}
