import Foundation
import Plots
import Store

/// `ablate report`: reads an experiment from its database, renders its figures with gnuplot into
/// `plots/STEM/` (each with its script), and writes `reports/STEM.md` (figures linked) and
/// `reports/STEM.html` (self-contained, figures embedded). STEM is the experiment's file stem, which
/// the caller gives (the Runner, from `FileNames.stem(_:)` in Experiments, which Reports does not see).
public enum ReportWriter {
    public struct Output: Sendable {
        public var markdown: URL
        public var html: URL
        /// Each figure's PNG (its .svg and .gp are beside it).
        public var figures: [URL]
        public var warnings: [String]
    }

    /// Opens the database for reading only (`ResultStore(readingAt:)`): a missing file is an error,
    /// never created, and the file is left byte for byte as it was.
    public static func openStore(_ path: String) throws -> ResultStore {
        guard FileManager.default.fileExists(atPath: path) else { throw ReportError.noDatabase(path) }
        return try ResultStore(readingAt: path)
    }

    /// The experiments to report on: `name` if given (it must exist), else every experiment in the file.
    public static func experimentNames(in store: ResultStore, databasePath: String, name: String?) throws -> [String] {
        let known = try store.experiments().map(\.name)
        if let name {
            guard known.contains(name) else { throw ReportError.unknownExperiment(name, database: databasePath, known: known) }
            return [name]
        }
        guard !known.isEmpty else { throw ReportError.emptyDatabase(databasePath) }
        return known
    }

    /// Renders the figures and writes both documents. Figures go to `plotsDirectory/STEM/`, the
    /// documents to `reportsDirectory/STEM.md` and `.html` (written whole, then moved into place).
    /// `fileStem` must be one safe path component (no `/`, not `.` or `..`).
    public static func write(_ analysis: ExperimentAnalysis, fileStem name: String, reportsDirectory: URL, plotsDirectory: URL) throws -> Output {
        precondition(!name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0"),
                     "a file stem is one path component")
        let figureDirectory = plotsDirectory.appendingPathComponent(name, isDirectory: true)
        var rendered: [(figure: ReportFigure, png: [UInt8], link: String)] = []
        var pngs: [URL] = []
        for figure in analysis.figures() {
            let files = try Gnuplot.render(figure.figure, to: figureDirectory, name: figure.name)
            let bytes = [UInt8](try Data(contentsOf: files.png))
            rendered.append((figure, bytes, relativeLink(from: reportsDirectory, to: files.png)))
            pngs.append(files.png)
        }
        let (title, sections) = analysis.document(figures: rendered, fileStem: name)
        try FileManager.default.createDirectory(at: reportsDirectory, withIntermediateDirectories: true)
        let markdown = reportsDirectory.appendingPathComponent(name + ".md")
        let html = reportsDirectory.appendingPathComponent(name + ".html")
        try ReportRendering.markdown(title: title, sections: sections).write(to: markdown, atomically: true, encoding: .utf8)
        try ReportRendering.html(title: title, sections: sections).write(to: html, atomically: true, encoding: .utf8)
        return Output(markdown: markdown, html: html, figures: pngs, warnings: analysis.warnings)
    }

    /// The path of `file` relative to `directory`, percent-encoded for a Markdown link.
    static func relativeLink(from directory: URL, to file: URL) -> String {
        let from = directory.standardizedFileURL.pathComponents
        let to = file.standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count) && from[common] == to[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        let path = parts.joined(separator: "/")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/._-~")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}
