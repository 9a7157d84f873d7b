import Foundation
import Settings

/// What to build: a Transformer or the RNN baseline. Every field has the paper's choice as its
/// default, so a config names only what an experiment changes.
public enum ModelConfig: Codable, Sendable, Hashable {
    case transformer(TransformerConfig)
    case rnn(RNNConfig)

    /// The architectures, as `arch` names them.
    public static let architectures = ["transformer", "rnn"]

    /// `{"arch": "transformer", "d_model": 64, ...}`: the settings' own keys (`TransformerConfig.settings`,
    /// `RNNConfig.settings`). A key no setting has, or a value of the wrong type, throws a `SettingError`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: SettingKey.self)
        let archKey = SettingKey("arch")
        var arch = "transformer"
        if container.contains(archKey) {
            guard let value = try? container.decode(String.self, forKey: archKey), Self.architectures.contains(value) else {
                let found = JSONValueText.describe(container, archKey)
                throw SettingError(key: "model.arch", "expected \(SettingKind.choice(Self.architectures).expected), got \(found)")
            }
            arch = value
        }
        if arch == "rnn" {
            self = .rnn(try RNNConfig(decodingSettings: container, prefix: "model", allowing: RNNConfig.otherKeys))
        } else {
            var config = try TransformerConfig(decodingSettings: container, prefix: "model", allowing: TransformerConfig.otherKeys)
            // A stored "gelu" was written by a version whose "gelu" was the tanh approximation; this
            // version stores the exact GELU as "gelu_exact" (see `TransformerConfig.Activation`).
            if (try? container.decode(String.self, forKey: SettingKey("activation"))) == "gelu" { config.activation = .geluTanh }
            self = .transformer(config)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: SettingKey.self)
        switch self {
        case .transformer(let config):
            try container.encode("transformer", forKey: SettingKey("arch"))
            try config.encodeSettings(to: &container)
        case .rnn(let config):
            try container.encode("rnn", forKey: SettingKey("arch"))
            try config.encodeSettings(to: &container)
        }
    }

    /// Checks the combination of values; throws a `SettingError` naming the key.
    public func validate() throws {
        switch self {
        case .transformer(let config): try config.validate()
        case .rnn(let config): try config.validate()
        }
    }

    /// The config as compact JSON with sorted keys (stored in checkpoints and run records).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Parses `json()`'s output. A key no setting has, a value of the wrong type, or not among its
    /// choices, throws a `SettingError` naming the key, the value found and what the key takes. The
    /// values are not checked against each other or their ranges: call `validate()`.
    public static func fromJSON(_ text: String) throws -> ModelConfig {
        do {
            return try JSONDecoder().decode(ModelConfig.self, from: Data(text.utf8))
        } catch is DecodingError {
            // The settings' own failures are `SettingError`s: this is text that is no JSON object.
            throw SettingError(key: "model", "the config is not a JSON object of settings such as {\"arch\":\"transformer\",\"d_model\":64}")
        }
    }
}

/// The allowed range of every integer setting of a model, as experiment files and checkpoints take
/// it: the ranges of `TransformerConfig.settings` and `RNNConfig.settings`, which `validate()` checks,
/// so a checkpoint's config passes the same bounds as a file.
public enum ModelBounds {
    /// d_model, and the RNN's embedding, hidden and attention sizes.
    public static let width = 1...16_384
    public static let vocabulary = 2...1_000_000
    public static let classes = 2...1_000_000
    public static let heads = 1...1024
    /// encoder_layers and decoder_layers (0 for the stack a layout does not have).
    public static let stackLayers = 0...64
    /// `layers`: both stacks at once, or the RNN's layers.
    public static let layers = 1...64
    public static let feedForwardSize = 1...65_536
    /// max_length; also the longest sequence `ablate predict` decodes.
    public static let maxLength = 1...65_536
}

