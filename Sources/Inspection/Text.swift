import Foundation
import Runner
import Plots
import Reports
import Store
import Training

// What the inspection commands print, as lines: the executable prints them and tests read them.
// Every piece of user text (variant names, messages, paths) is escaped for the terminal here.

extension DoctorReport {
    /// `ablate doctor`'s table: one line per check ("ok  " or "FAIL", the name padded, the value), a
    /// "fix:" and a "note:" line under it when it has one, and a closing sentence.
    public var lines: [String] {
        let width = checks.map(\.name.count).max() ?? 0
        let indent = "      " + String(repeating: " ", count: width) + "  "
        var lines: [String] = []
        for check in checks {
            let mark = check.ok ? "ok  " : "FAIL"
            lines.append("\(mark)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.value)")
            if let fix = check.fix { lines.append(indent + "fix: \(fix)") }
            if let note = check.note { lines.append(indent + "note: \(note)") }
        }
        lines.append(ok ? "\nEverything ablate needs is in place." : "\nSome checks failed; see the fixes above.")
        return lines
    }
}

extension StoredRun {
    /// "no-positional seed 2 (0123456789abcdef)": how the commands on one stored run name it.
    public static func title(_ run: RunRecord) -> String {
        "\(Escaping.terminal(run.variant)) seed \(run.seed) (\(run.key.prefix(16)))"
    }

    /// The sizes of `ablate eval --length`: "24" or "16...32"; nil for anything else.
    public static func sizes(fromLength text: String) -> ClosedRange<Int>? {
        let bounds = text.components(separatedBy: "...")
        guard bounds.count <= 2, let low = Int(bounds[0]), let high = Int(bounds.count == 2 ? bounds[1] : bounds[0]),
              low <= high else { return nil }
        return low...high
    }

    /// `ablate eval`'s table: the run's title (`title(_:)`), then loss, token accuracy and exact match per size and over all.
    public static func evaluationLines(_ evaluation: Evaluation, title: String) -> [String] {
        var lines = [title]
        for label in evaluation.sliceLabels {
            guard let m = evaluation.slices[label] else { continue }
            lines.append(String(format: "  %@  loss %.4f  token accuracy %.4f  exact match %.4f  (%d examples)",
                                label, m.loss, m.tokenAccuracy, m.exactMatch, m.examples))
        }
        let o = evaluation.overall
        lines.append(String(format: "  all      loss %.4f  token accuracy %.4f  exact match %.4f  (%d examples)",
                            o.loss, o.tokenAccuracy, o.exactMatch, o.examples))
        return lines
    }
}

extension StoredRun.Reproduction {
    /// "identical: all N stored metrics and slices of KEY reproduced bit for bit", or "DIFFERENT: ..."
    /// naming the first value that differs.
    public func verdict(key: String) -> String {
        if let firstDifference {
            return "DIFFERENT: \(Escaping.terminal(firstDifference)) (after \(compared) identical values)"
        }
        return "identical: all \(compared) stored metrics and slices of \(key.prefix(16)) reproduced bit for bit"
    }
}

extension MatrixFigures {
    /// Renders each figure with gnuplot into `directory` (NAME.gp, NAME.png, NAME.svg), calling `wrote`
    /// with a "wrote PATH" line per file; returns the files in order.
    public static func render(_ figures: [MatrixFigure], to directory: String, wrote: (String) -> Void) throws -> [URL] {
        let folder = URL(fileURLWithPath: directory)
        var written: [URL] = []
        for figure in figures {
            let files = try Gnuplot.render(figure.heatmap, to: folder, name: figure.name)
            for file in [files.script, files.png, files.svg] { wrote("wrote \(Escaping.terminal(file.path))") }
            written += [files.script, files.png, files.svg]
        }
        return written
    }
}

extension ArtifactLog {
    /// Records figures drawn from `run` in its database; a failure there does not undo the figures, so
    /// it comes back as a warning line to print (nil when recorded).
    public static func recordFigures(_ files: [URL], run: RunRecord, database: String) -> String? {
        do {
            try record(files, experiment: run.experiment, run: run.key, databasePath: database)
            return nil
        } catch {
            return "warning: the figures were written, but recording them in \(Escaping.terminal(database)) failed: \(Escaping.terminal("\(error)"))"
        }
    }
}

extension ReportWriter.Output {
    /// What `ablate report` says of one experiment: the files it wrote (relative to the working
    /// directory where they lie inside it) and how many warnings the report holds.
    public func lines(experiment: String) -> [String] {
        func relative(_ url: URL?) -> String { url.map { relativePath($0.path) } ?? "-" }
        var lines = [Escaping.terminal("\(experiment): wrote \(relative(markdown)), \(relative(html)) "
                                       + "and \(figures.count) figures in \(relative(figures.first?.deletingLastPathComponent()))")]
        if !warnings.isEmpty {
            lines.append("  \(warnings.count) warning(s): see the report's Warnings section (or ablate compare)")
        }
        return lines
    }
}
