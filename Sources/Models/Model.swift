import Foundation
import Tensors

/// A trained or trainable model of either family, built from a `ModelConfig`: what checkpoints,
/// `ablate predict` and training loops hold without caring which family it is.
public enum Model {
    case transformer(Transformer)
    case rnn(RNNSeq2Seq)

    /// The token that starts decoding: the decoder's first input in an encoder-decoder, the separator
    /// between source and target in a decoder-only sequence. Tasks reserve id 0 for it.
    public static let startToken: Int32 = 0

    /// Builds a model and initialises it from `RNG(seed, .initialization)`. Throws `ModelConfigError`.
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

    /// Opens a checkpoint: reads the config from its metadata, builds that model and loads the values.
    public static func load(from url: URL) throws -> (model: Model, metadata: [String: String]) {
        let metadata = try Checkpoint.metadata(at: url)
        guard let configText = metadata["config"] else {
            throw ModelLoadError(path: url.path, message: "has no \"config\" in its metadata: it was not written by ablate")
        }
        let config: ModelConfig
        do {
            config = try ModelConfig.fromJSON(configText)
        } catch {
            throw ModelLoadError(path: url.path, message: "has a model config that cannot be read: \(error)")
        }
        let model = try build(config, seed: 0)
        _ = try Checkpoint.load(into: model.parameters, from: url)
        return (model, metadata)
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
