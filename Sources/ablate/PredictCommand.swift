import ArgumentParser
import Experiments
import Foundation
import Inspection
import Runner
import Store
import Tasks

extension Ablate {
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a checkpoint on source tokens and print what it outputs.",
            discussion: """
            Generative models (encoder-decoder, decoder-only, RNN) decode greedily from the start token 0 \
            (a decoder-only model reads the source, then 0); an encoder-only model prints its class. \
            --json adds the logits of every step, to compare with another implementation (docs/models.md gives \
            the mathematics). A logit that is not finite (a diverged checkpoint) is written as the string \
            "NaN", "Infinity" or "-Infinity", which JSON has no number for.
            """
        )

        @Argument(help: "A checkpoint written by ablate (a .safetensors file).")
        var checkpoint: String

        @Option(help: "The source token ids, separated by spaces or commas, e.g. \"3 1 4 1 5\".")
        var input: String

        @Option(help: "How many tokens to generate (default: as many as the input has).")
        var steps: Int?

        @Flag(help: "Print the output and the logits of every step as JSON.")
        var json = false

        func run() throws {
            let tokens = try Predictor.parseTokens(input)
            let prediction = try Predictor.predict(checkpoint: checkpoint, input: tokens, steps: steps)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
                print(String(decoding: try encoder.encode(prediction), as: UTF8.self))
            } else {
                print(prediction.output.map(String.init).joined(separator: " "))
            }
        }
    }
}
