import Foundation
import Store
import XCTest
@testable import Runner

/// `ablate status` from a database alone: the plan's order (not sorted by name), each variant's
/// changes as written, grid points equal to an earlier variant, failures with their errors.
final class StatusReportTests: XCTestCase {
    func testStatusFollowsThePlanAndShowsChangesSameAsAndFailures() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("x.sqlite").path
        let store = try ResultStore(path: path)
        let variants = [
            VariantRecord(experiment: "x", name: "baseline", position: 0, origin: .baseline),
            VariantRecord(experiment: "x", name: "zeta", position: 1, origin: .variant, description: "d",
                          changes: [VariantChange(key: "train.lr", value: "0.003")]),
            VariantRecord(experiment: "x", name: "alpha\u{1b}", position: 2, origin: .variant,
                          changes: [VariantChange(key: "model.positional", value: "\"none\"")]),
            VariantRecord(experiment: "x", name: "grid-1", position: 3, origin: .grid,
                          changes: [VariantChange(key: "train.lr", value: "0.003")], sameAs: "zeta"),
        ]
        let runs = [("baseline", 1), ("baseline", 2), ("zeta", 1), ("zeta", 2), ("alpha\u{1b}", 1), ("alpha\u{1b}", 2)]
            .enumerated().map { PlannedRun(key: String(format: "%016x", $0.offset + 1), variant: $0.element.0, seed: $0.element.1, config: "{}") }
        _ = try store.register(experiment: ExperimentRecord(name: "x", question: "q?", source: ""), variants: variants, runs: runs)
        let worker = WorkerIdentity(host: "h", pid: 1)
        for (index, outcome) in [(0, RunOutcome(status: .done)), (2, RunOutcome(status: .failed, error: "boom\u{1b}"))] {
            XCTAssertTrue(try store.claim(runKey: runs[index].key, worker: worker))
            XCTAssertTrue(try store.finish(runKey: runs[index].key, worker: worker, outcome: outcome))
        }
        try store.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let lines = try StatusReport.lines(databasePath: path)
        XCTAssertEqual(lines, [
            "x: q?",
            "  baseline: 1 done, 1 pending",
            "  zeta (train.lr = 0.003): 1 failed, 1 pending",
            "  alpha\\u{1B} (model.positional = \"none\"): 2 pending",
            "  grid-1 (train.lr = 0.003): same as zeta",
            "  failed: zeta seed 1: boom\\u{1B}",
        ])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "status wrote to the database")
    }
}
