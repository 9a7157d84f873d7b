import Models
import Tasks
import Training

/// How long the sequences of a task get, and how many positions a Transformer needs for them: what
/// a learned positional table (`max_length` rows) must cover.
enum SequenceLengths {
    /// The longest source and target of the task at `size` (for a classification task, the target
    /// is its one class token). Known per task; other tasks are measured on generated examples.
    static func longest(_ task: any SyntheticTask, size: Int) -> (source: Int, target: Int) {
        let classTarget: Int? = { if case .classification = task.output { return 1 } else { return nil } }()
        switch task {
        case is CopyTask, is ReverseTask, is SortTask:
            return (size, size)
        case let recall as AssociativeRecallTask:
            return (2 * size + recall.queries, recall.queries)
        case let selective as SelectiveCopyTask:
            return (size, selective.marked)
        case let delayed as DelayedRecallTask:
            // Up to `lead` fillers, the marker, the remembered symbol, distance - 1 fillers, the query.
            return (delayed.lead + size + 2, 1)
        case let dyck as DyckTask:
            return (size, classTarget ?? min(size, dyck.maxDepth))
        case is ParityTask, is MajorityTask:
            return (size, 1)
        case is AdditionTask:
            return (2 * size + 1, size + 1)
        default:
            return measured(task, size: size) ?? (4 * size, 4 * size)
        }
    }

    /// The longest source and target among generated examples of `size` (for tasks without a formula),
    /// or nil when no test example of that size can be drawn.
    static func measured(_ task: any SyntheticTask, size: Int) -> (source: Int, target: Int)? {
        guard let setup = try? TaskSetup(task: task, trainSize: size...size, evaluationSize: size...size),
              let examples = try? setup.evaluationExamples(seed: 1, perSize: 64) else { return nil }
        let target = { (example: Example) -> Int in
            if case .classification = task.output { return 1 }
            return example.target.count
        }
        return (examples.map(\.source.count).max() ?? size, examples.map(target).max() ?? size)
    }

    /// The positions a Transformer reads for the longest training or evaluation example, with how
    /// they add up (for the message when a learned table is too short).
    static func positions(_ config: TransformerConfig, setup: TaskSetup) -> (count: Int, explanation: String) {
        let size = max(setup.trainSize.upperBound, setup.evaluationSize.upperBound)
        let (source, target) = longest(setup.task, size: size)
        let task = "\(type(of: setup.task).kind) at \(type(of: setup.task).sizeName) \(size) has sources of up to \(source) tokens and targets of up to \(target)"
        switch config.layout {
        case .encoderDecoder:
            let count = max(source, target)
            return (count, "\(task), so the encoder-decoder reads up to \(count) positions on one side")
        case .decoderOnly:
            // source + separator + target, of which the last token is never fed back.
            let count = source + target
            return (count, "\(task), so the decoder-only model reads source + separator + target less the last token: \(source) + 1 + \(target) - 1 = \(count) positions")
        case .encoderOnly:
            let count = source + 1
            return (count, "\(task), so the encoder-only model reads the CLS token + source: 1 + \(source) = \(count) positions")
        }
    }
}
