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
        subcommands: [Doctor.self, Tasks.self, Validate.self, Run.self, Submit.self, Merge.self, Status.self, Export.self, Report.self, Compare.self, Plot.self,
                      Reproduce.self, Eval.self, Predict.self, Bench.self, Worker.self]
    )
}

/// Prints a user error as one line on standard error.
func printError(_ error: Error) {
    var standardError = FileHandle.standardError
    print("error: \(error)", to: &standardError)
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
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

/// The absolute path of this executable, to start workers.
func executablePath() -> String {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
    return CommandLine.arguments[0]
}
