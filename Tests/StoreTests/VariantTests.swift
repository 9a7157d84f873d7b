import Foundation
import XCTest
@testable import Store

/// Store v2: the experiment's findings and its variants (description, changes as written, same-as)
/// are stored with the runs, replaced on every registration, and readable with sqlite3 alone.
final class VariantTests: StoreTestCase {
    static func variants(description: String = "no positions at all") -> [VariantRecord] {
        [
            VariantRecord(experiment: "positional", name: "baseline", position: 0, origin: .baseline),
            VariantRecord(experiment: "positional", name: "no-positional", position: 1, origin: .variant, description: description,
                          changes: [VariantChange(key: "model.positional", value: "\"none\""),
                                    VariantChange(key: "train.lr", value: "0.003")]),
            VariantRecord(experiment: "positional", name: "heads=2", position: 2, origin: .grid,
                          changes: [VariantChange(key: "model.heads", value: "2")], sameAs: "baseline"),
        ]
    }

    func testRegisterStoresTheVariantsInTheFilesOrder() throws {
        let store = try openStore()
        XCTAssertEqual(try store.schemaVersions(), ["v1", "v2", "v3"])
        // Given out of order: read back by position.
        try store.register(experiment: Self.experiment, variants: Self.variants().reversed(), runs: Self.plannedRuns())
        XCTAssertEqual(try store.variants(experiment: "positional"), Self.variants())
        XCTAssertEqual(try store.variants(experiment: "other"), [])
    }

