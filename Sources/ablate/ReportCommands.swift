import ArgumentParser
import Foundation
import Plots
import Reports
import Inspection
import Runner
import Store

/// What `report` and `compare` share: which database, experiment, metric, threshold and baseline.
struct ReportSelection: ParsableArguments {
    @Argument(help: "The experiment's database, e.g. results/positional.sqlite.")
    var database: String

    @Option(help: "The experiment to report on (default: every experiment in the database).")
    var experiment: String?

    @Option(help: "The accuracy to report: exact_match (whole output right) or token_accuracy.")
    var metric: String = ReportOptions.Metric.exactMatch.rawValue

    @Option(help: "Validation accuracy for the steps-to-threshold column (default: the baseline's stop_at_accuracy, else 0.9).")
    var threshold: Double?

    @Option(help: "The variant effects are measured against.")
    var baseline: String = "baseline"

    func validate() throws {
        guard ReportOptions.Metric(rawValue: metric) != nil else {
            throw ValidationError("--metric must be one of \(ReportOptions.Metric.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(metric)\"")
        }
        if let threshold, !(0...1).contains(threshold) {
            throw ValidationError("--threshold is an accuracy between 0 and 1, got \(threshold)")
        }
    }

    var options: ReportOptions {
        ReportOptions(metric: ReportOptions.Metric(rawValue: metric) ?? .exactMatch, threshold: threshold, baseline: baseline)
    }

    /// Every selected experiment's analysis.
    func analyses() throws -> [ExperimentAnalysis] {
        try ReportInput.analyses(database: database, experiment: experiment, options: options)
    }
}

extension Ablate {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a report of an experiment: reports/NAME.md and a self-contained reports/NAME.html.",
            discussion: """
            Reads the database, and records there the files it writes (as artifacts, with their SHA-256). The report gives the experiment's question, task and baseline; a table per \
            variant (parameters, final validation and test accuracy as mean and 95% interval over seeds, steps to \
            the accuracy threshold, wall time); each variant's effect against the baseline (difference with a \
            bootstrap 95% interval, paired by seed); accuracy per length (or distance, ...) against the lengths seen \
            in training; warnings (failed or diverged runs, unequal seeds, parameter counts more than 10% away from \
            the baseline's); the environment and the commands that reproduce it.

            A tuned experiment ([tune]): the tables are of the final runs, each variant at its own chosen \
            values, and a Tuning section adds what was tuned and how, what each variant chose (a warning when it \
            sits at the edge of the values tried), the effect each at its best beside the effect at the baseline's \
            own setting, each rung's numbers and decisions, the training steps spent (and saved by halving), and a \
            sensitivity figure per tuned setting. Test numbers come from final and untuned runs only.

            Figures are rendered by gnuplot into plots/NAME/ as PNG and SVG, each beside its script \
            (gnuplot plots/NAME/FIGURE.gp renders it again). The HTML embeds them; the Markdown links them.
            """
        )

        @OptionGroup var selection: ReportSelection

        @Option(help: "Where reports are written.")
        var reports = "reports"

        @Option(help: "Where figures are written (one folder per experiment).")
        var plots = "plots"

        func run() throws {
            let analyses = try selection.analyses()
            for analysis in analyses {
                let output = try ReportInput.write(analysis, reportsDirectory: URL(fileURLWithPath: reports, isDirectory: true),
                                                   plotsDirectory: URL(fileURLWithPath: plots, isDirectory: true))
                for line in output.lines(experiment: analysis.data.experiment.name) { print(line) }
                let files = [output.markdown, output.html] + output.figures.flatMap(ArtifactLog.figureFiles(png:))
                do {
                    try ArtifactLog.record(files, experiment: analysis.data.experiment.name, run: nil,
                                           databasePath: selection.database)
                } catch {
                    var standardError = FileHandle.standardError
                    print(Escaping.terminal("warning: the report was written, but recording its files in \(selection.database) failed: \(error)"),
                          to: &standardError)
                }
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an experiment's report tables in the terminal: variants, effects against the baseline, accuracy per length.",
            discussion: "The same numbers as ablate report, without figures or files (for a tuned experiment, its Tuning tables too). Reads only the database."
        )

        @OptionGroup var selection: ReportSelection

        func run() throws {
            for analysis in try selection.analyses() {
                print("\(Escaping.terminal(analysis.data.experiment.name)): \(Escaping.terminal(analysis.data.experiment.question))")
                print()
                for table in analysis.tables() {
                    print(table.text())
                }
                if !analysis.warnings.isEmpty {
                    print("Warnings:")
                    for warning in analysis.warnings { print("  - \(Escaping.terminal(warning))") }
                }
            }
        }
    }
}
