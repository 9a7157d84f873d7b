import Tensors

/// Examples of a task as a pure function of (task, seed, split, size range, count).
///
/// Each split draws from its own data stream, RNG(seed, .data, substream: split.stream), and keeps
/// only examples whose source hashes to that split (`Split.of`), so train, validation and test never
/// share an example. The same arguments give the same examples on any machine and in any order.
public enum Dataset {
    /// Thrown when a split cannot be filled: the task's input space at these sizes is too small.
    public struct InfeasibleError: Error, CustomStringConvertible {
        public var task: String
        public var split: Split
        public var size: ClosedRange<Int>
        public var description: String {
            "task \(task): cannot draw \(split.rawValue) examples of \(size.lowerBound)...\(size.upperBound) that differ from the other splits: the input space is too small (raise the sizes or the number of symbols)"
        }
    }

    /// `count` examples of `split` with sizes drawn uniformly from `size`.
    public static func examples(_ task: any SyntheticTask, seed: UInt64, split: Split, size: ClosedRange<Int>,
                                count: Int) throws -> [Example] {
        var rng = RNG(seed: seed, purpose: .data, substream: split.stream)
        return try draw(task, split: split, size: size, count: count, rng: &rng)
    }

    /// The training stream: batch after batch, never repeating the RNG state of another split.
    public struct Stream {
        public let task: any SyntheticTask
        public let size: ClosedRange<Int>
        private var rng: RNG

        public init(task: any SyntheticTask, seed: UInt64, size: ClosedRange<Int>) {
            self.task = task
            self.size = size
            rng = RNG(seed: seed, purpose: .data, substream: Split.train.stream)
        }

        /// The next `count` training examples.
        public mutating func next(_ count: Int) throws -> [Example] {
            try Dataset.draw(task, split: .train, size: size, count: count, rng: &rng)
        }
    }

    static func draw(_ task: any SyntheticTask, split: Split, size: ClosedRange<Int>, count: Int, rng: inout RNG) throws -> [Example] {
        var examples: [Example] = []
        examples.reserveCapacity(count)
        var rejectedInARow = 0
        while examples.count < count {
            let example = task.generate(size: size, rng: &rng)
            if Split.of(example.source) == split {
                examples.append(example)
                rejectedInARow = 0
            } else {
                rejectedInARow += 1
                if rejectedInARow > 10_000 {
                    throw InfeasibleError(task: type(of: task).kind, split: split, size: size)
                }
            }
        }
        return examples
    }
}
