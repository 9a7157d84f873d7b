import Foundation
import Settings
import Tensors

/// A trained or trainable model of either family, built from a `ModelConfig`: what checkpoints,
/// `ablate predict` and training loops hold without caring which family it is.
public enum Model {
    case transformer(Transformer)
    case rnn(RNNSeq2Seq)

    /// The token that starts decoding: the decoder's first input in an encoder-decoder, the separator
    /// between source and target in a decoder-only sequence. Tasks reserve id 0 for it.
    public static let startToken: Int32 = 0

    /// Builds a model and initialises it from `RNG(seed, .initialization)`. Throws `SettingError`.
    public static func build(_ config: ModelConfig, seed: UInt64) throws -> Model {
        switch config {
        case .transformer(let transformer): return .transformer(try Transformer(config: transformer, seed: seed))
        case .rnn(let rnn): return .rnn(try RNNSeq2Seq(config: rnn, seed: seed))
        }
    }

    public var config: ModelConfig {
        switch self {
        case .transformer(let model): return .transformer(model.config)
        case .rnn(let model): return .rnn(model.config)
        }
    }

    public var parameters: ParameterSet {
        switch self {
        case .transformer(let model): return model.parameters
        case .rnn(let model): return model.parameters
        }
    }

    public var parameterCount: Int { parameters.count }

    /// The checkpoint format this code writes and reads (the `format` metadata key).
    public static let checkpointFormat = "ablate-checkpoint-1"

    /// Saves the parameters as safetensors with the config in the metadata (`config`, as JSON), plus `extra`.
    public func save(to url: URL, extra: [String: String] = [:]) throws {
        var metadata = extra
        metadata["format"] = Model.checkpointFormat
        metadata["config"] = config.json()
        try Checkpoint.save(parameters, metadata: metadata, to: url)
    }

    /// Opens a checkpoint: reads the config from its metadata, checks it against the bounds an
    /// experiment file has (`ModelConfig.validate`), checks that the file's tensors are exactly the
    /// parameters of that config (names and shapes, before any model is allocated, so a config that
    /// claims a huge model is refused), then builds the model and loads the values.
    ///
    /// Throws `SafetensorsError` for a file that is not valid safetensors, `ModelLoadError` for
    /// metadata that is not an ablate config, and `CheckpointError` for tensors that do not fit it.
    public static func load(from url: URL) throws -> (model: Model, metadata: [String: String]) {
        let (tensors, metadata) = try Safetensors.read(from: url)
        let config = try self.config(in: metadata, path: url.path)
        let layout: ParameterLayout
        do {
            layout = try parameterLayout(config)
        } catch {
            throw ModelLoadError(path: url.path, message: "has a model config (metadata \"config\") that ablate cannot build: \(error)")
        }
        try Checkpoint.check(tensors.map { ($0.name, $0.shape) }, fit: layout.slices, path: url.path)
        // parameterLayout validated the config: build without validating it again.
        let model: Model
        switch config {
        case .transformer(let transformer): model = .transformer(Transformer(validated: transformer, seed: 0))
        case .rnn(let rnn): model = .rnn(RNNSeq2Seq(validated: rnn, seed: 0))
        }
        Checkpoint.copy(tensors, into: model.parameters)
        return (model, metadata)
    }

    /// The config a checkpoint's metadata holds; a `ModelLoadError` naming the key and the value when
    /// there is none or it cannot be read.
    static func config(in metadata: [String: String], path: String) throws -> ModelConfig {
        guard let configText = metadata["config"] else {
            let format = metadata["format"].map { " (its format is \"\($0)\")" } ?? ""
            throw ModelLoadError(path: path, message: "has no \"config\" in its metadata\(format): it was not written by ablate, which writes format \"\(checkpointFormat)\"")
        }
        do {
            return try ModelConfig.fromJSON(configText)
        } catch {
            throw ModelLoadError(path: path, message: "has a model config (metadata \"config\") that cannot be read: \(error)")
        }
    }

