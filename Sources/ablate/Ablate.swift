import ArgumentParser
import Foundation
import Experiments
import Runner
import Store
import Tasks

@main
struct Ablate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "Reproducible ablation studies of the Transformer against an RNN-with-attention baseline.",
        discussion: """
        ablate trains Transformer variants and an RNN baseline on synthetic long-dependency tasks from \
        experiment files, reproducibly, and stores every metric in one SQLite file per experiment.
        """,
        version: "0.1.0",
        subcommands: [Doctor.self, Tasks.self, Validate.self, Run.self, Status.self, Export.self, Reproduce.self, Eval.self, Predict.self, Worker.self]
    )
}

extension Ablate {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check and measure what ablate runs on: OpenBLAS kernel, threads, sgemm speed, gnuplot, SQLite.",
            discussion: """
            Exits 0 when everything is usable, 1 when something is missing or slow; each problem comes \
            with a one-line fix. The sgemm rates are medians of several square products.
            """
        )

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Option(help: "The size n of the n x n x n sgemm that is timed.")
        var size = 1024

        func validate() throws {
            guard (16...8192).contains(size) else { throw ValidationError("--size must be between 16 and 8192, got \(size)") }
        }

        func run() throws {
            let report = Runner.Doctor.run(gemmSize: size)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                let width = report.checks.map(\.name.count).max() ?? 0
                for check in report.checks {
                    let mark = check.ok ? "ok  " : "FAIL"
                    print("\(mark)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.value)")
                    if let fix = check.fix { print("      \(String(repeating: " ", count: width))  fix: \(fix)") }
                }
                print(report.ok ? "\nEverything ablate needs is in place." : "\nSome checks failed; see the fixes above.")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}

extension Ablate {
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a checkpoint on source tokens and print what it outputs.",
            discussion: """
            Generative models (encoder-decoder, decoder-only, RNN) decode greedily from the start token 0 \
            (a decoder-only model reads the source, then 0); an encoder-only model prints its class. \
            --json adds the logits of every step, to compare with another implementation.
            """
        )

        @Argument(help: "A checkpoint written by ablate (a .safetensors file).")
        var checkpoint: String

        @Option(help: "The source token ids, separated by spaces or commas, e.g. \"3 1 4 1 5\".")
        var input: String

        @Option(help: "How many tokens to generate (default: as many as the input has).")
        var steps: Int?

        @Flag(help: "Print the output and the logits of every step as JSON.")
        var json = false

        func run() throws {
            let prediction: Prediction
            do {
                let tokens = try Predictor.parseTokens(input)
                prediction = try Predictor.predict(checkpoint: checkpoint, input: tokens, steps: steps)
            } catch {
                printError(error)
                throw ExitCode(2)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(prediction), as: UTF8.self))
            } else {
                print(prediction.output.map(String.init).joined(separator: " "))
            }
        }
    }
}

/// Prints a user error as one line on standard error.
func printError(_ error: Error) {
    var standardError = FileHandle.standardError
    print("error: \(error)", to: &standardError)
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}

extension Ablate {
    struct Tasks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the synthetic tasks and their parameters, or print examples of one.",
            discussion: """
            Without options: every task, what it asks, what its size controls, and each parameter with its \
            default and allowed values. --examples NAME prints decoded training examples with their slice labels \
            and the task's chance level. --markdown prints the task table of the README.
            """
        )

        @Option(help: "Print examples of this task (e.g. reverse).")
        var examples: String?

        @Option(help: "The size range of the examples, e.g. 4...8 (length, distance, pairs, depth or digits).")
        var size: String?

        @Option(help: "How many examples.")
        var count = 5

        @Option(help: "The data seed.")
        var seed: UInt64 = 1

        @Option(name: .customLong("set"), help: "A task parameter, e.g. --set symbols=4 (repeatable).")
        var settings: [String] = []

        @Flag(help: "Print the task table as Markdown.")
        var markdown = false

        func validate() throws {
            guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000, got \(count)") }
        }

        func run() throws {
            guard let kind = examples else {
                print(markdown ? TaskListing.markdownTable() : TaskListing.text())
                return
            }
            do {
                var parameters: [String: TaskParameter] = [:]
                for setting in settings {
                    let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty else {
                        throw ValidationError("--set takes NAME=VALUE, got \"\(setting)\"")
                    }
                    parameters[parts[0]] = Int(parts[1]).map(TaskParameter.integer) ?? .text(parts[1])
                }
                var range: ClosedRange<Int>? = nil
                if let size {
                    let bounds = size.components(separatedBy: "...")
                    guard let low = Int(bounds[0]), let high = Int(bounds.count == 2 ? bounds[1] : bounds[0]), low <= high else {
                        throw ValidationError("--size takes a range such as 4...8 or a single size, got \"\(size)\"")
                    }
                    range = low...high
                }
                print(try TaskListing.examples(kind: kind, parameters: parameters, size: range, count: count, seed: seed))
            } catch let error as ValidationError {
                throw error
            } catch {
                printError(error)
                throw ExitCode(2)
            }
        }
    }
}

