import Foundation
import Models

/// `ablate predict`: a checkpoint's answer for one source sequence.
public struct Prediction: Codable, Sendable {
    public var checkpoint: String
    /// "transformer encoder-decoder", "transformer decoder-only", "transformer encoder-only" or "rnn gru additive", ...
    public var model: String
    public var input: [Int32]
    /// The generated tokens, or the single class of an encoder-only model.
    public var output: [Int32]
    /// The logits each output was chosen from, one row per step.
    public var logits: [[Float]]
}

/// What a user can get wrong when asking for a prediction.
public struct PredictionError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public enum Predictor {
    /// Parses "3 1 4 1 5" (spaces or commas) into token ids.
    public static func parseTokens(_ text: String) throws -> [Int32] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        guard !words.isEmpty else { throw PredictionError(message: "--input is empty: give token ids such as \"3 1 4 1 5\"") }
        return try words.map { word in
            guard let value = Int32(word), value >= 0 else {
                throw PredictionError(message: "--input: \"\(word)\" is not a token id (a non-negative integer)")
            }
            return value
        }
    }

    /// The longest `--input` and the most `--steps`: the longest sequence a model can be configured
    /// for (`model.max_length`'s bound).
    public static let maximumLength = ModelBounds.maxLength.upperBound

    /// Loads the checkpoint and predicts. `steps` defaults to the input's length.
    ///
    /// Everything a user chose is checked before the model runs: the input's tokens against the
    /// vocabulary, the lengths against `maximumLength` and a learned positional table, and the memory
    /// decoding needs against `MemoryBudget`; each failure is a `PredictionError` naming the option.
    public static func predict(checkpoint path: String, input: [Int32], steps: Int?) throws -> Prediction {
        guard input.count <= maximumLength else {
            throw PredictionError(message: "--input has \(input.count) tokens: give at most \(maximumLength)")
        }
        let steps = steps ?? input.count
        guard (1...maximumLength).contains(steps) else {
            throw PredictionError(message: "--steps must be in 1...\(maximumLength), got \(steps)")
        }
        let url = URL(fileURLWithPath: path)
        let (model, _) = try Model.load(from: url)
        let vocabulary: Int
        let description: String
        switch model.config {
        case .transformer(let config):
            vocabulary = config.vocabulary
            description = "transformer \(config.layout.rawValue)"
        case .rnn(let config):
            vocabulary = config.vocabulary
            description = "rnn \(config.cell.rawValue) \(config.attention.rawValue)"
        }
        if let bad = input.first(where: { Int($0) >= vocabulary }) {
            throw PredictionError(message: "--input: token \(bad) is outside this model's vocabulary 0..<\(vocabulary)")
        }
        let isClassifier: Bool
        if case .transformer(let config) = model.config, config.layout == .encoderOnly { isClassifier = true } else { isClassifier = false }
        try model.checkPositions(sourceLength: input.count, outputLength: isClassifier ? 0 : steps, subject: "the input and its output",
                                 hint: isClassifier ? "give a shorter --input" : "give a shorter --input or fewer --steps")
        try MemoryBudget.check(model.decodingBytes(sourceLength: input.count, steps: isClassifier ? 0 : steps),
                               for: "decoding \(isClassifier ? 0 : steps) steps after \(input.count) input tokens",
                               change: isClassifier ? "give a shorter --input" : "give fewer --steps or a shorter --input")
        let (tokens, logits) = model.predict(source: input, steps: steps)
        return Prediction(checkpoint: path, model: description, input: input, output: tokens, logits: logits)
    }
}
