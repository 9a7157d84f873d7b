/// A task with the sizes it is trained and evaluated on: the unit of length generalisation.
///
/// Training draws sizes from `trainSize`; evaluation covers `evaluationSize`, which by default reaches
/// twice the largest training size (train at most L, evaluate up to 2L), so every report can show
/// where a model stops generalising.
public struct TaskSetup: Sendable {
    public let task: any SyntheticTask
    public let trainSize: ClosedRange<Int>
    public let evaluationSize: ClosedRange<Int>

    /// Checks the ranges against the task's limits; throws a `TaskConfigError` naming the key.
    public init(task: any SyntheticTask, trainSize: ClosedRange<Int>, evaluationSize: ClosedRange<Int>? = nil) throws {
        let limits = task.sizeLimits
        let sizeName = type(of: task).sizeName
        func check(_ range: ClosedRange<Int>, _ key: String) throws {
            guard limits.contains(range.lowerBound) && limits.contains(range.upperBound) else {
                throw TaskConfigError(key: key, message: "\(type(of: task).kind) takes \(sizeName) in \(limits.lowerBound)...\(limits.upperBound), got \(range.lowerBound)...\(range.upperBound)")
            }
        }
        try check(trainSize, "task.train_\(sizeName)")
        let evaluation = evaluationSize ?? trainSize.lowerBound...min(limits.upperBound, 2 * trainSize.upperBound)
        try check(evaluation, "task.eval_\(sizeName)")
        self.task = task
        self.trainSize = trainSize
        self.evaluationSize = evaluation
    }

    /// The evaluation sizes beyond the training range (empty when evaluation stays inside it).
    public var extrapolationSizes: [Int] { evaluationSize.filter { $0 > trainSize.upperBound } }

    /// Evaluation examples: `perSize` examples of every size in the evaluation range that the task can
    /// generate (dyck's classify mode, for one, has only even lengths), from the test split, so each
    /// size is a slice with the same number of examples.
    public func evaluationExamples(seed: UInt64, perSize: Int, split: Split = .test) throws -> [Example] {
        try evaluationSize.filter { task.canGenerate(size: $0) }.flatMap { size in
            try Dataset.examples(task, seed: seed &+ UInt64(size) &* 0x9E37_79B9_7F4A_7C15, split: split, size: size...size, count: perSize)
        }
    }
}
