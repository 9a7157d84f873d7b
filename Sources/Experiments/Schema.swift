import Models
import Training

/// A checked scalar from the file.
enum Scalar: Equatable {
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case text(String)
    /// `false` for a setting that can be switched off (clip_norm, stop_at_accuracy, time_budget_seconds).
    case off
}

/// One key of a table: its type and allowed values, and how it sets its value on `Root`.
struct Field<Root> {
    enum Kind {
        case integer(ClosedRange<Int>)
        case number(NumberRange)
        /// A number in the range, or `false` for none.
        case numberOrOff(NumberRange)
        /// An integer in the range, or `false` for none.
        case integerOrOff(ClosedRange<Int>)
        case boolean
        case choice([String])
    }

    var key: String
    var kind: Kind
    var set: (inout Root, Scalar) -> Void

    /// What the key takes, in words: "an integer in 1...16384", "one of \"post\", \"pre\", \"none\"".
    var expected: String {
        switch kind {
        case .integer(let range): return "an integer in \(range.lowerBound)...\(range.upperBound)"
        case .number(let range): return "a number \(range.text)"
        case .numberOrOff(let range): return "a number \(range.text), or false for none"
        case .integerOrOff(let range): return "an integer in \(range.lowerBound)...\(range.upperBound), or false for none"
        case .boolean: return "true or false"
        case .choice(let choices): return "one of " + choices.map(Quoting.quote).joined(separator: ", ")
        }
    }

    /// Checks a value against the kind; throws the message (without the key) when it does not fit.
    func check(_ node: TOMLNode) throws -> Scalar {
        func fail() -> FieldMismatch { FieldMismatch(message: "expected \(expected), got \(node.quoted)") }
        switch (kind, node) {
        case (.integer(let range), .integer(let value)):
            guard range.contains(value) else { throw fail() }
            return .integer(value)
        case (.number(let range), .integer(let value)), (.numberOrOff(let range), .integer(let value)):
            guard range.contains(Double(value)) else { throw fail() }
            return .number(Double(value))
        case (.number(let range), .float(let value)), (.numberOrOff(let range), .float(let value)):
            guard range.contains(value) else { throw fail() }
            return .number(value)
        case (.numberOrOff, .bool(false)), (.integerOrOff, .bool(false)):
            return .off
        case (.integerOrOff(let range), .integer(let value)):
            guard range.contains(value) else { throw fail() }
            return .integer(value)
        case (.boolean, .bool(let value)):
            return .bool(value)
        case (.choice(let choices), .string(let value)):
            guard choices.contains(value) else {
                let hint = Quoting.closest(value, among: choices).map { " (did you mean \(Quoting.quote($0))?)" } ?? ""
                throw FieldMismatch(message: "expected \(expected), got \(Quoting.value(value))\(hint)")
            }
            return .text(value)
        default:
            throw fail()
        }
    }

    static func integer(_ key: String, _ range: ClosedRange<Int>, _ path: WritableKeyPath<Root, Int>) -> Field {
        Field(key: key, kind: .integer(range)) { root, value in if case .integer(let v) = value { root[keyPath: path] = v } }
    }

    static func number(_ key: String, _ range: NumberRange, _ path: WritableKeyPath<Root, Double>) -> Field {
        Field(key: key, kind: .number(range)) { root, value in if case .number(let v) = value { root[keyPath: path] = v } }
    }

    static func float(_ key: String, _ range: NumberRange, _ path: WritableKeyPath<Root, Float>) -> Field {
        Field(key: key, kind: .number(range)) { root, value in if case .number(let v) = value { root[keyPath: path] = Float(v) } }
    }

    static func numberOrOff(_ key: String, _ range: NumberRange, _ path: WritableKeyPath<Root, Double?>) -> Field {
        Field(key: key, kind: .numberOrOff(range)) { root, value in
            if case .number(let v) = value { root[keyPath: path] = v }
            if case .off = value { root[keyPath: path] = nil }
        }
    }

    static func integerOrOff(_ key: String, _ range: ClosedRange<Int>, _ path: WritableKeyPath<Root, Int?>) -> Field {
        Field(key: key, kind: .integerOrOff(range)) { root, value in
            if case .integer(let v) = value { root[keyPath: path] = v }
            if case .off = value { root[keyPath: path] = nil }
        }
    }

    static func boolean(_ key: String, _ path: WritableKeyPath<Root, Bool>) -> Field {
        Field(key: key, kind: .boolean) { root, value in if case .bool(let v) = value { root[keyPath: path] = v } }
    }

    static func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ path: WritableKeyPath<Root, E>) -> Field where E.RawValue == String {
        Field(key: key, kind: .choice(E.allCases.map(\.rawValue))) { root, value in
            if case .text(let v) = value, let e = E(rawValue: v) { root[keyPath: path] = e }
        }
    }
}

struct FieldMismatch: Error { var message: String }

