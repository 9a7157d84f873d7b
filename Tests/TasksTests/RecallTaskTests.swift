import XCTest
import Tasks
import Tensors

/// Associative recall, selective copy and delayed recall: determinism, disjoint splits, ranges,
/// a reference solver written from each task's definition, and chance levels against a random guesser.
final class RecallTaskTests: XCTestCase {
    private let recall = AssociativeRecallTask()
    private let copy = SelectiveCopyTask()
    private let delayed = DelayedRecallTask()
    private let recallSizes = 1...8, copySizes = 4...32, delayedSizes = 1...32

    // MARK: Determinism and splits

    func testSameArgumentsSameExamplesAndSeedsDiffer() throws {
        for (task, size) in [(recall, recallSizes), (copy, copySizes), (delayed, delayedSizes)] as [(any SyntheticTask, ClosedRange<Int>)] {
            let a = try Dataset.examples(task, seed: 7, split: .validation, size: size, count: 50)
            let b = try Dataset.examples(task, seed: 7, split: .validation, size: size, count: 50)
            let c = try Dataset.examples(task, seed: 8, split: .validation, size: size, count: 50)
            XCTAssertEqual(a, b, type(of: task).kind)
            XCTAssertNotEqual(a, c, type(of: task).kind)
        }
    }

    func testSplitsShareNoSource() throws {
        for (task, size) in [(recall, recallSizes), (copy, copySizes), (delayed, delayedSizes)] as [(any SyntheticTask, ClosedRange<Int>)] {
            var seen: [Split: Set<[Int32]>] = [:]
            for split in Split.allCases {
                let examples = try Dataset.examples(task, seed: 3, split: split, size: size, count: 300)
                seen[split] = Set(examples.map(\.source))
            }
            XCTAssertTrue(seen[.train]!.isDisjoint(with: seen[.validation]!), type(of: task).kind)
            XCTAssertTrue(seen[.train]!.isDisjoint(with: seen[.test]!), type(of: task).kind)
            XCTAssertTrue(seen[.validation]!.isDisjoint(with: seen[.test]!), type(of: task).kind)
        }
    }

    // MARK: Ranges and reference solvers

    /// A dictionary built from the pairs answers every query; keys are distinct and in range.
    func testAssociativeRecallRangesAndDictionarySolver() throws {
        let task = AssociativeRecallTask(keys: 12, values: 5, queries: 3)
        let examples = try Dataset.examples(task, seed: 11, split: .train, size: 2...12, count: 500)
        var pairCounts = Set<Int>()
        for example in examples {
            assertTokens(example, vocabulary: task.vocabulary)
            let pairs = (example.source.count - 3) / 2
            XCTAssertEqual(example.slices, ["length": example.source.count, "pairs": pairs])
            XCTAssertTrue((2...12).contains(pairs) && task.sizeLimits.contains(pairs))
            var table: [Int32: Int32] = [:]
            for i in 0..<pairs {
                let key = example.source[2 * i], value = example.source[2 * i + 1]
                XCTAssertTrue((1...12).contains(key) && (13...17).contains(value), "\(example)")
                XCTAssertNil(table[key], "key \(key) paired twice in \(example.source)")
                table[key] = value
            }
            let answers = example.source[(2 * pairs)...].map { table[$0] ?? -1 }
            XCTAssertEqual(answers, example.target)
            pairCounts.insert(pairs)
        }
        XCTAssertEqual(pairCounts, Set(2...12))
    }

    /// Dropping the noise token leaves exactly the target.
    func testSelectiveCopyRangesAndNoiseFilterSolver() throws {
        let task = SelectiveCopyTask(symbols: 6, marked: 5)
        let examples = try Dataset.examples(task, seed: 12, split: .train, size: 5...40, count: 500)
        for example in examples {
            assertTokens(example, vocabulary: task.vocabulary)
            XCTAssertEqual(example.slices, ["length": example.source.count])
            XCTAssertTrue((5...40).contains(example.source.count))
            let noise: Int32 = 7
            XCTAssertEqual(example.source.filter { $0 != noise }, example.target)
            XCTAssertEqual(example.target.count, 5)
            XCTAssertTrue(example.target.allSatisfy { (1...6).contains($0) })
        }
        // Data tokens land anywhere, including the first and last positions.
        XCTAssertTrue(examples.contains { $0.source.first != 7 })
        XCTAssertTrue(examples.contains { $0.source.last != 7 })
    }