/// Loads an experiment file, or prints the error (file:line: key: message) and exits 2.
func loadExperiment(_ path: String) throws -> Experiment {
    do {
        return try ExperimentLoader.load(path: path)
    } catch {
        printError(error)
        throw ExitCode(2)
    }
}

extension Ablate {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an experiment file without running anything.",
            discussion: "Exits 0 and prints the number of runs when the file is valid; otherwise prints file:line: key: what is wrong, and exits 2."
        )

        @Argument(help: "The experiment file (TOML).")
        var file: String

        func run() throws {
            let experiment = try loadExperiment(file)
            print("\(file): valid: \(experiment.name), \(experiment.distinctVariants.count) variant(s) x \(experiment.seeds.count) seed(s) = \(experiment.runs.count) runs")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train every variant x seed of an experiment file, resumably, into a SQLite database.",
            discussion: """
            Runs already finished in the database are skipped; runs left unfinished by a killed worker are redone. \
            Ctrl-C stops cleanly: running runs are recorded as interrupted and run again next time.
            """
        )

        @Argument(help: "The experiment file (TOML).")
        var file: String

        @Option(help: "Worker processes (one per core by default).")
        var workers: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "BLAS threads per worker.")
        var threads = 1

        @Option(help: "The database (default: results/NAME.sqlite).")
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
                print("\(experiment.name): \(experiment.runs.count) runs")
                for run in experiment.runs {
                    print("  \(run.shortKey)  \(run.spec.variant)  seed \(run.spec.seed)")
                }
                return
            }
            var options = Sweep.Options()
            options.workers = workers
            options.threads = threads
            options.databasePath = database
            options.retryFailed = retryFailed
            let summary: Sweep.Summary
            do {
                summary = try Sweep.run(experiment, options: options, executable: executablePath(), output: Progress())
            } catch {
                printError(error)
                throw ExitCode(1)
            }
            let order: [RunStatus] = [.done, .diverged, .failed, .interrupted, .running, .pending]
            let parts = order.compactMap { status in summary.counts[status].map { "\($0) \(status.rawValue)" } }
            print("\(summary.databasePath): \(parts.joined(separator: ", ")) of \(summary.total) runs")
            if !summary.complete { throw ExitCode(1) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what ran, what is left and what failed, per variant.")

        @Argument(help: "The experiment database (results/NAME.sqlite).")
        var database: String

        func run() throws {
            do {
                guard FileManager.default.fileExists(atPath: database) else {
                    throw ValidationError("no database at \(database)")
                }
                let store = try ResultStore(path: database)
                for experiment in try store.experiments() {
                    print("\(experiment.name): \(experiment.question)")
                    let counts = try store.statusCounts(experiment: experiment.name)
                    let variants = Array(Set(counts.map(\.variant))).sorted()
                    for variant in variants {
                        let parts = counts.filter { $0.variant == variant }.sorted { $0.status.rawValue < $1.status.rawValue }
                            .map { "\($0.runs) \($0.status.rawValue)" }
                        print("  \(variant): \(parts.joined(separator: ", "))")
                    }
                    let runs = try store.runs(experiment: experiment.name)
                    let earlier = runs.filter { !$0.current }.count
                    if earlier > 0 { print("  (\(earlier) run(s) of earlier versions of the file are kept but not counted)") }
                    for run in runs where run.current && (run.status == .failed || run.status == .diverged) {
                        print("  \(run.status.rawValue): \(run.variant) seed \(run.seed): \(run.error ?? "")")
                    }
                }
            } catch {
                printError(error)
                throw ExitCode(2)
            }
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
            do {
                guard let source = ExportSource(rawValue: table) else {
                    throw ValidationError("--table must be one of \(ExportSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard FileManager.default.fileExists(atPath: database) else { throw ValidationError("no database at \(database)") }
                let exported = try ResultStore(path: database).export(source)
                if format == .csv {
                    print(exported.csv(), terminator: "")
                } else {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(exported), as: UTF8.self))
                }
            } catch {
                printError(error)
                throw ExitCode(2)
            }
        }
    }

    /// The process `ablate run` starts for each worker.
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Internal: run pending runs of an experiment (started by ablate run).",
                                                        shouldDisplay: false)

        @Option var database: String
        @Option var experiment: String
        @Option var threads = 1
        @Option var checkpoints: String
        @Flag var retryFailed = false

        func run() throws {
            do {
                try Runner.Worker.work(databasePath: database, experiment: experiment, threads: threads,
                                       checkpointDirectory: checkpoints, retryFailed: retryFailed)
            } catch {
                printError(error)
                throw ExitCode(1)
            }
        }
    }
}

