import ArgumentParser
import Experiments
import Foundation
import Reports
import Inspection
import Runner
import Store
import Tasks

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
            let (store, record) = try StoredRun.find(runKey, database: database)
            print("reproducing \(Escaping.terminal(record.variant)) seed \(record.seed) (\(record.key.prefix(16))) ...")
            let result = try StoredRun.reproduce(record, store: store)
            if let difference = result.firstDifference {
                print("DIFFERENT: \(Escaping.terminal(difference)) (after \(result.compared) identical values)")
                throw ExitCode(ExitStatus.failure)
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

        /// The sizes of --length.
        var sizes: ClosedRange<Int>? {
            let bounds = length.components(separatedBy: "...")
            guard bounds.count <= 2, let low = Int(bounds[0]), let high = Int(bounds.count == 2 ? bounds[1] : bounds[0]),
                  low <= high else { return nil }
            return low...high
        }

        func validate() throws {
            guard let sizes else {
                throw ValidationError("--length takes a size such as 24 or a range such as 16...32, got \"\(length)\"")
            }
            do {
                try StoredRun.checkEvaluationOptions(sizes: sizes, perSize: examples)
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            guard let sizes else { throw ValidationError("--length takes a size such as 24 or a range such as 16...32") }
            let (store, found) = try StoredRun.find(runKey, database: database)
            let evaluation = try StoredRun.evaluate(found, store: store, sizes: sizes, perSize: examples)
            print("\(Escaping.terminal(found.variant)) seed \(found.seed) (\(found.key.prefix(16)))")
            for label in evaluation.sliceLabels {
                let m = evaluation.slices[label]!
                print(String(format: "  %@  loss %.4f  token accuracy %.4f  exact match %.4f  (%d examples)",
                             label, m.loss, m.tokenAccuracy, m.exactMatch, m.examples))
            }
            let o = evaluation.overall
            print(String(format: "  all      loss %.4f  token accuracy %.4f  exact match %.4f  (%d examples)",
                         o.loss, o.tokenAccuracy, o.exactMatch, o.examples))
        }
    }
}
