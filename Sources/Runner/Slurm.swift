import Experiments
import Foundation
import Reports
import Store

/// `ablate submit --slurm`: the pending runs of an experiment as a Slurm job array, one shard
/// database per task (see `Shards`).
public enum Slurm {
    public struct Options: Sendable {
        /// `--partition` (one or more partition names, comma-separated).
        public var partition: String?
        /// `--time`, in one of Slurm's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
        public var time: String?
        /// `--cpus-per-task`.
        public var cpusPerTask = 1
        /// Array tasks (shards); default one per pending run.
        public var tasks: Int?
        /// At most this many tasks at once (`--array=...%N`).
        public var maxParallel: Int?
        /// Extra lines for the script, each starting with `#SBATCH`.
        public var extraLines: [String] = []
        /// BLAS threads per task; default `cpusPerTask`.
        public var threads: Int?
        /// The experiment's database (default results/STEM.sqlite, see `FileNames.stem(_:)`).
        public var databasePath: String?
        public var retryFailed = false
        public init() {}
    }

    /// The most tasks in one array (Slurm's default MaxArraySize is 1001).
    public static let maxTasks = 1000

    /// Checks the options; the error names the option and what was expected.
    public static func validate(_ options: Options) throws {
        if let partition = options.partition,
           partition.isEmpty || !partition.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.,".contains($0)) }) {
            throw ClusterError("--partition \(quotedForMessage(partition)): expected partition names of letters, digits, '_', '-', '.', separated by commas")
        }
        if let time = options.time, time.range(of: #"^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$"#, options: .regularExpression) == nil {
            throw ClusterError("--time \(quotedForMessage(time)): expected a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
        }
        guard options.cpusPerTask >= 1 else { throw ClusterError("--cpus-per-task must be at least 1") }
        if let tasks = options.tasks, !(1...maxTasks).contains(tasks) {
            throw ClusterError("--tasks must be between 1 and \(maxTasks)")
        }
        if let limit = options.maxParallel, limit < 1 { throw ClusterError("--max-parallel must be at least 1") }
        if let threads = options.threads, threads < 1 { throw ClusterError("--threads must be at least 1") }
        for line in options.extraLines {
            guard line.hasPrefix("#SBATCH "), !line.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw ClusterError("--sbatch \(quotedForMessage(line)): each extra line must be one line starting with \"#SBATCH \" (e.g. \"#SBATCH --mem=4G\")")
            }
        }
    }

    /// What `submit` did or would do.
    public struct Submission: Sendable {
        /// The experiment's database, absolute.
        public var database: String
        public var folder: String
        public var scriptPath: String
        public var planPath: String
        public var script: String
        /// The runs planned (those still missing), and how many the experiment has in all.
        public var planned: Int
        public var total: Int
        public var tasks: Int
        /// The job id sbatch answered, nil when nothing was submitted.
        public var jobID: String?
        /// Runs merged from earlier shards before planning.
        public var merged: Int
        /// With [tune]: how far tuning is. The runs of a rung are planned once the rung before it has
        /// finished and been merged: after this job, `ablate submit` again plans the next rung (or
        /// the final runs), until tuning is done. nil without [tune].
        public var tuning: TuningProgress? = nil
    }

    /// Registers the experiment in its database (as `ablate run` does), first merging what earlier
    /// shards finished, plans the runs still missing, writes `plan.json` and `job.sbatch` in the
    /// shard folder, and submits the script with sbatch. With `printOnly`, writes nothing and
    /// returns the script for the runs the database lacks.
    public static func submit(_ experiment: Experiment, options: Options, executable: String, printOnly: Bool,
                              output: (String) -> Void = { _ in }) throws -> Submission {
        try validate(options)
        let database = absolute(options.databasePath ?? FileNames.database(forExperiment: experiment.name))
        let folder = Shards.folder(forDatabase: database)
        let planPath = (folder as NSString).appendingPathComponent("plan.json")
        let scriptPath = (folder as NSString).appendingPathComponent("job.sbatch")
        var planned: [Store.PlannedRun]
        var tuning: TuningProgress? = nil
        var merged = 0
        let status: [String: RunStatus]
        if printOnly {
            let existing = FileManager.default.fileExists(atPath: database)
                ? try ResultStore.readForTransfer(path: database, rows: false).runs : []
            status = Dictionary(existing.map { ($0.key, $0.status) }, uniquingKeysWith: { a, _ in a })
            let reading = FileManager.default.fileExists(atPath: database) ? try ResultStore(readingAt: database) : nil
            let made = try Sweep.plan(experiment, store: reading)
            planned = made.runs
            tuning = made.plan?.progress
            try reading?.close()
        } else {
            guard SystemInfo.which("sbatch") != nil else {
                throw ClusterError("sbatch is not on PATH: submit from a Slurm login node (ablate submit --print shows the script)",
                                   isUserError: false)
            }
            if let job = jobID(folder: folder), let state = queueState(jobID: job), state != notQueued {
                throw ClusterError("job \(job) of \(folder) is still in the queue (\(state)): wait for it to end, "
                                   + "or cancel it (scancel \(job)), then submit again")
            }
            if FileManager.default.fileExists(atPath: database), !Shards.shardPaths(folder: folder).isEmpty {
                let result = try Shards.merge(databasePath: database)
                merged = result.summary.imported.count
                if merged > 0 { output(Escaping.terminal("merged \(merged) finished run(s) of earlier shards into \(database)")) }
            }
            let store = try ResultStore(path: database)
            let registration = try Sweep.register(experiment, store: store)
            planned = registration.runs
            tuning = registration.progress
            _ = try store.resetStale(experiment: experiment.name)
            status = Dictionary(try store.runs(experiment: experiment.name).map { ($0.key, $0.status) }, uniquingKeysWith: { a, _ in a })
            try store.close()
        }
        let missing = planned.filter { run in
            switch status[run.key] {
            case nil, .pending, .interrupted: return true
            case .failed: return options.retryFailed
            case .running, .done, .diverged: return false
            }
        }
        let tasks = max(1, min(options.tasks ?? missing.count, missing.count, maxTasks))
        let plan = ShardPlan(experiment: experiment.name, question: experiment.question, source: experiment.sourceText,
                             database: database, checkpoints: Shards.checkpointFolder(forDatabase: database),
                             schemaVersions: ResultStore.knownSchemaVersions, tasks: tasks,
                             threads: options.threads ?? options.cpusPerTask, retryFailed: options.retryFailed, runs: missing)
        let text = script(plan: plan, planPath: planPath, options: options, executable: executable,
                          workingDirectory: FileManager.default.currentDirectoryPath)
        var submission = Submission(database: database, folder: folder, scriptPath: scriptPath, planPath: planPath, script: text, planned: missing.count,
                                    total: planned.count, tasks: tasks, jobID: nil, merged: merged, tuning: tuning)
        guard !printOnly, !missing.isEmpty else { return submission }

        guard let sbatch = SystemInfo.which("sbatch") else {
            throw ClusterError("sbatch is not on PATH: submit from a Slurm login node (ablate submit --print shows the script)",
                               isUserError: false)
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try plan.write(to: planPath)
        try Data(text.utf8).write(to: URL(fileURLWithPath: scriptPath), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptPath)
        // sbatch runs in the shard folder: the tasks' output files (slurm-JOB_TASK.out) land there.
        let result = try run(sbatch, ["--parsable", scriptPath], in: folder)
        guard result.status == 0 else {
            throw ClusterError("sbatch refused \(scriptPath) (exit \(result.status)): \(result.error.trimmingCharacters(in: .whitespacesAndNewlines))",
                               isUserError: false)
        }
        // --parsable prints "JOBID" or "JOBID;CLUSTER".
        let job = String(result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
        guard !job.isEmpty, job.allSatisfy(\.isNumber) else {
            throw ClusterError("sbatch answered no job id for \(scriptPath): \(result.output)", isUserError: false)
        }
        try Data((job + "\n").utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("job")), options: .atomic)
        submission.jobID = job
        return submission
    }

    /// The job-array script. Only validated option values go on `#SBATCH` lines; paths and other
    /// text from the user appear only in the shell part, single-quoted.
    public static func script(plan: ShardPlan, planPath: String, options: Options, executable: String, workingDirectory: String) -> String {
        let jobName = "ablate-" + String(plan.experiment.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) ? $0 : "_" }.prefix(40))
        var lines = [
            "#!/bin/bash",
            "# ablate: \(plan.runs.count) run(s) in \(plan.tasks) shard(s); task i trains the runs at positions i, i+\(plan.tasks), ... of plan.json.",
            "# Merge the shards into the experiment's database afterwards with: ablate merge DATABASE",
            "#SBATCH --job-name=\(jobName)",
            "#SBATCH --array=0-\(plan.tasks - 1)" + (options.maxParallel.map { "%\($0)" } ?? ""),
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=\(options.cpusPerTask)",
            "#SBATCH --output=slurm-%A_%a.out",
        ]
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time = options.time { lines.append("#SBATCH --time=\(time)") }
        lines += options.extraLines
        lines += [
            "set -euo pipefail",
            "cd \(shellQuoted(workingDirectory))",
            "exec \(shellQuoted(executable)) worker --plan \(shellQuoted(planPath)) --shard \"$SLURM_ARRAY_TASK_ID\" --threads \(plan.threads)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as one word for a POSIX shell, single-quoted; in ANSI-C quotes (`$'...'`, see
    /// `Escaping.shellWord`) when it holds a control or bidirectional character, so the script holds none raw.
    public static func shellQuoted(_ text: String) -> String {
        text.unicodeScalars.contains(where: Escaping.isHidden)
            ? Escaping.shellWord(text) : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    // MARK: - The queue

    static let notQueued = "not in the queue"

    /// The job id `submit` recorded in the shard folder.
    static func jobID(folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("job")) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || !text.allSatisfy(\.isNumber) ? nil : text
    }

    /// The array's tasks in the queue, counted per state ("1 RUNNING, 1 PENDING"), "not in the
    /// queue" once it has left it, or nil when squeue is not available or does not answer.
    public static func queueState(jobID: String) -> String? {
        guard let squeue = SystemInfo.which("squeue"), let result = try? run(squeue, ["-h", "-r", "-j", jobID, "-o", "%T"]) else {
            return nil
        }
        if result.status != 0 {
            // Slurm answers "Invalid job id specified" for a job that has left the queue.
            return result.error.contains("Invalid job id") ? notQueued : nil
        }
        let states = result.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !states.isEmpty else { return notQueued }
        var counts: [String: Int] = [:]
        for state in states { counts[state, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    // MARK: - Helpers

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func quotedForMessage(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
    }

    struct Output {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs a program to its end, capturing its output and error.
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errorHandle.close()
        let error = (try? Data(contentsOf: errorFile)) ?? Data()
        return Output(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                      error: String(decoding: error, as: UTF8.self))
    }
}
