import Tasks
import Tensors
import XCTest

/// Checks every synthetic task must pass, written against the `SyntheticTask` contract only
/// (used by the sequence and arithmetic task tests).
enum TaskContractChecks {
    /// The same (seed, split, size, count) gives the same examples; another seed gives others.
    static func assertDeterministic(_ task: any SyntheticTask, size: ClosedRange<Int>,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let first = try Dataset.examples(task, seed: 11, split: .train, size: size, count: 60)
        let again = try Dataset.examples(task, seed: 11, split: .train, size: size, count: 60)
        let other = try Dataset.examples(task, seed: 12, split: .train, size: size, count: 60)
        XCTAssertEqual(first, again, "\(type(of: task).kind): same seed, different examples", file: file, line: line)
        XCTAssertNotEqual(first, other, "\(type(of: task).kind): different seeds, same examples", file: file, line: line)
    }

    /// Train, validation and test sets of a few hundred examples share no source.
    static func assertSplitsDisjoint(_ task: any SyntheticTask, size: ClosedRange<Int>, count: Int = 300,
                                     file: StaticString = #filePath, line: UInt = #line) throws {
        var sources: [Split: Set<[Int32]>] = [:]
        for split in Split.allCases {
            let examples = try Dataset.examples(task, seed: 5, split: split, size: size, count: count)
            XCTAssertEqual(examples.count, count, file: file, line: line)
            sources[split] = Set(examples.map(\.source))
        }
        let kind = type(of: task).kind
        XCTAssertGreaterThan(sources[.train]!.count, 1, "\(kind): the train split is degenerate", file: file, line: line)
        XCTAssertTrue(sources[.train]!.isDisjoint(with: sources[.validation]!), "\(kind): train/validation overlap", file: file, line: line)
        XCTAssertTrue(sources[.train]!.isDisjoint(with: sources[.test]!), "\(kind): train/test overlap", file: file, line: line)
        XCTAssertTrue(sources[.validation]!.isDisjoint(with: sources[.test]!), "\(kind): validation/test overlap", file: file, line: line)
    }

    /// `count` examples drawn straight from the generator.
    static func draw(_ task: any SyntheticTask, size: ClosedRange<Int>, count: Int, seed: UInt64 = 3) -> [Example] {
        var rng = RNG(seed: seed, purpose: .data, substream: 99)
        return (0..<count).map { _ in task.generate(size: size, rng: &rng) }
    }

    /// Sizes and slice labels stay within `size` and `sizeLimits`; tokens within 1..<vocabulary;
    /// classes within 0..<classes. Returns the examples it checked.
    @discardableResult
    static func assertInRange(_ task: any SyntheticTask, size: ClosedRange<Int>, count: Int = 500,
                              file: StaticString = #filePath, line: UInt = #line) -> [Example] {
        let kind = type(of: task).kind
        let sizeName = type(of: task).sizeName
        XCTAssertTrue(task.sizeLimits.contains(size.lowerBound) && task.sizeLimits.contains(size.upperBound),
                      "\(kind): test size outside sizeLimits", file: file, line: line)
        let examples = draw(task, size: size, count: count)
        var sizesSeen = Set<Int>()
        for example in examples {
            XCTAssertEqual(example.slices["length"], example.source.count, "\(kind): length slice", file: file, line: line)
            guard let drawn = example.slices[sizeName] else {
                XCTFail("\(kind): no \(sizeName) slice", file: file, line: line)
                continue
            }
            sizesSeen.insert(drawn)
            XCTAssertTrue(size.contains(drawn), "\(kind): \(sizeName) \(drawn) outside \(size)", file: file, line: line)
            XCTAssertTrue(example.source.allSatisfy { $0 >= 1 && Int($0) < task.vocabulary },
                          "\(kind): source token outside 1..<\(task.vocabulary): \(example.source)", file: file, line: line)
            switch task.output {
            case .sequence:
                XCTAssertFalse(example.target.isEmpty, file: file, line: line)
                XCTAssertTrue(example.target.allSatisfy { $0 >= 1 && Int($0) < task.vocabulary },
                              "\(kind): target token outside 1..<\(task.vocabulary): \(example.target)", file: file, line: line)
            case .classification(let classes):
                XCTAssertEqual(example.target.count, 1, file: file, line: line)
                XCTAssertTrue(example.target.allSatisfy { $0 >= 0 && Int($0) < classes },
                              "\(kind): class outside 0..<\(classes): \(example.target)", file: file, line: line)
            }
        }
        // Uniform sizes: with 500 draws over a small range every size appears.
        if size.count <= 20 {
            XCTAssertEqual(sizesSeen, Set(size), "\(kind): not every \(sizeName) was drawn", file: file, line: line)
        }
        return examples
    }

