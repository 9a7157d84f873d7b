import ArgumentParser
import Experiments
import Foundation
import Inspection
import Runner
import Store
import Tasks

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
        }
    }
}