/// An interval of numbers, open or closed at each end.
struct NumberRange {
    var lower: Double
    var lowerOpen = false
    var upper: Double
    var upperOpen = false

    func contains(_ value: Double) -> Bool {
        value.isFinite && (lowerOpen ? value > lower : value >= lower) && (upperOpen ? value < upper : value <= upper)
    }

    /// "in [0, 1)", ">= 0", "> 0".
    var text: String {
        if upper == .infinity { return (lowerOpen ? "> " : ">= ") + Quoting.bound(lower) }
        return "in " + (lowerOpen ? "(" : "[") + Quoting.bound(lower) + ", " + Quoting.bound(upper) + (upperOpen ? ")" : "]")
    }

    static let fraction = NumberRange(lower: 0, upper: 1, upperOpen: true)
    static let nonNegative = NumberRange(lower: 0, upper: .infinity)
    static let positive = NumberRange(lower: 0, lowerOpen: true, upper: .infinity)
}

/// The keys of experiment files: what each takes, and how it lands in the configs. `docs/experiment-file.md`
/// documents the same tables; a test checks that they cover every key of `ModelConfig`.
enum Schema {
    static let width = 1...16_384

    static var transformer: [Field<TransformerConfig>] { [
        .choice("layout", \.layout),
        .integer("vocabulary", 2...1_000_000, \.vocabulary),
        .integer("classes", 2...1_000_000, \.classes),
        .integer("d_model", width, \.modelSize),
        .integer("heads", 1...1024, \.heads),
        .integer("encoder_layers", 0...64, \.encoderLayers),
        .integer("decoder_layers", 0...64, \.decoderLayers),
        // Both stacks at once: the sketch's `layers = 2`.
        Field(key: "layers", kind: .integer(1...64)) { config, value in
            if case .integer(let v) = value { config.encoderLayers = v; config.decoderLayers = v }
        },
        .integer("d_ff", 1...65_536, \.feedForwardSize),
        .boolean("feed_forward", \.feedForward),
        .choice("activation", \.activation),
        .choice("positional", \.positional),
        .integer("max_length", 1...65_536, \.maxLength),
        .choice("attention_scale", \.attentionScale),
        .boolean("causal_mask", \.causalMask),
        .boolean("residual", \.residual),
        .choice("norm", \.norm),
        .float("dropout", .fraction, \.dropout),
        .boolean("tied_embeddings", \.tiedEmbeddings),
        .boolean("bias", \.bias),
        .boolean("scale_embeddings", \.scaleEmbeddings),
    ] }

    static var rnn: [Field<RNNConfig>] { [
        .choice("cell", \.cell),
        .choice("attention", \.attention),
        .integer("vocabulary", 2...1_000_000, \.vocabulary),
        .integer("embedding", width, \.embeddingSize),
        .integer("hidden", width, \.hidden),
        .integer("layers", 1...64, \.layers),
        .boolean("bidirectional", \.bidirectional),
        .integer("attention_size", width, \.attentionSize),
        .float("dropout", .fraction, \.dropout),
    ] }

    static let architectures = ["transformer", "rnn"]

    /// `[train]` keys that set `TrainingSettings`; `dropout` in [train] sets the model's dropout (see `Base`).
    static var training: [Field<TrainingSettings>] { [
        .integer("steps", 0...100_000_000, \.steps),
        .integer("batch", 1...65_536, \.batch),
        .choice("optimizer", \.optimizer),
        .number("lr", NumberRange(lower: 0, upper: 10), \.learningRate),
        .number("learning_rate", NumberRange(lower: 0, upper: 10), \.learningRate),
        .choice("schedule", \.schedule),
        .integer("warmup", 0...100_000_000, \.warmup),
        .number("beta1", .fraction, \.beta1),
        .number("beta2", .fraction, \.beta2),
        .number("momentum", .fraction, \.momentum),
        .number("weight_decay", .nonNegative, \.weightDecay),
        .numberOrOff("clip_norm", .positive, \.clipNorm),
        .number("label_smoothing", .fraction, \.labelSmoothing),
        .integer("eval_every", 1...100_000_000, \.evalEvery),
        .integer("validation_examples", 1...1_000_000, \.validationExamples),
        .integer("test_examples_per_size", 1...1_000_000, \.testExamplesPerSize),
        .numberOrOff("stop_at_accuracy", NumberRange(lower: 0, lowerOpen: true, upper: 1), \.stopAtAccuracy),
        .numberOrOff("time_budget_seconds", .positive, \.timeBudgetSeconds),
        .integerOrOff("checkpoint_every", 1...100_000_000, \.checkpointEvery),
    ] }

    static let experimentKeys = ["name", "question", "findings", "seeds"]
    static let tables = ["experiment", "task", "model", "train", "variant", "grid"]
    static let variantKeys = ["name", "description", "model", "train"]
}
