import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// What a path given as a results database must be, checked before SQLite opens it (so that a
/// folder, a pipe, an empty file or another program's database is refused untouched), and where
/// SQLite is pointed to read it without writing.
enum StoreFile {
    /// The longest file name (one path component, in bytes) Linux file systems accept (NAME_MAX).
    static let nameLimit = 255

    /// A path to read: an existing, non-empty regular file.
    static func checkForReading(_ path: String) throws {
        try checkNameLength(path)
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw StoreError.missing(path: path) }
            throw StoreError.cannotRead(path: path, reason: String(cString: strerror(code)))
        }
        try checkKind(info, path: path)
        if info.st_size == 0 { throw StoreError.emptyFile(path: path) }
    }

    /// A path to write: a regular file if it exists (an empty one becomes a new database), with a
    /// name the file system accepts.
    static func checkForWriting(_ path: String) throws {
        try checkNameLength(path)
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        try checkKind(info, path: path)
    }

    private static func checkKind(_ info: stat, path: String) throws {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw StoreError.isFolder(path: path)
        default: throw StoreError.notAFile(path: path)
        }
    }

    private static func checkNameLength(_ path: String) throws {
        for component in path.split(separator: "/") where component.utf8.count > nameLimit {
            throw StoreError.nameTooLong(path: path, bytes: component.utf8.count, limit: nameLimit)
        }
    }

    /// The name to give SQLite for a path, never read as a URI (a path that starts with "file:"
    /// would be, with Debian's SQLite).
    static func sqliteName(_ path: String) -> String {
        path.hasPrefix("file:") ? "./" + path : path
    }

    /// Where a reading connection opens `path`: the file itself (read-only, with WAL locking) when a
    /// `-wal` lies beside it, else an `immutable=1` URI, which takes no locks and creates no
    /// `-shm` or `-wal` (SQLite is told the file cannot change while it is read).
    static func readingLocation(_ path: String) -> String {
        if FileManager.default.fileExists(atPath: path + "-wal") { return sqliteName(path) }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var allowed = CharacterSet(charactersIn: "/-._~")
        allowed.formUnion(CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:" + encoded + "?immutable=1"
    }

    /// Refuses what is not an ablate results database: an SQLite file without ablate's tables
    /// (another program's), one with schema versions this code does not know (a newer ablate's),
    /// and, for reading, one without tables or with an older schema. For writing, a file with no
    /// tables at all is accepted: it is new (maybe being set up by another process right now).
    static func checkSchema(_ db: Database, path: String, forWriting: Bool) throws {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        guard tables.contains("grdb_migrations") else {
            if tables.isEmpty {
                if forWriting { return }
                throw StoreError.foreignDatabase(path: path, reason: "it holds no tables")
            }
            throw StoreError.foreignDatabase(path: path, reason: "no grdb_migrations table; it holds \(listed(tables))")
        }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        let known = applied.intersection(Schema.versions)
        let unknown = applied.subtracting(Schema.versions)
        if !unknown.isEmpty {
            if known.isEmpty {
                throw StoreError.foreignDatabase(
                    path: path, reason: "its migrations \(listed(unknown.sorted())) are none of ablate's")
            }
            throw StoreError.newerSchema(path: path, unknownVersions: unknown.sorted())
        }
        try checkEarlierRelease(db, path: path, applied: applied, tables: tables)
        if forWriting { return }
        if known.isEmpty {
            throw StoreError.foreignDatabase(path: path, reason: "its schema was never created (no migration applied)")
        }
        // v3 only adds the tuning tables: a v2 file reads as an experiment without tuning.
        let missing = Schema.versions.filter { !applied.contains($0) && !Schema.readableWithout.contains($0) }
        if !missing.isEmpty { throw StoreError.olderSchema(path: path, missingVersions: missing) }
        for table in ["experiments", "runs"] where !tables.contains(table) {
            throw StoreError.foreignDatabase(path: path, reason: "no \(table) table")
        }
    }

    /// A short text without control characters: safe to print within a message as it is.
    static func isPrintable(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 300 && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Names read from a file, safe to print: at most 5, each cut to 40 characters, anything but
    /// letters, digits, '_', '-' and '.' shown as '?'.
    static func listed(_ names: [String]) -> String {
        let shown = names.prefix(5).map { name in
            String(name.unicodeScalars.prefix(40).map { scalar -> Character in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_-.".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "?"
            })
        }
        return shown.joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
    }

    /// Refuses a file of the previous release (store v1) that holds experiments, for reading and
    /// writing alike: its variants and findings were never stored and its runs were keyed by
    /// `ablate-run-v1`, so nothing in it can be reused or reported as this code does. An empty v1
    /// file (set up, no experiment registered) is migrated as any older schema is.
    static func checkEarlierRelease(_ db: Database, path: String, applied: Set<String>, tables: [String]) throws {
        guard applied == ["v1"], tables.contains("experiments") else { return }
        let experiments = try String.fetchAll(db, sql: "SELECT name FROM experiments ORDER BY name")
        guard !experiments.isEmpty else { return }
        var files: [String] = []
        if tables.contains("environment") {
            files = try String.fetchAll(
                db, sql: "SELECT DISTINCT value FROM environment WHERE name = 'experiment_file' AND run IS NULL ORDER BY value")
        }
        throw StoreError.earlierRelease(path: path, storeVersion: "v1", runKeys: "ablate-run-v1",
                                        experimentFiles: files.filter(isPrintable))
    }
}
