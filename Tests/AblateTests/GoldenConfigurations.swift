import Foundation

/// The model configurations of the golden test (`GoldenModelTests`): together they set every switch
/// of both families to each of its values, and each is made twice, trained by `ablate run` and with
/// random weights written by the reference script.
///
/// Settings are written with the experiment file's keys; `vocabulary` and `classes` come from the
/// task for the trained checkpoints and from `GoldenConfigurations.randomVocabulary` for the random
/// ones. The activation names are an experiment file's: "gelu" is the exact GELU there (stored
/// "gelu_exact"), but a stored "gelu", as a random checkpoint writes it, is the tanh approximation
/// that earlier versions of ablate meant by it, so the random checkpoints also cover old files.
enum GoldenConfigurations {
    /// A setting's value, as written here and as read back from a checkpoint's config.
    enum Value: Codable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
                ExpressibleByStringLiteral {
        case int(Int), double(Double), bool(Bool), string(String)

        init(integerLiteral value: Int) { self = .int(value) }
        init(booleanLiteral value: Bool) { self = .bool(value) }
        init(stringLiteral value: String) { self = .string(value) }

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Int.self) { self = .int(value) }
            else if let value = try? container.decode(Double.self) { self = .double(value) }
            else { self = .string(try container.decode(String.self)) }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        }

        var description: String {
            switch self {
            case .int(let value): return String(value)
            case .double(let value): return String(value)
            case .bool(let value): return String(value)
            case .string(let value): return value
            }
        }

        var toml: String {
            if case .string(let value) = self { return "\"\(value)\"" }
            return description
        }

        var int: Int? { if case .int(let value) = self { value } else { nil } }
    }

    struct Configuration {
        var name: String
        var settings: [String: Value]

        var isClassifier: Bool { settings["layout"] == "encoder-only" }

        /// `{ arch = "transformer", d_model = 8, ... }`, keys sorted.
        var inlineTable: String {
            "{ " + settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.toml)" }.joined(separator: ", ") + " }"
        }
    }

    /// Small enough that a case costs milliseconds; the odd and non-power-of-two widths and head
    /// counts are there because they are where conventions part (an odd d_model's last sinusoid,
    /// ALiBi's slopes for 3 and 6 heads). RoPE's heads are 4 wide: with 2, GPT-NeoX's halves and
    /// RoFormer's adjacent pairs are the same rotation.
    static let transformers: [Configuration] = [
        transformer("ed-paper", ["layout": "encoder-decoder", "encoder_layers": 2, "decoder_layers": 2]),
        transformer("ed-learned-pre-tied", ["layout": "encoder-decoder", "positional": "learned", "max_length": 16, "norm": "pre",
                                            "activation": "gelu", "tied_embeddings": true]),
        transformer("ed-rope-unnormed-unscaled-unbiased", ["layout": "encoder-decoder", "positional": "rope", "norm": "none",
                                                           "attention_scale": "none", "bias": false]),
        transformer("ed-alibi-6-heads-unmasked", ["layout": "encoder-decoder", "positional": "alibi", "d_model": 12, "heads": 6,
                                                  "activation": "gelu_tanh", "causal_mask": false, "norm": "pre"]),
        transformer("ed-unpositioned-no-residual", ["layout": "encoder-decoder", "positional": "none", "residual": false,
                                                    "scale_embeddings": false]),
        transformer("ed-odd-sinusoidal-attention-only", ["layout": "encoder-decoder", "d_model": 9, "heads": 3, "feed_forward": false,
                                                         "norm": "pre"]),
        transformer("do-sinusoidal-unmasked", ["layout": "decoder-only", "causal_mask": false, "norm": "pre", "decoder_layers": 2]),
        transformer("do-learned-tied-unbiased", ["layout": "decoder-only", "positional": "learned", "max_length": 16,
                                                 "tied_embeddings": true, "bias": false, "activation": "gelu_exact"]),
        transformer("do-rope-pre", ["layout": "decoder-only", "positional": "rope", "norm": "pre", "activation": "gelu",
                                    "decoder_layers": 2]),
        transformer("do-alibi-3-heads-unnormed-unscaled", ["layout": "decoder-only", "positional": "alibi", "d_model": 12, "heads": 3,
                                                           "attention_scale": "none", "norm": "none"]),
        transformer("do-unpositioned-pre-no-residual", ["layout": "decoder-only", "positional": "none", "residual": false, "norm": "pre"]),
        transformer("do-rope-unmasked-attention-only", ["layout": "decoder-only", "positional": "rope", "causal_mask": false,
                                                        "feed_forward": false, "scale_embeddings": false]),
        transformer("eo-paper", ["layout": "encoder-only"]),
        transformer("eo-learned-pre-unbiased", ["layout": "encoder-only", "positional": "learned", "max_length": 16, "norm": "pre",
                                                "activation": "gelu_tanh", "bias": false]),
        transformer("eo-rope-unnormed-unscaled", ["layout": "encoder-only", "positional": "rope", "norm": "none",
                                                  "attention_scale": "none", "scale_embeddings": false]),
        transformer("eo-alibi-6-heads-no-residual", ["layout": "encoder-only", "positional": "alibi", "d_model": 12, "heads": 6,
                                                     "activation": "gelu", "residual": false]),
        transformer("eo-unpositioned-attention-only", ["layout": "encoder-only", "positional": "none", "feed_forward": false,
                                                       "norm": "pre", "encoder_layers": 2]),
        transformer("eo-odd-sinusoidal", ["layout": "encoder-only", "d_model": 7, "heads": 1, "norm": "pre", "activation": "gelu_exact"]),
    ]

    /// Every cell with every attention, both directions and both depths (not the whole product:
    /// dot attention cannot read a bidirectional encoder). The sizes differ (E 5, H 6, A 4) so that a
    /// confused dimension is a shape error rather than a silent match.
    static let rnns: [Configuration] = [
        rnn("gru-additive", ["cell": "gru", "attention": "additive"]),
        rnn("gru-additive-bidirectional-2-layers", ["cell": "gru", "attention": "additive", "bidirectional": true, "layers": 2]),
        rnn("gru-dot-2-layers", ["cell": "gru", "attention": "dot", "layers": 2]),
        rnn("gru-general-bidirectional", ["cell": "gru", "attention": "general", "bidirectional": true]),
        rnn("gru-general-2-layers", ["cell": "gru", "attention": "general", "layers": 2]),
        rnn("gru-no-attention", ["cell": "gru", "attention": "none"]),
        rnn("gru-no-attention-bidirectional-2-layers", ["cell": "gru", "attention": "none", "bidirectional": true, "layers": 2]),
        rnn("lstm-additive-2-layers", ["cell": "lstm", "attention": "additive", "layers": 2]),
        rnn("lstm-additive-bidirectional", ["cell": "lstm", "attention": "additive", "bidirectional": true]),
        rnn("lstm-dot", ["cell": "lstm", "attention": "dot"]),
        rnn("lstm-general-bidirectional-2-layers", ["cell": "lstm", "attention": "general", "bidirectional": true, "layers": 2]),
        rnn("lstm-no-attention", ["cell": "lstm", "attention": "none"]),
    ]

    static var all: [Configuration] { transformers + rnns }

    private static func transformer(_ name: String, _ settings: [String: Value]) -> Configuration {
        let base: [String: Value] = ["arch": "transformer", "d_model": 8, "heads": 2, "encoder_layers": 1, "decoder_layers": 1, "d_ff": 12]
        return Configuration(name: name, settings: base.merging(settings) { $1 })
    }

    private static func rnn(_ name: String, _ settings: [String: Value]) -> Configuration {
        let base: [String: Value] = ["arch": "rnn", "embedding": 5, "hidden": 6, "attention_size": 4]
        return Configuration(name: name, settings: base.merging(settings) { $1 })
    }

    // MARK: - The random checkpoints

    /// The random checkpoints' vocabulary (and an encoder-only model's classes): not the tasks', so
    /// that the two ways of making a checkpoint do not share every shape.
    static let randomVocabulary = 11
    static let randomClasses = 3

    /// The config a random checkpoint stores: the settings with the vocabulary (and classes).
    static func randomConfig(_ configuration: Configuration) -> [String: Value] {
        var settings = configuration.settings
        settings["vocabulary"] = .int(randomVocabulary)
        if configuration.isClassifier { settings["classes"] = .int(randomClasses) }
        return settings
    }

    // MARK: - The trained checkpoints

    /// Training long enough, at a high rate, that the weights are far from their initialisation
    /// (biases and layer-norm parameters included), and nothing else: one example to validate and
    /// test, one evaluation.
    static let trainLines = """
        [train]
        steps = 20
        batch = 8
        lr = 1e-2
        schedule = "constant"
        eval_every = 20
        validation_examples = 1
        test_examples_per_size = 1
        """

    /// An experiment file whose baseline is the first configuration and whose variants are the
    /// others, each a whole `model = { ... }`, on `task` (the `[task]` table's lines).
    static func experiment(name: String, task: String, _ configurations: [Configuration]) -> String {
        let baseline = configurations[0]
        let model = baseline.settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.toml)" }.joined(separator: "\n")
        let variants = configurations.dropFirst().map { "[[variant]]\nname = \"\($0.name)\"\nmodel = \($0.inlineTable)\n" }
        return """
            [experiment]
            name = "\(name)"
            seeds = [1]

            [task]
            \(task)

            [model]
            \(model)

            \(trainLines)

            \(variants.joined(separator: "\n"))
            """
    }

    /// Reversal over 6 symbols (vocabulary 7) for the generative models; majority over 4 symbols
    /// (vocabulary 5, 4 classes) for the encoder-only ones.
    static let sequenceTask = "kind = \"reverse\"\nsymbols = 6\ntrain_length = [2, 5]\neval_length = [2, 5]"
    static let sequenceVocabulary = 7
    static let classificationTask = "kind = \"majority\"\nsymbols = 4\ntrain_length = [3, 6]\neval_length = [3, 6]"
    static let classificationVocabulary = 5
}
