import XCTest
import Tasks
import Tensors

/// Dyck in both modes: determinism, disjoint splits, ranges, a stack solver written from the
/// definition, balanced labels, uniform draws, and the chance levels.
final class DyckTaskTests: XCTestCase {
    private let classify = DyckTask()
    private let complete = DyckTask(mode: .complete)

    // MARK: A reference written from the definition (tokens 2t+1 open and 2t+2 close kind t)

    /// Reads `tokens` with a stack: whether every closing bracket matches the innermost open one,
    /// the kinds left open (outermost first), and the deepest nesting reached.
    private func stackRead(_ tokens: [Int32]) -> (matched: Bool, open: [Int32], deepest: Int) {
        var stack: [Int32] = [], deepest = 0, depth = 0
        var matched = true
        for token in tokens {
            if token % 2 == 1 {
                stack.append(token)
                depth += 1
            } else {
                if stack.last == token - 1 { stack.removeLast() } else { matched = false }
                depth -= 1
            }
            deepest = max(deepest, depth)
        }
        return (matched, stack, deepest)
    }

    // MARK: Determinism and splits

    func testSameArgumentsSameExamplesAndSeedsDiffer() throws {
        for task in [classify, complete] {
            let a = try Dataset.examples(task, seed: 7, split: .test, size: 2...20, count: 50)
            let b = try Dataset.examples(task, seed: 7, split: .test, size: 2...20, count: 50)
            let c = try Dataset.examples(task, seed: 8, split: .test, size: 2...20, count: 50)
            XCTAssertEqual(a, b, task.mode.rawValue)
            XCTAssertNotEqual(a, c, task.mode.rawValue)
        }
    }

    func testSplitsShareNoSource() throws {
        for task in [classify, complete] {
            var seen: [Split: Set<[Int32]>] = [:]
            for split in Split.allCases {
                seen[split] = Set(try Dataset.examples(task, seed: 3, split: split, size: 8...24, count: 300).map(\.source))
            }
            XCTAssertTrue(seen[.train]!.isDisjoint(with: seen[.validation]!))
            XCTAssertTrue(seen[.train]!.isDisjoint(with: seen[.test]!))
            XCTAssertTrue(seen[.validation]!.isDisjoint(with: seen[.test]!))
        }
    }

    // MARK: Classify

    /// The stack solver agrees with every label, labels are balanced about half the time, lengths are
    /// even and in range, depth stays within maxDepth, and no unbalanced source can be told by
    /// counting opening against closing brackets.
    func testClassifyStackSolverLabelsRangesAndNearMisses() throws {
        for types in [1, 2, 4] {
            let task = DyckTask(types: types, maxDepth: 3)
            let examples = try Dataset.examples(task, seed: 31, split: .train, size: 2...30, count: 500)
            var balanced = 0
            for example in examples {
                let source = example.source, read = stackRead(source)
                XCTAssertTrue(source.allSatisfy { (1..<Int32(task.vocabulary)).contains($0) }, "\(source)")
                let label: Int32 = read.matched && read.open.isEmpty ? 1 : 0
                XCTAssertEqual(example.target, [label], "\(source)")
                balanced += Int(label)
                XCTAssertEqual(source.count % 2, 0)
                XCTAssertTrue((2...30).contains(source.count))
                XCTAssertEqual(example.slices, ["length": source.count, "depth": read.deepest])
                XCTAssertLessThanOrEqual(read.deepest, 3)
                XCTAssertEqual(source.filter { $0 % 2 == 1 }.count, source.count / 2, "counts give away \(source)")
            }
            let share = Double(balanced) / Double(examples.count)
            XCTAssertTrue((0.4...0.6).contains(share), "balanced share \(share) with \(types) types")
        }
    }

    /// Balanced sources are drawn uniformly: with one kind and depth <= 3 the five words of length 6
    /// are equally likely (a plain random walk would favour some).
    func testBalancedWordsAreUniform() {
        let task = DyckTask(types: 1, maxDepth: 3)
        var rng = RNG(seed: 5, purpose: .data)
        var counts: [[Int32]: Int] = [:]
        for _ in 0..<2500 {
            let example = task.generate(size: 6...6, rng: &rng)
            if example.target == [1] { counts[example.source, default: 0] += 1 }
        }
        XCTAssertEqual(counts.count, 5)
        let total = counts.values.reduce(0, +), expected = Double(total) / 5
        let error = (Double(total) * 0.2 * 0.8).squareRoot()
        for (word, count) in counts {
            XCTAssertEqual(Double(count), expected, accuracy: 5 * error, "\(word.map(task.describe).joined())")
        }
    }

