import Foundation
import Tasks
import Training

/// What the code knows of a stored run's task, for reports: its size axis and chance levels.
/// Plain values only, so the executable can hand them to Reports (which never sees tasks or tensors).
public struct TaskDescription: Sendable, Equatable {
    public var kind: String
    public var summary: String
    /// What the size ranges control: "length", "distance", "pairs", "depth" or "digits".
    public var sizeName: String
    /// Chance exact match (whole output right) for each evaluation size.
    public var chanceExactMatch: [Int: Double]
    /// Chance token accuracy for each evaluation size.
    public var chanceTokenAccuracy: [Int: Double]
    /// How chance is computed, in words.
    public var chanceExplanation: String

    /// The task of a stored run configuration (the JSON text the store keeps), or nil when it
    /// cannot be rebuilt (an unknown task, a file written by another version).
    public static func of(storedConfig: String) -> TaskDescription? {
        guard let spec = try? JSONDecoder().decode(RunSpec.self, from: Data(storedConfig.utf8)),
              let setup = try? spec.task.setup() else { return nil }
        let task = setup.task
        var exact: [Int: Double] = [:], token: [Int: Double] = [:]
        var explanation = ""
        for size in setup.evaluationSize where task.canGenerate(size: size) {
            let chance = task.chance(size: size...size)
            exact[size] = chance.sequenceAccuracy
            token[size] = chance.tokenAccuracy
            explanation = chance.explanation
        }
        let type = type(of: task)
        return TaskDescription(kind: type.kind, summary: type.summary, sizeName: type.sizeName,
                               chanceExactMatch: exact, chanceTokenAccuracy: token, chanceExplanation: explanation)
    }
}
