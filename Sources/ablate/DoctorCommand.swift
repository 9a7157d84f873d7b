import ArgumentParser
import Experiments
import Foundation
import Inspection
import Runner
import Store
import Tasks

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
            let report = Inspection.Doctor.run(gemmSize: size)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                for line in report.lines { print(line) }
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
