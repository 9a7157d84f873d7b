import ArgumentParser
import Foundation
import Experiments
import Inspection
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

        Exit codes: 0 done; 1 the work failed or found a problem (a run failed, reproduce found a \
        difference, doctor found something missing, the database stayed locked, gnuplot failed); 2 bad \
        input, with nothing written (a usage error, an experiment file that does not validate, a \
        database, checkpoint or run that does not exist or cannot be used). Errors go to standard error \
        as "error: ..." lines.
        """,
        version: "0.1.0",
        subcommands: [Doctor.self, Tasks.self, Validate.self, Run.self, Submit.self, Merge.self, Status.self, Export.self, Report.self, Compare.self, Plot.self,
                      Reproduce.self, Eval.self, Predict.self, Bench.self, Worker.self]
    )

    /// Parses, runs, and maps what went wrong to one exit code (ExitStatus.swift).
    static func main() {
        lineBufferStandardOutput()
        ExitStatus.main(Array(CommandLine.arguments.dropFirst()))
    }
}

/// Lines reach a log file or a pipe (`ablate run > log`, `| tee`) as they are printed, not when the
/// C library's buffer fills. (C's `stdout` is looked up by name: Swift 6 refuses a reference to the
/// global variable itself as not concurrency-safe.)
func lineBufferStandardOutput() {
    #if canImport(Glibc)
    guard let symbol = dlsym(nil, "stdout") else { return }
    let stream = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
    if let stream { setvbuf(stream, nil, _IOLBF, 0) }
    #endif
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}

/// Loads an experiment file; its errors (file:line: key: message) exit 2.
func loadExperiment(_ path: String) throws -> Experiment {
    try ExperimentLoader.load(path: path)
}

/// The absolute path of this executable, to start workers.
func executablePath() -> String {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
    return CommandLine.arguments[0]
}
