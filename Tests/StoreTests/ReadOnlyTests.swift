import Foundation
import GRDB
import XCTest
@testable import Store

/// `ResultStore(readingAt:)`: reads without changing a byte or creating a file, and refuses what is
/// not an ablate database, untouched; the writing open refuses folders, long names and foreign files.
final class ReadOnlyTests: StoreTestCase {
    /// A database with 6 runs, closed cleanly (no -wal left).
    func closedDatabase() throws -> String {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        try store.close()
        XCTAssertFalse(exists(databasePath + "-wal"), "a clean close leaves no -wal")
        return databasePath
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
    func companions(_ path: String) -> [String] { ["-wal", "-shm", "-journal"].filter { exists(path + $0) } }

    func testReadingAClosedDatabaseChangesNoByteAndCreatesNoFile() throws {
        let path = try closedDatabase()
        let before = try bytes(path)
        let store = try ResultStore(readingAt: path)
        XCTAssertTrue(store.isReadOnly)
        XCTAssertEqual(try store.runs().count, 6)
        XCTAssertEqual(try store.schemaVersions(), ["v1", "v2", "v3"])
        XCTAssertEqual(companions(path), [], "an immutable open creates no -wal or -shm, even in a writable folder")
        try store.close()
        XCTAssertEqual(try bytes(path), before)
        XCTAssertEqual(companions(path), [])
    }

    func testAStoreOpenedForReadingRefusesToWrite() throws {
        let path = try closedDatabase()
        let before = try bytes(path)
        let store = try ResultStore(readingAt: path)
        XCTAssertThrowsError(try store.register(experiment: Self.experiment, runs: Self.plannedRuns(seeds: [9]))) { error in
            guard case .readOnly(path, _)? = error as? StoreError else { return XCTFail("\(error)") }
        }
        try store.close()
        XCTAssertEqual(try bytes(path), before)
    }

    func testReadingWhileAWriterHoldsTheFileOpenSeesWhatItCommitted() throws {
        let writer = try openStore()
        try writer.register(experiment: Self.experiment, runs: Self.plannedRuns())
        XCTAssertTrue(exists(databasePath + "-wal"), "the writer is open: its -wal holds the runs")
        let reader = try ResultStore(readingAt: databasePath)
        XCTAssertEqual(try reader.runs().count, 6, "runs still in the -wal are read")
        try writer.register(experiment: Self.experiment, runs: Self.plannedRuns(seeds: [1, 2, 3, 4]))
        XCTAssertEqual(try reader.runs().count, 8, "a later commit is seen by the next read")
        try reader.close()
        try writer.close()
    }

    func testFilesThatAreNotAblateDatabasesAreRefusedUntouched() throws {
        func expectRefused(_ path: String, _ expected: (StoreError) -> Bool, file: StaticString = #filePath, line: UInt = #line) throws {
            let before = exists(path) ? try? bytes(path) : nil
            XCTAssertThrowsError(try ResultStore(readingAt: path), file: file, line: line) { error in
                guard let error = error as? StoreError, expected(error) else { return XCTFail("\(error)", file: file, line: line) }
                XCTAssertTrue(error.isBadInput, "\(error)", file: file, line: line)
                XCTAssertTrue(error.description.contains(path), error.description, file: file, line: line)
            }
            XCTAssertEqual(exists(path) ? try? bytes(path) : nil, before, "left as it was", file: file, line: line)
            XCTAssertEqual(companions(path), [], file: file, line: line)
        }
        let missing = folder.appendingPathComponent("none/missing.sqlite").path
        try expectRefused(missing) { $0 == .missing(path: missing) }
        XCTAssertFalse(exists(missing) || exists((missing as NSString).deletingLastPathComponent), "nothing created")

        try expectRefused(folder.path) { $0 == .isFolder(path: self.folder.path) }

        let empty = folder.appendingPathComponent("empty.sqlite").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        try expectRefused(empty) { $0 == .emptyFile(path: empty) }
        XCTAssertEqual(try bytes(empty).count, 0)

        let pipe = folder.appendingPathComponent("pipe.sqlite").path
        XCTAssertEqual(mkfifo(pipe, 0o644), 0)
        try expectRefused(pipe) { $0 == .notAFile(path: pipe) }

        let random = folder.appendingPathComponent("random.sqlite").path
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: random))
        try expectRefused(random) { $0 == .notADatabase(path: random) }

        let foreign = folder.appendingPathComponent("foreign.sqlite").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi')") }
        try expectRefused(foreign) { error in
            guard case let .foreignDatabase(_, reason) = error else { return false }
            return reason.contains("no grdb_migrations table") && reason.contains("notes")
        }

        let blank = folder.appendingPathComponent("blank.sqlite").path
        try DatabaseQueue(path: blank).write { try $0.execute(sql: "PRAGMA user_version = 7") }
        try expectRefused(blank) { error in
            guard case let .foreignDatabase(_, reason) = error else { return false }
            return reason.contains("no tables")
        }

        let newer = try closedDatabase()
        try DatabaseQueue(path: newer).write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99')") }
        try expectRefused(newer) { $0 == .newerSchema(path: newer, unknownVersions: ["v99"]) }
    }

    func testTheWritingOpenRefusesAFolderALongNameAndAnotherProgramsDatabase() throws {
        XCTAssertThrowsError(try ResultStore(path: folder.path)) { error in
            XCTAssertEqual(error as? StoreError, .isFolder(path: folder.path))
        }
        let long = folder.appendingPathComponent(String(repeating: "n", count: 300) + ".sqlite").path
        XCTAssertThrowsError(try ResultStore(path: long)) { error in
            XCTAssertEqual(error as? StoreError, .nameTooLong(path: long, bytes: 307, limit: 255))
            XCTAssertTrue("\(error)".contains("too long"), "\(error)")
        }
        let foreign = folder.appendingPathComponent("foreign.sqlite").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        let before = try bytes(foreign)
        XCTAssertThrowsError(try ResultStore(path: foreign)) { error in
            guard case .foreignDatabase(foreign, _)? = error as? StoreError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try bytes(foreign), before, "not switched to WAL, no table added")
        XCTAssertEqual(companions(foreign), [])
        // An empty file is a new database to the writing open.
        let empty = folder.appendingPathComponent("empty.sqlite").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertEqual(try ResultStore(path: empty).schemaVersions(), ["v1", "v2", "v3"])
    }

    func testABusyMessageSaysHowLongItReallyWaited() throws {
        let path = try closedDatabase()
        let store = try ResultStore(path: path, busyTimeout: 0.5)
        let holder = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? holder.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    locked.signal()
                    release.wait()
                    return .commit
                }
            }
        }
        thread.start()
        locked.wait()
        defer { release.signal() }
        let started = Date()
        XCTAssertThrowsError(try store.register(experiment: Self.experiment, runs: Self.plannedRuns(seeds: [7]))) { error in
            guard case let .busy(_, seconds)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertGreaterThanOrEqual(seconds, 0.5, "it waited the busy timeout")
            XCTAssertLessThanOrEqual(seconds, Date().timeIntervalSince(started) + 0.01, "no more than it really waited")
            XCTAssertFalse("\(error)".contains("more than 30 s"), "\(error)")
        }
    }

    func testTheImmutableLocationIsAFileURIWithThePathEncoded() {
        XCTAssertEqual(StoreFile.readingLocation("/tmp/a b?#%.sqlite"), "file:/tmp/a%20b%3F%23%25.sqlite?immutable=1")
        XCTAssertEqual(StoreFile.sqliteName("file:x.sqlite"), "./file:x.sqlite")
    }
}
