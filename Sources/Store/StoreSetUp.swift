import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Opening a database for writing when several processes do it at once, on a file that may not
/// exist yet (`ablate run` started four times at the same moment, or its workers).
///
/// What goes wrong without care: creating the file, switching it to WAL mode (GRDB runs `PRAGMA
/// journal_mode = WAL`, then creates and drops a table so that the `-wal` file is not empty) and
/// applying the migrations take locks that a first-time set-up in another process contends for,
/// and SQLite answers some of those contentions with SQLITE_BUSY at once instead of calling the
/// busy handler (it does so when waiting could deadlock: a connection that already reads and
/// wants to write, while another holds the write lock). The store reported that as "stayed locked
/// for more than 30 s", although nothing had waited.
///
/// So: first-time set-up (open, WAL, migrations) runs under an exclusive `flock` on the database's
/// folder (a directory file descriptor: SQLite never locks it, and closing it cannot drop SQLite's
/// own POSIX locks on the database file, as closing a descriptor of the file itself would), and
/// set-up and every write transaction retry an SQLITE_BUSY or SQLITE_LOCKED until the busy timeout
/// has really elapsed. A busy message reports the time measured.
enum StoreSetUp {
    /// Runs `body` holding an exclusive lock on `folder` (shared by the ablate processes that open
    /// a database there), retrying it while it fails with a transient error. Without a lock (the
    /// folder cannot be opened, or the file system has no flock) `body` still runs, with retries.
    static func serialised<T>(folder: String, path: String, timeout: Double, _ body: () throws -> T) throws -> T {
        let started = Date()
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if descriptor >= 0 { close(descriptor) } }
        if descriptor >= 0 {
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else { break }
                let waited = Date().timeIntervalSince(started)
                if waited >= timeout { throw StoreError.busy(path: path, seconds: waited) }
                usleep(5_000)
            }
        }
        defer { if descriptor >= 0 { flock(descriptor, LOCK_UN) } }
        do {
            return try retrying(timeout: max(0, timeout - Date().timeIntervalSince(started)), body)
        } catch {
            throw ResultStore.storeError(error, path: path, busyTimeout: timeout, waited: Date().timeIntervalSince(started))
        }
    }

    /// Runs `body`, and again after a short pause each time it fails with a transient error,
    /// until `timeout` seconds have passed; then the last error is thrown.
    static func retrying<T>(timeout: Double, _ body: () throws -> T) throws -> T {
        let started = Date()
        var pause: UInt32 = 2_000
        while true {
            do {
                return try body()
            } catch where isTransient(error) && Date().timeIntervalSince(started) < timeout {
                usleep(pause + UInt32.random(in: 0...pause))
                pause = min(pause * 2, 100_000)
            }
        }
    }

    /// SQLITE_BUSY (any extended code: the write lock, a recovery, a stale snapshot), SQLITE_LOCKED,
    /// and GRDB's "could not activate WAL Mode" (the journal mode pragma answered without
    /// switching because another connection held a lock).
    static func isTransient(_ error: Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return true
        default: return error.message?.contains("could not activate WAL Mode") ?? false
        }
    }
}
