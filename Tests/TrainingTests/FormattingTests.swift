import Models
import Tasks
import Tensors
import Training
import XCTest

/// A fixed little task for formatting tests: the source is given, the target is its reverse (or its length parity).
private struct FixedTask: SyntheticTask {
    static let kind = "fixed"
    static let summary = "test task"
    static let sizeName = "length"
    var output: TaskOutput
    var parameters: [(name: String, value: String)] { [] }
    var vocabulary: Int { 6 }
    var sizeLimits: ClosedRange<Int> { 1...5 }
    func longest(size: Int) -> ExampleLengths { ExampleLengths(source: size, target: output == .sequence ? size : 1) }
    func chance(size: ClosedRange<Int>) -> ChanceLevel { ChanceLevel(tokenAccuracy: 0.2, sequenceAccuracy: 0, explanation: "") }
    func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        let n = rng.int(in: size)
        let source = (0..<n).map { _ in Int32(1 + rng.int(below: 5)) }
        switch output {
        case .sequence: return Example(source: source, target: source.reversed(), slices: ["length": n])
        case .classification: return Example(source: source, target: [Int32(n % 2)], slices: ["length": n])
        }
    }
}

final class FormattingTests: XCTestCase {
    private let examples = [
        Example(source: [1, 2, 3], target: [3, 2, 1], slices: ["length": 3]),
        Example(source: [4, 5], target: [5, 4], slices: ["length": 2]),
    ]

    func testSequenceToSequencePadsAndShiftsTheTarget() {
        let batch = Formatting.batch(examples, task: FixedTask(output: .sequence), reading: .sequenceToSequence)
        XCTAssertEqual(batch.sourceLength, 3)
        XCTAssertEqual(batch.source, [1, 2, 3, 4, 5, 0])
        XCTAssertEqual(batch.sourceLengths, [3, 2])
        XCTAssertEqual(batch.decoderInput, [0, 3, 2, 0, 5, 0])
        XCTAssertEqual(batch.targets, [3, 2, 1, 5, 4, -1])
        XCTAssertEqual(batch.targetLengths, [3, 2])
    }

    func testDecoderOnlyPutsLossOnTargetPositionsOnly() {
        let batch = Formatting.batch(examples, task: FixedTask(output: .sequence), reading: .decoderOnly)
        // Sequences: 1 2 3 0 3 2 1 and 4 5 0 5 4; inputs drop the last token.
        XCTAssertEqual(batch.targetLength, 6)
        XCTAssertEqual(batch.decoderInput, [1, 2, 3, 0, 3, 2, 4, 5, 0, 5, 0, 0])
        // Position t predicts token t+1; only positions from the separator on count.
        XCTAssertEqual(batch.targets, [-1, -1, -1, 3, 2, 1, -1, -1, 5, 4, -1, -1])
        XCTAssertEqual(batch.targetLengths, [6, 4])
        // Every counted target is a target token, never a source token.
        let counted = zip(batch.decoderInput, batch.targets).enumerated().filter { $0.element.1 != -1 }
        XCTAssertEqual(counted.count, 5)
    }

    func testClassificationOnEachReading() {
        let task = FixedTask(output: .classification(classes: 2))
        let labelled = [Example(source: [1, 2, 3], target: [1], slices: [:]), Example(source: [4, 5], target: [0], slices: [:])]
        let classifier = Formatting.batch(labelled, task: task, reading: .classifier)
        XCTAssertEqual(classifier.labels, [1, 0])
        XCTAssertEqual(classifier.sourceLengths, [3, 2])
        let generative = Formatting.batch(labelled, task: task, reading: .sequenceToSequence)
        XCTAssertEqual(generative.targets, [2, 1], "class c is emitted as token c + 1")
        XCTAssertEqual(generative.decoderInput, [0, 0])
    }

    func testPairingsThatMakeNoSenseAreRejectedWithTheReason() {
        var encoderOnly = TransformerConfig()
        encoderOnly.layout = .encoderOnly
        encoderOnly.vocabulary = 6
        XCTAssertThrowsError(try Formatting.check(FixedTask(output: .sequence), model: .transformer(encoderOnly))) { error in
            XCTAssertTrue("\(error)".contains("only classifies"), "\(error)")
        }
        encoderOnly.classes = 3
        XCTAssertThrowsError(try Formatting.check(FixedTask(output: .classification(classes: 2)), model: .transformer(encoderOnly))) { error in
            XCTAssertTrue("\(error)".contains("has 2 classes but the model's classifier has 3"), "\(error)")
        }
        var small = TransformerConfig()
        small.vocabulary = 4
        XCTAssertThrowsError(try Formatting.check(FixedTask(output: .sequence), model: .transformer(small))) { error in
            XCTAssertTrue("\(error)".contains("vocabulary is 4"), "\(error)")
        }
        small.vocabulary = 6
        XCTAssertNoThrow(try Formatting.check(FixedTask(output: .sequence), model: .transformer(small)))
    }
}
