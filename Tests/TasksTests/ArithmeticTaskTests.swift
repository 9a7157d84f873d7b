import Tasks
import Tensors
import XCTest

final class ArithmeticTaskTests: XCTestCase {
    private let tasks: [any SyntheticTask] = [AdditionTask(), ParityTask(), MajorityTask(), MajorityTask(symbols: 5)]

    func testKindsOutputsAndVocabulary() {
        XCTAssertEqual([AdditionTask.kind, ParityTask.kind, MajorityTask.kind], ["addition", "parity", "majority"])
        XCTAssertEqual(AdditionTask.sizeName, "digits")
        XCTAssertEqual(ParityTask.sizeName, "length")
        XCTAssertEqual(MajorityTask.sizeName, "length")
        XCTAssertEqual(AdditionTask().output, .sequence)
        XCTAssertEqual(AdditionTask().vocabulary, 12)
        XCTAssertEqual(ParityTask().output, .classification(classes: 2))
        XCTAssertEqual(ParityTask().vocabulary, 3)
        XCTAssertEqual(MajorityTask().output, .classification(classes: 2))
        XCTAssertEqual(MajorityTask().vocabulary, 3)
        XCTAssertEqual(MajorityTask().parameters.map(\.value), ["2"])
        XCTAssertEqual(MajorityTask(symbols: 5).output, .classification(classes: 5))
        XCTAssertEqual(MajorityTask(symbols: 5).vocabulary, 6)
    }

    func testSameSeedSameExamplesOtherSeedOthers() throws {
        for task in tasks { try TaskContractChecks.assertDeterministic(task, size: 3...9) }
    }

    func testSplitsShareNoSource() throws {
        for task in tasks { try TaskContractChecks.assertSplitsDisjoint(task, size: 6...14) }
    }

    func testSizesSlicesAndTokensStayInRange() {
        for task in tasks {
            TaskContractChecks.assertInRange(task, size: 1...12)
            TaskContractChecks.assertInRange(task, size: task.sizeLimits.upperBound...task.sizeLimits.upperBound, count: 2)
        }
        // Addition: the source is d digits, '+', d digits; the target d + 1 digits.
        for example in TaskContractChecks.draw(AdditionTask(), size: 1...12, count: 300) {
            let digits = example.slices["digits"]!
            XCTAssertEqual(example.source.count, 2 * digits + 1)
            XCTAssertEqual(example.target.count, digits + 1)
            XCTAssertEqual(example.source[digits], AdditionTask.plusToken)
            XCTAssertEqual(example.source.filter { $0 == AdditionTask.plusToken }.count, 1)
            XCTAssertTrue(example.target.allSatisfy { (1...10).contains($0) })
        }
    }

    /// Addition by integer arithmetic on the parsed numbers.
    func testAdditionReferenceSolverScoresPerfectly() {
        let examples = TaskContractChecks.draw(AdditionTask(), size: 1...18, count: 500)
        XCTAssertEqual(TaskContractChecks.solvedFraction(examples) { source in
            let plus = source.firstIndex(of: 11)!
            func value(_ tokens: ArraySlice<Int32>) -> UInt64 { tokens.reduce(0) { $0 * 10 + UInt64($1 - 1) } }
            var sum = value(source[..<plus]) + value(source[(plus + 1)...])
            var digits: [Int32] = []
            for _ in 0..<(plus + 1) {   // d + 1 digits, least significant first
                digits.append(Int32(sum % 10) + 1)
                sum /= 10
            }
            XCTAssertEqual(sum, 0)
            return digits.reversed()
        }, 1)
        // Carries reach the leading digit sometimes, and leading zeros occur in the inputs.
        XCTAssertTrue(examples.contains { $0.target[0] == 2 })
        XCTAssertTrue(examples.contains { $0.target[0] == 1 })
        XCTAssertTrue(examples.contains { $0.source[0] == 1 })
    }

    /// Parity by counting the 1 bits.
    func testParityReferenceSolverScoresPerfectly() {
        let examples = TaskContractChecks.draw(ParityTask(), size: 1...40, count: 500)
        XCTAssertEqual(TaskContractChecks.solvedFraction(examples) { source in
            [Int32(source.filter { $0 == 2 }.count % 2)]
        }, 1)
        let odd = examples.filter { $0.target == [1] }.count
        XCTAssertTrue((200...300).contains(odd), "classes should be balanced, got \(odd) odd of 500")
    }

    /// Majority by counting, ties to the smallest symbol.
    func testMajorityReferenceSolverScoresPerfectly() {
        for symbols in [2, 3, 7] {
            let examples = TaskContractChecks.draw(MajorityTask(symbols: symbols), size: 1...20, count: 500)
            var ties = 0
            XCTAssertEqual(TaskContractChecks.solvedFraction(examples) { source in
                var counts: [Int32: Int] = [:]
                for token in source { counts[token, default: 0] += 1 }
                let top = counts.values.max()!
                let tied = counts.filter { $0.value == top }.keys
                if tied.count > 1 { ties += 1 }
                return [tied.min()! - 1]
            }, 1, "majority with \(symbols) symbols")
            XCTAssertGreaterThan(ties, 0, "the tie rule was not exercised")
        }
        // Odd lengths with two symbols never tie, and both classes occur.
        let odd = TaskContractChecks.draw(MajorityTask(), size: 7...7, count: 200)
        XCTAssertEqual(Set(odd.map(\.target)), [[0], [1]])
    }

    func testChanceIsTheUniformRandomPredictor() {
        TaskContractChecks.assertChanceMatchesRandomPredictor(AdditionTask(), size: 1...2, alphabet: 1...10)
        TaskContractChecks.assertChanceMatchesRandomPredictor(AdditionTask(), size: 5...30, alphabet: 1...10)
        TaskContractChecks.assertChanceMatchesRandomPredictor(ParityTask(), size: 1...30, alphabet: 0...1)
        TaskContractChecks.assertChanceMatchesRandomPredictor(MajorityTask(), size: 1...30, alphabet: 0...1)
        TaskContractChecks.assertChanceMatchesRandomPredictor(MajorityTask(symbols: 6), size: 1...30, alphabet: 0...5)

        XCTAssertEqual(AdditionTask().chance(size: 1...1).sequenceAccuracy, 0.01, accuracy: 1e-15)
        XCTAssertEqual(AdditionTask().chance(size: 1...2).sequenceAccuracy, (0.01 + 0.001) / 2, accuracy: 1e-15)
        XCTAssertEqual(ParityTask().chance(size: 4...9).tokenAccuracy, 0.5)
        XCTAssertEqual(MajorityTask(symbols: 4).chance(size: 4...9).sequenceAccuracy, 0.25)
    }

    func testDescribeUsesDigits() {
        let addition = AdditionTask()
        XCTAssertEqual([5, 8, 6, 11, 1, 7, 9].map(addition.describe).joined(), "475+068")
        XCTAssertEqual([1, 6, 5, 4].map(addition.describe).joined(), "0543")
        XCTAssertEqual([2, 1, 2, 2, 1, 1].map(ParityTask().describe).joined(), "101100")
        XCTAssertEqual([3, 1, 2].map(MajorityTask(symbols: 3).describe), ["2", "0", "1"])
        XCTAssertEqual(addition.describe(0), "<s>")
    }
}
