import Foundation

public enum PlotError: Error, CustomStringConvertible {
    case gnuplotNotFound(String)
    case gnuplotFailed(status: Int32, stderr: String)
    case missingOutput(URL)

    public var description: String {
        switch self {
        case .gnuplotNotFound(let detail):
            return "gnuplot could not be started (\(detail)); install gnuplot (e.g. apt-get install gnuplot-nox)"
        case .gnuplotFailed(let status, let stderr):
            return "gnuplot exited with status \(status): \(stderr)"
        case .missingOutput(let url):
            return "gnuplot did not write \(url.path)"
        }
    }
}

/// Builds gnuplot scripts as text and runs gnuplot as a process.
///
/// Every user-visible string goes through `quote(_:)`: a single-quoted gnuplot
/// string (no backtick substitution, no backslash escapes, '' for a quote) with
/// control characters replaced, and every terminal runs `noenhanced`, so text
/// is shown as written and never evaluated.
public enum Gnuplot {
    /// Colour-blind-friendly palette (Okabe-Ito, then Tol's muted), indexed by
    /// a variant's position in `Figure.palette`.
    public static let colours: [String] = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
        "#332288", "#117733", "#44AA99", "#88CCEE", "#DDCC77", "#CC6677", "#AA4499", "#882255",
    ]

    /// The colour of a series called `name`, given the experiment's variant list.
    public static func colour(for name: String, in palette: [String]) -> String {
        if let index = palette.firstIndex(of: name) {
            return colours[index % colours.count]
        }
        // FNV-1a over the UTF-8 bytes: stable across runs and platforms
        // (unlike Hasher, which is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return colours[Int(hash % UInt64(colours.count))]
    }

    /// `text` as a gnuplot single-quoted string literal, safe to splice into a script.
    public static func quote(_ text: String) -> String {
        var out = "'"
        for character in text {
            if character == "'" {
                out += "''"
            } else if character.isNewline || character == "\t" {
                out += " "
            } else if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                out += "\u{FFFD}"
            } else {
                out.append(character)
            }
        }
        return out + "'"
    }

    /// A number as gnuplot reads it; non-finite values become NaN (a gap).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// A tick label as drawn: labels longer than `Figure.longestTick` characters
    /// are cut with an ellipsis, so that a long variant name cannot squeeze the
    /// plot or run off the picture (the key still shows the whole name).
    static func tickLabel(_ label: String) -> String {
        label.count > Figure.longestTick ? String(label.prefix(Figure.longestTick - 1)) + "\u{2026}" : label
    }

    /// A range bound as gnuplot reads it; an infinite bound is left to autoscaling.
    static func bound(_ value: Double) -> String {
        value.isFinite ? number(value) : "*"
    }

    /// Where bars go. At each x, the series with a point there stand side by
    /// side in series order, centred on x; all bars have one width, set by the
    /// x with the most bars. So groups (one x per split, one series per variant)
    /// and one-bar-per-variant layouts (each series at its own x) are both
    /// centred on their ticks, and no two bars overlap.
    struct BarLayout {
        /// Finite x values with at least one bar, ascending.
        let xs: [Double]
        /// The smallest distance between two such x values (1 when there is only one).
        let spacing: Double
        let barWidth: Double
        /// x -> positions (in the drawn series) of the series with a bar there.
        private let occupants: [Double: [Int]]

        init(_ series: [Series]) {
            var occupants: [Double: [Int]] = [:]
            for (position, one) in series.enumerated() {
                for x in Set(one.points.map(\.x)) where x.isFinite {
                    occupants[x, default: []].append(position)
                }
            }
            let xs = occupants.keys.sorted()
            let spacing = zip(xs, xs.dropFirst()).map { $1 - $0 }.min() ?? 1.0
            let slots = occupants.values.map(\.count).max() ?? 1
            self.xs = xs
            self.spacing = spacing
            self.barWidth = 0.8 * spacing / Double(max(slots, 1))
            self.occupants = occupants
        }

        /// The centre of the bar of the series at `position` at `x` (x itself when it has none there).
        func centre(series position: Int, x: Double) -> Double {
            guard let list = occupants[x], let slot = list.firstIndex(of: position) else { return x }
            return x + barWidth * (Double(slot) - Double(list.count) / 2 + 0.5)
        }
    }

    /// The script's first lines: `ablate_dir` becomes the folder of the script as gnuplot was given
    /// it (`gnuplot plots/x/fig.gp` -> "plots/x/"), so the figure's files are written beside the
    /// script from wherever it is run, and no path of the machine that wrote it is inside.
    static let outputPrelude: [String] = [
        "ablate_dir = ''",
        "if (exists(\"ARG0\") && strlen(ARG0) > 0) {",
        "    ablate_i = strlen(ARG0)",
        "    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }",
        "    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }",
        "}",
    ]

    /// `set output` for the file `NAME.ext` beside the script; `output` may be a path, of which only
    /// the last component is used.
    static func outputLine(_ output: String, _ ext: String) -> String {
        let name = output.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? output
        return "set output ablate_dir.\(quote(name + "." + ext))"
    }

    /// The full script: inline data blocks, then a PNG and an SVG of the same plot.
    /// `output` is the path without extension; `output.png` and `output.svg` are written.
    public static func script(for figure: Figure, output: String) -> String {
        var lines: [String] = []
        lines.append("# Written by ablate (Plots). Re-render with: gnuplot <this file>")
        lines.append("reset")
        lines += outputPrelude

        let drawn = figure.series.enumerated().filter { !$0.element.points.isEmpty }
        let bars = figure.kind == .bars ? BarLayout(drawn.map(\.element)) : nil

        // Data blocks first: they hold only numbers. Bars get one more column,
        // the x at which the bar (and its error bar) is drawn.
        for (position, (index, series)) in drawn.enumerated() {
            lines.append("$data\(index) << EOD")
            for point in series.points {
                var row = "\(number(point.x)) \(number(point.y))"
                if let bars { row += " \(number(bars.centre(series: position, x: point.x)))" }
                lines.append(row)
            }
            lines.append("EOD")
            if let band = series.band, !band.isEmpty, figure.kind != .lines {
                lines.append("$band\(index) << EOD")
                for entry in band {
                    var row = "\(number(entry.x)) \(number(entry.low)) \(number(entry.high))"
                    if let bars { row += " \(number(bars.centre(series: position, x: entry.x)))" }
                    lines.append(row)
                }
                lines.append("EOD")
            }
        }

        lines.append("set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'")
        lines.append(outputLine(output, "png"))
        lines.append("set title \(quote(figure.title)) noenhanced")
        lines.append("set xlabel \(quote(figure.xLabel)) noenhanced")
        lines.append("set ylabel \(quote(figure.yLabel)) noenhanced")
        lines.append("set key outside right top noenhanced")
        lines.append("set grid back lc rgb '#dddddd'")
        // On a log axis, ticks read 0.01 and 10, not 0.010000 and 10.000000.
        if figure.logX { lines.append("set logscale x"); lines.append("set format x '%g'") }
        if figure.logY { lines.append("set logscale y"); lines.append("set format y '%g'") }
        let ticks = figure.xTicks.filter { $0.value.isFinite }
        if !ticks.isEmpty {
            let labels = ticks.map { tickLabel($0.label) }
            let list = zip(labels, ticks).map { "\(quote($0)) \(number($1.value))" }.joined(separator: ", ")
            let rotated = labels.contains { $0.count > Figure.rotateTicksAfter }
            lines.append("set xtics (\(list)) nomirror\(rotated ? " rotate by -30 left" : "") noenhanced")
        }
        if let range = figure.yRange {
            lines.append("set yrange [\(bound(range.lowerBound)):\(bound(range.upperBound))]")
        }
        if let range = figure.xRange, figure.kind != .bars {
            lines.append("set xrange [\(bound(range.lowerBound)):\(bound(range.upperBound))]")
        }

        for (index, mark) in figure.marks.enumerated() {
            lines.append(
                "set object \(index + 1) rect from \(number(mark.from)), graph 0 to \(number(mark.to)), graph 1 "
                    + "behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder")
            if let label = mark.label {
                lines.append(
                    "set label \(index + 1) \(quote(label)) at \(number((mark.from + mark.to) / 2)), graph 0.97 "
                        + "center front noenhanced textcolor rgb '#777777'")
            }
        }

        var plots: [String] = []
        switch figure.kind {
        case .lines, .linesWithBand:
            if figure.kind == .linesWithBand {
                for (index, series) in drawn where !(series.band ?? []).isEmpty {
                    let colour = colour(for: series.name, in: figure.palette)
                    plots.append(
                        "$band\(index) using 1:2:3 with filledcurves fillcolor rgb '\(colour)' "
                            + "fillstyle transparent solid 0.2 noborder notitle")
                }
            }
            for (index, series) in drawn {
                let colour = colour(for: series.name, in: figure.palette)
                plots.append(
                    "$data\(index) using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 "
                        + "linecolor rgb '\(colour)' title \(quote(series.name))")
            }
        case .bars:
            guard let bars else { break }
            lines.append("set boxwidth \(number(bars.barWidth)) absolute")
            lines.append("set style fill solid 0.8 noborder")
            // Error bars are drawn through an invisible point; without this gnuplot
            // blanks a small disc around that point, a white hole in the bar.
            lines.append("set pointintervalbox 0.0001")
            // The range covers the bars and any named tick (a variant without data keeps its place).
            let xs = (bars.xs + ticks.map(\.value)).sorted()
            if let first = xs.first, let last = xs.last, !bars.xs.isEmpty {
                let margin = bars.spacing * 0.6
                lines.append("set xrange [\(number(first - margin)):\(number(last + margin))]")
            }
            if figure.yRange == nil { lines.append("set yrange [0:*]") }
            for (index, series) in drawn {
                let colour = colour(for: series.name, in: figure.palette)
                plots.append(
                    "$data\(index) using 3:2 with boxes linecolor rgb '\(colour)' title \(quote(series.name))")
                if let band = series.band, !band.isEmpty {
                    plots.append(
                        "$band\(index) using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 "
                            + "linewidth 1.5 linecolor rgb '#333333' notitle")
                }
            }
        }
        if plots.isEmpty {
            // Nothing to draw: keep the axes and title rather than failing.
            lines.append("set xrange [0:1]")
            if figure.yRange == nil { lines.append("set yrange [0:1]") }
            plots.append("-1 notitle")
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        lines.append("set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'")
        lines.append(outputLine(output, "svg"))
        lines.append("replot")
        lines.append("unset output")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `directory/name.gp` and renders `directory/name.png` and `directory/name.svg`.
    /// The script holds its data inline and writes its files beside itself, so
    /// `gnuplot directory/name.gp` re-renders the figure on its own, from any folder.
    @discardableResult
    public static func render(
        _ figure: Figure, to directory: URL, name: String
    ) throws -> (png: URL, svg: URL, script: URL) {
        try render(script(for: figure, output: name), to: directory, name: name)
    }

    /// Writes `text` as `directory/name.gp`, runs it, and checks that it wrote `name.png` and `name.svg`.
    static func render(_ text: String, to directory: URL, name: String) throws -> (png: URL, svg: URL, script: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let base = directory.standardizedFileURL.appendingPathComponent(name)
        let png = URL(fileURLWithPath: base.path + ".png")
        let svg = URL(fileURLWithPath: base.path + ".svg")
        let scriptURL = URL(fileURLWithPath: base.path + ".gp")
        try text.write(to: scriptURL, atomically: true, encoding: .utf8)
        try run(script: scriptURL, in: directory, expecting: [png, svg])
        return (png, svg, scriptURL)
    }

    /// Runs `gnuplot script` and checks that the expected files exist.
    static func run(script scriptURL: URL, in directory: URL, expecting outputs: [URL]) throws {
        let fileManager = FileManager.default
        for stale in outputs where fileManager.fileExists(atPath: stale.path) {
            try fileManager.removeItem(at: stale)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let executable = ProcessInfo.processInfo.environment["ABLATE_GNUPLOT"] ?? "gnuplot"
        process.arguments = [executable, scriptURL.path]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw PlotError.gnuplotNotFound("\(error)")
        }
        let stderrData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = String(decoding: stderrData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 {
                throw PlotError.gnuplotNotFound(stderr.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            throw PlotError.gnuplotFailed(status: process.terminationStatus, stderr: stderr)
        }
        for file in outputs where !fileManager.fileExists(atPath: file.path) {
            throw PlotError.missingOutput(file)
        }
    }
}
