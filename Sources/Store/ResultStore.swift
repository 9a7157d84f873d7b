import Foundation
import GRDB

/// The results database of an experiment (by convention `results/NAME.sqlite`): experiments,
/// runs, metrics, slice evaluations, environment facts and artifacts, in plain records.
///
/// Several processes may open the same file and write at once: the file is in WAL mode, every
/// write is one IMMEDIATE transaction, and a writer waits up to `busyTimeout` for another
/// process's transaction instead of failing with "database is locked". A process killed at any
/// moment loses at most its uncommitted transaction; `resetStale` then returns its run to
/// `pending` and deletes the run's partial results, so the next `ablate run` redoes it once.
///
/// ```swift
/// let store = try ResultStore(path: "results/positional.sqlite")
/// try store.register(experiment: experiment, runs: plannedRuns)
/// try store.resetStale()
/// while let run = try store.claimNext(experiment: "positional", worker: .current) {
///     try store.recordMetrics(points)          // as training goes
///     try store.finish(runKey: run.key, worker: .current, outcome: RunOutcome(status: .done))
/// }
/// ```
public final class ResultStore: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    let busyTimeout: Double

    /// Opens the database at `path`, creating it (and its folder) if needed, and brings its
    /// schema up to date.
    ///
    /// - Parameter busyTimeout: seconds a write waits for other processes' transactions.
    /// - Throws: `StoreError` for a file that is not a database, a schema newer than this code,
    ///   a folder that cannot be created or written.
    public init(path: String, busyTimeout: Double = 30) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotCreateFolder(path: path, reason: Self.reason(error))
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "ablate.store"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout)
        }
        try migrate()
    }

    /// Applies the migrations the file lacks. Safe when several processes open a new file at
    /// once: a migration runs in one transaction, and a process that loses the race finds the
    /// schema complete and carries on.
    private func migrate() throws {
        let migrator = Schema.migrator
        try perform {
            let applied = try pool.read { try migrator.appliedIdentifiers($0) }
            let unknown = applied.subtracting(Schema.versions)
            if !unknown.isEmpty {
                throw StoreError.newerSchema(path: path, unknownVersions: unknown.sorted())
            }
            if applied.isSuperset(of: Schema.versions) { return }
            do {
                try migrator.migrate(pool)
            } catch {
                // Another process may have applied the same migration between our read and our write.
                let complete = try pool.read { try migrator.hasCompletedMigrations($0) }
                if !complete { throw error }
            }
        }
    }

    /// Copies what the write-ahead log holds into the database file (as far as other processes'
    /// readers allow, without waiting), then closes the connections. Using the store afterwards
    /// is an error. (Without the checkpoint the data would stay in the `-wal` file: GRDB closes
    /// its read-only connections last, and those cannot checkpoint.)
    public func close() throws {
        try perform {
            // Best effort: another process checkpointing at the same moment makes SQLite answer
            // SQLITE_BUSY at once (no busy handler for checkpoints); its checkpoint does the work.
            do {
                _ = try pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            }
            try pool.close()
        }
    }

    /// The schema versions applied to the file, oldest first ("v1", ...).
    public func schemaVersions() throws -> [String] {
        try read { try Schema.migrator.appliedMigrations($0) }
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`: "ok", or the problems found, one a line.
    public func integrityCheck() throws -> String {
        try read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            problems += orphans.map { "row \($0[1] as Int64? ?? -1) of \($0[0] as String? ?? "?") refers to a missing row of \($0[2] as String? ?? "?")" }
            return problems.isEmpty ? "ok" : problems.joined(separator: "\n")
        }
    }

    // MARK: - Access with errors mapped to StoreError

    /// Runs `body` in one IMMEDIATE transaction: it takes the write lock at once (waiting up to the
    /// busy timeout), so two processes never interleave a read-then-write.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try perform {
            try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    /// Runs `body` on a snapshot of the database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try perform { try pool.read(body) }
    }

    func perform<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    static func storeError(_ error: Error, path: String, busyTimeout: Double) -> Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return StoreError.notADatabase(path: path)
        case .SQLITE_BUSY where error.extendedResultCode == .SQLITE_BUSY || error.extendedResultCode == .SQLITE_BUSY_TIMEOUT:
            // The busy timeout ran out. (Other SQLITE_BUSY_* codes are reported as they are.)
            return StoreError.busy(path: path, seconds: busyTimeout)
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return StoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        default:
            return StoreError.sqlite(path: path, code: error.extendedResultCode.rawValue,
                                     message: error.message ?? "\(error.resultCode)")
        }
    }

    private static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}
