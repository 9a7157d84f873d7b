import Foundation
import Models
import Tasks
import Tensors

/// Metrics over a set of examples: loss and token accuracy with teacher forcing, and exact match of
/// greedy decoding (the model sees only tokens it produced), overall and per slice.
public struct Metrics: Sendable, Equatable, Codable {
    /// Examples measured.
    public var examples: Int = 0
    /// Target positions measured (classes count one each).
    public var tokens: Int = 0
    public var lossSum: Double = 0
    public var correctTokens: Int = 0
    public var exactMatches: Int = 0

    public init() {}

    /// Mean cross-entropy per target token.
    public var loss: Double { tokens > 0 ? lossSum / Double(tokens) : 0 }
    /// Teacher-forced token accuracy.
    public var tokenAccuracy: Double { tokens > 0 ? Double(correctTokens) / Double(tokens) : 0 }
    /// Share of examples whose greedily decoded output equals the target exactly.
    public var exactMatch: Double { examples > 0 ? Double(exactMatches) / Double(examples) : 0 }

    mutating func add(_ other: Metrics) {
        examples += other.examples
        tokens += other.tokens
        lossSum += other.lossSum
        correctTokens += other.correctTokens
        exactMatches += other.exactMatches
    }
}

/// The metrics of an evaluation set, overall and broken down by slice ("length=8", "distance=16", ...).
public struct Evaluation: Sendable {
    public var overall = Metrics()
    /// Slice label ("name=value") to its metrics.
    public var slices: [String: Metrics] = [:]

    public init(overall: Metrics = Metrics(), slices: [String: Metrics] = [:]) {
        self.overall = overall
        self.slices = slices
    }

    /// The slice labels sorted by name, then numerically by value.
    public var sliceLabels: [String] {
        slices.keys.sorted { a, b in
            let (na, va) = Evaluation.split(a), (nb, vb) = Evaluation.split(b)
            return na != nb ? na < nb : va < vb
        }
    }

    static func split(_ label: String) -> (String, Int) {
        let parts = label.split(separator: "=", maxSplits: 1)
        return (String(parts.first ?? ""), parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
    }
}

public enum Evaluator {
    /// The examples measured at once by default.
    public static let defaultBatchSize = 64

    /// Evaluates `model` on `examples` of `task`. Examples are grouped by their slice labels and
    /// lengths, so each batch is uniform and its totals belong to every slice of its group.
    public static func evaluate(_ model: Model, task: any SyntheticTask, examples: [Example], batchSize: Int = defaultBatchSize) -> Evaluation {
        let reading = Formatting.reading(of: model.config)
        let groups = Dictionary(grouping: examples) { example in
            GroupKey(slices: example.slices, sourceLength: example.source.count,
                     outputLength: Formatting.outputTokens(example, task: task).count)
        }
        var evaluation = Evaluation()
        for key in groups.keys.sorted(by: { $0.order < $1.order }) {
            let group = groups[key]!
            var start = 0
            while start < group.count {
                let chunk = Array(group[start..<min(start + batchSize, group.count)])
                start += chunk.count
                let metrics = measure(model, task: task, examples: chunk, reading: reading)
                evaluation.overall.add(metrics)
                for (name, value) in key.slices {
                    evaluation.slices["\(name)=\(value)", default: Metrics()].add(metrics)
                }
            }
        }
        return evaluation
    }

    private struct GroupKey: Hashable {
        var slices: [String: Int]
        var sourceLength: Int
        var outputLength: Int
        var order: String {
            slices.keys.sorted().map { "\($0)=\(String(format: "%09d", slices[$0]!))" }.joined(separator: ",")
                + ",\(String(format: "%09d", sourceLength)),\(String(format: "%09d", outputLength))"
        }
    }

    /// Teacher-forced loss and accuracy, then greedy decoding, for examples of one shape.
    static func measure(_ model: Model, task: any SyntheticTask, examples: [Example], reading: Formatting.Reading) -> Metrics {
        let batch = Formatting.batch(examples, task: task, reading: reading)
        let workspace = model.reusableWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength,
                                                maxTargetLength: batch.targetLength)
        var noDropout: RNG? = nil
        let result = model.forward(batch, workspace: workspace, rng: &noDropout)
        var metrics = Metrics()
        metrics.examples = examples.count
        metrics.tokens = result.counted
        metrics.lossSum = Double(result.loss) * Double(result.counted)
        metrics.correctTokens = result.correct
        let expected = examples.map { reading == .classifier ? $0.target : Formatting.outputTokens($0, task: task) }
        let decoded = model.decode(sources: examples.map(\.source), steps: expected[0].count)
        metrics.exactMatches = zip(decoded, expected).filter { $0 == $1 }.count
        return metrics
    }
}
