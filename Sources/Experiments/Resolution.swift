import Models
import Settings
import Tasks
import Training

/// The baseline as written: its assignments (which variants start from) and its resolved configs.
struct Base {
    /// The [model] table's entries.
    var modelAssignments: [Assignment]
    /// `dropout` from [train]: applied to the model of every run, whatever its model table says.
    var trainDropout: Assignment?
    /// The [train] table's entries, less `dropout`.
    var trainAssignments: [Assignment]
    /// "transformer" or "rnn".
    var arch: String
    var model: ModelConfig
    var training: TrainingSettings
}

/// Who a configuration belongs to, for messages and for the line of a problem no single key holds.
struct Scope {
    /// "" for the baseline, `variant "x": ` or `grid point heads=3: ` otherwise.
    var label: String
    /// Where to point when the problem is not at one written key.
    var fallback: [String]
    /// The parts of the file this configuration writes itself: a problem with a key it inherits from
    /// the baseline points at `fallback` instead of the baseline's line.
    var owns: [[String]] = [[]]

    static let baseline = Scope(label: "", fallback: ["model"])

    func owns(_ path: [String]) -> Bool { owns.contains { Array(path.prefix($0.count)) == $0 } }
}

extension Reader {
    func readBase(setup: TaskSetup) throws -> Base {
        let modelTable = root["model"]?.table ?? [:]
        let trainTable = root["train"]?.table ?? [:]
        let modelAssignments = assignments(modelTable, at: ["model"])
        var trainAssignments = try trainingAssignments(trainTable, at: ["train"])
        let trainDropout = trainAssignments.first { $0.key == "dropout" }
        trainAssignments.removeAll { $0.key == "dropout" }
        if let trainDropout, let modelDropout = modelAssignments.first(where: { $0.key == "dropout" }) {
            throw Problem(trainDropout.path, key: "train.dropout",
                          "dropout is also set in [model] (line \(map.line(modelDropout.path) ?? 0)): set it in one place")
        }
        var modelWithDropout = modelAssignments
        if let trainDropout { modelWithDropout.append(trainDropout) }
        let model = try resolveModel(modelWithDropout, scope: .baseline, setup: setup)
        let training = try resolveTraining(trainAssignments, scope: Scope(label: "", fallback: ["train"]))
        let arch: String
        if case .rnn = model { arch = "rnn" } else { arch = "transformer" }
        return Base(modelAssignments: modelAssignments, trainDropout: trainDropout, trainAssignments: trainAssignments,
                    arch: arch, model: model, training: training)
    }

    /// The entries of a [train] table (or a variant's train overrides); `lr` and `learning_rate` are one setting.
    func trainingAssignments(_ table: [String: TOMLNode], at path: [String]) throws -> [Assignment] {
        let entries = assignments(table, at: path)
        if let lr = entries.first(where: { $0.key == "lr" }), let long = entries.first(where: { $0.key == "learning_rate" }) {
            let later = map.rank(lr.path) > map.rank(long.path) ? lr : long
            throw Problem(later.path, key: "train.\(later.key)", "lr and learning_rate are the same setting: give only one")
        }
        return entries
    }

    // MARK: Model

