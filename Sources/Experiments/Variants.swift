import Foundation
import Models
import Tasks
import Training

/// How a configuration is written: the assignments it resolves from, kept beside its variant so that
/// [tune] can resolve it again with each candidate's values applied last.
struct Recipe {
    /// The model's entries in the order they apply: the baseline's [model] (unless the configuration
    /// replaces the model), [train]'s dropout, then its own (`dropout` included, wherever written).
    var modelEntries: [Assignment]
    /// The training entries: the baseline's [train] (less dropout), then its own.
    var trainEntries: [Assignment]
    /// The entries the configuration writes itself (none for the baseline), in the order written:
    /// what [tune] must not also set.
    var own: [Assignment]
}

extension Reader {
    // MARK: [[variant]]

    /// The baseline, then every [[variant]]: each starts from the baseline and changes what it names.
    /// `recipes[i]` is how `variants[i]` is written.
    func readVariants(base: Base, setup: TaskSetup) throws -> (variants: [Experiment.Variant], recipes: [Recipe]) {
        var result = [Experiment.Variant(name: "baseline", description: "", origin: .baseline, changes: [], model: base.model,
                                         training: base.training, line: map.line(["model"]) ?? 1, sameAs: nil)]
        var recipes = [Recipe(modelEntries: base.modelAssignments + (base.trainDropout.map { [$0] } ?? []),
                              trainEntries: base.trainAssignments, own: [])]
        guard case .array(let entries)? = root["variant"] else { return (result, recipes) }
        for (index, node) in entries.enumerated() {
            let path = ["variant", "#\(index)"]
            guard let table = node.table else {
                throw Problem(path, key: "variant", "expected a table of overrides for variant \(index + 1), got \(node.quoted)")
            }
            let name = try variantName(table, at: path, earlier: result)
            let scope = Scope(label: "variant \(Quoting.value(name)): ", fallback: path, owns: [path])
            var description = ""
            var modelTable: ([String: TOMLNode], inline: Bool)? = nil
            var trainTable: [String: TOMLNode]? = nil
            for entry in assignments(table, at: path) {
                let key = "variant.\(Quoting.key(entry.key))"
                switch entry.key {
                case "name":
                    break
                case "description":
                    guard case .string(let text) = entry.value else { throw Problem(entry.path, key: key, scope.label + "expected a string, got \(entry.value.quoted)") }
                    description = text
                case "model":
                    guard case .table(let values, let inline) = entry.value else {
                        throw Problem(entry.path, key: "model", scope.label + "expected model.KEY = VALUE overrides or a model = { ... } table, got \(entry.value.quoted)")
                    }
                    modelTable = (values, inline)
                case "train":
                    guard case .table(let values, _) = entry.value else {
                        throw Problem(entry.path, key: "train", scope.label + "expected train.KEY = VALUE overrides, got \(entry.value.quoted)")
                    }
                    trainTable = values
                case "task":
                    throw Problem(entry.path, key: "task", scope.label + "a variant cannot change the task: every run of an experiment trains and is evaluated on the same data, so that the runs compare; write another experiment file for another task")
                case "seeds", "experiment":
                    throw Problem(entry.path, key: entry.key, scope.label + "a variant runs with the experiment's seeds and cannot change them; a variant takes name, description, model.KEY = VALUE and train.KEY = VALUE")
                default:
                    throw Problem(entry.path, key: key,
                                  scope.label + "unknown key\(Quoting.didYouMean(entry.key, among: Schema.variantKeys)); a [[variant]] takes name, description, model.KEY = VALUE (or model = { ... } for a whole new model) and train.KEY = VALUE")
                }
            }
            guard modelTable != nil || trainTable != nil else {
                throw Problem(path + ["name"], key: "variant", scope.label + "changes nothing: give overrides such as model.positional = \"none\" or train.lr = 3e-4")
            }

            // The model: overrides on the baseline, or a whole new model.
            let modelOverrides = assignments(modelTable?.0 ?? [:], at: path + ["model"])
            let arch = modelOverrides.last { $0.key == "arch" }.flatMap { entry -> String? in
                if case .string(let value) = entry.value { return value } else { return nil }
            }
            let replaces = modelTable?.inline == true || (arch != nil && arch != base.arch)
            var trainOverrides = try trainingAssignments(trainTable ?? [:], at: path + ["train"])
            let trainDropout = trainOverrides.first { $0.key == "dropout" }
            trainOverrides.removeAll { $0.key == "dropout" }
            if let trainDropout, modelOverrides.contains(where: { $0.key == "dropout" }) {
                throw Problem(trainDropout.path, key: "train.dropout", scope.label + "dropout is also set in this variant's model: set it in one place")
            }
            var modelEntries = replaces ? [] : base.modelAssignments
            if let dropout = base.trainDropout { modelEntries.append(dropout) }
            modelEntries += modelOverrides
            if let trainDropout { modelEntries.append(trainDropout) }

            let model = try resolveModel(modelEntries, scope: scope, setup: setup)
            let training = try resolveTraining(base.trainAssignments + trainOverrides, scope: scope)
            recipes.append(Recipe(modelEntries: modelEntries, trainEntries: base.trainAssignments + trainOverrides,
                                  own: modelOverrides + trainOverrides + (trainDropout.map { [$0] } ?? [])))
            if let same = result.first(where: { $0.model == model && $0.training == training }) {
                throw Problem(path + ["name"], key: "variant", scope.label + "is the same configuration as \(same.origin == .baseline ? "the baseline" : "variant \(Quoting.quote(same.name))"): a variant must change something")
            }
            var changes: [Experiment.Variant.Change] = []
            if modelTable?.inline == true {
                changes.append(.init(key: "model", value: "{ " + modelOverrides.map { "\(Quoting.key($0.key)) = \($0.value.plain)" }.joined(separator: ", ") + " }"))
            } else {
                changes += modelOverrides.map(Self.change)
            }
            changes += (trainOverrides + (trainDropout.map { [$0] } ?? [])).map(Self.change)
            result.append(Experiment.Variant(name: name, description: description, origin: .variant, changes: changes, model: model,
                                             training: training, line: map.line(path) ?? 1, sameAs: nil))
        }
        return (result, recipes)
    }

