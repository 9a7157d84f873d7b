import Settings

// The settings of each model: the keys of an experiment file's [model] table, of the stored and
// checkpointed config JSON, and of the documentation's tables (docs/experiment-file.md is generated
// from these lists). A new setting is a property with its default and one line here.

extension TransformerConfig {
    public static let settings: [Setting<TransformerConfig>] = [
        .choice("layout", \.layout, notes: ["encoder-decoder": "the paper's", "decoder-only": "one causal stack over source + separator + target",
                                              "encoder-only": "a CLS token and a classifier: classification tasks only"]),
        .integer("vocabulary", ModelBounds.vocabulary, \.vocabulary,
                 doc: "token ids are 0..<vocabulary, source and target alike; at least what the task uses", defaultNote: "from the task"),
        .integer("classes", ModelBounds.classes, \.classes,
                 doc: "classes of the encoder-only classifier; must equal the task's classes", defaultNote: "from the task (encoder-only), else 2"),
        .integer("d_model", ModelBounds.width, \.modelSize, doc: "the width of every residual stream"),
        .integer("heads", ModelBounds.heads, \.heads, doc: "attention heads, dividing `d_model` (d_k = d_model / heads)"),
        // Both stacks at once: the sketch's `layers = 2`. Not stored: the config keeps the two counts.
        Setting("layers", .integer(ModelBounds.layers),
                doc: "`encoder_layers` and `decoder_layers` at once; a later `encoder_layers` or `decoder_layers` overrides it",
                defaultNote: "(sets both below)", get: { _ in nil }) { config, value in
            if case .integer(let v) = value { config.encoderLayers = v; config.decoderLayers = v }
        },
        .integer("encoder_layers", ModelBounds.stackLayers, \.encoderLayers, doc: "encoder layers; at least 1 for the layouts with an encoder"),
        .integer("decoder_layers", ModelBounds.stackLayers, \.decoderLayers, doc: "decoder layers; at least 1 for the layouts with a decoder"),
        .integer("d_ff", ModelBounds.feedForwardSize, \.feedForwardSize, doc: "the hidden width of the position-wise feed-forward network"),
        .boolean("feed_forward", \.feedForward, doc: "`false` removes the feed-forward sublayer (attention only)"),
        activationSetting,
        .choice("positional", \.positional, doc: "how positions enter the model",
                notes: ["none": "no position information", "sinusoidal": "the paper's, added to the embeddings", "learned": "a trained table of `max_length` positions",
                        "rope": "rotary, inside attention; needs an even `d_model / heads`", "alibi": "linear distance biases, per head"]),
        .integer("max_length", ModelBounds.maxLength, \.maxLength,
                 doc: "the longest sequence the model may see; with `\"learned\"`, at least the longest sequence the model reads (below)"),
        .choice("attention_scale", \.attentionScale, doc: "the attention scores' scaling",
                notes: ["sqrt_dk": "divided by sqrt(d_k), the paper", "none": "raw dot products"]),
        .boolean("causal_mask", \.causalMask, doc: "`false` lets decoder positions see the future"),
        .boolean("residual", \.residual, doc: "`false` removes every residual connection"),
        .choice("norm", \.norm, doc: "where layer normalisation sits",
                notes: ["post": "LN(x + sublayer(x)), the paper", "pre": "x + sublayer(LN(x)), with a final norm"]),
        .float("dropout", .fraction, \.dropout, doc: "dropout on embeddings and sublayer outputs during training (the paper: 0.1)"),
        .boolean("tied_embeddings", \.tiedEmbeddings, doc: "`true` shares the output projection with the target embedding (not for encoder-only)"),
        .boolean("bias", \.bias, doc: "`false` removes the biases of projections, feed-forward and output"),
        .boolean("scale_embeddings", \.scaleEmbeddings, doc: "`false` stops multiplying embeddings by sqrt(d_model)"),
    ]
}

extension TransformerConfig {
    /// `activation`: a choice whose stored name for the exact GELU ("gelu_exact") is not the name a
    /// file writes ("gelu"); see `Activation`.
    private static var activationSetting: Setting<TransformerConfig> {
        var setting = Setting<TransformerConfig>(
            "activation", .choice(Activation.written.map(\.name)), doc: "the feed-forward non-linearity",
            get: { .text($0.activation.rawValue) }
        ) { config, value in
            if case .text(let name) = value, let written = Activation.written.first(where: { $0.name == name }) {
                config.activation = written.value
            }
        }
        setting.choiceNotes = ["relu": "the paper", "gelu": "exact, x Phi(x), as PyTorch's `nn.GELU()`; stored as `\"gelu_exact\"`",
                               "gelu_tanh": "the tanh approximation of GPT-2", "gelu_exact": "the same as `\"gelu\"`"]
        return setting
    }
}

extension RNNConfig {
    public static let settings: [Setting<RNNConfig>] = [
        .choice("cell", \.cell, doc: "the recurrent cell of the encoder and the decoder"),
        .choice("attention", \.attention, doc: "how the decoder reads the encoder's outputs",
                notes: ["additive": "Bahdanau", "dot": "Luong", "general": "Luong, through a learned matrix",
                        "none": "the plain seq2seq: the encoder's last state only"]),
        .integer("vocabulary", ModelBounds.vocabulary, \.vocabulary,
                 doc: "token ids are 0..<vocabulary, source and target alike; at least what the task uses", defaultNote: "from the task"),
        .integer("embedding", ModelBounds.width, \.embeddingSize, doc: "the width of the token embeddings"),
        .integer("hidden", ModelBounds.width, \.hidden, doc: "the width of the recurrent state (per direction in the encoder)"),
        .integer("layers", ModelBounds.layers, \.layers, doc: "stacked recurrent layers in the encoder and in the decoder"),
        .boolean("bidirectional", \.bidirectional, doc: "`true` reads the source both ways (not with `\"dot\"` attention)"),
        .integer("attention_size", ModelBounds.width, \.attentionSize, doc: "the width of the additive attention's hidden layer"),
        .float("dropout", .fraction, \.dropout, doc: "dropout on embeddings and between layers during training"),
    ]
}

extension TransformerConfig: SettingsCodable {
    public static let settingsPrefix = "model"
    /// The architecture, which `ModelConfig` reads.
    public static let otherKeys: Set<String> = ["arch"]
}

extension RNNConfig: SettingsCodable {
    public static let settingsPrefix = "model"
    public static let otherKeys: Set<String> = ["arch"]
}
