import GRDB

/// Facts about the SQLite library the store runs on.
public enum SQLiteInfo {
    /// The SQLite library version, as `SELECT sqlite_version()` reports it (e.g. "3.40.1").
    public static func version() throws -> String {
        let queue = try DatabaseQueue()
        return try queue.read { try String.fetchOne($0, sql: "SELECT sqlite_version()") } ?? "unknown"
    }
}
