import Models
import Tasks
import Tensors
import Training
import XCTest

/// Every task with every model family: the pairing is either rejected with a reason, or a batch of
/// its examples runs through the model's forward pass, backward pass and evaluation.
final class TaskModelPairingTests: XCTestCase {
    static func models(for task: any SyntheticTask) -> [(String, ModelConfig)] {
        var configs: [(String, ModelConfig)] = []
        for layout in TransformerConfig.Layout.allCases {
            var config = TransformerConfig()
            config.layout = layout
            config.modelSize = 8
            config.heads = 2
            config.encoderLayers = 1
            config.decoderLayers = 1
            config.feedForwardSize = 8
            let reading: Formatting.Reading = layout == .encoderDecoder ? .sequenceToSequence : layout == .decoderOnly ? .decoderOnly : .classifier
            config.vocabulary = Formatting.vocabulary(for: task, reading: reading)
            if case .classification(let classes) = task.output { config.classes = classes }
            configs.append(("transformer \(layout.rawValue)", .transformer(config)))
        }
        return configs + extraModels(for: task)
    }

    /// The RNN baseline, once it is part of `ModelConfig`'s builders.
    static func extraModels(for task: any SyntheticTask) -> [(String, ModelConfig)] {
        var rnn = RNNConfig()
        rnn.embeddingSize = 5
        rnn.hidden = 6
        rnn.attentionSize = 4
        rnn.vocabulary = Formatting.vocabulary(for: task, reading: .sequenceToSequence)
        return [("rnn", .rnn(rnn))]
    }

    func testEveryTaskWithEveryModel() throws {
        for entry in TaskRegistry.entries {
            let task = try TaskRegistry.make(kind: entry.kind)
            let low = task.sizeLimits.lowerBound
            let size = low...min(task.sizeLimits.upperBound, low + 3)
            let examples = try Dataset.examples(task, seed: 2, split: .train, size: size, count: 6)
            for (name, config) in Self.models(for: task) {
                let label = "\(entry.kind) on \(name)"
                let isSequence = task.output == .sequence
                let isClassifier = Formatting.reading(of: config) == .classifier
                do {
                    try Formatting.check(task, model: config)
                } catch {
                    XCTAssertTrue(isSequence && isClassifier, "\(label) rejected: \(error)")
                    continue
                }
                XCTAssertFalse(isSequence && isClassifier, "\(label) must be rejected")
                let model: Model
                do {
                    model = try Model.build(config, seed: 1)
                } catch {
                    XCTFail("\(label): \(error)")
                    continue
                }
                let batch = Formatting.batch(examples, task: task, reading: Formatting.reading(of: config))
                let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength,
                                                    maxTargetLength: batch.targetLength)
                var noDropout: RNG? = nil
                model.parameters.zeroGradients()
                let result = model.forward(batch, workspace: workspace, rng: &noDropout)
                XCTAssertTrue(result.loss.isFinite && result.loss > 0, "\(label): loss \(result.loss)")
                XCTAssertEqual(result.counted, isClassifier ? 6 : examples.map { Formatting.outputTokens($0, task: task).count }.reduce(0, +), label)
                model.backward(workspace: workspace)
                XCTAssertTrue(model.parameters.gradients.array.contains { $0 != 0 }, "\(label): no gradient")
                let evaluation = Evaluator.evaluate(model, task: task, examples: examples)
                XCTAssertEqual(evaluation.overall.examples, 6, label)
            }
        }
    }
}
