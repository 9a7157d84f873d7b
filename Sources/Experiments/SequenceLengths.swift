import Models
import Tasks

/// How many positions a Transformer needs for a task's longest sequences (which the task answers):
/// what a learned positional table (`max_length` rows) must cover.
enum SequenceLengths {
    /// The positions a Transformer reads for the longest training or evaluation example, with how
    /// they add up (for the message when a learned table is too short): the most over every size the
    /// setup draws (the largest size, for every task whose examples grow with their size).
    static func positions(_ config: TransformerConfig, setup: TaskSetup) -> (count: Int, explanation: String) {
        let largest = max(setup.trainSize.upperBound, setup.evaluationSize.upperBound)
        let drawn = Set(setup.trainSize).union(setup.evaluationSize).filter { setup.task.canGenerate(size: $0) }
        // The largest size among those that need the most positions.
        let size = drawn.sorted().reversed().max {
            count(config.layout, setup.task.longest(size: $0)) < count(config.layout, setup.task.longest(size: $1))
        } ?? largest
        return (count(config.layout, setup.task.longest(size: size)), explanation(config.layout, task: setup.task, size: size))
    }

    /// The positions a layout reads for an example of these lengths.
    static func count(_ layout: TransformerConfig.Layout, _ longest: ExampleLengths) -> Int {
        switch layout {
        case .encoderDecoder: return max(longest.source, longest.target)
        // source + separator + target, of which the last token is never fed back.
        case .decoderOnly: return longest.source + longest.target
        case .encoderOnly: return longest.source + 1
        }
    }

    /// How the positions of the longest example of `task` at `size` add up, in words.
    static func explanation(_ layout: TransformerConfig.Layout, task: any SyntheticTask, size: Int) -> String {
        let longest = task.longest(size: size)
        let (source, target, count) = (longest.source, longest.target, count(layout, longest))
        let task = "\(type(of: task).kind) at \(type(of: task).sizeName) \(size) has sources of up to \(source) tokens and targets of up to \(target)"
        switch layout {
        case .encoderDecoder:
            return "\(task), so the encoder-decoder reads up to \(count) positions on one side"
        case .decoderOnly:
            return "\(task), so the decoder-only model reads source + separator + target less the last token: \(source) + 1 + \(target) - 1 = \(count) positions"
        case .encoderOnly:
            return "\(task), so the encoder-only model reads the CLS token + source: 1 + \(source) = \(count) positions"
        }
    }
}
