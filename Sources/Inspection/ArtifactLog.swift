import Experiments
import Foundation
import Runner
import Store

/// Files that `ablate report` and `ablate plot` write, recorded in the experiment's database as
/// artifacts (path, kind, SHA-256, size), so that the database says which figures and reports came
/// from it and a changed file can be told from the one it wrote.
public enum ArtifactLog {
    /// The kind of a written file by its extension: "report" (.md, .html), "figure" (.png, .svg) or
    /// "figure-script" (.gp, the gnuplot script that renders the figure beside it).
    public static func kind(of file: URL) -> String {
        switch file.pathExtension.lowercased() {
        case "md", "html": return "report"
        case "gp": return "figure-script"
        default: return "figure"
        }
    }

    /// A figure's files: its PNG and, beside it, the .svg and .gp of the same name when they exist.
    public static func figureFiles(png: URL) -> [URL] {
        let base = png.deletingPathExtension()
        return [png] + ["svg", "gp"].map { base.appendingPathExtension($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Records `files` as artifacts of `experiment` (and of `run`, for a run's figures) in the database
    /// at `databasePath`, all in one transaction; paths relative to the working directory when inside it.
    ///
    /// - Throws: `StoreError.readOnly` without opening the database when this user cannot write the
    ///   file or its folder (a shared or archived database): the files stay written, unrecorded.
    public static func record(_ files: [URL], experiment: String, run: String?, databasePath: String) throws {
        let folder = (databasePath as NSString).deletingLastPathComponent
        for (path, what) in [(databasePath, "the file"), (folder.isEmpty ? "." : folder, "its folder")] where access(path, W_OK) != 0 {
            throw StoreError.readOnly(path: databasePath, reason: "\(what) is not writable by this user, "
                                      + "so the files written are not recorded in it as artifacts")
        }
        let store = try ResultStore(path: databasePath)
        defer { try? store.close() }
        try record(files, experiment: experiment, run: run, store: store)
    }

    /// Records `files` in a store opened for writing.
    public static func record(_ files: [URL], experiment: String, run: String?, store: ResultStore) throws {
        let records = try files.map { file -> ArtifactRecord in
            let contents = try Data(contentsOf: file)
            let digest = SHA256.hex(bytes: contents)
            return ArtifactRecord(experiment: experiment, run: run, kind: kind(of: file), path: relativePath(file.path),
                                  sha256: digest, bytes: contents.count)
        }
        try store.recordArtifacts(records)
    }
}