/// A Transformer: the layout and every ablation switch.
public struct TransformerConfig: Sendable, Hashable, SettingsTable {
    public enum Layout: String, Codable, Sendable, CaseIterable {
        /// The paper's model: an encoder, and a decoder that attends to it.
        case encoderDecoder = "encoder-decoder"
        /// A causal language model over source + separator + target.
        case decoderOnly = "decoder-only"
        /// An encoder with a classification token (CLS) and a classification head.
        case encoderOnly = "encoder-only"
    }

    public enum Positional: String, Codable, Sendable, CaseIterable {
        /// No position information: attention alone is permutation-equivariant.
        case none
        /// The paper's fixed sines and cosines, added to the embeddings.
        case sinusoidal
        /// A trained table of `maxLength` positions, added to the embeddings (cannot go past it).
        case learned
        /// Rotary embeddings: queries and keys rotated by their position inside self-attention.
        case rope
        /// Attention with linear biases: a per-head penalty proportional to the query-key distance.
        case alibi
    }

    public enum AttentionScale: String, Codable, Sendable, CaseIterable {
        /// Scores divided by sqrt(d_k), as in the paper.
        case sqrtDk = "sqrt_dk"
        /// Raw dot products: the softmax saturates as d_k grows.
        case none
    }

    public enum Norm: String, Codable, Sendable, CaseIterable {
        /// x = LN(x + sublayer(x)), as in the paper.
        case post
        /// x = x + sublayer(LN(x)), with a final LN after the stack.
        case pre
        /// No layer normalisation.
        case none
    }

    /// The raw values are the stored names (checkpoints, run records and run keys). An experiment file
    /// writes the exact GELU `"gelu"` (or `"gelu_exact"`); it is stored as `"gelu_exact"` because
    /// earlier versions stored the tanh approximation as `"gelu"`, which therefore reads as `.geluTanh`
    /// (`ModelConfig.init(from:)`): an old checkpoint keeps its meaning and an old run's key is not
    /// taken for an exact-GELU run's.
    public enum Activation: String, Codable, Sendable, CaseIterable {
        /// max(0, x), the paper's.
        case relu
        /// x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): the GELU paper's, PyTorch's `nn.GELU()`.
        case gelu = "gelu_exact"
        /// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): GPT-2's and llm.c's approximation.
        case geluTanh = "gelu_tanh"

        /// What an experiment file or a stored config may write, and what each reads as. "gelu" is
        /// the exact GELU in a file; in a stored config it is remapped by `ModelConfig.init(from:)`.
        static let written: [(name: String, value: Activation)] = [("relu", .relu), ("gelu", .gelu), ("gelu_tanh", .geluTanh), ("gelu_exact", .gelu)]
    }

    /// Which stacks exist and how the output is read.
    public var layout: Layout = .encoderDecoder
    /// Token ids are 0..<vocabulary, for the source and the target alike.
    public var vocabulary: Int = 16
    /// Classes of the encoder-only classification head.
    public var classes: Int = 2
    /// d_model: the width of every residual stream.
    public var modelSize: Int = 64
    /// Attention heads; must divide modelSize. d_k = modelSize / heads.
    public var heads: Int = 4
    /// Encoder layers (encoder-decoder and encoder-only).
    public var encoderLayers: Int = 2
    /// Decoder layers (encoder-decoder and decoder-only).
    public var decoderLayers: Int = 2
    /// d_ff: the hidden width of the position-wise feed-forward network.
    public var feedForwardSize: Int = 256
    /// False removes the feed-forward sublayer from every block: attention only.
    public var feedForward: Bool = true
    /// The feed-forward non-linearity (the paper: ReLU).
    public var activation: Activation = .relu
    /// How positions enter the model.
    public var positional: Positional = .sinusoidal
    /// The longest sequence the model may see (the size of a learned positional table).
    public var maxLength: Int = 512
    /// Scaling of the attention scores.
    public var attentionScale: AttentionScale = .sqrtDk
    /// The causal mask in decoder self-attention (off lets position t see the future it must predict).
    public var causalMask: Bool = true
    /// Residual connections around every sublayer.
    public var residual: Bool = true
    /// Where layer normalisation sits.
    public var norm: Norm = .post
    /// Dropout on embeddings and sublayer outputs during training (the paper: 0.1).
    public var dropout: Float = 0
    /// The output projection shares the (target) embedding matrix.
    public var tiedEmbeddings: Bool = false
    /// Biases in the attention projections, feed-forward and output layers.
    public var bias: Bool = true
    /// Embeddings multiplied by sqrt(d_model), as in the paper.
    public var scaleEmbeddings: Bool = true