    // MARK: Complete

    /// The source is a valid prefix with something left open; closing the stack gives the target.
    func testCompleteStackSolverAndRanges() throws {
        for (types, maxDepth) in [(1, 1), (2, 4), (4, 2)] {
            let task = DyckTask(types: types, maxDepth: maxDepth, mode: .complete)
            let examples = try Dataset.examples(task, seed: 32, split: .train, size: 1...25, count: 500)
            for example in examples {
                let source = example.source, read = stackRead(source)
                XCTAssertTrue((source + example.target).allSatisfy { (1..<Int32(task.vocabulary)).contains($0) })
                XCTAssertTrue(read.matched, "\(source)")
                XCTAssertFalse(read.open.isEmpty)
                XCTAssertEqual(example.target, read.open.reversed().map { $0 + 1 })
                XCTAssertTrue((1...25).contains(source.count))
                if maxDepth == 1 { XCTAssertEqual(source.count % 2, 1) }
                XCTAssertEqual(example.slices, ["length": source.count, "depth": read.deepest])
                XCTAssertLessThanOrEqual(read.deepest, maxDepth)
            }
        }
    }

    // MARK: Chance, limits, rendering

    /// Counted by hand for two kinds, depth <= 3, length 5: prefixes ending at depth 3 number
    /// 3 walks x 2^4 kinds = 48, at depth 1 5 walks x 2^3 = 40; exact match needs every closing
    /// bracket right: (40 / 2 + 48 / 8) / 88 = 26/88.
    func testCompleteChanceCountedByHand() {
        let task = DyckTask(types: 2, maxDepth: 3, mode: .complete)
        XCTAssertEqual(task.chance(size: 5...5).sequenceAccuracy, 26.0 / 88, accuracy: 1e-12)
        XCTAssertEqual(task.chance(size: 5...5).tokenAccuracy, 0.5)
        // Length 4: every prefix ends at depth 2.
        XCTAssertEqual(task.chance(size: 4...4).sequenceAccuracy, 0.25, accuracy: 1e-12)
        XCTAssertEqual(task.chance(size: 4...5).sequenceAccuracy, (0.25 + 26.0 / 88) / 2, accuracy: 1e-12)
        XCTAssertEqual(classify.chance(size: 2...64), ChanceLevel(tokenAccuracy: 0.5, sequenceAccuracy: 0.5, explanation: classify.chance(size: 2...64).explanation))
        // Long lengths stay finite.
        XCTAssertTrue(DyckTask(types: 4, maxDepth: 8, mode: .complete).chance(size: 1...DyckTask.maximumLength).sequenceAccuracy.isFinite)
    }

    func testChanceMatchesARandomGuesser() throws {
        let completing = DyckTask(types: 2, maxDepth: 6, mode: .complete)
        let examples = try Dataset.examples(completing, seed: 41, split: .train, size: 1...30, count: 2000)
        assertRandomGuesserMatchesChance(completing.chance(size: 1...30), guessing: [2, 4], on: examples, kind: "dyck complete")
        let classes = try Dataset.examples(classify, seed: 41, split: .train, size: 2...30, count: 2000)
        assertRandomGuesserMatchesChance(classify.chance(size: 2...30), guessing: [0, 1], on: classes, kind: "dyck classify")
    }

    func testLimitsOutputsAndRendering() {
        XCTAssertEqual(classify.output, .classification(classes: 2))
        XCTAssertEqual(complete.output, .sequence)
        XCTAssertEqual(classify.sizeLimits.lowerBound, 2)
        XCTAssertEqual(complete.sizeLimits.lowerBound, 1)
        XCTAssertEqual(DyckTask(types: 4).vocabulary, 9)
        XCTAssertEqual((1...8).map { DyckTask(types: 4).describe($0) }.joined(), "()[]{}<>")
        XCTAssertEqual(classify.parameters.map(\.value), ["2", "4", "classify"])
        XCTAssertEqual(DyckTask.Mode(rawValue: "complete"), .complete)
    }
}