/// The absolute path of this executable, to start workers.
func executablePath() -> String {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
    return CommandLine.arguments[0]
}

extension Ablate {
    struct Reproduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retrain one stored run and check that every stored metric comes out bit for bit the same.",
            discussion: "Prints identical, or the first metric that differs (exit 1). The run is named by its key or a prefix of it."
        )

        @Argument(help: "The run's key, or a prefix of at least 4 hex digits.")
        var runKey: String

        @Option(help: "The database (default: search results/*.sqlite).")
        var database: String?

        func run() throws {
            let result: StoredRun.Reproduction
            let record: RunRecord
            do {
                let (store, found) = try StoredRun.find(runKey, database: database)
                record = found
                print("reproducing \(found.variant) seed \(found.seed) (\(found.key.prefix(16))) ...")
                result = try StoredRun.reproduce(found, store: store)
            } catch {
                printError(error)
                throw ExitCode(2)
            }
            if let difference = result.firstDifference {
                print("DIFFERENT: \(difference) (after \(result.compared) identical values)")
                throw ExitCode(1)
            }
            print("identical: all \(result.compared) stored metrics and slices of \(record.key.prefix(16)) reproduced bit for bit")
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a stored run's checkpoint on new lengths (or distances, pairs, depths).",
            discussion: "Draws test examples of each size in --length and prints loss, token accuracy and exact match per size."
        )

        @Argument(help: "The run's key, or a prefix of at least 4 hex digits.")
        var runKey: String

        @Option(help: "The size, or a range such as 16...32.")
        var length: String

        @Option(help: "Examples per size.")
        var examples = 64

        @Option(help: "The database (default: search results/*.sqlite).")
        var database: String?

        func run() throws {
            let bounds = length.components(separatedBy: "...")
            guard let low = Int(bounds[0]), let high = Int(bounds.count == 2 ? bounds[1] : bounds[0]), low <= high else {
                throw ValidationError("--length takes a size such as 24 or a range such as 16...32, got \"\(length)\"")
            }
            do {
                let (store, found) = try StoredRun.find(runKey, database: database)
                let evaluation = try StoredRun.evaluate(found, store: store, sizes: low...high, perSize: examples)
                print("\(found.variant) seed \(found.seed) (\(found.key.prefix(16)))")
                for label in evaluation.sliceLabels {
                    let m = evaluation.slices[label]!
                    print(String(format: "  %@  loss %.4f  token accuracy %.4f  exact match %.4f  (%d examples)",
                                 label, m.loss, m.tokenAccuracy, m.exactMatch, m.examples))
                }
                let o = evaluation.overall
                print(String(format: "  all      loss %.4f  token accuracy %.4f  exact match %.4f  (%d examples)",
                             o.loss, o.tokenAccuracy, o.exactMatch, o.examples))
            } catch {
                printError(error)
                throw ExitCode(2)
            }
        }
    }
}
