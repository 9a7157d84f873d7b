import ArgumentParser
import Experiments
import Foundation
import Reports
import Inspection
import Runner
import Store
import Tasks

extension Ablate {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an experiment file without running anything.",
            discussion: "Exits 0 and prints the number of runs and the files the experiment's name gives when the file is valid; otherwise prints file:line: key: what is wrong, and exits 2."
        )

        @Argument(help: "The experiment file (TOML).")
        var file: String

        func run() throws {
            let experiment = try loadExperiment(file)
            for line in ValidationSummary.lines(for: experiment, file: file) { print(line) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train every variant x seed of an experiment file, resumably, into a SQLite database.",
            discussion: """
            Runs already finished in the database are skipped; runs left unfinished by a killed worker are redone. \
            Ctrl-C (or a kill of this process) stops cleanly: the workers stop with it, running runs are \
            recorded as interrupted and run again next time.
            """
        )

        @Argument(help: "The experiment file (TOML).")
        var file: String

        @Option(help: "Worker processes (one per core by default).")
        var workers: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "BLAS threads per worker.")
        var threads = 1

        @Option(help: "The database (default: results/NAME.sqlite, NAME made a safe file name; ablate validate shows it).")
        var database: String?

        @Flag(help: "List the runs with their keys and stop.")
        var dryRun = false

        @Flag(help: "Run again the runs that failed before.")
        var retryFailed = false

        func validate() throws {
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let experiment = try loadExperiment(file)
            if dryRun {
                for line in ValidationSummary.dryRunLines(for: experiment) { print(line) }
                return
            }
            var options = Sweep.Options()
            options.workers = workers
            options.threads = threads
            options.databasePath = database
            options.retryFailed = retryFailed
            let summary = try Sweep.run(experiment, options: options, executable: executablePath(), output: Progress())
            print(summary.line)
            if !summary.complete { throw ExitCode(1) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what ran, what is left and what failed, per variant.")

        @Argument(help: "The experiment database (results/NAME.sqlite).")
        var database: String

        func run() throws {
            for line in try StatusReport.lines(databasePath: database) { print(line) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a table of the database as CSV or JSON.")

        enum Format: String, ExpressibleByArgument { case csv, json }

        @Argument(help: "The experiment database.")
        var database: String

        @Option(help: "csv or json.")
        var format: Format = .csv

        @Option(help: "The table or view: \(ExportSource.allCases.map(\.rawValue).joined(separator: ", ")).")
        var table: String = "final_metrics"

        func run() throws {
            guard let source = ExportSource(rawValue: table) else {
                throw ValidationError("--table must be one of \(ExportSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let exported = try ResultStore(readingAt: database).export(source)
            if format == .csv {
                print(exported.csv(), terminator: "")
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(exported), as: UTF8.self))
            }
        }
    }

    /// The process `ablate run` starts for each worker, and each task of `ablate submit --slurm`.
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Internal: run pending runs of an experiment (started by ablate run), or a shard of a cluster plan (ablate submit).",
            shouldDisplay: false)

        @Option var database: String?
        @Option var experiment: String?
        @Option var threads: Int?
        @Option var checkpoints: String?
        @Flag var retryFailed = false
        @Option(help: "The process id of the ablate run that started this worker: stop when it dies.")
        var parent: Int32?
        @Option(help: "A shard plan (plan.json written by ablate submit): run one task's share into its shard database.")
        var plan: String?
        @Option(help: "The task index, 0-based (default: SLURM_ARRAY_TASK_ID).")
        var shard: Int?

        func run() throws {
            if let plan {
                guard database == nil, experiment == nil, checkpoints == nil, !retryFailed, parent == nil else {
                    throw ClusterError("--plan takes the database, experiment, checkpoints and retry from the plan: give only --plan, --shard and --threads")
                }
                try Shards.runTask(planPath: plan, index: shard, threads: threads)
            } else {
                guard let database, let experiment, let checkpoints, shard == nil else {
                    throw ClusterError("give --database, --experiment and --checkpoints, or --plan with --shard")
                }
                try Runner.Worker.work(databasePath: database, experiment: experiment, threads: threads ?? 1,
                                       checkpointDirectory: checkpoints, retryFailed: retryFailed, parent: parent)
            }
        }
    }
}
