import Foundation

/// A matrix drawn as an image, e.g. one attention head's weights (query rows,
/// key columns) or the cosine similarity between positional encodings.
/// Row 0 is drawn at the top, as matrices are usually read.
public struct Heatmap: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Row-major values; every row should have the same length (short rows are padded with NaN).
    public var rows: [[Double]]
    /// Optional tick labels (e.g. the tokens); escaped like every label.
    public var xTicks: [String]?
    public var yTicks: [String]?
    /// Fixed colour range (e.g. 0...1 for attention weights); nil lets gnuplot choose.
    public var range: ClosedRange<Double>?
    public var colourLabel: String

    public init(
        title: String, xLabel: String, yLabel: String, rows: [[Double]],
        xTicks: [String]? = nil, yTicks: [String]? = nil,
        range: ClosedRange<Double>? = nil, colourLabel: String = ""
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.rows = rows
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.range = range
        self.colourLabel = colourLabel
    }
}

extension Gnuplot {
    /// The heatmap script: the matrix as an inline data block, then PNG and SVG.
    public static func script(for heatmap: Heatmap, output: String) -> String {
        let columns = max(heatmap.rows.map(\.count).max() ?? 0, 1)
        let rows = heatmap.rows.isEmpty ? [[Double]](repeating: [.nan], count: 1) : heatmap.rows
        var lines: [String] = []
        lines.append("# Written by ablate (Plots). Re-render with: gnuplot <this file>")
        lines.append("reset")
        lines += outputPrelude
        lines.append("$matrix << EOD")
        for row in rows {
            let padded = row + [Double](repeating: .nan, count: columns - row.count)
            lines.append(padded.map(number).joined(separator: " "))
        }
        lines.append("EOD")
        lines.append("set terminal pngcairo noenhanced size 900,800 font 'Sans,11'")
        lines.append(outputLine(output, "png"))
        lines.append("set title \(quote(heatmap.title)) noenhanced")
        lines.append("set xlabel \(quote(heatmap.xLabel)) noenhanced")
        lines.append("set ylabel \(quote(heatmap.yLabel)) noenhanced")
        lines.append("set cblabel \(quote(heatmap.colourLabel)) noenhanced")
        lines.append("set size ratio -1")
        lines.append("set xrange [-0.5:\(columns) - 0.5]")
        lines.append("set yrange [\(rows.count) - 0.5:-0.5]")
        lines.append("set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')")
        if let range = heatmap.range {
            lines.append("set cbrange [\(number(range.lowerBound)):\(number(range.upperBound))]")
        }
        if let ticks = heatmap.xTicks, !ticks.isEmpty {
            let list = ticks.enumerated().map { "\(quote($0.element)) \($0.offset)" }.joined(separator: ", ")
            lines.append("set xtics (\(list)) rotate by 90 right noenhanced")
        }
        if let ticks = heatmap.yTicks, !ticks.isEmpty {
            let list = ticks.enumerated().map { "\(quote($0.element)) \($0.offset)" }.joined(separator: ", ")
            lines.append("set ytics (\(list)) noenhanced")
        }
        lines.append("plot $matrix matrix with image notitle")
        lines.append("set terminal svg noenhanced size 900,800 dynamic font 'Sans,11'")
        lines.append(outputLine(output, "svg"))
        lines.append("replot")
        lines.append("unset output")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `directory/name.gp` and renders `directory/name.png` and `directory/name.svg`.
    @discardableResult
    public static func render(
        _ heatmap: Heatmap, to directory: URL, name: String
    ) throws -> (png: URL, svg: URL, script: URL) {
        try render(script(for: heatmap, output: name), to: directory, name: name)
    }
}