    /// The symbol after the one marker is the answer, exactly `distance` positions before the final query.
    func testDelayedRecallDistanceIsExactAndMarkerScanSolves() throws {
        let task = DelayedRecallTask(symbols: 5, lead: 3)
        let marker: Int32 = 6, query: Int32 = 7
        for requested in [1...1, 2...2, 7...7, 1...40] {
            let examples = try Dataset.examples(task, seed: 13, split: .train, size: requested, count: requested.count == 1 ? 50 : 500)
            for example in examples {
                assertTokens(example, vocabulary: task.vocabulary)
                let source = example.source
                XCTAssertEqual(source.filter { $0 == marker }.count, 1, "\(source)")
                XCTAssertEqual(source.filter { $0 == query }.count, 1, "\(source)")
                XCTAssertEqual(source.last, query)
                let markerIndex = source.firstIndex(of: marker)!
                let distance = (source.count - 1) - (markerIndex + 1)
                XCTAssertTrue(requested.contains(distance), "distance \(distance) outside \(requested)")
                XCTAssertEqual(example.slices, ["distance": distance, "length": source.count])
                XCTAssertTrue((0...3).contains(markerIndex), "lead \(markerIndex)")
                XCTAssertEqual(example.target, [source[markerIndex + 1]])
            }
        }
    }

    func testSizeLimitsAndVocabularies() {
        XCTAssertEqual(AssociativeRecallTask(keys: 10, values: 7).sizeLimits, 1...10)
        XCTAssertEqual(AssociativeRecallTask(keys: 10, values: 7).vocabulary, 18)
        XCTAssertEqual(SelectiveCopyTask(symbols: 8, marked: 3).sizeLimits.lowerBound, 3)
        XCTAssertEqual(SelectiveCopyTask(symbols: 8, marked: 3).vocabulary, 10)
        XCTAssertEqual(DelayedRecallTask(symbols: 8).sizeLimits.lowerBound, 1)
        XCTAssertEqual(DelayedRecallTask(symbols: 8).vocabulary, 11)
        XCTAssertEqual(recall.parameters.map(\.name), ["keys", "values", "queries"])
        XCTAssertEqual(recall.parameters.map(\.value), ["16", "16", "4"])
    }

    func testDescribeWritesKeysAsLettersAndValuesAsNumbers() {
        XCTAssertEqual([3, 24, 1, 29, 6].map(recall.describe), ["c", "7", "a", "12", "f"])
        XCTAssertEqual([9, 3, 9, 1].map(copy.describe), [".", "c", ".", "a"])
        XCTAssertEqual([7, 9, 5, 10].map(delayed.describe), ["g", "*", "e", "?"])
    }

    // MARK: Chance

    func testChanceMatchesARandomGuesser() throws {
        XCTAssertEqual(recall.chance(size: 1...16).tokenAccuracy, 1.0 / 16)
        XCTAssertEqual(recall.chance(size: 1...16).sequenceAccuracy, 1.0 / 65536, accuracy: 1e-18)
        let cases: [(any SyntheticTask, ClosedRange<Int>, [Int32])] = [
            (AssociativeRecallTask(keys: 8, values: 3, queries: 2), 1...8, [9, 10, 11]),
            (SelectiveCopyTask(symbols: 3, marked: 2), 2...20, [1, 2, 3]),
            (DelayedRecallTask(symbols: 4), 1...20, [1, 2, 3, 4]),
        ]
        for (task, size, alphabet) in cases {
            let examples = try Dataset.examples(task, seed: 21, split: .train, size: size, count: 2000)
            assertRandomGuesserMatchesChance(task.chance(size: size), guessing: alphabet, on: examples, kind: type(of: task).kind)
        }
    }

    // MARK: Helpers

    private func assertTokens(_ example: Example, vocabulary: Int, file: StaticString = #filePath, line: UInt = #line) {
        for token in example.source + example.target where !(1..<Int32(vocabulary)).contains(token) {
            XCTFail("token \(token) outside 1..<\(vocabulary) in \(example)", file: file, line: line)
        }
    }
}

/// Scores a seeded guesser that emits uniformly random symbols of `alphabet` (one per target
/// position) and checks token and sequence accuracy against `chance` within 5 standard errors
/// (plus one example's worth for the exact-match rate, whose expected count can be near zero).
func assertRandomGuesserMatchesChance(_ chance: ChanceLevel, guessing alphabet: [Int32], on examples: [Example], kind: String,
                  file: StaticString = #filePath, line: UInt = #line) {
    var rng = RNG(seed: 99, purpose: .other, substream: 5)
    var tokens = 0, correct = 0, exact = 0
    for example in examples {
        let guess = example.target.map { _ in alphabet[rng.int(below: alphabet.count)] }
        let hits = zip(guess, example.target).filter { $0 == $1 }.count
        tokens += guess.count
        correct += hits
        if hits == guess.count { exact += 1 }
    }
    let p = chance.tokenAccuracy, q = chance.sequenceAccuracy
    let tokenError = (p * (1 - p) / Double(tokens)).squareRoot()
    let sequenceError = (q * (1 - q) / Double(examples.count)).squareRoot()
    XCTAssertEqual(Double(correct) / Double(tokens), p, accuracy: 5 * tokenError, "\(kind) token accuracy", file: file, line: line)
    XCTAssertEqual(Double(exact) / Double(examples.count), q, accuracy: 5 * sequenceError + 1 / Double(examples.count),
                   "\(kind) sequence accuracy", file: file, line: line)
}
