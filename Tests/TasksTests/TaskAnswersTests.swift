import Tasks
import Tensors
import XCTest

/// What every task says about itself (the longest example at a size, which sizes it draws and why
/// not, which splits it can fill) agrees with what its generator produces.
final class TaskAnswersTests: XCTestCase {
    /// Every registered task at its defaults, plus the variants whose answers differ (dyck's modes and
    /// depths, other alphabets and parameters).
    static func tasks() throws -> [any SyntheticTask] {
        var tasks = try TaskRegistry.entries.map { try TaskRegistry.make(kind: $0.kind) }
        tasks += [DyckTask(mode: .complete), DyckTask(types: 1, maxDepth: 1, mode: .complete), DyckTask(types: 3, maxDepth: 3),
                  DyckTask(types: 2, maxDepth: 3, mode: .complete), AssociativeRecallTask(keys: 6, values: 3, queries: 2),
                  SelectiveCopyTask(symbols: 3, marked: 2), DelayedRecallTask(symbols: 3, lead: 0), DelayedRecallTask(symbols: 2, lead: 3),
                  MajorityTask(symbols: 3), CopyTask(symbols: 2)]
        return tasks
    }

    static func name(_ task: any SyntheticTask) -> String {
        "\(type(of: task).kind) \(task.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: " "))"
    }

    /// The small sizes a test probes: the first dozen sizes of the task's limits.
    static func sizes(_ task: any SyntheticTask) -> ClosedRange<Int> {
        task.sizeLimits.lowerBound...min(task.sizeLimits.upperBound, task.sizeLimits.lowerBound + 11)
    }

    /// Drawn from a range, the generator produces exactly the sizes the task says it can generate;
    /// each size it refuses comes with a reason, and so does every size outside its limits.
    func testTheSizesDrawnAreTheSizesTheTaskCanGenerate() throws {
        for task in try Self.tasks() {
            let name = Self.name(task), sizeName = type(of: task).sizeName
            let range = Self.sizes(task)
            var rng = RNG(seed: 11, purpose: .data)
            var drawn = Set<Int>()
            for _ in 0..<1500 {
                let example = task.generate(size: range, rng: &rng)
                drawn.insert(try XCTUnwrap(example.slices[sizeName], "\(name): no \(sizeName) slice"))
            }
            XCTAssertEqual(drawn, Set(range.filter(task.canGenerate(size:))), name)
            for size in range where !drawn.contains(size) {
                XCTAssertNotNil(task.whyNotGenerate(size: size), "\(name) at \(size)")
            }
            for outside in [task.sizeLimits.lowerBound - 1, task.sizeLimits.upperBound + 1] {
                let reason = try XCTUnwrap(task.whyNotGenerate(size: outside), "\(name) at \(outside)")
                XCTAssertTrue(reason.contains("\(task.sizeLimits.lowerBound)...\(task.sizeLimits.upperBound)"), "\(name): \(reason)")
            }
        }
    }

    /// `longest(size:)` bounds every generated example of that size and is reached, for the source
    /// and for the target (a classification's target is its one class).
    func testTheLongestSourceAndTargetAreWhatTheGeneratorProduces() throws {
        for task in try Self.tasks() {
            let name = Self.name(task)
            for size in Self.sizes(task) where task.canGenerate(size: size) {
                var rng = RNG(seed: UInt64(size), purpose: .data)
                var source = 0, target = 0
                for _ in 0..<600 {
                    let example = task.generate(size: size...size, rng: &rng)
                    source = max(source, example.source.count)
                    target = max(target, example.target.count)
                }
                let answer = task.longest(size: size)
                XCTAssertEqual(source, answer.source, "\(name) at \(size): longest source")
                XCTAssertEqual(target, answer.target, "\(name) at \(size): longest target")
                if case .classification = task.output { XCTAssertEqual(answer.target, 1, name) }
            }
        }
    }

    /// A dyck training range without a drawable length is refused with the rule and the range.
    func testARangeWithoutADrawableSizeSaysWhy() throws {
        let odd = try XCTUnwrap(DyckTask().whyNotGenerate(anyOf: 3...3))
        XCTAssertEqual(odd, "dyck in classify mode draws only even lengths (balanced sequences), and 3...3 has none")
        let even = try XCTUnwrap(DyckTask(maxDepth: 1, mode: .complete).whyNotGenerate(anyOf: 4...4))
        XCTAssertEqual(even, "dyck in complete mode with max_depth 1 draws only odd lengths, and 4...4 has none")
        XCTAssertNil(DyckTask().whyNotGenerate(anyOf: 3...4))
        XCTAssertNil(DyckTask(mode: .complete).whyNotGenerate(anyOf: 3...3), "max_depth 4 draws every length")
        XCTAssertNil(ReverseTask().whyNotGenerate(anyOf: 1...1))
        XCTAssertThrowsError(try TaskSetup(task: DyckTask(), trainSize: 3...3).checkDrawable()) { error in
            XCTAssertEqual(error as? TaskConfigError, TaskConfigError(key: "task.train_length", message: odd))
        }
    }

    /// A split the setup says it cannot fill really cannot be drawn, and the range named is the one
    /// that feeds it; a setup it accepts draws every split.
    func testSplitsTheSetupCannotFillCannotBeDrawn() throws {
        // Parity at length 1 has two sources, at length 2 four: too few for all three splits.
        let cases: [(setup: TaskSetup, key: String)] = [
            (try TaskSetup(task: ParityTask(), trainSize: 1...2), "task.train_length"),
            (try TaskSetup(task: ParityTask(), trainSize: 6...8, evaluationSize: 1...8), "task.eval_length"),
            (try TaskSetup(task: CopyTask(symbols: 2), trainSize: 8...10, evaluationSize: 1...10), "task.eval_length"),
        ]
        for (setup, key) in cases {
            let kind = type(of: setup.task).kind
            let error: TaskConfigError
            do {
                try setup.checkDrawable()
                XCTFail("\(kind) \(setup.trainSize) \(setup.evaluationSize) was accepted")
                continue
            } catch let thrown as TaskConfigError {
                error = thrown
            }
            XCTAssertEqual(error.key, key, error.message)
            XCTAssertTrue(error.message.contains("\(kind) cannot fill its "), error.message)
            let split = Split.allCases.first { error.message.contains("its \($0.rawValue) split") }
            let size = setup.evaluationSize.first { error.message.contains("at length \($0):") }
            let sizes = key == "task.train_length" ? setup.trainSize : size.map { $0...$0 }
            guard let split, let sizes else {
                XCTFail("\(kind): the message names no split and size: \(error.message)")
                continue
            }
            XCTAssertThrowsError(try Dataset.examples(setup.task, seed: 5, split: split, size: sizes, count: 1),
                                 "\(kind): \(split) at \(sizes) can be drawn after all") { drawError in
                XCTAssertTrue(drawError is Dataset.InfeasibleError, "\(drawError)")
            }
        }
        for setup in [try TaskSetup(task: ParityTask(), trainSize: 6...8), try TaskSetup(task: ReverseTask(), trainSize: 2...6),
                      try TaskSetup(task: DyckTask(), trainSize: 4...8)] {
            XCTAssertNoThrow(try setup.checkDrawable())
            for split in [Split.train, .validation] {
                XCTAssertEqual(try Dataset.examples(setup.task, seed: 5, split: split, size: setup.trainSize, count: 20).count, 20)
            }
            XCTAssertFalse(try setup.evaluationExamples(seed: 5, perSize: 4).isEmpty)
        }
    }
}
