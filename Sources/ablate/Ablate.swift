import ArgumentParser
import Foundation
import Runner
import Tasks

@main
struct Ablate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "Reproducible ablation studies of the Transformer against an RNN-with-attention baseline.",
        discussion: """
        ablate trains Transformer variants and an RNN baseline on synthetic long-dependency tasks from \
        experiment files, stores every metric in SQLite, and renders figures and reports with gnuplot.
        """,
        version: "0.1.0",
        subcommands: [Doctor.self, Tasks.self, Predict.self]
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