    /// Builds and checks a model from its assignments (later ones win), filling in the vocabulary and
    /// the classes from the task when they are not written.
    func resolveModel(_ entries: [Assignment], scope: Scope, setup: TaskSetup) throws -> ModelConfig {
        var arch = "transformer"
        for entry in entries where entry.key == "arch" {
            guard case .string(let value) = entry.value, Schema.architectures.contains(value) else {
                throw Problem(entry.path, key: "model.arch", scope.label + "expected \"transformer\" or \"rnn\", got \(entry.value.quoted)"
                              + (entry.value == .string("") ? "" : hint(entry.value, Schema.architectures)))
            }
            arch = value
        }
        let written = Set(entries.map(\.key))
        let model: ModelConfig
        if arch == "rnn" {
            var config = RNNConfig()
            for entry in entries where entry.key != "arch" {
                try apply(entry, RNNConfig.settings, to: &config, scope: scope, arch: arch, other: TransformerConfig.settings.map(\.key))
            }
            if !written.contains("vocabulary") { config.vocabulary = Formatting.vocabulary(for: setup.task, reading: .sequenceToSequence) }
            model = .rnn(config)
        } else {
            var config = TransformerConfig()
            for entry in entries where entry.key != "arch" {
                try apply(entry, TransformerConfig.settings, to: &config, scope: scope, arch: arch, other: RNNConfig.settings.map(\.key))
            }
            if !written.contains("vocabulary") {
                config.vocabulary = Formatting.vocabulary(for: setup.task, reading: Formatting.reading(of: .transformer(config)))
            }
            if config.layout == .encoderOnly, !written.contains("classes"), case .classification(let classes) = setup.task.output {
                config.classes = classes
            }
            model = .transformer(config)
        }

        func location(_ key: String) -> [String] {
            let aliases = key == "encoder_layers" || key == "decoder_layers" ? [key, "layers"] : [key]
            return entries.last { aliases.contains($0.key) && scope.owns($0.path) }?.path ?? scope.fallback
        }
        do {
            try model.validate()
        } catch let error as SettingError {
            let key = error.key.hasPrefix("model.") ? String(error.key.dropFirst(6)) : error.key
            throw Problem(location(key), key: error.key, scope.label + error.message)
        }
        do {
            try Formatting.check(setup.task, model: model)
        } catch let mismatch as Formatting.Mismatch {
            let key = mismatch.message.contains("(model.classes)") ? "classes" : mismatch.message.contains("(model.vocabulary)") ? "vocabulary" : "layout"
            throw Problem(location(key), key: "model.\(key)", scope.label + mismatch.message)
        }
        if case .transformer(let config) = model, config.positional == .learned {
            let need = SequenceLengths.positions(config, setup: setup)
            if need.count > config.maxLength {
                let at = entries.contains { $0.key == "max_length" } ? location("max_length") : location("positional")
                throw Problem(at, key: "model.max_length",
                              scope.label + "the learned positional table has \(config.maxLength) positions, but \(need.explanation): set max_length >= \(need.count), or use shorter task sizes")
            }
        }
        return model
    }

    private func apply<Root>(_ entry: Assignment, _ settings: [Setting<Root>], to root: inout Root, scope: Scope, arch: String, other: [String]) throws {
        guard let setting = settings.first(where: { $0.named(entry.key) }) else {
            let known = ["arch"] + settings.map(\.key)
            let key = entry.shown
            if other.contains(entry.key) {
                let otherArch = arch == "rnn" ? "transformer" : "rnn"
                throw Problem(entry.path, key: key, scope.label + "\(entry.key) is a key of the \(otherArch) model, but this model is a \(arch) (arch = \"\(arch)\"); a \(arch) takes \(known.joined(separator: ", "))")
            }
            if TrainingSettings.setting(named: entry.key) != nil {
                throw Problem(entry.path, key: key, scope.label + "unknown key: \(entry.key) is a training setting, it belongs in [train]")
            }
            throw Problem(entry.path, key: key, scope.label + "unknown key\(Quoting.didYouMean(entry.key, among: known)); a \(arch) model takes \(known.joined(separator: ", "))")
        }
        do {
            try setting.apply(entry.value, to: &root)
        } catch let mismatch as SettingMismatch {
            throw Problem(entry.path, key: entry.shown, scope.label + mismatch.message)
        }
    }

    private func hint(_ value: TOMLNode, _ choices: [String]) -> String {
        guard case .string(let text) = value, let match = Quoting.closest(text, among: choices) else { return "" }
        return " (did you mean \(Quoting.quote(match))?)"
    }

    // MARK: Training

    func resolveTraining(_ entries: [Assignment], scope: Scope) throws -> TrainingSettings {
        var settings = TrainingSettings()
        let known = Schema.trainingKeys
        for entry in entries {
            let key = entry.shown
            guard let setting = TrainingSettings.setting(named: entry.key) else {
                if Schema.modelKeys.contains(entry.key) {
                    throw Problem(entry.path, key: key, scope.label + "unknown key: \(entry.key) is a model setting, it belongs in [model]")
                }
                throw Problem(entry.path, key: key, scope.label + "unknown key\(Quoting.didYouMean(entry.key, among: known)); [train] takes \(known.joined(separator: ", "))")
            }
            do {
                try setting.apply(entry.value, to: &settings)
            } catch let mismatch as SettingMismatch {
                throw Problem(entry.path, key: key, scope.label + mismatch.message)
            }
        }
        do {
            try settings.learningRateSchedule.validate()
        } catch let error as LearningRateScheduleError {
            let key = error.problem.contains("warmup") ? "warmup" : error.problem.contains("total") ? "steps" : "schedule"
            let at = entries.last { $0.key == key && scope.owns($0.path) }?.path ?? scope.fallback
            throw Problem(at, key: "train.\(key)", scope.label + "the \(settings.schedule.rawValue) schedule cannot run: \(error.problem)")
        }
        return settings
    }
}
