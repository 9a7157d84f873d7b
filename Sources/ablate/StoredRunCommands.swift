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
            discussion: "Prints identical, or the first metric that differs (exit 1). The run is named by its key or a prefix of it. "
                + "It retrains on the GEMM path the run recorded (ABLATE_GEMM when it was trained: openblas or ordered) and says so; "
                + "with OpenBLAS, a run trained on another kernel (another CPU) can differ in the last bits, which it says too."
        )

        @Argument(help: "The run's key, or a prefix of at least 4 hex digits.")
        var runKey: String

        @Option(help: "The database (default: search results/*.sqlite).")
        var database: String?

        func run() throws {
            let (store, record) = try StoredRun.find(runKey, database: database)
            print("reproducing \(StoredRun.title(record)) ...")
            let result = try StoredRun.reproduce(record, store: store)
            for note in result.notes { print("note: \(note)") }
            print(result.verdict(key: record.key))
            if result.firstDifference != nil { throw ExitCode(ExitStatus.failure) }
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
        var sizes: ClosedRange<Int>? { StoredRun.sizes(fromLength: length) }

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
            for line in StoredRun.evaluationLines(evaluation, title: StoredRun.title(found)) { print(line) }
        }
    }
}
