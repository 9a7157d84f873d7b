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

    /// Parses `json()`'s output. A value of the wrong type, or not among its choices, throws a
    /// `SettingError` naming the key, the value found and what the key takes. The values are not
    /// checked against each other or their ranges: call `validate()`.
    public static func fromJSON(_ text: String) throws -> ModelConfig {
        do {
            return try JSONDecoder().decode(ModelConfig.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw SettingError(decoding: error, json: text)
        }
    }

    /// What each key of the JSON form takes, in words, for the architecture `arch`.
    static func expectedValue(forKey key: String, arch: String) -> String? {
        func choices<E: RawRepresentable & CaseIterable>(_: E.Type) -> String where E.RawValue == String {
            "one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        }
        func integer(_ range: ClosedRange<Int>) -> String { "an integer in \(range.lowerBound)...\(range.upperBound)" }
        let boolean = "true or false", fraction = "a number in [0, 1)"
        if key == "arch" { return "one of \"transformer\", \"rnn\"" }
        if arch == "rnn" {
            let keys: [String: String] = [
                "cell": choices(RNNConfig.Cell.self), "attention": choices(RNNConfig.Attention.self),
                "vocabulary": integer(ModelBounds.vocabulary), "embedding": integer(ModelBounds.width),
                "hidden": integer(ModelBounds.width), "layers": integer(ModelBounds.layers),
                "bidirectional": boolean, "attention_size": integer(ModelBounds.width), "dropout": fraction,
            ]
            return keys[key]
        }
        let keys: [String: String] = [
            "layout": choices(TransformerConfig.Layout.self), "vocabulary": integer(ModelBounds.vocabulary),
            "classes": integer(ModelBounds.classes), "d_model": integer(ModelBounds.width), "heads": integer(ModelBounds.heads),
            "encoder_layers": integer(ModelBounds.stackLayers), "decoder_layers": integer(ModelBounds.stackLayers),
            "d_ff": integer(ModelBounds.feedForwardSize), "feed_forward": boolean,
            "activation": choices(TransformerConfig.Activation.self), "positional": choices(TransformerConfig.Positional.self),
            "max_length": integer(ModelBounds.maxLength), "attention_scale": choices(TransformerConfig.AttentionScale.self),
            "causal_mask": boolean, "residual": boolean, "norm": choices(TransformerConfig.Norm.self), "dropout": fraction,
            "tied_embeddings": boolean, "bias": boolean, "scale_embeddings": boolean,
        ]
        return keys[key]
    }
}

/// A setting that cannot work, with the key that holds it: a model's config (here) or the training
/// settings (Training throws it too). Task parameters have `TaskConfigError` in Tasks, which does not
/// depend on Models.
public struct SettingError: Error, CustomStringConvertible, Equatable {
    /// The key, as written in experiment files (e.g. "model.heads", "train.lr").
    public var key: String
    public var message: String
    public var description: String { "\(key): \(message)" }

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    /// The key, the value found and what the key takes, from a failure to decode the JSON form
    /// `json` (Swift's own description of a `DecodingError` names neither in words).
    init(decoding error: DecodingError, json: String) {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        let path: [CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        guard let object else {
            self.init(key: "model", "the config is not a JSON object of settings such as {\"arch\":\"transformer\",\"d_model\":64}")
            return
        }
        let arch = object["arch"] as? String ?? "transformer"
        // A number too large for its type fails without a coding path: find the key it is under.
        let integerKeys = object.keys.sorted().filter { ModelConfig.expectedValue(forKey: $0, arch: arch)?.hasPrefix("an integer") == true }
        guard let key = path.first?.stringValue ?? integerKeys.first(where: { !SettingError.isInteger(object[$0]!) }) else {
            self.init(key: "model", "the config cannot be read: \(error)")
            return
        }
        let found = object[key].map(Safetensors.brief) ?? "nothing"
        let expected = ModelConfig.expectedValue(forKey: key, arch: arch) ?? "another value"
        self.init(key: "model.\(key)", "expected \(expected), got \(found)")
    }

    /// Whether a JSON value is a number that fits `Int` (not a boolean, not written as a fraction).
    static func isInteger(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        let type = String(cString: number.objCType)
        return ["i", "s", "l", "q", "I", "S", "L", "Q"].contains(type) && (value as? Int) != nil
    }

}

/// The allowed range of every integer setting of a model, as experiment files and checkpoints take
/// it: the one definition that `Experiments.Schema` (the experiment file's keys) reads its ranges
/// from and that `validate()` checks, so a checkpoint's config passes the same bounds as a file.
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

    /// Throws a `SettingError` for `model.KEY` unless `range` holds `value`.
    static func check(_ value: Int, in range: ClosedRange<Int>, key: String) throws {
        guard range.contains(value) else {
            throw SettingError(key: "model.\(key)", "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
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
        func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
            if !condition { throw SettingError(key: "model.\(key)", message()) }
        }
        try ModelBounds.check(vocabulary, in: ModelBounds.vocabulary, key: "vocabulary")
        try ModelBounds.check(classes, in: ModelBounds.classes, key: "classes")
        try ModelBounds.check(modelSize, in: ModelBounds.width, key: "d_model")
        try ModelBounds.check(heads, in: ModelBounds.heads, key: "heads")
        try ModelBounds.check(encoderLayers, in: ModelBounds.stackLayers, key: "encoder_layers")
        try ModelBounds.check(decoderLayers, in: ModelBounds.stackLayers, key: "decoder_layers")
        try ModelBounds.check(feedForwardSize, in: ModelBounds.feedForwardSize, key: "d_ff")
        try ModelBounds.check(maxLength, in: ModelBounds.maxLength, key: "max_length")
        try require(modelSize % heads == 0, "heads",
                    "\(heads) heads do not divide d_model = \(modelSize): choose heads among \(divisors(of: modelSize))")
        try require(positional != .rope || headSize % 2 == 0, "positional",
                    "rope rotates pairs of dimensions, so d_model / heads must be even (it is \(headSize))")
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
        func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
            if !condition { throw SettingError(key: "model.\(key)", message()) }
        }
        try ModelBounds.check(vocabulary, in: ModelBounds.vocabulary, key: "vocabulary")
        try ModelBounds.check(embeddingSize, in: ModelBounds.width, key: "embedding")
        try ModelBounds.check(hidden, in: ModelBounds.width, key: "hidden")
        try ModelBounds.check(layers, in: ModelBounds.layers, key: "layers")
        try ModelBounds.check(attentionSize, in: ModelBounds.width, key: "attention_size")
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
