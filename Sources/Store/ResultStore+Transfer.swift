import Foundation
import GRDB

// Moving finished runs from one results file into another: how the shard databases of a cluster
// sweep (one per Slurm task, written by one process each) are folded into the experiment's
// database. Nothing here knows about Slurm: a source is any results file of the same schema.

/// The runs of another results file (a shard), read without changing it, with the rows of its
/// finished runs (`done`, `failed`, `diverged`) ready to be imported by `ResultStore.importRuns`.
public struct RunTransfer: @unchecked Sendable {
    /// The file read.
    public let sourcePath: String
    /// Its applied schema versions ("v1", ...), oldest first.
    public let schemaVersions: [String]
    /// The experiments it holds, by name.
    public let experiments: [String]
    /// Every run it holds, in sweep order (finished or not).
    public let runs: [RunRecord]
    /// Per table (runs, metrics, slices, environment, artifacts): the column names and the raw
    /// values of the finished runs' rows, copied as SQLite stored them (no conversion, so every
    /// bit of a metric and every text of a time stays as it was).
    let tables: [String: TableRows]

    struct TableRows {
        var columns: [String]
        /// Rows by run key.
        var rows: [String: [[DatabaseValue]]]
    }

    /// The finished runs whose rows were read.
    public var finishedRuns: [RunRecord] { runs.filter { $0.status.isFinished } }
}

/// What `importRuns` did.
public struct ImportSummary: Equatable, Sendable {
    /// Runs copied into the database (their keys, in the order imported).
    public var imported: [String] = []
    /// Finished runs of the sources that the database already had finished: left as they are.
    public var alreadyFinished = 0
    /// Runs of the sources that are not finished (pending, running, interrupted): ignored.
    public var unfinished = 0
    public init() {}
}

extension ResultStore {
    /// The schema versions this code writes, oldest first.
    public static var knownSchemaVersions: [String] { Schema.versions }

    /// The tables whose rows belong to a run, copied by `importRuns`.
    static let runTables = ["metrics", "slices", "environment", "artifacts"]

