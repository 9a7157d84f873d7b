import Models
import Tasks
import Tensors
import Training
import XCTest

/// A task whose examples carry two slice labels: the source length and whether it starts with 1.
private struct SlicedTask: SyntheticTask {
    static let kind = "sliced"
    static let summary = "reverse, sliced twice"
    static let sizeName = "length"
    var output: TaskOutput { .sequence }
    var parameters: [(name: String, value: String)] { [] }
    var vocabulary: Int { 4 }
    var sizeLimits: ClosedRange<Int> { 1...6 }
    func longest(size: Int) -> ExampleLengths { ExampleLengths(source: size, target: size) }
    func chance(size: ClosedRange<Int>) -> ChanceLevel { ChanceLevel(tokenAccuracy: 1.0 / 3, sequenceAccuracy: 0, explanation: "") }
    func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        let n = rng.int(in: size)
        let source = (0..<n).map { _ in Int32(1 + rng.int(below: 3)) }
        return Example(source: source, target: source.reversed(), slices: ["length": n, "first": source[0] == 1 ? 1 : 0])
    }
}

final class EvaluationTests: XCTestCase {
    func testMetricsAddUpOverSlicesAndExactMatchFollowsGreedyDecoding() throws {
        let task = SlicedTask()
        for layout in [TransformerConfig.Layout.encoderDecoder, .decoderOnly] {
            var config = TransformerConfig()
            config.layout = layout
            config.vocabulary = 4
            config.modelSize = 8
            config.heads = 2
            config.encoderLayers = 1
            config.decoderLayers = 1
            config.feedForwardSize = 8
            let model = try Model.build(.transformer(config), seed: 3)
            let examples = try Dataset.examples(task, seed: 1, split: .train, size: 2...4, count: 60)
            let evaluation = Evaluator.evaluate(model, task: task, examples: examples, batchSize: 7)

            XCTAssertEqual(evaluation.overall.examples, 60)
            XCTAssertEqual(evaluation.overall.tokens, examples.map(\.target.count).reduce(0, +))
            // Every slice name partitions the examples.
            for name in ["length", "first"] {
                let parts = evaluation.slices.filter { $0.key.hasPrefix(name + "=") }.map(\.value)
                XCTAssertEqual(parts.map(\.examples).reduce(0, +), 60, name)
                XCTAssertEqual(parts.map(\.correctTokens).reduce(0, +), evaluation.overall.correctTokens, name)
                XCTAssertEqual(parts.map(\.lossSum).reduce(0, +), evaluation.overall.lossSum, accuracy: 1e-3, name)
            }
            XCTAssertEqual(Set(evaluation.sliceLabels.filter { $0.hasPrefix("length=") }), ["length=2", "length=3", "length=4"])

            // Exact matches: decode each example alone and compare.
            var matches = 0
            for example in examples where model.decode(sources: [example.source], steps: example.target.count)[0] == example.target {
                matches += 1
            }
            XCTAssertEqual(evaluation.overall.exactMatches, matches, layout.rawValue)

            // Loss and token accuracy: one padded batch of everything gives the same totals.
            let reading = Formatting.reading(of: model.config)
            let batch = Formatting.batch(examples, task: task, reading: reading)
            let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength, maxTargetLength: batch.targetLength)
            var noDropout: RNG? = nil
            let whole = model.forward(batch, workspace: workspace, rng: &noDropout)
            XCTAssertEqual(whole.counted, evaluation.overall.tokens)
            XCTAssertEqual(whole.correct, evaluation.overall.correctTokens, layout.rawValue)
            XCTAssertEqual(Double(whole.loss), evaluation.overall.loss, accuracy: 1e-4, layout.rawValue)
        }
    }
}
