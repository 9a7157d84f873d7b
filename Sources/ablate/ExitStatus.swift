import ArgumentParser
import Experiments
import Foundation
import Models
import Plots
import Reports
import Inspection
import Runner
import Settings
import Store
import Tasks
import Training

/// The one place where errors become exit codes and messages (docs/exit-codes.md lists them).
///
/// - 0: done.
/// - 1: the work itself failed or found a problem: a run failed, `reproduce` found a different metric,
///   `doctor` found something missing, the database stayed locked, gnuplot or sbatch failed, a file
///   could not be written.
/// - 2: the input was wrong, and nothing was written: a usage error (unknown option or subcommand, a
///   missing or malformed value, a value out of range), an experiment file that does not validate, a
///   database, checkpoint or run that does not exist or is not usable.
///
/// Commands throw; they neither print their errors nor choose exit codes themselves, except through
/// `ExitCode` for an outcome that is not an error (a failed check, an incomplete sweep).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2

    /// Parses the command line and runs the command; never returns.
    static func main(_ arguments: [String]) -> Never {
        var command: ParsableCommand
        do {
            command = try Ablate.parseAsRoot(arguments)
        } catch {
            exit(report(error, command: Ablate.self))
        }
        if let problem = EnvironmentInfo.startProblem {
            printErrorText("error: \(problem)")
            exit(badInput)
        }
        do {
            try command.run()
            exit(success)
        } catch {
            exit(report(error, command: type(of: command)))
        }
    }

    /// Prints what went wrong (nothing for a plain exit code) and returns the exit code.
    static func report(_ error: Error, command: ParsableCommand.Type) -> Int32 {
        let parserCode = Ablate.exitCode(for: error)
        switch error {
        case let exit as ExitCode:
            return exit.rawValue
        case _ where parserCode == .success:
            // --help, --version, `ablate help SUBCOMMAND`: requests, not errors; their text goes to standard output.
            print(Ablate.fullMessage(for: error))
            return success
        case _ where parserCode == .validationFailure && !(error is ValidationError):
            // ArgumentParser's own errors (unknown option or subcommand, a missing or malformed value) and
            // the validate() of a command: the message with the subcommand's usage, in our form.
            printErrorText(lowercasedPrefix(Ablate.fullMessage(for: error)))
            return badInput
        case let error as ValidationError:
            // A usage error found in run(): the same form as one found while parsing.
            printError(error)
            printErrorText(usage(of: command))
            return badInput
        default:
            printError(error)
            return code(for: error)
        }
    }

    /// The exit code of an error a command threw: 2 for input that a user can correct, 1 for a failure
    /// while doing the work.
    static func code(for error: Error) -> Int32 {
        switch error {
        case is ValidationError, is ExperimentError, is ReportError, is StoredRun.Problem, is MatrixFigures.Problem,
             is PredictionError, is SettingError, is CheckpointError, is SafetensorsError, is ModelLoadError,
             is TaskConfigError, is Dataset.InfeasibleError, is LearningRateScheduleError,
             is Formatting.Mismatch, is MemoryProblem, is PositionsExceeded:
            return badInput
        case let error as StoreError:
            return error.isBadInput ? badInput : failure
        case let error as ClusterError:
            return error.isUserError ? badInput : failure
        case is PlotError, is BenchError:
            return failure
        default:
            return failure
        }
    }

    /// ArgumentParser's "Error: ..." as "error: ...", like every other error ablate prints.
    private static func lowercasedPrefix(_ text: String) -> String {
        text.hasPrefix("Error: ") ? "error: " + text.dropFirst("Error: ".count) : text
    }

    /// "Usage: ablate SUBCOMMAND ..." and where to read more, for a usage error found in `run()`.
    static func usage(of command: ParsableCommand.Type) -> String {
        let name = ([Ablate.configuration.commandName ?? "ablate"] + commandPath(command)).joined(separator: " ")
        return "Usage: " + Ablate.usageString(for: command).replacingOccurrences(of: "Usage: ", with: "")
            + "\n  See '\(name) --help' for more information."
    }

    /// The subcommand names from the root to `command` (e.g. ["plot", "attention"]).
    private static func commandPath(_ command: ParsableCommand.Type) -> [String] {
        func search(_ node: ParsableCommand.Type, _ path: [String]) -> [String]? {
            if node == command { return path }
            for child in node.configuration.subcommands {
                let name = child.configuration.commandName ?? child._commandName
                if let found = search(child, path + [name]) { return found }
            }
            return nil
        }
        return search(Ablate.self, []) ?? []
    }
}

/// Prints an error as "error: MESSAGE" on standard error. The message may hold user text (names from
/// experiment files, paths, values): each of its lines is escaped for the terminal, so no control
/// character or bidirectional override reaches it raw.
func printError(_ error: Error) {
    printErrorText("error: \(error)")
}

/// Prints text on standard error, each line escaped for the terminal: control characters and
/// bidirectional overrides as `\u{1B}`, ...; backslashes stay as they are, so that a message that
/// quotes TOML (`\u001B`, `"a\"b"`) reads as written.
func printErrorText(_ text: String) {
    var standardError = FileHandle.standardError
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.unicodeScalars.map { $0 == "\\" ? "\\" : Escaping.terminal(String($0)) }.joined()
    }
    print(lines.joined(separator: "\n"), to: &standardError)
}
