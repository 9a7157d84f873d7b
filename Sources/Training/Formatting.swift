import Models
import Tasks

/// How the examples of a task become the inputs and targets of each kind of model.
///
///     sequence-to-sequence (encoder-decoder Transformer, RNN):
///         source = example.source; decoder input = [0] + target[..<n-1]; targets = target
///     decoder-only Transformer (one sequence, loss on the target part only):
///         sequence = source + [0] + target; input = sequence[..<last]; targets = -1 on the source part
///     encoder-only Transformer (classification tasks only):
///         source = example.source (the model prepends its CLS token); label = the class
///
/// A classification task trained on a generative model emits its class as one token: class c is
/// token c + 1 (0 stays the start token).
public enum Formatting {
    /// The ways a model reads a task.
    public enum Reading: Sendable, Equatable {
        case sequenceToSequence
        case decoderOnly
        case classifier
    }

    /// A task/model pairing that cannot work, with the reason.
    public struct Mismatch: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// How `config` reads tasks.
    public static func reading(of config: ModelConfig) -> Reading {
        switch config {
        case .rnn: return .sequenceToSequence
        case .transformer(let transformer):
            switch transformer.layout {
            case .encoderDecoder: return .sequenceToSequence
            case .decoderOnly: return .decoderOnly
            case .encoderOnly: return .classifier
            }
        }
    }

    /// The vocabulary a model needs for a task: the task's tokens, and one token per class when a
    /// generative model emits classes.
    public static func vocabulary(for task: any SyntheticTask, reading: Reading) -> Int {
        if case .classification(let classes) = task.output, reading != .classifier {
            return max(task.vocabulary, classes + 1)
        }
        return task.vocabulary
    }

    /// Throws when the model cannot be trained on the task, saying why.
    public static func check(_ task: any SyntheticTask, model config: ModelConfig) throws {
        let reading = reading(of: config)
        let kind = type(of: task).kind
        switch (task.output, reading) {
        case (.sequence, .classifier):
            throw Mismatch(message: "task \(kind) asks for an output sequence, but an encoder-only model only classifies: use an encoder-decoder or decoder-only layout, or the RNN")
        case (.classification(let classes), .classifier):
            if case .transformer(let transformer) = config, transformer.classes != classes {
                throw Mismatch(message: "task \(kind) has \(classes) classes but the model's classifier has \(transformer.classes) (model.classes)")
            }
        default: break
        }
        let needed = vocabulary(for: task, reading: reading)
        let vocabulary: Int
        switch config {
        case .transformer(let transformer): vocabulary = transformer.vocabulary
        case .rnn(let rnn): vocabulary = rnn.vocabulary
        }
        if vocabulary < needed {
            throw Mismatch(message: "task \(kind) uses token ids 0..<\(needed) but the model's vocabulary is \(vocabulary) (model.vocabulary)")
        }
    }

    /// The tokens a model must produce for an example (the class as token class+1 for generative models).
    public static func outputTokens(_ example: Example, task: any SyntheticTask) -> [Int32] {
        if case .classification = task.output { return [example.target[0] + 1] }
        return example.target
    }

    /// Pads and lays out `examples` for a model that reads them as `reading`.
    public static func batch(_ examples: [Example], task: any SyntheticTask, reading: Reading) -> SequenceBatch {
        let B = examples.count
        let ignore = SequenceBatch.ignore
        switch reading {
        case .classifier:
            let Ts = examples.map(\.source.count).max() ?? 0
            var source = [Int32](repeating: 0, count: B * Ts)
            for (b, example) in examples.enumerated() {
                for (t, token) in example.source.enumerated() { source[b * Ts + t] = token }
            }
            return SequenceBatch(size: B, sourceLength: Ts, source: source, sourceLengths: examples.map { Int32($0.source.count) },
                                 targetLength: 0, decoderInput: [], targets: [], targetLengths: [],
                                 labels: examples.map { $0.target[0] })
        case .sequenceToSequence:
            let outputs = examples.map { outputTokens($0, task: task) }
            let Ts = examples.map(\.source.count).max() ?? 0, Tt = outputs.map(\.count).max() ?? 0
            var source = [Int32](repeating: 0, count: B * Ts)
            var input = [Int32](repeating: 0, count: B * Tt), targets = [Int32](repeating: ignore, count: B * Tt)
            for (b, example) in examples.enumerated() {
                for (t, token) in example.source.enumerated() { source[b * Ts + t] = token }
                let output = outputs[b]
                for (t, token) in output.enumerated() {
                    targets[b * Tt + t] = token
                    input[b * Tt + t] = t == 0 ? Models.Model.startToken : output[t - 1]
                }
            }
            return SequenceBatch(size: B, sourceLength: Ts, source: source, sourceLengths: examples.map { Int32($0.source.count) },
                                 targetLength: Tt, decoderInput: input, targets: targets,
                                 targetLengths: outputs.map { Int32($0.count) })
        case .decoderOnly:
            let sequences = examples.map { $0.source + [Models.Model.startToken] + outputTokens($0, task: task) }
            let T = (sequences.map(\.count).max() ?? 1) - 1
            var input = [Int32](repeating: 0, count: B * T), targets = [Int32](repeating: ignore, count: B * T)
            for (b, sequence) in sequences.enumerated() {
                let sourceCount = examples[b].source.count
                for t in 0..<(sequence.count - 1) {
                    input[b * T + t] = sequence[t]
                    // Position t predicts token t+1; only the target part (after the separator) counts.
                    if t >= sourceCount { targets[b * T + t] = sequence[t + 1] }
                }
            }
            return SequenceBatch(size: B, sourceLength: 0, source: [], sourceLengths: [], targetLength: T,
                                 decoderInput: input, targets: targets, targetLengths: sequences.map { Int32($0.count - 1) })
        }
    }
}