    func testRegisteringAgainReplacesTheVariantsAndUpdatesTheFindingsWithoutTouchingRuns() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, variants: Self.variants(), runs: Self.plannedRuns())
        let run = try XCTUnwrap(store.claimNext(experiment: "positional", worker: Self.workerA))
        try store.finish(runKey: run.key, worker: Self.workerA, outcome: RunOutcome(status: .done, steps: 3))
        let created = try store.experiments()[0].created

        var edited = Self.experiment
        edited.findings = "Positions matter beyond length 8."
        edited.question = "Which positions, really?"
        let fewer = Array(Self.variants(description: "no positions, edited").prefix(2))
        XCTAssertEqual(try store.register(experiment: edited, variants: fewer, runs: Self.plannedRuns()), 0, "no run added")

        XCTAssertEqual(try store.variants(experiment: "positional"), fewer, "heads=2 is gone, the description is new")
        let stored = try store.experiments()
        XCTAssertEqual(stored, [ExperimentRecord(name: "positional", question: "Which positions, really?",
                                                 findings: "Positions matter beyond length 8.", source: Self.experiment.source,
                                                 created: created)])
        XCTAssertEqual(try store.run(key: run.key)?.status, .done, "the finished run stays finished")

        // Without variants (a shard's registration) the stored ones stay.
        try store.register(experiment: edited, runs: Self.plannedRuns())
        XCTAssertEqual(try store.variants(experiment: "positional"), fewer)
    }

    func testTheRecordsColumnsAreTheTablesColumns() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, variants: Self.variants(), runs: Self.plannedRuns())
        let variants = try store.export(.variants, experiment: "positional")
        XCTAssertEqual(variants.columns, ["experiment", "name", "position", "origin", "description", "changes", "same_as"])
        XCTAssertEqual(variants.rows[1][5], .text(#"[{"key":"model.positional","value":"\"none\""},{"key":"train.lr","value":"0.003"}]"#))
        XCTAssertEqual(variants.rows[2][6], .text("baseline"))
        XCTAssertEqual(variants.rows[0][6], .null)
        let experiments = try store.export(.experiments)
        XCTAssertEqual(Set(experiments.columns), ["name", "question", "source", "created_at", "findings"])
        XCTAssertEqual(experiments.rows.count, 1)
    }

    func testTheVariantChangesViewListsOneRowPerChange() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, variants: Self.variants(), runs: Self.plannedRuns())
        let changes = try store.export(.variantChanges, experiment: "positional")
        XCTAssertEqual(changes.columns, ["experiment", "variant", "position", "key", "value"])
        XCTAssertEqual(changes.rows, [
            [.text("positional"), .text("no-positional"), .integer(1), .text("model.positional"), .text("\"none\"")],
            [.text("positional"), .text("no-positional"), .integer(1), .text("train.lr"), .text("0.003")],
            [.text("positional"), .text("heads=2"), .integer(2), .text("model.heads"), .text("2")],
        ])
        let lr = try store.query("SELECT variant FROM variant_changes WHERE key = 'train.lr'")
        XCTAssertEqual(lr.rows, [[.text("no-positional")]])
    }

    func testTheSchemaRefusesAnUnknownOriginAndChangesThatAreNotAnArray() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: [])
        XCTAssertThrowsError(try store.write { try $0.execute(sql: """
            INSERT INTO variants (experiment, name, position, origin, changes) VALUES ('positional', 'x', 1, 'random', '[]')
            """) })
        XCTAssertThrowsError(try store.write { try $0.execute(sql: """
            INSERT INTO variants (experiment, name, position, origin, changes) VALUES ('positional', 'x', 1, 'variant', '{"a": 1}')
            """) })
    }

    // MARK: - Store v1 files

    /// A database as the previous release (store v1) left it: its schema, in WAL mode, holding one
    /// experiment with a run and the experiment file's name when `experiment` is true.
    func writeVersion1(at path: String, experiment: Bool) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var sql = "PRAGMA journal_mode = WAL;\n" + Schema.version1
            + "\nCREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);\nINSERT INTO grdb_migrations VALUES ('v1');\n"
        if experiment {
            sql += """
                INSERT INTO experiments VALUES ('positional', 'Which positions?', '[experiment]', '2026-01-01 00:00:00.000');
                INSERT INTO runs (key, experiment, variant, seed, config, status, position, registered_at)
                    VALUES ('k1', 'positional', 'baseline', 1, '{}', 'done', 0, '2026-01-01 00:00:00.000');
                INSERT INTO environment VALUES ('positional', NULL, 'experiment_file', 'experiments/positional.toml');
                """
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "sqlite3 failed on the v1 schema")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "sqlite3 closed the file cleanly")
    }

    func testAnEmptyVersion1FileIsMigratedSilently() throws {
        try writeVersion1(at: databasePath, experiment: false)
        let store = try openStore()
        XCTAssertEqual(try store.schemaVersions(), ["v1", "v2", "v3"])
        try store.register(experiment: Self.experiment, variants: Self.variants(), runs: Self.plannedRuns())
        XCTAssertEqual(try store.variants(experiment: "positional").count, 3)
        XCTAssertEqual(try store.experiments().map(\.findings), [""])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testAVersion1FileWithExperimentsIsRefusedForReadingAndWritingUntouched() throws {
        try writeVersion1(at: databasePath, experiment: true)
        let before = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        let expected = StoreError.earlierRelease(path: databasePath, storeVersion: "v1", runKeys: "ablate-run-v1",
                                                 experimentFiles: ["experiments/positional.toml"])
        for open in [{ try ResultStore(path: self.databasePath) }, { try ResultStore(readingAt: self.databasePath) }] {
            XCTAssertThrowsError(try open()) { error in
                XCTAssertEqual(error as? StoreError, expected)
                let message = "\(error)"
                XCTAssertTrue(message.contains("written by an earlier ablate (store v1, run keys ablate-run-v1)"), message)
                let aside = (databasePath as NSString).deletingPathExtension + ".v1.sqlite"
                XCTAssertTrue(message.contains("mv \(databasePath) \(aside) && ablate run experiments/positional.toml"), message)
            }
        }
        XCTAssertTrue(expected.isBadInput)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: databasePath)), before, "the file is unchanged")
        XCTAssertThrowsError(try ResultStore.readForTransfer(path: databasePath)) { error in
            XCTAssertEqual(error as? StoreError, expected)
        }
    }

    func testTheRefusalQuotesPathsAShellWouldSplit() {
        let error = StoreError.earlierRelease(path: "my results/x.sqlite", storeVersion: "v1", runKeys: "ablate-run-v1",
                                              experimentFiles: [])
        XCTAssertTrue("\(error)".hasSuffix("mv 'my results/x.sqlite' 'my results/x.v1.sqlite' && ablate run EXPERIMENT.toml"), "\(error)")
    }

    // MARK: - docs/store.md

    /// Every column of every table and view appears in docs/store.md, in its table's section.
    func testDocsStoreDescribesEveryColumnOfEveryTableAndView() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/store.md"), encoding: .utf8)
        let store = try openStore()
        let objects = try store.query("""
            SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
            ORDER BY name
            """).rows.compactMap { row -> String? in if case .text(let name) = row[0] { return name } else { return nil } }
        XCTAssertTrue(objects.contains("variants") && objects.contains("variant_changes"), "\(objects)")
        for object in objects {
            guard let heading = docs.range(of: "\n### \(object)\n") else {
                XCTFail("docs/store.md has no section ### \(object)")
                continue
            }
            let rest = docs[heading.upperBound...]
            let section = rest.range(of: "\n#").map { rest[..<$0.lowerBound] } ?? rest
            let columns = try store.query("SELECT name FROM pragma_table_info('\(object)')").rows
            XCTAssertFalse(columns.isEmpty, object)
            for case .text(let column) in columns.map({ $0[0] }) {
                XCTAssertTrue(section.contains("`\(column)`"), "docs/store.md's section on \(object) does not name the column `\(column)`")
            }
        }
    }
}