    /// The fraction of `examples` on which `solve` gives the target exactly.
    static func solvedFraction(_ examples: [Example], _ solve: ([Int32]) -> [Int32]) -> Double {
        Double(examples.filter { solve($0.source) == $0.target }.count) / Double(examples.count)
    }

    /// A predictor that emits uniformly random outputs from `alphabet` (tokens, or class ids),
    /// scored on `count` examples, matches `chance(size:)` within 5 standard errors, for token
    /// accuracy and for sequence accuracy.
    static func assertChanceMatchesRandomPredictor(_ task: any SyntheticTask, size: ClosedRange<Int>,
                                                   alphabet: ClosedRange<Int32>, count: Int = 2000,
                                                   file: StaticString = #filePath, line: UInt = #line) {
        let kind = type(of: task).kind
        let examples = draw(task, size: size, count: count, seed: 21)
        var guesses = RNG(seed: 77, purpose: .other)
        var tokens = 0, tokensRight = 0, sequencesRight = 0
        for example in examples {
            var allRight = true
            for expected in example.target {
                let guess = alphabet.lowerBound + Int32(guesses.int(below: alphabet.count))
                tokens += 1
                if guess == expected { tokensRight += 1 } else { allRight = false }
            }
            if allRight { sequencesRight += 1 }
        }
        let chance = task.chance(size: size)
        // Each guess is an independent Bernoulli trial with success p, so the standard error of the
        // mean of N of them is sqrt(p(1-p)/N); the same holds for whole sequences at their mean rate.
        let tokenRate = Double(tokensRight) / Double(tokens)
        let tokenError = (chance.tokenAccuracy * (1 - chance.tokenAccuracy) / Double(tokens)).squareRoot()
        XCTAssertEqual(tokenRate, chance.tokenAccuracy, accuracy: 5 * tokenError,
                       "\(kind): token accuracy of a random predictor", file: file, line: line)
        let sequenceRate = Double(sequencesRight) / Double(count)
        let sequenceError = (chance.sequenceAccuracy * (1 - chance.sequenceAccuracy) / Double(count)).squareRoot()
        XCTAssertEqual(sequenceRate, chance.sequenceAccuracy, accuracy: 5 * sequenceError,
                       "\(kind): sequence accuracy of a random predictor", file: file, line: line)
        XCTAssertFalse(chance.explanation.isEmpty, file: file, line: line)
    }
}

final class SequenceTaskTests: XCTestCase {
    private let tasks: [any SyntheticTask] = [CopyTask(), ReverseTask(), SortTask()]

    func testKindsDefaultsAndVocabulary() {
        XCTAssertEqual([CopyTask.kind, ReverseTask.kind, SortTask.kind], ["copy", "reverse", "sort"])
        for task in tasks {
            XCTAssertEqual(task.output, .sequence)
            XCTAssertEqual(task.vocabulary, 9)
            XCTAssertEqual(task.parameters.map(\.name), ["symbols"])
            XCTAssertEqual(task.parameters.map(\.value), ["8"])
            XCTAssertEqual(type(of: task).sizeName, "length")
        }
        XCTAssertEqual(ReverseTask(symbols: 30).vocabulary, 31)
    }