    /// An override as the variant's change: its key as written ("train.lr") and its value in the file's syntax.
    static func change(_ entry: Assignment) -> Experiment.Variant.Change {
        Experiment.Variant.Change(key: entry.shown, value: entry.value.plain)
    }

    private func variantName(_ table: [String: TOMLNode], at path: [String], earlier: [Experiment.Variant]) throws -> String {
        guard let node = table["name"] else {
            // A misspelt name ("nmae") is the likely cause: name it rather than only the missing key.
            let unknown = assignments(table, at: path).filter { !Schema.variantKeys.contains($0.key) && !["task", "seeds", "experiment"].contains($0.key) }
            if let misspelt = unknown.first(where: { Quoting.closest($0.key, among: ["name"]) != nil }) ?? unknown.first {
                throw Problem(misspelt.path, key: "variant.\(Quoting.key(misspelt.key))",
                              "unknown key\(Quoting.didYouMean(misspelt.key, among: Schema.variantKeys)); every [[variant]] needs a name, "
                              + "e.g. name = \"no-positional\", and takes description, model.KEY = VALUE and train.KEY = VALUE")
            }
            throw Problem(path, key: "variant.name", "missing: every [[variant]] needs a name, e.g. name = \"no-positional\"")
        }
        guard case .string(let name) = node else {
            throw Problem(path + ["name"], key: "variant.name", "expected a string, got \(node.quoted)")
        }
        if let problem = nameProblem(name) { throw Problem(path + ["name"], key: "variant.name", problem) }
        if name == "baseline" {
            throw Problem(path + ["name"], key: "variant.name", "\"baseline\" is the name of the experiment's own [model] and [train]: choose another name")
        }
        if let same = earlier.first(where: { $0.name == name }) {
            throw Problem(path + ["name"], key: "variant.name", "duplicate variant name \(Quoting.quote(name)): the variant on line \(same.line) has it already; names must be unique")
        }
        return name
    }

    // MARK: [grid]

    /// One key of [grid]: the setting it sweeps and its values.
    private struct Axis {
        /// "model" or "train".
        var section: String
        var key: String
        var path: [String]
        var values: [TOMLNode]
        var shortName: String
    }

