import Foundation
import XCTest
@testable import Store

/// Store v3: a tuned experiment's settings, the parts its runs play and its decisions, written with
/// the runs in one transaction; a new decision for a rung replaces that rung's and later ones.
final class TuningStoreTests: StoreTestCase {
    static let settings = TuningSettings(method: "halving", metric: "exact_match", selectionSeeds: [1], eta: 2, firstRung: nil,
                                         axes: [.init(key: "train.lr", values: ["0.001", "0.01"], numeric: true)],
                                         candidates: [.init(name: "lr=0.001", changes: [VariantChange(key: "train.lr", value: "0.001")]),
                                                      .init(name: "lr=0.01", changes: [VariantChange(key: "train.lr", value: "0.01")])])

    static func decision(rung: Int, candidate: Int, _ decision: TuningDecisionRecord.Decision, value: Double) -> TuningDecisionRecord {
        TuningDecisionRecord(experiment: "positional", variant: "baseline", rung: rung, candidate: candidate, steps: 10 * (rung + 1),
                             value: value, tieBreak: 0.5, rank: decision == .stopped ? 2 : 1, decision: decision,
                             runs: ["baseline/\(candidate + 1)"], decidedAt: Date(timeIntervalSince1970: 1_000_000))
    }

    func testTuningIsStoredWithTheRunsAndReadBack() throws {
        let store = try openStore()
        let runs = Self.plannedRuns(variants: ["baseline"], seeds: [1, 2])
        let parts = [TuningRunRecord(experiment: "positional", variant: "baseline", role: .trial, candidate: 0, rung: 0, seed: 1, run: runs[0].key),
                     TuningRunRecord(experiment: "positional", variant: "baseline", role: .final, candidate: 0, rung: nil, seed: 1, run: runs[0].key),
                     TuningRunRecord(experiment: "positional", variant: "baseline", role: .untuned, candidate: nil, rung: nil, seed: 2, run: runs[1].key)]
        let first = [Self.decision(rung: 0, candidate: 0, .kept, value: 0.5), Self.decision(rung: 0, candidate: 1, .stopped, value: 0.25),
                     Self.decision(rung: 1, candidate: 0, .chosen, value: 0.75)]
        try store.register(experiment: Self.experiment, variants: [], runs: runs,
                           tuning: TuningRegistration(settings: Self.settings, runs: parts, decisions: first))
        let stored = try XCTUnwrap(try store.tuning(experiment: "positional"))
        XCTAssertEqual(stored.settings, Self.settings)
        XCTAssertEqual(stored.runs, parts, "one run may play two parts")
        XCTAssertEqual(stored.decisions, first)
        XCTAssertEqual(stored.runs(.final).map(\.run), [runs[0].key])
        XCTAssertNil(try store.tuning(experiment: "other"))

        // Decided anew from rung 0: rung 1's old decision goes with it.
        let again = [Self.decision(rung: 0, candidate: 1, .kept, value: 0.9), Self.decision(rung: 0, candidate: 0, .stopped, value: 0.5)]
        try store.register(experiment: Self.experiment, variants: [], runs: runs,
                           tuning: TuningRegistration(settings: Self.settings, runs: parts, decisions: again))
        XCTAssertEqual(try store.tuning(experiment: "positional")?.decisions.map(\.candidate), [1, 0])
        XCTAssertEqual(try store.tuning(experiment: "positional")?.decisions.map(\.rung), [0, 0])

        // A shard's registration (no variants) leaves the tuning rows alone; the file without [tune] removes the settings and parts.
        try store.register(experiment: Self.experiment, runs: runs)
        XCTAssertNotNil(try store.tuning(experiment: "positional"))
        try store.register(experiment: Self.experiment, variants: [], runs: runs)
        XCTAssertNil(try store.tuning(experiment: "positional"))
        XCTAssertEqual(try store.export(.tuningRuns).rows.count, 0)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testTheSchemaRefusesAnUnknownRoleOrDecision() throws {
        let store = try openStore()
        try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
        var part = TuningRunRecord(experiment: "positional", variant: "baseline", role: .trial, candidate: 0, rung: 0, seed: 1, run: "baseline/1")
        XCTAssertThrowsError(try store.write { db in
            try db.execute(sql: "INSERT INTO tuning_runs (experiment, variant, role, seed, run, position) VALUES ('positional', 'baseline', 'judge', 1, 'baseline/1', 0)")
        })
        part.rung = 0
        XCTAssertThrowsError(try store.write { db in
            try db.execute(sql: """
                INSERT INTO tuning_decisions (experiment, variant, rung, candidate, steps, rank, decision, runs, decided_at)
                VALUES ('positional', 'baseline', 0, 0, 10, 1, 'maybe', '[]', '2026-01-01')
                """)
        })
    }

    func testAVersion2FileReadsAsUntunedWithoutMigrating() throws {
        // A v2 file: this code's schema with the v3 migration taken out.
        do {
            let store = try openStore()
            try store.register(experiment: Self.experiment, runs: Self.plannedRuns())
            try store.write { db in
                try db.execute(sql: "DROP TABLE tuning_decisions; DROP TABLE tuning_runs; DROP TABLE tuning; DELETE FROM grdb_migrations WHERE identifier = 'v3'")
            }
            try store.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        let reading = try ResultStore(readingAt: databasePath)
        XCTAssertNil(try reading.tuning(experiment: "positional"))
        XCTAssertEqual(try reading.export(.tuningDecisions).rows.count, 0)
        XCTAssertEqual(try reading.runs(experiment: "positional").count, 6)
        try reading.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: databasePath)), before, "reading changed nothing")
        XCTAssertEqual(try openStore().schemaVersions(), ["v1", "v2", "v3"], "a writer migrates it")
    }
}
