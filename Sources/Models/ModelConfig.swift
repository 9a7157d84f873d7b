import Foundation

/// What to build: a Transformer or the RNN baseline. Every field has the paper's choice as its
/// default, so a config names only what an experiment changes.
public enum ModelConfig: Codable, Sendable, Hashable {
    case transformer(TransformerConfig)
    case rnn(RNNConfig)

    private enum CodingKeys: String, CodingKey { case arch }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let arch = try container.decodeIfPresent(String.self, forKey: .arch) ?? "transformer"
        switch arch {
        case "transformer": self = .transformer(try TransformerConfig(from: decoder))
        case "rnn": self = .rnn(try RNNConfig(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(forKey: .arch, in: container,
                                                   debugDescription: "arch must be \"transformer\" or \"rnn\", got \"\(arch)\"")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .transformer(let config):
            try container.encode("transformer", forKey: .arch)
            try config.encode(to: encoder)
        case .rnn(let config):
            try container.encode("rnn", forKey: .arch)
            try config.encode(to: encoder)
        }
    }

    /// Checks the combination of values; throws a `ModelConfigError` naming the key.
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

    /// Parses `json()`'s output.
    public static func fromJSON(_ text: String) throws -> ModelConfig {
        try JSONDecoder().decode(ModelConfig.self, from: Data(text.utf8))
    }
}

/// A config value that cannot work, with the key that holds it.
public struct ModelConfigError: Error, CustomStringConvertible, Equatable {
    /// The key, as written in experiment files (e.g. "model.heads").
    public var key: String
    public var message: String
    public var description: String { "\(key): \(message)" }

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }
}

/// A Transformer: the layout and every ablation switch.
public struct TransformerConfig: Codable, Sendable, Hashable {
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

    public enum Activation: String, Codable, Sendable, CaseIterable {
        case relu, gelu
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
        func require(_ condition: Bool, _ key: String, _ message: String) throws {
            if !condition { throw ModelConfigError(key: "model.\(key)", message) }
        }
        try require(vocabulary >= 2, "vocabulary", "must be at least 2, got \(vocabulary)")
        try require(modelSize >= 1, "d_model", "must be positive, got \(modelSize)")
        try require(heads >= 1, "heads", "must be positive, got \(heads)")
        try require(modelSize % heads == 0, "heads",
                    "\(heads) heads do not divide d_model = \(modelSize): choose heads among \(divisors(of: modelSize))")
        try require(positional != .rope || headSize % 2 == 0, "positional",
                    "rope rotates pairs of dimensions, so d_model / heads must be even (it is \(headSize))")
        try require(feedForwardSize >= 1, "d_ff", "must be positive, got \(feedForwardSize)")
        try require(maxLength >= 1, "max_length", "must be positive, got \(maxLength)")
        try require(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got \(dropout)")
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

    private enum CodingKeys: String, CodingKey {
        case layout, vocabulary, classes
        case modelSize = "d_model", heads
        case encoderLayers = "encoder_layers", decoderLayers = "decoder_layers"
        case feedForwardSize = "d_ff", feedForward = "feed_forward", activation, positional
        case maxLength = "max_length", attentionScale = "attention_scale", causalMask = "causal_mask"
        case residual, norm, dropout, tiedEmbeddings = "tied_embeddings", bias, scaleEmbeddings = "scale_embeddings"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var d = TransformerConfig()
        d.layout = try c.decodeIfPresent(Layout.self, forKey: .layout) ?? d.layout
        d.vocabulary = try c.decodeIfPresent(Int.self, forKey: .vocabulary) ?? d.vocabulary
        d.classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? d.classes
        d.modelSize = try c.decodeIfPresent(Int.self, forKey: .modelSize) ?? d.modelSize
        d.heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        d.encoderLayers = try c.decodeIfPresent(Int.self, forKey: .encoderLayers) ?? d.encoderLayers
        d.decoderLayers = try c.decodeIfPresent(Int.self, forKey: .decoderLayers) ?? d.decoderLayers
        d.feedForwardSize = try c.decodeIfPresent(Int.self, forKey: .feedForwardSize) ?? d.feedForwardSize
        d.feedForward = try c.decodeIfPresent(Bool.self, forKey: .feedForward) ?? d.feedForward
        d.activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? d.activation
        d.positional = try c.decodeIfPresent(Positional.self, forKey: .positional) ?? d.positional
        d.maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength) ?? d.maxLength
        d.attentionScale = try c.decodeIfPresent(AttentionScale.self, forKey: .attentionScale) ?? d.attentionScale
        d.causalMask = try c.decodeIfPresent(Bool.self, forKey: .causalMask) ?? d.causalMask
        d.residual = try c.decodeIfPresent(Bool.self, forKey: .residual) ?? d.residual
        d.norm = try c.decodeIfPresent(Norm.self, forKey: .norm) ?? d.norm
        d.dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? d.dropout
        d.tiedEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tiedEmbeddings) ?? d.tiedEmbeddings
        d.bias = try c.decodeIfPresent(Bool.self, forKey: .bias) ?? d.bias
        d.scaleEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .scaleEmbeddings) ?? d.scaleEmbeddings
        self = d
    }
}

/// The RNN baseline: an encoder-decoder of recurrent cells, with or without attention.
public struct RNNConfig: Codable, Sendable, Hashable {
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
        func require(_ condition: Bool, _ key: String, _ message: String) throws {
            if !condition { throw ModelConfigError(key: "model.\(key)", message) }
        }
        try require(vocabulary >= 2, "vocabulary", "must be at least 2, got \(vocabulary)")
        try require(embeddingSize >= 1, "embedding", "must be positive, got \(embeddingSize)")
        try require(hidden >= 1, "hidden", "must be positive, got \(hidden)")
        try require(layers >= 1, "layers", "must be at least 1, got \(layers)")
        try require(attentionSize >= 1, "attention_size", "must be positive, got \(attentionSize)")
        try require(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got \(dropout)")
        try require(!(attention == .dot && bidirectional), "attention",
                    "dot attention needs decoder states as wide as the encoder outputs, and a bidirectional encoder's are twice as wide: use general or additive attention")
    }

    private enum CodingKeys: String, CodingKey {
        case cell, attention, vocabulary, embeddingSize = "embedding", hidden, layers, bidirectional
        case attentionSize = "attention_size", dropout
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var d = RNNConfig()
        d.cell = try c.decodeIfPresent(Cell.self, forKey: .cell) ?? d.cell
        d.attention = try c.decodeIfPresent(Attention.self, forKey: .attention) ?? d.attention
        d.vocabulary = try c.decodeIfPresent(Int.self, forKey: .vocabulary) ?? d.vocabulary
        d.embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize) ?? d.embeddingSize
        d.hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? d.hidden
        d.layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? d.layers
        d.bidirectional = try c.decodeIfPresent(Bool.self, forKey: .bidirectional) ?? d.bidirectional
        d.attentionSize = try c.decodeIfPresent(Int.self, forKey: .attentionSize) ?? d.attentionSize
        d.dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? d.dropout
        self = d
    }
}

private func divisors(of n: Int) -> [Int] { (1...max(n, 1)).filter { n % $0 == 0 } }