    /// The [grid] points: the full product of its axes over the baseline, named like "heads=2,d_model=32",
    /// each with how it is written.
    func readGrid(base: Base, setup: TaskSetup, earlier: [Experiment.Variant]) throws -> (variants: [Experiment.Variant], recipes: [Recipe]) {
        guard let table = root["grid"]?.table else { return ([], []) }
        var axes: [Axis] = []
        try collectAxes(table, path: ["grid"], components: [], into: &axes)
        guard !axes.isEmpty else {
            throw Problem(["grid"], key: "grid", "empty: give the settings to sweep, e.g. \"model.heads\" = [1, 2, 4, 8]")
        }
        axes.sort { map.rank($0.path) < map.rank($1.path) }
        for (i, axis) in axes.enumerated() where axes.contains(where: { $0.key == axis.key && $0.section != axis.section }) {
            axes[i].shortName = "\(axis.section).\(axis.key)"
        }
        // Saturating: a product past the limit only needs to be known to be too large.
        let points = axes.reduce(1) { min($0 * $1.values.count, 1_000_000_000) }
        guard points <= 10_000 else {
            throw Problem(axes[0].path, key: "grid", "the grid has \(points) points (\(axes.map { String($0.values.count) }.joined(separator: " x "))); at most 10000 are allowed")
        }

        // Check every value once against its setting, so that an error names the value, not a point.
        for axis in axes {
            for value in axis.values {
                let entry = Assignment(key: axis.key, value: value, path: axis.path, section: axis.section)
                let scope = Scope(label: "in [grid]: ", fallback: axis.path, owns: [["grid"]])
                if axis.section == "model" || axis.key == "dropout" {
                    if axis.section == "train", base.modelAssignments.contains(where: { $0.key == "dropout" }) {
                        throw Problem(axis.path, key: "train.dropout", "in [grid]: dropout is also set in [model]: sweep \"model.dropout\" instead")
                    }
                    _ = try resolveModel(base.modelAssignments + (base.trainDropout.map { [$0] } ?? []) + [entry], scope: scope, setup: setup)
                } else {
                    _ = try resolveTraining(base.trainAssignments + [entry], scope: scope)
                }
            }
        }

        var result: [Experiment.Variant] = []
        var recipes: [Recipe] = []
        var names = Set(earlier.map(\.name))
        var index = [Int](repeating: 0, count: axes.count)
        for _ in 0..<points {
            let chosen = axes.indices.map { Assignment(key: axes[$0].key, value: axes[$0].values[index[$0]], path: axes[$0].path, section: axes[$0].section) }
            let name = axes.indices.map { "\(axes[$0].shortName)=\(Self.bare(chosen[$0].value))" }.joined(separator: ",")
            let scope = Scope(label: "grid point \(name): ", fallback: axes[0].path, owns: [["grid"]])
            guard names.insert(name).inserted else {
                throw Problem(axes[0].path, key: "grid", "grid point \(Quoting.quote(name)) has the name of a [[variant]]: rename the variant")
            }
            var modelEntries = base.modelAssignments + (base.trainDropout.map { [$0] } ?? [])
            modelEntries += chosen.filter { $0.section == "model" || $0.key == "dropout" }
            let trainEntries = base.trainAssignments + chosen.filter { $0.section == "train" && $0.key != "dropout" }
            let model = try resolveModel(modelEntries, scope: scope, setup: setup)
            let training = try resolveTraining(trainEntries, scope: scope)
            recipes.append(Recipe(modelEntries: modelEntries, trainEntries: trainEntries, own: chosen))
            let same = (earlier + result).first { $0.sameAs == nil && $0.model == model && $0.training == training }
            result.append(Experiment.Variant(name: name, description: "", origin: .grid, changes: chosen.map(Self.change),
                                             model: model, training: training, line: map.line(axes[0].path) ?? 1, sameAs: same?.name))
            // The next point: the last axis varies fastest.
            for a in axes.indices.reversed() {
                index[a] += 1
                if index[a] < axes[a].values.count { break }
                index[a] = 0
            }
        }
        return (result, recipes)
    }

    private func collectAxes(_ table: [String: TOMLNode], path: [String], components: [String], into axes: inout [Axis]) throws {
        for entry in assignments(table, at: path) {
            let target = components + entry.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let shown = target.joined(separator: ".")
            switch entry.value {
            case .table(let values, _):
                try collectAxes(values, path: entry.path, components: target, into: &axes)
            case .array(let values):
                guard target.count == 2, target[0] == "model" || target[0] == "train" else {
                    let hint = target.count == 1 ? Quoting.didYouMean("model.\(target[0])", among: Schema.modelKeys.map { "model.\($0)" }) : ""
                    throw Problem(entry.path, key: "grid.\(shown)",
                                  "a grid key names a model or training setting, \"model.KEY\" or \"train.KEY\"\(hint); the task and the seeds cannot be swept")
                }
                guard target[1] != "arch" else {
                    throw Problem(entry.path, key: "grid.\(shown)", "the grid cannot change the architecture: write a [[variant]] with model = { arch = \"rnn\", ... }")
                }
                guard !values.isEmpty else {
                    throw Problem(entry.path, key: "grid.\(shown)", "expected a non-empty array of values to sweep")
                }
                for (i, value) in values.enumerated() where values[..<i].contains(value) {
                    throw Problem(entry.path, key: "grid.\(shown)", "the value \(value.plain) appears twice")
                }
                axes.append(Axis(section: target[0], key: target[1], path: entry.path, values: values, shortName: target[1]))
            default:
                throw Problem(entry.path, key: "grid.\(shown)", "expected an array of values to sweep, e.g. [1, 2, 4], got \(entry.value.quoted)")
            }
        }
    }

    /// A grid or [tune] value as it appears in a point's or a candidate's name: strings without quotes.
    static func bare(_ value: TOMLNode) -> String {
        if case .string(let text) = value { return text }
        return value.plain
    }
}
