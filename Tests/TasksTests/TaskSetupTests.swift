import Tasks
import Tensors
import XCTest

final class TaskSetupTests: XCTestCase {
    func testEvaluationReachesTwiceTheTrainingSizeByDefault() throws {
        let setup = try TaskSetup(task: ReverseTask(), trainSize: 4...8)
        XCTAssertEqual(setup.evaluationSize, 4...16)
        XCTAssertEqual(setup.extrapolationSizes, Array(9...16))
        let examples = try setup.evaluationExamples(seed: 3, perSize: 5)
        XCTAssertEqual(examples.count, 13 * 5)
        for size in 4...16 {
            XCTAssertEqual(examples.filter { $0.slices["length"] == size }.count, 5, "size \(size)")
        }
        XCTAssertEqual(try setup.evaluationExamples(seed: 3, perSize: 5), examples, "deterministic")
        XCTAssertTrue(examples.allSatisfy { Split.of($0.source) == .test })
    }

    func testRangesOutsideTheTaskLimitsNameTheKey() {
        XCTAssertThrowsError(try TaskSetup(task: DelayedRecallTask(), trainSize: 0...8)) { error in
            XCTAssertEqual((error as? TaskConfigError)?.key, "task.train_distance")
        }
        XCTAssertThrowsError(try TaskSetup(task: ReverseTask(), trainSize: 4...8, evaluationSize: 4...5000)) { error in
            XCTAssertEqual((error as? TaskConfigError)?.key, "task.eval_length")
            XCTAssertTrue("\(error)".contains("1...4096"), "\(error)")
        }
    }

    func testSizesATaskCannotGenerateAreLeftOut() throws {
        let setup = try TaskSetup(task: DyckTask(), trainSize: 10...12, evaluationSize: 10...15)
        let examples = try setup.evaluationExamples(seed: 1, perSize: 3)
        XCTAssertEqual(Set(examples.compactMap { $0.slices["length"] }), [10, 12, 14], "classify mode has even lengths only")
    }

    /// Every split receives its share even when the sources share structure (balanced brackets have as many
    /// openings as closings, which an unmixed FNV hash maps to one parity).
    func testSplitsAreBalancedForStructuredSources() throws {
        for task in [DyckTask() as any SyntheticTask, ParityTask(), CopyTask(symbols: 2)] {
            var rng = RNG(seed: 4, purpose: .data)
            var counts: [Split: Int] = [:]
            for _ in 0..<4000 { counts[Split.of(task.generate(size: 10...12, rng: &rng).source), default: 0] += 1 }
            for split in [Split.validation, .test] {
                XCTAssertGreaterThan(counts[split] ?? 0, 250, "\(type(of: task).kind): \(counts)")
            }
        }
    }
}
