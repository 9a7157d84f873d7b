import Foundation
import Models
import Tensors
import TestSupport
@testable import Training
import XCTest

/// Training against an independent reference: k optimizer steps of the Trainer's own step
/// (`TrainingStep`: zero gradients, forward with label smoothing, backward, clipping, Adam) on one
/// fixed batch, replayed from the same initial checkpoint by a float64 NumPy reference with a
/// hand-written backward (Tests/reference/training.py). The losses, gradient norms and learning rates
/// of every step, the step-1 gradients, Adam's moments and the final parameters must agree.
///
/// Finite differences check that a backward agrees with its forward at one point; this checks both
/// against formulas written independently, along a trajectory, together with what such a check never
/// sees: the optimizer (bias corrections, epsilon, weight decay), clipping (the ratio, and when it
/// applies), the schedule, a loss whose forward and backward agree with each other but not with the
/// documented formula (label smoothing), and state carried from step to step (gradients zeroed,
/// workspace buffers reused). The tolerances, and why they are what they are: training.py.
final class ReferenceTrainingTests: XCTestCase {
    private var directory: URL!
    /// Set when the reference disagrees: the files stay, for running training.py on them by hand.
    private var keepsDirectory = false

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reference-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if !keepsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    // MARK: - The models

    /// The paper's layout, small: post-norm, sinusoidal positions, ReLU, biases; Adam with L2 decay.
    /// The references are trusted because their own backwards match finite differences of their own
    /// forwards (float64, every Transformer layout and switch; six RNN configurations covering every
    /// cell, attention and direction: `rnn_training.py --self-check` without `--quick` runs all 28).
    func testTheReferencesBackwardsMatchTheirFiniteDifferences() throws {
        let python = try python()
        let folder = Self.reference.deletingLastPathComponent()
        for arguments in [["transformer_training.py", "--self-check"], ["rnn_training.py", "--self-check", "--quick"]] {
            let (status, output) = try run(python, [folder.appendingPathComponent(arguments[0]).path] + arguments.dropFirst())
            XCTAssertEqual(status, 0, "\(arguments.joined(separator: " ")):\n\(output)")
            XCTAssertFalse(output.contains("FAIL"), output)
            XCTAssertTrue(output.contains("self-check") || output.contains("passed, 0 failed"), output)
        }
    }

    func testEncoderDecoderTransformer() throws {
        var model = TransformerConfig()
        model.vocabulary = 7
        model.modelSize = 16
        model.heads = 2
        model.encoderLayers = 1
        model.decoderLayers = 1
        model.feedForwardSize = 32
        var training = Self.training(optimizer: .adam, schedule: .inverseSqrt)
        training.weightDecay = 0.01
        training.clipNorm = 1.5
        try checkAgainstReference(.transformer(model), training, batch: Self.encoderDecoderBatch, seed: 3)
    }

    /// The other switches: decoder-only, pre-norm with its final norm, RoPE, the exact GELU, tied
    /// embeddings, no biases; AdamW and a cosine schedule.
    func testDecoderOnlyTransformer() throws {
        var model = TransformerConfig()
        model.layout = .decoderOnly
        model.vocabulary = 7
        model.modelSize = 16
        model.heads = 2
        model.decoderLayers = 2
        model.feedForwardSize = 32
        model.norm = .pre
        model.positional = .rope
        model.activation = .gelu
        model.tiedEmbeddings = true
        model.bias = false
        var training = Self.training(optimizer: .adamw, schedule: .cosine)
        training.weightDecay = 0.1
        training.beta2 = 0.999
        training.labelSmoothing = 0.2
        training.clipNorm = 1.5
        try checkAgainstReference(.transformer(model), training, batch: Self.decoderOnlyBatch, seed: 4)
    }

    /// A classifier: the CLS token, learned positions, unscaled attention scores, no layer norm, the
    /// tanh approximation of GELU; Adam without weight decay and a warm-up to a constant rate.
    func testEncoderOnlyTransformer() throws {
        var model = TransformerConfig()
        model.layout = .encoderOnly
        model.vocabulary = 7
        model.classes = 3
        model.modelSize = 16
        model.heads = 4
        model.encoderLayers = 2
        model.feedForwardSize = 24
        model.norm = .none
        model.positional = .learned
        model.maxLength = 8
        model.attentionScale = .none
        model.activation = .geluTanh
        var training = Self.training(optimizer: .adam, schedule: .warmup)
        training.clipNorm = 1.5
        try checkAgainstReference(.transformer(model), training, batch: Self.classifierBatch, seed: 5)
    }

    /// The RNN baseline of the paper's comparison: a GRU with additive (Bahdanau) attention.
    func testGRUWithAdditiveAttention() throws {
        var model = RNNConfig()
        model.cell = .gru
        model.attention = .additive
        model.vocabulary = 7
        model.embeddingSize = 8
        model.hidden = 12
        model.attentionSize = 10
        var training = Self.training(optimizer: .adam, schedule: .inverseSqrt)
        training.weightDecay = 0.01
        training.clipNorm = 0.39
        try checkAgainstReference(.rnn(model), training, batch: Self.encoderDecoderBatch, seed: 6)
    }