    /// The parameters a model of `config` has, without allocating them. Throws `SettingError`.
    public static func parameterLayout(_ config: ModelConfig) throws -> ParameterLayout {
        switch config {
        case .transformer(let transformer): return try Transformer.parameterLayout(transformer)
        case .rnn(let rnn): return try RNNSeq2Seq.parameterLayout(rnn)
        }
    }

    /// The model's answer for one source sequence: greedy decoding of `steps` tokens for generative
    /// layouts (the decoder starts from `startToken`; a decoder-only model reads source + `startToken`),
    /// or the class for an encoder-only model. `logits` holds one row per step (or one row of classes).
    public func predict(source: [Int32], steps: Int) -> (tokens: [Int32], logits: [[Float]]) {
        let lengths = [Int32(source.count)]
        switch self {
        case .transformer(let model) where model.config.layout == .encoderOnly:
            let (classes, logits) = model.classify(source: source, sourceLength: source.count, sourceLengths: lengths, batch: 1)
            return (classes, [logits])
        case .transformer(let model):
            let decoding: Decoding
            if model.config.layout == .decoderOnly {
                decoding = model.greedyDecode(source: [], sourceLength: 0, sourceLengths: [], prefix: source + [Model.startToken],
                                              prefixLength: source.count + 1, batch: 1, steps: steps)
            } else {
                decoding = model.greedyDecode(source: source, sourceLength: source.count, sourceLengths: lengths,
                                              prefix: [Model.startToken], prefixLength: 1, batch: 1, steps: steps)
            }
            return (decoding.tokens, rows(decoding.logits, model.config.vocabulary))
        case .rnn(let model):
            let decoding = model.greedyDecode(source: source, sourceLength: source.count, sourceLengths: lengths,
                                              startToken: Model.startToken, batch: 1, steps: steps)
            return (decoding.tokens, rows(decoding.logits, model.config.vocabulary))
        }
    }

    private func rows(_ values: [Float], _ width: Int) -> [[Float]] {
        stride(from: 0, to: values.count, by: width).map { Array(values[$0..<$0 + width]) }
    }
}

/// A checkpoint that cannot become a model.
public struct ModelLoadError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path) \(message)" }
}

extension Model {
    /// The size of the model's learned positional table (`max_length`), or nil when positions do not
    /// limit the sequences it takes (other encodings, the RNN).
    public var learnedPositions: Int? {
        guard case .transformer(let model) = self, model.config.positional == .learned else { return nil }
        return model.config.maxLength
    }

    /// The positions of the longest stack when the model reads `sourceLength` tokens and produces
    /// `outputLength`, teacher-forced or decoded: the source (plus the CLS token for encoder-only),
    /// the decoder's input (start token, then the output but its last token), or, decoder-only, source +
    /// separator + output but its last token.
    public func positionsNeeded(sourceLength: Int, outputLength: Int) -> Int {
        switch self {
        case .transformer(let model):
            switch model.config.layout {
            case .encoderDecoder: return max(sourceLength, outputLength)
            case .decoderOnly: return sourceLength + outputLength
            case .encoderOnly: return sourceLength + 1
            }
        case .rnn:
            return max(sourceLength, outputLength)
        }
    }

    /// Throws `PositionsExceeded` when a learned positional table is shorter than the sequences
    /// (see `positionsNeeded`); `subject` says what needs them ("the example") and `hint` what to change.
    public func checkPositions(sourceLength: Int, outputLength: Int, subject: String, hint: String) throws {
        guard let learned = learnedPositions else { return }
        let needed = positionsNeeded(sourceLength: sourceLength, outputLength: outputLength)
        guard needed <= learned else { throw PositionsExceeded(learned: learned, needed: needed, subject: subject, hint: hint) }
    }
}

/// A sequence longer than the learned positional table of the model that should read it.
public struct PositionsExceeded: Error, CustomStringConvertible, Equatable {
    public var learned: Int
    public var needed: Int
    /// What needs the positions: "the example", "the input and its output".
    public var subject: String
    /// What to change: "choose a smaller --length".
    public var hint: String
    public var description: String {
        "this model learned \(learned) positions (model.max_length), but \(subject) needs \(needed): \(hint)"
    }
}
