import Foundation
import Tasks

/// The text of `ablate tasks`: every task with its parameters, or examples of one task.
public enum TaskListing {
    /// A Markdown table of the tasks (the README's task table is this output).
    public static func markdownTable() -> String {
        var lines = ["| task | what the model must do | size | output | parameters (default) |", "|---|---|---|---|---|"]
        for entry in TaskRegistry.entries {
            let task = try! TaskRegistry.make(kind: entry.kind)
            let parameters = entry.parameters.isEmpty ? "none"
                : entry.parameters.map { "`\($0.name)` (\($0.defaultValue))" }.joined(separator: ", ")
            lines.append("| `\(entry.kind)` | \(entry.summary) | \(entry.sizeName) | \(outputText(task.output)) | \(parameters) |")
        }
        return lines.joined(separator: "\n")
    }

    /// A plain listing with every parameter's allowed values and help.
    public static func text() -> String {
        var lines: [String] = []
        for entry in TaskRegistry.entries {
            let task = try! TaskRegistry.make(kind: entry.kind)
            lines.append("\(entry.kind): \(entry.summary)")
            lines.append("  size: \(entry.sizeName) (\(task.sizeLimits.lowerBound)...\(task.sizeLimits.upperBound)); output: \(outputText(task.output)); vocabulary at the defaults: \(task.vocabulary)")
            for parameter in entry.parameters {
                lines.append("  \(parameter.name) = \(parameter.defaultValue)  \(parameter.help); \(parameter.allowed)")
            }
            lines.append("")
        }
        lines.append("Examples of one task: ablate tasks --examples NAME [--size 4...8] [--count 5] [--seed 1]")
        return lines.joined(separator: "\n")
    }

    /// `count` decoded examples of a task (training split), with their slice labels and chance level.
    public static func examples(kind: String, parameters: [String: TaskParameter] = [:], size: ClosedRange<Int>?,
                                count: Int, seed: UInt64) throws -> String {
        let task = try TaskRegistry.make(kind: kind, parameters: parameters)
        let limits = task.sizeLimits
        let size = size ?? limits.lowerBound...min(limits.upperBound, max(limits.lowerBound, 8))
        guard limits.contains(size.lowerBound) && limits.contains(size.upperBound) else {
            throw TaskConfigError(key: "size", message: "\(kind) takes \(type(of: task).sizeName) in \(limits.lowerBound)...\(limits.upperBound), got \(size.lowerBound)...\(size.upperBound)")
        }
        let examples = try Dataset.examples(task, seed: seed, split: .train, size: size, count: count)
        let chance = task.chance(size: size)
        var lines = ["\(kind) (\(type(of: task).sizeName) \(size.lowerBound)...\(size.upperBound), seed \(seed)): \(type(of: task).summary)"]
        for example in examples {
            let input = example.source.map(task.describe).joined(separator: " ")
            let target: String
            if case .classification = task.output {
                target = "class \(example.target[0])"
            } else {
                target = example.target.map(task.describe).joined(separator: " ")
            }
            let slices = example.slices.keys.sorted().map { "\($0)=\(example.slices[$0]!)" }.joined(separator: " ")
            lines.append("  input:  \(input)")
            lines.append("  target: \(target)    [\(slices)]")
        }
        lines.append(String(format: "chance: token accuracy %.4g, exact match %.4g (%@)", chance.tokenAccuracy, chance.sequenceAccuracy, chance.explanation))
        return lines.joined(separator: "\n")
    }

    static func outputText(_ output: TaskOutput) -> String {
        switch output {
        case .sequence: return "sequence"
        case .classification(let classes): return "\(classes) classes"
        }
    }
}