    /// An LSTM with two layers, a bidirectional encoder (and its bridges) and general attention.
    func testBidirectionalLSTMWithGeneralAttention() throws {
        var model = RNNConfig()
        model.cell = .lstm
        model.attention = .general
        model.vocabulary = 7
        model.embeddingSize = 6
        model.hidden = 8
        model.layers = 2
        model.bidirectional = true
        var training = Self.training(optimizer: .adamw, schedule: .cosine)
        training.weightDecay = 0.05
        training.clipNorm = 0.21
        try checkAgainstReference(.rnn(model), training, batch: Self.encoderDecoderBatch, seed: 7)
    }

    // MARK: - Settings and batches

    /// Steps taken on the batch.
    private static let steps = 6

    /// Settings that make every part of the step matter: label smoothing, a warm-up (the rate changes
    /// every step), clipping (each test's clip_norm is set so that some steps clip and some do not),
    /// no dropout (the reference has none).
    private static func training(optimizer: TrainingSettings.OptimizerKind, schedule: TrainingSettings.ScheduleKind) -> TrainingSettings {
        var training = TrainingSettings()
        training.steps = steps
        training.batch = 3
        training.optimizer = optimizer
        training.learningRate = 1e-2
        training.schedule = schedule
        training.warmup = 2
        training.beta1 = 0.9
        training.beta2 = 0.98
        training.labelSmoothing = 0.1
        return training
    }

    /// Three examples of different lengths on both sides, so that the batch has source and target
    /// padding; the third example's second target is ignored (-1) inside its length as well.
    private static let encoderDecoderBatch = encoderDecoder(
        sources: [[3, 1, 4, 1, 5], [2, 6, 5], [5, 3, 5, 6]],
        targets: [[2, 6, 5, 3], [4, 4], [1, 2, 3]],
        ignored: [(example: 2, position: 1)])

    /// Source + separator + target, shifted, as the decoder-only layout reads it: loss on the target only.
    private static let decoderOnlyBatch = decoderOnly(
        sources: [[3, 1, 4], [2, 5], [6, 2, 3, 1]],
        targets: [[4, 1, 3], [5, 2], [1]])

    private static let classifierBatch = SequenceBatch(
        size: 3, sourceLength: 5,
        source: [3, 1, 4, 1, 5,
                 2, 6, 0, 0, 0,
                 5, 3, 5, 6, 0],
        sourceLengths: [5, 2, 4], targetLength: 0, decoderInput: [], targets: [], targetLengths: [], labels: [2, 0, 1])

    /// The encoder-decoder layout of `Formatting.batch`, by hand: padding 0, decoder input = start
    /// token + target shifted, targets -1 past each target (and at `ignored`).
    private static func encoderDecoder(sources: [[Int32]], targets: [[Int32]], ignored: [(example: Int, position: Int)]) -> SequenceBatch {
        let B = sources.count, Ts = sources.map(\.count).max()!, Tt = targets.map(\.count).max()!
        var source = [Int32](repeating: 0, count: B * Ts)
        var input = [Int32](repeating: 0, count: B * Tt), output = [Int32](repeating: SequenceBatch.ignore, count: B * Tt)
        for b in 0..<B {
            for (t, token) in sources[b].enumerated() { source[b * Ts + t] = token }
            for (t, token) in targets[b].enumerated() {
                output[b * Tt + t] = token
                input[b * Tt + t] = t == 0 ? Model.startToken : targets[b][t - 1]
            }
        }
        for (b, t) in ignored { output[b * Tt + t] = SequenceBatch.ignore }
        return SequenceBatch(size: B, sourceLength: Ts, source: source, sourceLengths: sources.map { Int32($0.count) },
                             targetLength: Tt, decoderInput: input, targets: output, targetLengths: targets.map { Int32($0.count) })
    }

    private static func decoderOnly(sources: [[Int32]], targets: [[Int32]]) -> SequenceBatch {
        let sequences = zip(sources, targets).map { $0 + [Model.startToken] + $1 }
        let B = sequences.count, T = sequences.map(\.count).max()! - 1
        var input = [Int32](repeating: 0, count: B * T), output = [Int32](repeating: SequenceBatch.ignore, count: B * T)
        for (b, sequence) in sequences.enumerated() {
            for t in 0..<(sequence.count - 1) {
                input[b * T + t] = sequence[t]
                if t >= sources[b].count { output[b * T + t] = sequence[t + 1] }
            }
        }
        return SequenceBatch(size: B, sourceLength: 0, source: [], sourceLengths: [], targetLength: T,
                             decoderInput: input, targets: output, targetLengths: sequences.map { Int32($0.count - 1) })
    }

    // MARK: - Training and the comparison

    private struct StepRecord: Encodable {
        var step: Int
        var loss: Double
        var gradientNorm: Double
        var learningRate: Double

