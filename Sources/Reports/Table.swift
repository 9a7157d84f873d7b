// A plain table of strings rendered to Markdown (GFM), to HTML and to plain
// text for a terminal. Cells are untrusted text and are always escaped by the
// renderers.

public struct Table: Equatable, Sendable {
    public enum Alignment: Equatable, Sendable { case left, right, center }

    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    /// Per column; missing entries mean `.left`.
    public var alignments: [Alignment]

    public init(title: String, columns: [String], rows: [[String]], alignments: [Alignment] = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.alignments = alignments
    }

    /// Number of columns rendered: the widest of the header and the rows, so no
    /// cell is ever dropped; short rows and headers are padded with empty cells.
    public var width: Int { max(columns.count, rows.map(\.count).max() ?? 0) }

    private func padded(_ cells: [String]) -> [String] {
        cells + Array(repeating: "", count: width - cells.count)
    }

    private func alignment(_ column: Int) -> Alignment {
        column < alignments.count ? alignments[column] : .left
    }

    /// GFM table preceded by a `### title` heading (omitted when the title is empty).
    /// Ends with a newline.
    public func markdown() -> String {
        guard width > 0 else { return title.isEmpty ? "" : "### \(Escaping.markdownCell(title))\n" }
        var lines: [String] = []
        if !title.isEmpty { lines.append("### \(Escaping.markdownCell(title))"); lines.append("") }
        func row(_ cells: [String]) -> String {
            "| " + padded(cells).map(Escaping.markdownCell).joined(separator: " | ") + " |"
        }
        lines.append(row(columns))
        lines.append("|" + (0..<width).map { column -> String in
            switch alignment(column) {
            case .left: return " --- "
            case .right: return " ---: "
            case .center: return " :---: "
            }
        }.joined(separator: "|") + "|")
        for cells in rows { lines.append(row(cells)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Plain text for a terminal: the title on its own line (omitted when
    /// empty), the header, a rule of dashes, then one line per row. Columns are
    /// padded to their widest cell, counted in Characters (grapheme clusters,
    /// so "é" is one whether precomposed or not; East Asian wide characters and
    /// emoji take two cells in most terminals and will misalign), and separated
    /// by two spaces; `.right` columns are right-aligned, `.center` ones centred.
    /// Trailing spaces are trimmed. Every cell and the title go through
    /// `Escaping.terminal(_:)`, so no cell can move the cursor, change colours
    /// or break a row. Ends with a newline; an empty table with no title is "".
    public func text() -> String {
        var lines: [String] = []
        if !title.isEmpty { lines.append(Escaping.terminal(title)) }
        guard width > 0 else { return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }
        let header = padded(columns).map(Escaping.terminal)
        let body = rows.map { padded($0).map(Escaping.terminal) }
        // At least 1, so an all-empty column still gets its dash in the rule.
        let widths = (0..<width).map { column in
            max(([header] + body).map { $0[column].count }.max() ?? 0, 1)
        }
        func line(_ cells: [String]) -> String {
            var out = cells.enumerated().map { column, cell -> String in
                let gap = widths[column] - cell.count
                switch alignment(column) {
                case .left: return cell + String(repeating: " ", count: gap)
                case .right: return String(repeating: " ", count: gap) + cell
                case .center:
                    return String(repeating: " ", count: gap / 2) + cell + String(repeating: " ", count: gap - gap / 2)
                }
            }.joined(separator: "  ")
            while out.last == " " { out.removeLast() }
            return out
        }
        lines.append(line(header))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for cells in body { lines.append(line(cells)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An XHTML-compatible `<table>` with the title as `<caption>`.
    public func html() -> String {
        func attribute(_ column: Int) -> String {
            switch alignment(column) {
            case .left: return ""
            case .right: return " class=\"num\""
            case .center: return " class=\"center\""
            }
        }
        var out = "<table>\n"
        if !title.isEmpty { out += "<caption>\(Escaping.html(title))</caption>\n" }
        if width > 0 {
            out += "<thead><tr>"
            for (column, cell) in padded(columns).enumerated() {
                out += "<th scope=\"col\"\(attribute(column))>\(Escaping.html(cell))</th>"
            }
            out += "</tr></thead>\n<tbody>\n"
            for cells in rows {
                out += "<tr>"
                for (column, cell) in padded(cells).enumerated() {
                    out += "<td\(attribute(column))>\(Escaping.html(cell))</td>"
                }
                out += "</tr>\n"
            }
            out += "</tbody>\n"
        }
        out += "</table>\n"
        return out
    }
}
