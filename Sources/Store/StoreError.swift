import Foundation

/// The errors a user can cause or meet in the store: each names the database file, says what
/// was wrong and what to do.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// The database was written by a newer `ablate`: it holds schema versions this one does not know.
    case newerSchema(path: String, unknownVersions: [String])
    /// The folder meant to hold the database could not be created.
    case cannotCreateFolder(path: String, reason: String)
    /// SQLite could not open or create the file (an unwritable folder, a read-only file, ...).
    case cannotOpen(path: String, reason: String)
    /// Another process kept the database locked for longer than the busy timeout.
    case busy(path: String, seconds: Double)
    /// A run key that the database does not hold.
    case unknownRun(path: String, key: String)
    /// An experiment name that the database does not hold.
    case unknownExperiment(path: String, name: String)
    /// A run registered again under the same key but with a different experiment, variant, seed or configuration.
    case runChanged(path: String, key: String, field: String)
    /// Runs of another results file (a shard) that cannot be imported: the reason says why.
    case transferRefused(source: String, reason: String)
    /// Any other SQLite error.
    case sqlite(path: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .notADatabase(path):
            return "\(path) is not an SQLite database; give the path of a results database, or move the file away"
        case let .newerSchema(path, versions):
            return "\(path) was written by a newer ablate (schema versions \(versions.joined(separator: ", ")) are unknown here); "
                + "update ablate to read it"
        case let .cannotCreateFolder(path, reason):
            return "cannot create the folder for \(path): \(reason)"
        case let .cannotOpen(path, reason):
            return "cannot open or create \(path): \(reason); check that its folder exists and is writable"
        case let .busy(path, seconds):
            return "\(path) stayed locked by another process for more than \(Int(seconds)) s; "
                + "check for a stuck ablate process, or a database on a network file system (SQLite locking does not work there)"
        case let .unknownRun(path, key):
            return "\(path) holds no run with key \(key)"
        case let .unknownExperiment(path, name):
            return "\(path) holds no experiment named \(name)"
        case let .runChanged(path, key, field):
            return "run \(key) in \(path) was registered before with a different \(field); "
                + "the experiment changed under the same run key: use a new database or delete the old run"
        case let .transferRefused(source, reason):
            return "refused \(source): \(reason)"
        case let .sqlite(path, code, message):
            return "SQLite error \(code) on \(path): \(message)"
        }
    }
}
