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
/// try store.register(experiment: experiment, variants: variants, runs: plannedRuns)
/// try store.resetStale()
/// while let run = try store.claimNext(experiment: "positional", worker: .current) {
///     try store.recordMetrics(points)          // as training goes
///     try store.finish(runKey: run.key, worker: .current, outcome: RunOutcome(status: .done))
/// }
/// ```
public final class ResultStore: Sendable {
    /// The database file.
    public let path: String
    /// True for a store opened with `init(readingAt:)`: it never writes, and its writes throw `StoreError.readOnly`.
    public let isReadOnly: Bool
    let pool: any DatabaseWriter
    let busyTimeout: Double

    /// Opens the database at `path` for writing, creating it (and its folder) if needed, and brings
    /// its schema up to date. Several processes may do this at once on a file that does not exist
    /// yet (see `StoreSetUp`).
    ///
    /// - Parameter busyTimeout: seconds a write waits for other processes' transactions.
    /// - Throws: `StoreError` for a folder, a file name too long, a file that is not a database or
    ///   an SQLite file that ablate did not write, a schema newer than this code, a file of the
    ///   previous release that holds experiments (`.earlierRelease`; an empty one is migrated), a
    ///   folder that cannot be created or written.
    public init(path: String, busyTimeout: Double = 30) throws {
        self.path = path
        self.isReadOnly = false
        self.busyTimeout = busyTimeout
        try StoreFile.checkForWriting(path)
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
        // Before GRDB switches the file to WAL mode (which writes its header): refuse another
        // program's database, or a newer schema, untouched.
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try StoreFile.checkSchema(db, path: path, forWriting: true) }
        }
        pool = try StoreSetUp.serialised(folder: folder, path: path, timeout: busyTimeout) {
            let pool = try DatabasePool(path: StoreFile.sqliteName(path), configuration: configuration)
            try Self.migrate(pool, path: path)
            return pool
        }
    }

    /// Opens the database at `path` for reading only: never creates the file or its folder, never
    /// migrates, never changes the file's bytes, and works on a read-only file in a read-only folder.
    ///
    /// A database without a `-wal` file beside it (closed cleanly) is opened as immutable: no
    /// locks, no `-shm` or `-wal` created. With a `-wal` (a sweep is writing, or one was killed)
    /// it is opened read-only through SQLite's WAL locking, so a live sweep is read consistently.
    ///
    /// - Throws: `StoreError.missing`, `.isFolder`, `.notAFile`, `.emptyFile`, `.notADatabase`,
    ///   `.foreignDatabase`, `.newerSchema`, `.earlierRelease`, `.olderSchema`, `.cannotRead`.
    public init(readingAt path: String, busyTimeout: Double = 30) throws {
        self.path = path
        self.isReadOnly = true
        self.busyTimeout = busyTimeout
        try StoreFile.checkForReading(path)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ablate.store.reading"
        do {
            pool = try DatabaseQueue(path: StoreFile.readingLocation(path), configuration: configuration)
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, reading: true)
        }
        try read { try StoreFile.checkSchema($0, path: path, forWriting: false) }
    }

    /// Applies the migrations the file lacks. Safe when several processes open a new file at
    /// once: a migration runs in one transaction, and a process that loses the race finds the
    /// schema complete and carries on.
    private static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = Schema.migrator
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

    /// Copies what the write-ahead log holds into the database file (as far as other processes'
    /// readers allow, without waiting), then closes the connections. Using the store afterwards
    /// is an error. (Without the checkpoint the data would stay in the `-wal` file: GRDB closes
    /// its read-only connections last, and those cannot checkpoint.) A store that was the file's
    /// only user leaves no `-wal` or `-shm` behind.
    public func close() throws {
        if isReadOnly {
            try perform { try pool.close() }
            return
        }
        try perform {
            // Best effort: another process checkpointing at the same moment makes SQLite answer
            // SQLITE_BUSY at once (no busy handler for checkpoints); its checkpoint does the work.
            do {
                _ = try pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            }
            try pool.close()
        }
        // GRDB closes the pool's writer before its readers, so neither is the last connection able
        // to remove the -wal and -shm files. A plain connection opened and closed at once is: unless
        // another process has the file open, the file is left alone, as a reader expects it.
        if let last = try? DatabaseQueue(path: StoreFile.sqliteName(path)) { try? last.close() }
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
    /// busy timeout), so two processes never interleave a read-then-write. An SQLITE_BUSY that
    /// SQLite returns without waiting (see `StoreSetUp.isTransient`) rolls back and tries again
    /// until the busy timeout has really elapsed.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard !isReadOnly else {
            throw StoreError.readOnly(path: path, reason: "it was opened for reading only")
        }
        return try perform {
            try StoreSetUp.retrying(timeout: busyTimeout) {
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
    }

    /// Runs `body` on a snapshot of the database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try perform { try pool.read(body) }
    }

    func perform<T>(_ body: () throws -> T) throws -> T {
        let started = Date()
        do {
            return try body()
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, reading: isReadOnly,
                                  waited: Date().timeIntervalSince(started))
        }
    }

    /// The `StoreError` for an SQLite error met on `path`; `waited` is how long the failed call
    /// took, what a busy message reports.
    static func storeError(_ error: Error, path: String, busyTimeout: Double, reading: Bool = false,
                           waited: Double? = nil) -> Error {
        guard let error = error as? DatabaseError else { return error }
        let reason = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return StoreError.notADatabase(path: path)
        case .SQLITE_BUSY where error.extendedResultCode == .SQLITE_BUSY || error.extendedResultCode == .SQLITE_BUSY_TIMEOUT:
            // The busy timeout ran out, or retries did. (Other SQLITE_BUSY_* codes are reported as they are.)
            return StoreError.busy(path: path, seconds: waited ?? busyTimeout)
        case .SQLITE_CANTOPEN where reading, .SQLITE_PERM where reading:
            return StoreError.cannotRead(path: path, reason: reason)
        case .SQLITE_READONLY where reading:
            return StoreError.readOnly(path: path, reason: "it was opened for reading only")
        case .SQLITE_READONLY:
            return StoreError.readOnly(path: path, reason: "\(reason): the file, its folder or its -wal/-shm files are not writable by this user")
        case .SQLITE_CANTOPEN, .SQLITE_PERM:
            return StoreError.cannotOpen(path: path, reason: reason)
        default:
            return StoreError.sqlite(path: path, code: error.extendedResultCode.rawValue,
                                     message: error.message ?? "\(error.resultCode)")
        }
    }

    private static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}
