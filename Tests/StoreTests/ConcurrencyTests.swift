import Foundation
import XCTest
import Store

/// Several stores on one file, each with its own connections, used from its own thread: SQLite
/// locks them against each other as it locks separate processes (ProcessTests does it with real
/// processes). No write may fail with "database is locked", no row may be lost.
final class ConcurrencyTests: StoreTestCase {
    func testConcurrentWritersLoseNothingAndClaimEachRunOnce() throws {
        let writers = 4, batches = 150, pointsPerBatch = 10, runCount = 40
        let setup = try openStore()
        let runs = (0..<runCount).map { PlannedRun(key: "run-\($0)", variant: "v\($0 % 4)", seed: $0, config: "{}") }
        try setup.register(experiment: Self.experiment, runs: runs)
        // One running run per writer, for its metrics.
        for writer in 0..<writers {
            try setup.register(experiment: Self.experiment, runs: [PlannedRun(key: "log-\(writer)", variant: "log", seed: writer, config: "{}")])
            try setup.claim(runKey: "log-\(writer)", worker: WorkerIdentity(host: "h", pid: Int32(writer)))
        }

        let path = databasePath
        let errors = ErrorBox()
        let claims = Counter()
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            do {
                let store = try ResultStore(path: path)
                let worker = WorkerIdentity(host: "h", pid: Int32(writer))
                var order = Array(0..<runCount)
                var generator = SplitMix(seed: UInt64(writer))
                order.shuffle(using: &generator)
                for batch in 0..<batches {
                    let points = (0..<pointsPerBatch).map {
                        MetricPoint(run: "log-\(writer)", step: batch * pointsPerBatch + $0, split: .train, name: .loss, value: Double($0))
                    }
                    try store.recordMetrics(points)
                    if batch < runCount, try store.claim(runKey: "run-\(order[batch])", worker: worker) {
                        claims.add(1)
                    }
                    if batch % 25 == 0 { _ = try store.runs(experiment: "positional") }
                }
            } catch {
                errors.append(error)
            }
        }

        XCTAssertEqual(errors.all.map { "\($0)" }, [])
        XCTAssertEqual(claims.value, runCount, "every run claimed exactly once")
        let store = try openStore()
        for writer in 0..<writers {
            XCTAssertEqual(try store.metrics(run: "log-\(writer)").count, batches * pointsPerBatch)
        }
        XCTAssertEqual(try store.runs(experiment: "positional").filter { $0.key.hasPrefix("run-") }.map(\.attempts),
                       Array(repeating: 1, count: runCount))
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// A small seeded generator, so a shuffle is the same on every run of the test.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
