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

    /// Throws a `TaskConfigError` naming the range at fault (`task.train_SIZE` or `task.eval_SIZE`) when
    /// the setup cannot be drawn: a training range without a size the task generates (dyck's classify
    /// mode at odd lengths), or a split that cannot be filled.
    ///
    /// The splits keep apart by hashing the source, so at a size with few distinct sources a split may
    /// get none (parity at length 2 has 4 sources), and drawing it would fail mid-run. Split membership
    /// does not depend on the seed, so one probe per size answers for all. Train and validation are
    /// drawn from the training range; test at every evaluation size up to 64 that the task generates
    /// (above that every task has too many inputs for a split to stay empty).
    public func checkDrawable() throws {
        let kind = type(of: task).kind, sizeName = type(of: task).sizeName
        if let reason = task.whyNotGenerate(anyOf: trainSize) {
            throw TaskConfigError(key: "task.train_\(sizeName)", message: reason)
        }
        func unfilled(_ split: Split, _ sizes: ClosedRange<Int>) -> String {
            let shown = sizes.count == 1 ? String(sizes.lowerBound) : "\(sizes.lowerBound)...\(sizes.upperBound)"
            return "\(kind) cannot fill its \(split.rawValue) split at \(sizeName) \(shown): there are too few distinct "
                + "inputs of that size to keep train, validation and test apart; use larger sizes or more symbols"
        }
        for split in [Split.train, .validation] where !canDraw(split, trainSize) {
            throw TaskConfigError(key: "task.train_\(sizeName)", message: unfilled(split, trainSize))
        }
        for size in evaluationSize where size <= 64 && task.canGenerate(size: size) && !canDraw(.test, size...size) {
            throw TaskConfigError(key: "task.eval_\(sizeName)", message: unfilled(.test, size...size))
        }
    }

    /// Whether one example of `split` can be drawn from `sizes`.
    private func canDraw(_ split: Split, _ sizes: ClosedRange<Int>) -> Bool {
        (try? Dataset.examples(task, seed: 1, split: split, size: sizes, count: 1)) != nil
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
