import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// End-to-end: the commands that only read (status, export, report, compare, reproduce, eval, plot)
/// leave a database byte for byte as it was, create no -wal or -shm, work on a read-only file in a
/// read-only folder, and refuse what is not an ablate database with exit 2, untouched.
final class ReadOnlyCommandTests: FolderTestCase {
    override class var folderLabel: String { "read-only" }

    typealias SQLite = RunCommandTests.SQLite
    typealias Experiment = RunCommandTests.Experiment

    nonisolated(unsafe) private static var fixtureDatabase: String?

    /// `tiny.toml` run once into its own folder (kept until the class ends; its checkpoints are read by eval and plot).
    static func fixture() throws -> String {
        if let fixtureDatabase { return fixtureDatabase }
        let directory = try Experiment.temporaryDirectory("read-only-fixture")
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let database = directory.appendingPathComponent("tiny.sqlite").path
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "2"])
        XCTAssertEqual(result.status, 0, result.standardError)
        fixtureDatabase = database
        return database
    }

    override class func tearDown() {
        if let fixtureDatabase { try? FileManager.default.removeItem(atPath: (fixtureDatabase as NSString).deletingLastPathComponent) }
        fixtureDatabase = nil
        super.tearDown()
    }

    /// A copy of the fixture's database (closed cleanly: no -wal beside it) at `directory/name`.
    func copyOfFixture(_ name: String = "copy.sqlite", in folder: URL? = nil) throws -> String {
        let path = (folder ?? directory).appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Self.fixture(), toPath: path)
        XCTAssertEqual(companions(path), [], "the fixture was closed cleanly")
        return path
    }

    func companions(_ path: String) -> [String] {
        ["-wal", "-shm", "-journal"].filter { FileManager.default.fileExists(atPath: path + $0) }
    }

    func baselineKey(_ database: String) throws -> String {
        try XCTUnwrap(SQLite.rows(database, "SELECT key FROM runs WHERE variant = 'baseline' ORDER BY seed LIMIT 1").first?["key"]?.text)
    }

    // MARK: - Reading leaves the file as it was

    func testReadingCommandsChangeNoByteAndCreateNoFile() throws {
        let database = try copyOfFixture()
        let key = try baselineKey(database)
        XCTAssertEqual(companions(database), [])
        let digest = try Experiment.sha256(of: database)
        let commands: [[String]] = [
            ["status", database],
            ["export", database, "--table", "runs"],
            ["export", database, "--table", "metrics", "--format", "json"],
            ["compare", database],
            ["reproduce", key, "--database", database],
            ["eval", String(key.prefix(8)), "--length", "2...5", "--database", database],
        ]
        for command in commands {
            let result = try AblateBinary.run(command)
            let name = command.prefix(3).joined(separator: " ")
            XCTAssertEqual(result.status, 0, "\(name): \(result.standardError)")
            XCTAssertEqual(try Experiment.sha256(of: database), digest, "\(name) changed the file")
            XCTAssertEqual(companions(database), [], "\(name) left files beside the database")
        }
    }

    func testStatusWhileARunIsWritingSeesItsRuns() throws {
        let file = try Experiment.write(Experiment.tiny(name: "live", steps: 100_000, evalEvery: 1_000), named: "live.toml", in: directory)
        let database = directory.appendingPathComponent("live.sqlite").path
        let log = directory.appendingPathComponent("live.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let run = try AblateBinary.startRun(file, database: database, output: try FileHandle(forWritingTo: log))
        defer { if run.isRunning { kill(run.processIdentifier, SIGTERM) }; run.waitUntilExit() }
        // Wait (bounded) until a run is being trained.
        var status: AblateBinary.Result?
        for _ in 0..<600 where run.isRunning {
            if FileManager.default.fileExists(atPath: database) {
                let result = try AblateBinary.run(["status", database])
                if result.status == 0 && result.standardOutput.contains("running") { status = result; break }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let seen = try XCTUnwrap(status, "status never showed a running run: \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
        XCTAssertTrue(seen.standardOutput.contains("baseline: "), seen.standardOutput)
        XCTAssertTrue(FileManager.default.fileExists(atPath: database + "-wal"), "the sweep is writing through its -wal")
        kill(run.processIdentifier, SIGTERM)
        run.waitUntilExit()
        let after = try AblateBinary.run(["status", database])
        XCTAssertEqual(after.status, 0, after.standardError)
        XCTAssertTrue(after.standardOutput.contains("interrupted"), "the reads did not disturb the sweep's own records: \(after.standardOutput)")
    }

    // MARK: - A read-only file in a read-only folder

    /// Runs ablate as an unprivileged user when the tests run as root (root ignores permission bits), in `workingDirectory`.
    func ablate(_ arguments: [String], in workingDirectory: URL, home: URL) throws -> AblateBinary.Result {
        var command = ["-C", workingDirectory.path, "HOME=\(home.path)"]
        if getuid() == 0 { command += ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] }
        return try AblateBinary.execute(URL(fileURLWithPath: "/usr/bin/env"), command + [AblateBinary.url.path] + arguments)
    }

    func testAReadOnlyFileInAReadOnlyFolderIsReadAndFiguresAreWrittenElsewhere() throws {
        let archive = directory.appendingPathComponent("archive", isDirectory: true)
        let database = try copyOfFixture("tiny.sqlite", in: archive)
        let key = try baselineKey(database)
        let digest = try Experiment.sha256(of: database)
        let writable = directory.appendingPathComponent("out", isDirectory: true)
        try FileManager.default.createDirectory(at: writable, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: writable.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: database)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: archive.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: archive.path) }

        // The user the commands run as really cannot write there.
        let probe = try ablate(["export", "/nonexistent", "--table", "runs"], in: writable, home: writable)
        XCTAssertNotEqual(probe.status, 0)
        var touch = ["-C", writable.path]
        if getuid() == 0 { touch += ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] }
        let written = try AblateBinary.execute(URL(fileURLWithPath: "/usr/bin/env"), touch + ["/usr/bin/touch", archive.appendingPathComponent("probe").path])
        XCTAssertNotEqual(written.status, 0, "the folder must not be writable by the user ablate runs as")
        let writtenElsewhere = try AblateBinary.execute(URL(fileURLWithPath: "/usr/bin/env"), touch + ["/usr/bin/touch", writable.appendingPathComponent("probe").path])
        XCTAssertEqual(writtenElsewhere.status, 0, writtenElsewhere.standardError)

        for command in [["status", database], ["export", database, "--table", "metrics"], ["compare", database],
                        ["eval", key, "--length", "3", "--database", database]] {
            let result = try ablate(command, in: writable, home: writable)
            XCTAssertEqual(result.status, 0, "\(command[0]): \(result.standardError)")
            XCTAssertFalse(result.standardOutput.isEmpty, command[0])
        }
        let report = try ablate(["report", database, "--reports", writable.appendingPathComponent("reports").path,
                                 "--plots", writable.appendingPathComponent("plots").path], in: writable, home: writable)
        XCTAssertEqual(report.status, 0, report.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: writable.appendingPathComponent("reports/tiny.md").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: writable.appendingPathComponent("reports/tiny.html").path))
        XCTAssertEqual(report.standardError.split(separator: "\n").count, 1, report.standardError)
        XCTAssertTrue(report.standardError.hasPrefix("warning: ") && report.standardError.contains("not recorded"), report.standardError)

        let figures = writable.appendingPathComponent("attention")
        let plot = try ablate(["plot", "attention", key, "--database", database, "--output", figures.path], in: writable, home: writable)
        XCTAssertEqual(plot.status, 0, plot.standardError)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: figures.path).filter { $0.hasSuffix(".png") }.isEmpty)
        XCTAssertEqual(plot.standardError.split(separator: "\n").count, 1, plot.standardError)
        XCTAssertTrue(plot.standardError.contains("not recorded"), plot.standardError)

        XCTAssertEqual(try Experiment.sha256(of: database), digest)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: archive.path), ["tiny.sqlite"], "nothing created beside it")
    }

    // MARK: - Files that are not ablate databases

    func testFilesThatAreNotAblateDatabasesAreRefusedWithExitTwoAndLeftUntouched() throws {
        let empty = directory.appendingPathComponent("empty.sqlite").path
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        let foreign = directory.appendingPathComponent("foreign.sqlite").path
        try SQLite.execute(foreign, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('a note');")
        let newer = try copyOfFixture("newer.sqlite")
        try SQLite.execute(newer, "INSERT INTO grdb_migrations VALUES ('v99')")
        let random = directory.appendingPathComponent("random.sqlite").path
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: random))
        let folder = directory.appendingPathComponent("folder.sqlite", isDirectory: true).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let missing = directory.appendingPathComponent("missing.sqlite").path
        let cases: [(path: String, saying: String)] = [
            (empty, "is empty (0 bytes): not an ablate results database"),
            (foreign, "is an SQLite database but not one ablate wrote (no grdb_migrations table; it holds notes)"),
            (newer, "was written by a newer ablate (schema versions v99"),
            (random, "is not an SQLite database"),
            (folder, "is a folder, not a database file"),
            (missing, "no database at \(missing)"),
        ]
        for (path, saying) in cases {
            XCTAssertEqual(companions(path), [], path)
            let digest = FileManager.default.fileExists(atPath: path) && path != folder ? try Experiment.sha256(of: path) : nil
            let commands: [[String]] = [
                ["status", path], ["export", path, "--table", "runs"], ["compare", path],
                ["report", path, "--reports", directory.appendingPathComponent("reports").path,
                 "--plots", directory.appendingPathComponent("plots").path],
                ["reproduce", "abcd", "--database", path], ["eval", "abcd", "--length", "3", "--database", path],
                ["plot", "attention", "abcd", "--database", path],
            ]
            for command in commands {
                let result = try AblateBinary.run(command)
                let name = "\(command[0]) \((path as NSString).lastPathComponent)"
                XCTAssertEqual(result.status, 2, "\(name): \(result.standardError)")
                XCTAssertTrue(result.standardError.contains(saying), "\(name): \(result.standardError)")
                XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, "\(name): \(result.standardError)")
                if let digest { XCTAssertEqual(try Experiment.sha256(of: path), digest, "\(name) changed the file") }
                XCTAssertEqual(companions(path), [], name)
            }
            if path == missing { XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "not created") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("reports").path), "no report written")
    }

    /// A database of the previous release (store v1: no variants, no findings) that holds runs is
    /// refused by every command, reading or writing, with exit 2, what to do, and its bytes unchanged.
    func testADatabaseOfTheEarlierReleaseIsRefusedByEveryCommandUntouched() throws {
        let old = try copyOfFixture("old.sqlite")
        let key = try baselineKey(old)
        // Back to the v1 schema as that release wrote it: v3's tables and v2's table, view and column removed.
        try SQLite.execute(old, """
            DROP TABLE tuning_decisions; DROP TABLE tuning_runs; DROP TABLE tuning;
            DROP VIEW variant_changes; DROP TABLE variants; ALTER TABLE experiments DROP COLUMN findings;
            DELETE FROM grdb_migrations WHERE identifier IN ('v2', 'v3'); VACUUM;
            """)
        XCTAssertEqual(try SQLite.rows(old, "SELECT identifier FROM grdb_migrations").map { $0["identifier"]!.text }, ["v1"])
        XCTAssertEqual(companions(old), [])
        let current = try copyOfFixture("current.sqlite")
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let digest = try Experiment.sha256(of: old)
        let reports = directory.appendingPathComponent("reports").path
        let commands: [[String]] = [
            ["status", old], ["export", old, "--table", "runs"], ["export", old, "--table", "variants"], ["compare", old],
            ["report", old, "--reports", reports, "--plots", directory.appendingPathComponent("plots").path],
            ["reproduce", key, "--database", old], ["eval", String(key.prefix(8)), "--length", "3", "--database", old],
            ["plot", "attention", String(key.prefix(8)), "--database", old],
            ["run", file, "--database", old, "--workers", "1"],
            ["merge", old, current], ["merge", current, old],
        ]
        let aside = (old as NSString).deletingPathExtension + ".v1.sqlite"
        for command in commands {
            let result = try AblateBinary.run(command)
            let name = command.prefix(2).joined(separator: " ")
            XCTAssertEqual(result.status, 2, "\(name): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains("\(old) was written by an earlier ablate (store v1, run keys ablate-run-v1); "
                                                        + "its runs cannot be reused"), "\(name): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains("mv \(old) \(aside) && ablate run "), "\(name): \(result.standardError)")
            XCTAssertEqual(try Experiment.sha256(of: old), digest, "\(name) changed the file")
            XCTAssertEqual(companions(old), [], name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: reports), "no report written")
    }

    func testTheWritingOpenSaysWhatIsWrongWithTheDatabasePath() throws {
        let file = try Experiment.write(Experiment.tiny(), named: "tiny.toml", in: directory)
        let folder = directory.appendingPathComponent("folder.sqlite").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let long = directory.appendingPathComponent(String(repeating: "n", count: 300) + ".sqlite").path
        let foreign = directory.appendingPathComponent("foreign.sqlite").path
        try SQLite.execute(foreign, "CREATE TABLE notes (text TEXT)")
        let digest = try Experiment.sha256(of: foreign)
        for (path, saying) in [(folder, "is a folder, not a database file"), (long, "is too long (307 bytes; the file system allows 255)"),
                               (foreign, "not one ablate wrote")] {
            let result = try AblateBinary.run(["run", file, "--database", path, "--workers", "1"])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.standardError.contains(saying), result.standardError)
            XCTAssertFalse(result.standardError.contains("check that its folder exists and is writable"), result.standardError)
        }
        XCTAssertEqual(try Experiment.sha256(of: foreign), digest)
        XCTAssertEqual(companions(foreign), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    // MARK: - A run in two databases

    func testReproduceOfARunInTwoDatabasesNamesThemAndSuggestsDatabase() throws {
        let results = directory.appendingPathComponent("results", isDirectory: true)
        let first = try copyOfFixture("a.sqlite", in: results)
        _ = try copyOfFixture("b.sqlite", in: results)
        let key = try baselineKey(first)
        let result = try AblateBinary.execute(URL(fileURLWithPath: "/usr/bin/env"),
                                              ["-C", directory.path, AblateBinary.url.path, "reproduce", key])
        XCTAssertEqual(result.status, 2, result.standardError)
        for part in ["is in 2 databases", "results/a.sqlite", "results/b.sqlite", "--database"] {
            XCTAssertTrue(result.standardError.contains(part), result.standardError)
        }
        XCTAssertFalse(result.standardError.contains("give more of the key"), result.standardError)
        let chosen = try AblateBinary.execute(URL(fileURLWithPath: "/usr/bin/env"),
                                              ["-C", directory.path, AblateBinary.url.path, "reproduce", key, "--database", "results/a.sqlite"])
        XCTAssertEqual(chosen.status, 0, chosen.standardError)
        XCTAssertTrue(chosen.standardOutput.contains("identical"), chosen.standardOutput)
    }
}