        enum CodingKeys: String, CodingKey {
            case step, loss, gradientNorm = "gradient_norm", learningRate = "learning_rate"
        }
    }

    private struct RunFile: Encodable {
        var train: TrainingSettings
        var steps: [StepRecord]
    }

    /// SequenceBatch's fields under the snake_case names the reference reads.
    private struct BatchFile: Encodable {
        var size: Int, sourceLength: Int, source: [Int32], sourceLengths: [Int32]
        var targetLength: Int, decoderInput: [Int32], targets: [Int32], targetLengths: [Int32], labels: [Int32]

        init(_ batch: SequenceBatch) {
            (size, sourceLength, source, sourceLengths) = (batch.size, batch.sourceLength, batch.source, batch.sourceLengths)
            (targetLength, decoderInput, targets) = (batch.targetLength, batch.decoderInput, batch.targets)
            (targetLengths, labels) = (batch.targetLengths, batch.labels)
        }

        enum CodingKeys: String, CodingKey {
            case size, sourceLength = "source_length", source, sourceLengths = "source_lengths", targetLength = "target_length"
            case decoderInput = "decoder_input", targets, targetLengths = "target_lengths", labels
        }
    }

    /// Trains `steps` steps on `batch` as the Trainer does, writes what the reference reads (see
    /// training.py), and fails with the reference's message if it disagrees.
    private func checkAgainstReference(_ config: ModelConfig, _ settings: TrainingSettings, batch: SequenceBatch,
                                       seed: UInt64) throws {
        let python = try python()
        try Trainer.validate(settings)
        let schedule = settings.learningRateSchedule
        try schedule.validate()
        let model = try Model.build(config, seed: seed)
        try model.save(to: file("initial.safetensors"))
        try JSONEncoder().encode(BatchFile(batch)).write(to: file("batch.json"))

        let step = TrainingStep(model: model, settings: settings)
        let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength,
                                            maxTargetLength: batch.targetLength)
        var dropout: RNG? = RNG(seed: seed, purpose: .dropout)
        var records: [StepRecord] = []
        for t in 1...Self.steps {
            let learningRate = schedule.learningRate(at: t)
            guard case .taken(let result, let norm) = step.take(batch, workspace: workspace, learningRate: learningRate,
                                                               dropout: &dropout) else {
                return XCTFail("step \(t) was not finite")
            }
            records.append(StepRecord(step: t, loss: Double(result.loss), gradientNorm: Double(norm),
                                      learningRate: Double(learningRate)))
            if t == 1 {
                try write(model.parameters.gradients, layout: model.parameters, to: file("gradients_1.safetensors"))
            }
        }
        try model.save(to: file("final.safetensors"))
        let state = Dictionary(uniqueKeysWithValues: step.optimizer.state.map { ($0.name, $0.tensor) })
        try write(XCTUnwrap(state["m"]), layout: model.parameters, to: file("adam_m.safetensors"))
        try write(XCTUnwrap(state["v"]), layout: model.parameters, to: file("adam_v.safetensors"))
        try JSONEncoder().encode(RunFile(train: settings, steps: records)).write(to: file("run.json"))

        // The settings must make clipping matter: it applies on some steps, and not on others.
        let clipNorm = try XCTUnwrap(settings.clipNorm)
        let norms = records.map(\.gradientNorm)
        XCTAssertTrue(norms.contains { $0 > clipNorm }, "no step clipped: norms \(norms), clip_norm \(clipNorm)")
        XCTAssertTrue(norms.contains { $0 <= clipNorm }, "every step clipped: norms \(norms), clip_norm \(clipNorm)")
        XCTAssertLessThan(records.last!.loss, records.first!.loss, "the steps do not train")

        let (status, output) = try run(python, [Self.reference.path, directory.path])
        print(output)
        keepsDirectory = status != 0
        XCTAssertEqual(status, 0, """
            the float64 reference disagrees with ablate's training (its inputs are kept: \
            \(python) \(Self.reference.path) \(directory.path)):
            \(output)
            """)
    }

    private func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// A buffer laid out as the parameters (the gradients, a moment), as safetensors under their names.
    private func write(_ tensor: Tensor, layout parameters: ParameterSet, to url: URL) throws {
        let tensors = parameters.slices.map { slice in
            (name: slice.name, shape: slice.shape, values: UnsafeBufferPointer(start: tensor.data + slice.offset, count: slice.count))
        }
        try withExtendedLifetime(tensor) { try Safetensors.write(tensors: tensors, metadata: [:], to: url) }
    }

    // MARK: - Python

    private static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference/training.py")

    private func python() throws -> String { try TestPython.interpreter(unchecked: "training against the reference") }

    /// Runs `python script arguments` and returns its exit status and what it printed (standard output, then error).
    private func run(_ python: String, _ arguments: [String]) throws -> (Int32, String) {
        let result = try TestPython.run(python, URL(fileURLWithPath: arguments[0]), Array(arguments.dropFirst()), scratch: directory)
        return (result.status, String(decoding: result.output, as: UTF8.self) + result.errors)
    }
}
