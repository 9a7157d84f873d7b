import Models
import Settings
import Training

/// The keys of experiment files. The [model] and [train] keys are the configuration types' own
/// settings (`TransformerConfig.settings`, `RNNConfig.settings`, `TrainingSettings.settings`), which
/// the documentation's key tables are generated from; this lists the rest.
enum Schema {
    static let architectures = ModelConfig.architectures

    /// The [train] keys: the training settings' keys and aliases, and `dropout` (the model's, see `Base`).
    static var trainingKeys: [String] { TrainingSettings.settings.flatMap { [$0.key] + $0.aliases } + ["dropout"] }

    /// Every key of either model.
    static var modelKeys: [String] { TransformerConfig.settings.map(\.key) + RNNConfig.settings.map(\.key) }

    static let experimentKeys = ["name", "question", "findings", "seeds"]
    static let tables = ["experiment", "task", "model", "train", "variant", "grid", "tune"]
    /// The [tune] keys besides its axes ("train.KEY" and "model.KEY" = [values]).
    static let tuneKeys = ["metric", "seeds", "method", "eta", "first_rung"]
    static let variantKeys = ["name", "description", "model", "train"]
}

extension TOMLNode {
    /// The value as a setting takes it (nil for arrays, tables and dates, which no setting takes).
    var settingValue: SettingValue? {
        switch self {
        case .integer(let value): return .integer(value)
        case .float(let value): return .number(value)
        case .bool(let value): return .bool(value)
        case .string(let value): return .text(value)
        case .array, .table, .date: return nil
        }
    }
}

extension Setting {
    /// Checks a file's value against the setting and sets it; throws the message (without the key),
    /// with a "did you mean" for a misspelt choice.
    func apply(_ node: TOMLNode, to root: inout Root) throws {
        do {
            set(&root, try kind.check(node.settingValue, found: node.quoted))
        } catch let mismatch as SettingMismatch {
            if let choices = mismatch.choices, let written = mismatch.written {
                let hint = Quoting.closest(written, among: choices).map { " (did you mean \(Quoting.quote($0))?)" } ?? ""
                throw SettingMismatch(expected: mismatch.expected, found: Quoting.value(written) + hint)
            }
            throw mismatch
        }
    }
}
