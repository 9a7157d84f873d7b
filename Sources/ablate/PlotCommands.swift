import ArgumentParser
import Foundation
import Reports
import Plots
import Inspection
import Runner
import Store

extension Ablate {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw heatmaps: a trained run's attention, or positional encodings.",
            discussion: """
            Every figure is rendered by gnuplot as NAME.png and NAME.svg, with the script NAME.gp beside \
            them: the data are inline, so `gnuplot NAME.gp` re-renders the figure after you edit it.
            """,
            subcommands: [Attention.self, Positional.self]
        )
    }
}

extension Ablate.Plot {
    struct Attention: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Heatmaps of what a trained run attends to on one test example, per layer and head.",
            discussion: """
            Loads the run's final checkpoint, draws test example N (counting from 1) as the run's final test \
            evaluation draws them, from the run's seed, at the largest training size unless --length says \
            otherwise, and writes one figure per attention kind, layer and head: encoder self-attention, \
            decoder (masked) self-attention, decoder cross-attention, or the RNN's alignment. Queries are \
            rows, keys columns, with the tokens on the axes; cross-attention and alignment rows are labelled \
            with the target token the step predicts.

            Default folder: plots/EXPERIMENT/attention-KEY-example-N/ (KEY: the first 16 hex digits of the run key).
            """
        )

        @Argument(help: "The run's key, or a prefix of at least 4 hex digits.")
        var runKey: String

        @Option(help: "Which test example to draw, counting from 1.")
        var example = 1

        @Option(help: "The example's size (length, distance, pairs, depth or digits, as the task defines it; default: the largest training size).")
        var length: Int?

        @Option(help: "The database (default: search results/*.sqlite).")
        var database: String?

        @Option(help: "The folder to write the figures to (default: plots/EXPERIMENT/attention-KEY-example-N).")
        var output: String?

        func run() throws {
            let (store, found) = try StoredRun.find(runKey, database: database)
            let result = try MatrixFigures.attention(run: found, store: store, example: example, size: length)
            try MatrixFigures.checkGnuplot()
            print("\(StoredRun.title(found)), test example \(example), \(result.sizeName) \(result.size)")
            print("  source: \(result.source.joined(separator: " "))")
            print("  target: \(result.target.joined(separator: " "))")
            let files = try MatrixFigures.render(result.figures, to: output ?? MatrixFigures.attentionDirectory(for: found, example: example)) { print($0) }
            warnIfUnrecorded(ArtifactLog.recordFigures(files, run: found, database: store.path))
        }
    }

    struct Positional: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Heatmaps of a positional encoding (positions x dimensions) and of the cosine similarity between positions.",
            discussion: """
            --kind sinusoidal draws the paper's fixed sines and cosines for --length positions of a model of \
            size --d-model. --run draws the encoding of a trained run instead: its learned tables (encoder and \
            decoder) or its sinusoidal table at the model's size. Kinds without a matrix (none, rope, alibi) \
            are refused.

            Default folder: plots/positional-KIND/, or plots/EXPERIMENT/positional-KEY/ with --run.
            """
        )

        @Option(help: "The encoding: sinusoidal (learned tables need --run).")
        var kind: String?

        @Option(name: .customLong("run"), help: "A run whose checkpoint's encoding to draw: its key or a prefix of at least 4 hex digits.")
        var runKey: String?

        @Option(help: "Positions to draw.")
        var length = 64

        @Option(name: .customLong("d-model"), help: "The model size (dimensions) of a --kind encoding.")
        var modelSize = 64

        @Option(help: "The database to find --run in (default: search results/*.sqlite).")
        var database: String?

        @Option(help: "The folder to write the figures to (default: plots/positional-KIND, or plots/EXPERIMENT/positional-KEY).")
        var output: String?

        func run() throws {
            let figures: [MatrixFigure]
            let directory: String
            var source: (store: ResultStore, run: RunRecord)? = nil
            switch (kind, runKey) {
            case (let kind?, nil):
                figures = try MatrixFigures.positional(kind: kind, length: length, modelSize: modelSize)
                directory = output ?? MatrixFigures.positionalDirectory(kind: kind, run: nil)
            case (nil, let key?):
                let (store, found) = try StoredRun.find(key, database: database)
                figures = try MatrixFigures.positional(run: found, store: store, length: length)
                directory = output ?? MatrixFigures.positionalDirectory(kind: nil, run: found)
                source = (store, found)
            default:
                throw MatrixFigures.Problem("give either --kind (e.g. --kind sinusoidal) or --run RUN")
            }
            try MatrixFigures.checkGnuplot()
            let files = try MatrixFigures.render(figures, to: directory) { print($0) }
            if let (store, found) = source {
                warnIfUnrecorded(ArtifactLog.recordFigures(files, run: found, database: store.path))
            }
        }
    }
}

/// Records a run's figure files as its artifacts; when the database cannot be written (a read-only
/// file or folder) the figures stay written and one warning line says so.

private func warnIfUnrecorded(_ warning: String?) {
    guard let warning else { return }
    var standardError = FileHandle.standardError
    print(warning, to: &standardError)
}
