import Foundation
import XCTest
import Store

/// A fresh folder per test, removed afterwards, and a small experiment to register.
class StoreTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("ablate-store-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    var databasePath: String { folder.appendingPathComponent("results/test.sqlite").path }

    func openStore() throws -> ResultStore { try ResultStore(path: databasePath) }

    static let experiment = ExperimentRecord(name: "positional", question: "Which positions?", source: "[experiment]\nname = \"positional\"\n")

    /// variants x seeds, keys "variant/seed".
    static func plannedRuns(variants: [String] = ["baseline", "no-positional"], seeds: [Int] = [1, 2, 3]) -> [PlannedRun] {
        variants.flatMap { variant in
            seeds.map { seed in
                PlannedRun(key: "\(variant)/\(seed)", variant: variant, seed: seed,
                           config: "{\"seed\":\(seed),\"variant\":\"\(variant)\"}")
            }
        }
    }

    static let workerA = WorkerIdentity(host: "test-host", pid: 101)
    static let workerB = WorkerIdentity(host: "test-host", pid: 202)

    /// Metric points for steps 0, 10, ..., (count - 1) * 10 of a run, one "loss" per step.
    static func lossCurve(run: String, count: Int, split: MetricSplit = .validation) -> [MetricPoint] {
        (0..<count).map { MetricPoint(run: run, step: $0 * 10, split: split, name: .loss, value: 1 / Double($0 + 1)) }
    }
}
