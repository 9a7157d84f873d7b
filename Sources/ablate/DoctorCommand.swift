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
                let width = report.checks.map(\.name.count).max() ?? 0
                for check in report.checks {
                    let mark = check.ok ? "ok  " : "FAIL"
                    print("\(mark)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.value)")
                    if let fix = check.fix { print("      \(String(repeating: " ", count: width))  fix: \(fix)") }
                    if let note = check.note { print("      \(String(repeating: " ", count: width))  note: \(note)") }
                }
                print(report.ok ? "\nEverything ablate needs is in place." : "\nSome checks failed; see the fixes above.")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
