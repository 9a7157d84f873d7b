import Foundation

/// The errors a user can cause or meet in the store: each names the database file, says what
/// was wrong and what to do.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// A command that reads was given a path where there is no file.
    case missing(path: String)
    /// The path names a folder, not a file.
    case isFolder(path: String)
    /// The path names a device, a pipe or a socket, which SQLite cannot (or must not) open.
    case notAFile(path: String)
    /// A command that reads was given an empty (0-byte) file.
    case emptyFile(path: String)
    /// A file name (one component of the path) longer than the file system allows.
    case nameTooLong(path: String, bytes: Int, limit: Int)
    /// The file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// An SQLite database that ablate did not write: the reason says what it holds instead.
    case foreignDatabase(path: String, reason: String)
    /// The database was written by an older `ablate` and was opened for reading, so it cannot be brought up to date.
    case olderSchema(path: String, missingVersions: [String])
    /// The database was written by the previous release (store `storeVersion`, run keys `runKeys`) and
    /// holds experiments: this code neither reads nor extends it. `experimentFiles` are the experiment
    /// files it records (to name in the command to rerun), possibly none.
    case earlierRelease(path: String, storeVersion: String, runKeys: String, experimentFiles: [String])
    /// The database was written by a newer `ablate`: it holds schema versions this one does not know.
    case newerSchema(path: String, unknownVersions: [String])
    /// The folder meant to hold the database could not be created.
    case cannotCreateFolder(path: String, reason: String)
    /// SQLite could not open or create the file (an unwritable folder, a read-only file, ...).
    case cannotOpen(path: String, reason: String)
    /// SQLite could not open an existing file for reading (no permission, a missing `-shm` in a read-only folder, ...).
    case cannotRead(path: String, reason: String)
    /// A write on a store opened for reading only, or on a file or folder this user cannot write.
    case readOnly(path: String, reason: String)
    /// Another process kept the database locked: `seconds` is how long this one waited.
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
        let give = "give the path of a results database (results/NAME.sqlite, written by ablate run)"
        switch self {
        case let .missing(path):
            return "no database at \(path): \(give)"
        case let .isFolder(path):
            return "\(path) is a folder, not a database file: \(give)"
        case let .notAFile(path):
            return "\(path) is not a regular file (a device, a pipe or a socket): \(give)"
        case let .emptyFile(path):
            return "\(path) is empty (0 bytes): not an ablate results database; \(give)"
        case let .nameTooLong(path, bytes, limit):
            return "the file name of \(path) is too long (\(bytes) bytes; the file system allows \(limit)): use a shorter name"
        case let .notADatabase(path):
            return "\(path) is not an SQLite database; give the path of a results database, or move the file away"
        case let .foreignDatabase(path, reason):
            return "\(path) is an SQLite database but not one ablate wrote (\(reason)); \(give)"
        case let .olderSchema(path, versions):
            return "\(path) was written by an older ablate (it lacks schema versions \(versions.joined(separator: ", "))); "
                + "a command that writes (ablate run) brings it up to date"
        case let .earlierRelease(path, version, runKeys, files):
            let aside = ((path as NSString).deletingPathExtension) + ".\(version)." + ((path as NSString).pathExtension.isEmpty ? "sqlite" : (path as NSString).pathExtension)
            let rerun = files.isEmpty ? ["ablate run EXPERIMENT.toml"] : files.map { "ablate run \(Self.shellQuoted($0))" }
            return "\(path) was written by an earlier ablate (store \(version), run keys \(runKeys)); its runs cannot be reused. "
                + "Move it aside and rerun: mv \(Self.shellQuoted(path)) \(Self.shellQuoted(aside)) && " + rerun.joined(separator: " && ")
        case let .newerSchema(path, versions):
            return "\(path) was written by a newer ablate (schema versions \(versions.joined(separator: ", ")) are unknown here); "
                + "update ablate to read it"
        case let .cannotCreateFolder(path, reason):
            return "cannot create the folder for \(path): \(reason)"
        case let .cannotOpen(path, reason):
            return "cannot open or create \(path): \(reason); check that its folder exists and is writable"
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .readOnly(path, reason):
            return "cannot write to \(path): \(reason)"
        case let .busy(path, seconds):
            return "\(path) stayed locked by another process for \(Self.seconds(seconds)); "
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

    /// True when the file given is the problem (missing, not an ablate database, too new, a bad
    /// name, ...): bad input. False for operational failures (a lock held too long, an SQLite error).
    public var isBadInput: Bool {
        switch self {
        case .busy, .sqlite, .cannotCreateFolder, .cannotOpen, .cannotRead, .readOnly: return false
        default: return true
        }
    }

    /// "more than 30 s", "2.5 s": how long a wait lasted, as measured.
    static func seconds(_ value: Double) -> String {
        value >= 10 ? "more than \(Int(value)) s" : String(format: "%.1f s", value)
    }

    /// A word as a shell reads it: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@")
        if !word.isEmpty, word.unicodeScalars.allSatisfy(safe.contains), !word.hasPrefix("-") { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
