import Foundation
import XCTest
@testable import Store

final class SchemaTests: StoreTestCase {
    func testMigrationsCreateTheSchemaInWALMode() throws {
        let store = try openStore()
        XCTAssertEqual(try store.schemaVersions(), ["v1", "v2", "v3"])
        let objects = try store.query("SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('table', 'view')")
            .rows.map { $0[0] }
        for expected in ["table experiments", "table runs", "table metrics", "table slices", "table environment",
                         "table artifacts", "view final_metrics", "view variant_summary", "view run_counts",
                         "table variants", "view variant_changes"] {
            XCTAssertTrue(objects.contains(.text(expected)), "missing \(expected) in \(objects)")
        }
        XCTAssertEqual(try store.query("PRAGMA journal_mode").rows, [[.text("wal")]])
        XCTAssertEqual(try store.query("PRAGMA foreign_keys").rows, [[.integer(1)]])
        XCTAssertThrowsError(try store.query("DELETE FROM runs"), "query must not write")
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testReopeningKeepsTheDataAndTheSchema() throws {
        do {
            let store = try openStore()
            try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
            try store.close()
        }
        let store = try openStore()
        XCTAssertEqual(try store.schemaVersions(), ["v1", "v2", "v3"])
        XCTAssertEqual(try store.runs(experiment: "positional").count, 6)
        XCTAssertEqual(try store.experiments(), [ExperimentRecord(name: "positional", question: "Which positions?",
                                                                   source: Self.experiment.source,
                                                                   created: try store.experiments()[0].created)])
    }

    func testAfterCloseTheDatabaseFileAloneHoldsEverything() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        try store.close()
        // Copy the .sqlite without its -wal and -shm companions, as a person might.
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: databasePath, toPath: copy)
        XCTAssertEqual(try ResultStore(path: copy).runs().count, 6)
    }

    func testAFileThatIsNotADatabaseIsNamedInTheError() throws {
        let path = folder.appendingPathComponent("notes.sqlite").path
        try String(repeating: "these are notes, not a database\n", count: 64).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultStore(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .notADatabase(path: path))
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    func testASchemaNewerThanThisCodeIsRefused() throws {
        do {
            let store = try openStore()
            try store.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
            try store.close()
        }
        XCTAssertThrowsError(try openStore()) { error in
            XCTAssertEqual(error as? StoreError, .newerSchema(path: databasePath, unknownVersions: ["v99"]))
            XCTAssertTrue("\(error)".contains("newer"), "\(error)")
        }
    }

    func testAFolderThatCannotBeCreatedIsReported() throws {
        // A regular file where the folder should be: fails even for root, unlike a read-only folder.
        let blocker = folder.appendingPathComponent("results")
        try Data("x".utf8).write(to: blocker)
        let path = blocker.appendingPathComponent("test.sqlite").path
        XCTAssertThrowsError(try ResultStore(path: path)) { error in
            guard case .cannotCreateFolder(let named, _)? = error as? StoreError else {
                return XCTFail("expected cannotCreateFolder, got \(error)")
            }
            XCTAssertEqual(named, path)
        }
    }

    func testSeveralStoresOpeningANewFileAtOnceAllSucceed() throws {
        // Every worker process opens (and so may create and migrate) the file as it starts.
        let path = databasePath
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                let store = try ResultStore(path: path)
                _ = try store.schemaVersions()
            } catch {
                errors.append(error)
            }
        }
        XCTAssertEqual(errors.all.map { "\($0)" }, [])
        XCTAssertEqual(try openStore().schemaVersions(), ["v1", "v2", "v3"])
    }
}

/// Errors collected from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func append(_ error: Error) { lock.lock(); errors.append(error); lock.unlock() }
    var all: [Error] { lock.lock(); defer { lock.unlock() }; return errors }
}