    func testSameSeedSameExamplesOtherSeedOthers() throws {
        for task in tasks { try TaskContractChecks.assertDeterministic(task, size: 4...12) }
    }

    func testSplitsShareNoSource() throws {
        for task in tasks { try TaskContractChecks.assertSplitsDisjoint(task, size: 3...10) }
    }

    func testSizesSlicesAndTokensStayInRange() {
        for task in tasks {
            TaskContractChecks.assertInRange(task, size: 1...16)
            TaskContractChecks.assertInRange(task, size: task.sizeLimits.upperBound...task.sizeLimits.upperBound, count: 2)
        }
        TaskContractChecks.assertInRange(SortTask(symbols: 2), size: 5...9)
        TaskContractChecks.assertInRange(CopyTask(symbols: 4096), size: 1...3)
    }

    /// Reference solvers written from the definitions, not from the generators.
    func testReferenceSolversScorePerfectly() {
        let copy = TaskContractChecks.draw(CopyTask(symbols: 5), size: 1...20, count: 500)
        XCTAssertEqual(TaskContractChecks.solvedFraction(copy) { source in
            var out: [Int32] = []
            for i in source.indices { out.append(source[i]) }
            return out
        }, 1)

        let reverse = TaskContractChecks.draw(ReverseTask(symbols: 5), size: 1...20, count: 500)
        XCTAssertEqual(TaskContractChecks.solvedFraction(reverse) { source in
            (0..<source.count).map { i in source[source.count - 1 - i] }
        }, 1)
        // Not a palindrome-only data set: reversing must matter.
        XCTAssertLessThan(TaskContractChecks.solvedFraction(reverse) { $0 }, 0.5)

        let symbols = 6
        let sort = TaskContractChecks.draw(SortTask(symbols: symbols), size: 1...20, count: 500)
        XCTAssertEqual(TaskContractChecks.solvedFraction(sort) { source in
            // Counting sort over the alphabet.
            var counts = [Int](repeating: 0, count: symbols + 1)
            for token in source { counts[Int(token)] += 1 }
            var out: [Int32] = []
            for symbol in 1...symbols { out += Array(repeating: Int32(symbol), count: counts[symbol]) }
            return out
        }, 1)
        XCTAssertLessThan(TaskContractChecks.solvedFraction(sort) { $0 }, 0.5)
    }

    func testChanceIsTheUniformRandomPredictor() {
        // Short lengths so whole-sequence hits are frequent enough to measure.
        for task in [CopyTask(symbols: 3), ReverseTask(symbols: 3), SortTask(symbols: 3)] as [any SyntheticTask] {
            TaskContractChecks.assertChanceMatchesRandomPredictor(task, size: 1...4, alphabet: 1...3)
        }
        TaskContractChecks.assertChanceMatchesRandomPredictor(CopyTask(), size: 5...30, alphabet: 1...8)
        TaskContractChecks.assertChanceMatchesRandomPredictor(SortTask(symbols: 20), size: 2...3, alphabet: 1...20)

        let chance = CopyTask(symbols: 4).chance(size: 1...2)
        XCTAssertEqual(chance.tokenAccuracy, 0.25)
        XCTAssertEqual(chance.sequenceAccuracy, (0.25 + 0.0625) / 2, accuracy: 1e-15)
        XCTAssertEqual(SortTask(symbols: 2).chance(size: 10...10).sequenceAccuracy, 1.0 / 1024, accuracy: 1e-15)
    }

    func testDescribeUsesLettersForSmallAlphabets() {
        let task = ReverseTask(symbols: 4)
        XCTAssertEqual([3, 1, 4, 4, 2].map(task.describe), ["c", "a", "d", "d", "b"])
        XCTAssertEqual(task.describe(0), "<s>")
        XCTAssertEqual(CopyTask(symbols: 26).describe(26), "z")
        XCTAssertEqual(CopyTask(symbols: 40).describe(27), "27")
    }
}
