import ArgumentParser
import Foundation
import Runner

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
        subcommands: [Doctor.self]
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