    /// Reads a results file written by another process (a shard) without changing it (opened as
    /// `init(readingAt:)` opens it): no migration, and a missing file is not created.
    ///
    /// - Parameter rows: false to read only the runs (for a progress display), not their rows.
    /// - Throws: `StoreError.transferRefused` for a missing file; what `init(readingAt:)` throws
    ///   for a file that is not an ablate database (`.notADatabase`, `.foreignDatabase`, `.newerSchema`, ...).
    public static func readForTransfer(path: String, rows: Bool = true) throws -> RunTransfer {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.transferRefused(source: path, reason: "the file does not exist")
        }
        let store = try ResultStore(readingAt: path)
        defer { try? store.close() }
        return try store.read { db in
            let versions = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            let ordered = Schema.versions.filter(versions.contains)
            let experiments = try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY name")
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY experiment, position").map(runRecord)
            var tables: [String: RunTransfer.TableRows] = [:]
            if rows {
                let finished = "SELECT key FROM runs WHERE status IN ('done', 'failed', 'diverged')"
                for table in ["runs"] + runTables {
                    let keyColumn = table == "runs" ? "key" : "run"
                    let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
                    var byRun: [String: [[DatabaseValue]]] = [:]
                    let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) WHERE \(keyColumn) IN (\(finished))")
                    while let row = try cursor.next() {
                        byRun[row[keyColumn] as String, default: []].append(Array(row.databaseValues))
                    }
                    tables[table] = RunTransfer.TableRows(columns: columns, rows: byRun)
                }
            }
            return RunTransfer(sourcePath: path, schemaVersions: ordered, experiments: experiments, runs: runs, tables: tables)
        }
    }

    /// Copies the finished runs of `sources` into this database, all in one transaction: if any
    /// source is refused, nothing is written.
    ///
    /// A source is refused when its schema versions differ from this file's, when it holds an
    /// experiment this file does not, or a run this file does not hold with the same experiment,
    /// variant, seed and configuration (a shard of another experiment or of another database).
    ///
    /// A finished run is copied (its `runs` row's results, metrics, slices, environment facts and
    /// artifact rows, replacing what this file had of it) when this file's run is not finished,
    /// or is `failed` while the source's run is `done` or `diverged` (a retry). Runs this file has
    /// `done` or `diverged` are left alone, so importing the same sources twice adds nothing.
    /// Unfinished runs of the sources (a task killed mid-run) are ignored.
    @discardableResult
    public func importRuns(_ sources: [RunTransfer]) throws -> ImportSummary {
        try write { db in
            let versions = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let ours = Schema.versions.filter(versions.contains)
            let experiments = Set(try String.fetchAll(db, sql: "SELECT name FROM experiments"))
            // Check every source before writing anything.
            for source in sources {
                if source.schemaVersions != ours {
                    throw StoreError.transferRefused(
                        source: source.sourcePath,
                        reason: "its schema versions (\(source.schemaVersions.joined(separator: ", "))) differ from \(path)'s "
                            + "(\(ours.joined(separator: ", "))): it was written by another version of ablate")
                }
                if let foreign = source.experiments.first(where: { !experiments.contains($0) }) {
                    throw StoreError.transferRefused(
                        source: source.sourcePath,
                        reason: "it holds experiment \(foreign), which \(path) does not (it holds \(experiments.sorted().joined(separator: ", ")))")
                }
                for run in source.finishedRuns {
                    guard let existing = try Row.fetchOne(db, sql: "SELECT experiment, variant, seed, config FROM runs WHERE key = ?",
                                                          arguments: [run.key]) else {
                        throw StoreError.transferRefused(
                            source: source.sourcePath,
                            reason: "it holds run \(run.key) (\(run.variant) seed \(run.seed)), which \(path) does not plan: "
                                + "it belongs to another database or another version of the experiment file")
                    }
                    let changed = existing["experiment"] as String != run.experiment ? "experiment"
                        : existing["variant"] as String != run.variant ? "variant"
                        : existing["seed"] as Int != run.seed ? "seed"
                        : existing["config"] as String != run.config ? "configuration" : nil
                    if let changed {
                        throw StoreError.transferRefused(
                            source: source.sourcePath,
                            reason: "its run \(run.key) has a different \(changed) than the same key in \(path)")
                    }
                }
            }
            var summary = ImportSummary()
            let copied = ["status", "worker_host", "worker_pid", "started_at", "finished_at", "heartbeat_at", "wall_seconds",
                          "parameters", "steps", "steps_to_target", "error"]
            for source in sources {
                summary.unfinished += source.runs.count - source.finishedRuns.count
                guard let runTable = source.tables["runs"] else { continue }
                for run in source.finishedRuns {
                    let raw = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE key = ?", arguments: [run.key])
                    let status = raw.flatMap(RunStatus.init(rawValue:))
                    let wanted: Bool
                    switch status {
                    case .done, .diverged: wanted = false
                    case .failed: wanted = run.status != .failed
                    default: wanted = true
                    }
                    guard wanted, let values = runTable.rows[run.key]?.first else {
                        summary.alreadyFinished += 1
                        continue
                    }
                    try Self.deleteResults(of: run.key, db)
                    let row = Dictionary(uniqueKeysWithValues: zip(runTable.columns, values))
                    var arguments = StatementArguments(copied.map { row[$0] ?? .null })
                    arguments += [row["attempts"] ?? 0.databaseValue, run.key]
                    try db.execute(
                        sql: "UPDATE runs SET \(copied.map { "\($0) = ?" }.joined(separator: ", ")), attempts = attempts + ? WHERE key = ?",
                        arguments: arguments)
                    for table in Self.runTables {
                        guard let rows = source.tables[table], let values = rows.rows[run.key] else { continue }
                        let insert = try db.cachedStatement(sql: """
                            INSERT OR REPLACE INTO \(table) (\(rows.columns.joined(separator: ", ")))
                            VALUES (\(Array(repeating: "?", count: rows.columns.count).joined(separator: ", ")))
                            """)
                        for value in values { try insert.execute(arguments: StatementArguments(value)) }
                    }
                    summary.imported.append(run.key)
                }
            }
            return summary
        }
    }
}
