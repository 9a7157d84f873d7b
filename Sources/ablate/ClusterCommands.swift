import ArgumentParser
import Foundation
import Reports
import Inspection
import Runner
import Store

extension Ablate {
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit the missing runs of an experiment file to a cluster as a Slurm job array.",
            discussion: """
            Registers the runs in the experiment's database (first merging what earlier shards finished), writes \
            plan.json and job.sbatch in results/NAME-slurm/ and submits the script with sbatch. Array task i trains \
            the missing runs at positions i, i+N, i+2N, ... into its own shard database, shard-i.sqlite. \
            Merge the shards afterwards with ablate merge; submitting again runs only what is still missing.
            """
        )

        @Argument(help: "The experiment file (TOML).")
        var file: String

        @Flag(help: "Submit to Slurm (sbatch); the only scheduler for now.")
        var slurm = false

        @Flag(help: "Print the job script and submit nothing; nothing is written.")
        var print = false

        @Option(help: "The partition(s), comma-separated.")
        var partition: String?

        @Option(help: "The time limit per task (minutes, HH:MM:SS, D-HH:MM, ...).")
        var time: String?

        @Option(help: "CPUs per task (also the BLAS threads, unless --threads says otherwise).")
        var cpusPerTask = 1

        @Option(help: "Array tasks (shards); default one per missing run, at most \(Slurm.maxTasks).")
        var tasks: Int?

        @Option(help: "At most this many tasks running at once (the array's %N).")
        var maxParallel: Int?

        @Option(name: .customLong("sbatch"), help: "An extra line for the script, starting with #SBATCH (repeatable), e.g. '#SBATCH --mem=2G'.")
        var sbatchLines: [String] = []

        @Option(help: "BLAS threads per task (default: --cpus-per-task).")
        var threads: Int?

        @Option(help: "The database (default: results/NAME.sqlite).")
        var database: String?

        @Flag(help: "Run again the runs that failed before.")
        var retryFailed = false

        func run() throws {
            let experiment = try loadExperiment(file)
            guard slurm else { throw ClusterError("give --slurm: Slurm is the only scheduler ablate submits to") }
            var options = Slurm.Options()
            options.partition = partition
            options.time = time
            options.cpusPerTask = cpusPerTask
            options.tasks = tasks
            options.maxParallel = maxParallel
            options.extraLines = sbatchLines
            options.threads = threads
            options.databasePath = database
            options.retryFailed = retryFailed
            let submission = try Slurm.submit(experiment, options: options, executable: executablePath(), printOnly: print) {
                Swift.print($0)
            }
            if print {
                Swift.print(submission.script, terminator: "")
            } else {
                for line in submission.lines(experiment: experiment.name) { Swift.print(line) }
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fold the finished runs of the shard databases of a cluster sweep into the experiment's database.",
            discussion: """
            Reads every shard-N.sqlite in the database's folder NAME-slurm/ (or the shards given) and copies their \
            finished runs, with every metric, slice, environment fact and artifact row, in one transaction. Runs the \
            database already has finished are left alone, so merging twice adds nothing; unfinished runs (a killed \
            task) are ignored. A shard of another experiment or another schema version is refused, and nothing is written.
            """
        )

        @Argument(help: "The experiment database (results/NAME.sqlite).")
        var database: String

        @Argument(help: "Shard databases (default: every shard-N.sqlite in the database's NAME-slurm folder).")
        var shards: [String] = []

        func run() throws {
            let result = try Shards.merge(databasePath: database, shards: shards.isEmpty ? nil : shards)
            print(result.line(database: database))
        }
    }
}