    public init() {}

    public var headSize: Int { heads > 0 ? modelSize / heads : 0 }

    public func validate() throws {
        func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
            if !condition { throw SettingError(key: "model.\(key)", message()) }
        }
        try checkRanges(prefix: "model")
        try require(modelSize % heads == 0, "heads",
                    "\(heads) heads do not divide d_model = \(modelSize): choose heads among \(divisors(of: modelSize))")
        try require(positional != .rope || headSize % 2 == 0, "positional",
                    "rope rotates pairs of dimensions, so d_model / heads must be even (it is \(headSize))")
        switch layout {
        case .encoderDecoder:
            try require(encoderLayers >= 1, "encoder_layers", "an encoder-decoder needs at least one encoder layer")
            try require(decoderLayers >= 1, "decoder_layers", "an encoder-decoder needs at least one decoder layer")
        case .decoderOnly:
            try require(decoderLayers >= 1, "decoder_layers", "a decoder-only model needs at least one layer")
        case .encoderOnly:
            try require(encoderLayers >= 1, "encoder_layers", "an encoder-only model needs at least one layer")
            try require(classes >= 2, "classes", "a classifier needs at least 2 classes, got \(classes)")
            try require(!tiedEmbeddings, "tied_embeddings", "an encoder-only classifier has no output embedding to tie")
        }
    }

}

/// The RNN baseline: an encoder-decoder of recurrent cells, with or without attention.
public struct RNNConfig: Sendable, Hashable, SettingsTable {
    public enum Cell: String, Codable, Sendable, CaseIterable { case gru, lstm }

    public enum Attention: String, Codable, Sendable, CaseIterable {
        /// Bahdanau et al.: score = v^T tanh(W s + U h_j).
        case additive
        /// Luong et al.: score = s . h_j.
        case dot
        /// Luong et al.: score = s^T W h_j.
        case general
        /// The plain seq2seq: the source is compressed into the encoder's last state.
        case none
    }

    public var cell: Cell = .gru
    public var attention: Attention = .additive
    /// Token ids are 0..<vocabulary, for the source and the target alike.
    public var vocabulary: Int = 16
    /// Width of the token embeddings.
    public var embeddingSize: Int = 64
    /// Width of the recurrent state (per direction in the encoder).
    public var hidden: Int = 128
    /// Stacked recurrent layers in the encoder and in the decoder.
    public var layers: Int = 1
    /// The encoder reads the source in both directions (its outputs are twice `hidden` wide).
    public var bidirectional: Bool = false
    /// Width of the additive attention's hidden layer.
    public var attentionSize: Int = 128
    /// Dropout on embeddings and between layers during training.
    public var dropout: Float = 0

    public init() {}

    public func validate() throws {
        func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
            if !condition { throw SettingError(key: "model.\(key)", message()) }
        }
        try checkRanges(prefix: "model")
        try require(!(attention == .dot && bidirectional), "attention",
                    "dot attention needs decoder states as wide as the encoder outputs, and a bidirectional encoder's are twice as wide: use general or additive attention")
    }

}

/// The divisors of `n`, in order, found up to its square root (d_model is at most 16,384, but a
/// message must not take long whatever it is given).
private func divisors(of n: Int) -> [Int] {
    guard n >= 1 else { return [1] }
    var small: [Int] = [], large: [Int] = []
    var d = 1
    while d <= n / d {
        if n % d == 0 {
            small.append(d)
            if d != n / d { large.append(n / d) }
        }
        d += 1
    }
    return small + large.reversed()
}
