import Models
import Tasks
import Training

extension Reader {
    // MARK: [tune]

    /// One key of [tune]: the setting it tunes and its values.
    struct TuneAxis {
        /// "model" or "train".
        var section: String
        /// The setting's key as written: "lr".
        var key: String
        var path: [String]
        var values: [TOMLNode]
        /// The key in a candidate's name: "lr", or "train.lr" when two axes share a last part.
        var shortName: String

        /// "train.lr", as a variant's change names it.
        var shown: String { "\(section).\(Quoting.key(key))" }
        /// `tune."train.lr"`, as messages name the axis.
        var named: String { "tune." + Quoting.key("\(section).\(key)") }
        /// The settings it sets (see `Reader.settings(section:key:)`).
        var settings: Set<String> { Reader.settings(section: section, key: key) }

        func assignment(_ value: TOMLNode) -> Assignment { Assignment(key: key, value: value, path: path, section: section) }
    }

    /// The most candidates [tune] may list, and the most trials it may ask for in all.
    static let maxCandidates = 1000
    static let maxTrials = 100_000

    /// The [tune] table, and for each of `variants` its configuration with each candidate's values
    /// applied (empty for a variant that is `sameAs` another); nil without [tune].
    ///
    /// `recipes[i]` is how `variants[i]` is written: the candidates' values are applied after its own.
    func readTune(base: Base, setup: TaskSetup, seeds: [UInt64], variants: [Experiment.Variant], recipes: [Recipe]) throws
        -> (tuning: Tuning, candidates: [[Experiment.Variant.Configuration]])? {
        guard let table = root["tune"]?.table else { return nil }
        var axes: [TuneAxis] = []
        var metric = Tuning.Metric.exactMatch
        var selectionSeeds = [seeds[0]]
        var method = Tuning.Method.grid
        var eta = 3
        var firstRung: Double? = nil
        for entry in assignments(table, at: ["tune"]) {
            let key = "tune.\(Quoting.key(entry.key))"
            switch entry.key {
            case "metric":
                metric = try choice(entry, key: key, among: Tuning.Metric.allCases, what: "what a trial is judged by on the validation split")
            case "method":
                method = try choice(entry, key: key, among: Tuning.Method.allCases, what: "how candidates are tried")
            case "seeds":
                selectionSeeds = try readSeeds(entry, key: key)
            case "eta":
                guard case .integer(let value) = entry.value, value >= 2 else {
                    throw Problem(entry.path, key: key, "expected an integer >= 2 (each rung of halving keeps the best 1/eta of its candidates), got \(entry.value.quoted)")
                }
                eta = value
            case "first_rung":
                let share: Double?
                switch entry.value {
                case .float(let value): share = value
                case .integer(let value): share = Double(value)
                default: share = nil
                }
                guard let share, share > 0, share < 1 else {
                    throw Problem(entry.path, key: key, "expected a number in (0, 1), the first rung's steps as a share of train.steps (e.g. 0.125), got \(entry.value.quoted)")
                }
                firstRung = share
            default:
                try collectTuneAxes(entry, components: [], into: &axes)
            }
        }
        guard !axes.isEmpty else {
            throw Problem(["tune"], key: "tune", "empty: give the settings to tune and their values, e.g. \"train.lr\" = [3e-4, 1e-3, 3e-3]")
        }
        axes.sort { map.rank($0.path) < map.rank($1.path) }
        for (i, axis) in axes.enumerated() {
            if let earlier = axes[..<i].first(where: { !$0.settings.isDisjoint(with: axis.settings) }) {
                throw Problem(axis.path, key: axis.named,
                              "\(axis.shown) sets the same setting as \(earlier.shown) on line \(map.line(earlier.path) ?? 1): tune it once")
            }
            if axes.contains(where: { $0.key == axis.key && $0.section != axis.section }) {
                axes[i].shortName = "\(axis.section).\(axis.key)"
            }
        }
        // Saturating: a product past the limit only needs to be known to be too large.
        let count = axes.reduce(1) { min($0 * $1.values.count, 1_000_000_000) }
        guard count <= Self.maxCandidates else {
            throw Problem(axes[0].path, key: "tune", "[tune] has \(count) candidates (\(axes.map { String($0.values.count) }.joined(separator: " x "))); at most \(Self.maxCandidates) are allowed")
        }

        // Every value once against the baseline, so that an error names the value, not a candidate.
        let baseline = Experiment.Variant.Configuration(model: base.model, training: base.training)
        for axis in axes {
            for value in axis.values {
                _ = try resolve(recipes[0], at: baseline, with: [axis.assignment(value)], label: "in [tune]: ", axes: axes, setup: setup)
            }
        }

        // A setting a variant or the grid writes and [tune] also sets: the candidates would overwrite it.
        let tuneLine = { (axis: TuneAxis) in "\(axis.shown) on line \(self.map.line(axis.path) ?? 1)" }
        for (variant, recipe) in zip(variants, recipes) {
            for entry in recipe.own {
                guard let axis = axes.first(where: { !$0.settings.isDisjoint(with: Self.settings(section: entry.section, key: entry.key)) }) else { continue }
                let line = map.line(entry.path) ?? variant.line
                if variant.origin == .grid {
                    throw Problem(entry.path, key: "grid.\(entry.shown)",
                                  "[grid] sweeps \(entry.shown) on line \(line), which [tune] tunes (\(tuneLine(axis))): each grid point would be tuned "
                                  + "over the [tune] values in place of its own, so the tuned points would not differ in it; drop one")
                }
                throw Problem(entry.path, key: entry.shown,
                              "variant \(Quoting.value(variant.name)) sets \(entry.shown) on line \(line), which [tune] tunes (\(tuneLine(axis))): "
                              + "its tuned runs would try the [tune] values in place of the variant's own, so they would not test its change; drop one")
            }
        }

        // The product, the first axis varying slowest.
        var chosen: [[Assignment]] = []
        var candidates: [Tuning.Candidate] = []
        var index = [Int](repeating: 0, count: axes.count)
        for _ in 0..<count {
            let entries = axes.indices.map { axes[$0].assignment(axes[$0].values[index[$0]]) }
            let name = axes.indices.map { "\(axes[$0].shortName)=\(Self.bare(entries[$0].value))" }.joined(separator: ",")
            chosen.append(entries)
            candidates.append(Tuning.Candidate(name: name, changes: entries.map(Self.change)))
            for a in axes.indices.reversed() {
                index[a] += 1
                if index[a] < axes[a].values.count { break }
                index[a] = 0
            }
        }
        let tuning = Tuning(
            axes: axes.map { axis in
                let numeric = axis.values.allSatisfy { if case .integer = $0 { return true }; if case .float = $0 { return true }; return false }
                return Tuning.Axis(key: axis.shown, values: axis.values.map(\.plain), numeric: numeric, line: map.line(axis.path) ?? 1)
            },
            candidates: candidates, metric: metric, selectionSeeds: selectionSeeds, method: method, eta: eta, firstRung: firstRung,
            line: map.line(["tune"]) ?? 1)

        let tuned = variants.filter { $0.sameAs == nil }.count
        let perConfiguration = tuning.rungs(steps: 1, evalEvery: 1).reduce(0) { $0 + $1.candidates }
        let trials = tuned * perConfiguration * selectionSeeds.count
        guard trials <= Self.maxTrials else {
            throw Problem(["tune"], key: "tune", "[tune] asks for \(trials) trials (\(tuned) configurations x \(perConfiguration) trials each x \(selectionSeeds.count) selection seeds); "
                          + "at most \(Self.maxTrials) are allowed: tune fewer values or fewer settings")
        }

        // Each configuration with each candidate's values applied after its own.
        var configurations: [[Experiment.Variant.Configuration]] = []
        for (variant, recipe) in zip(variants, recipes) {
            guard variant.sameAs == nil else {
                configurations.append([])
                continue
            }
            let who: String
            switch variant.origin {
            case .baseline: who = "baseline"
            case .variant: who = "variant \(Quoting.value(variant.name))"
            case .grid: who = "grid point \(variant.name)"
            }
            let own = Experiment.Variant.Configuration(model: variant.model, training: variant.training)
            configurations.append(try zip(candidates, chosen).map { candidate, entries in
                try resolve(recipe, at: own, with: entries, label: "\(who), candidate \(candidate.name): ", axes: axes, setup: setup)
            })
        }
        return (tuning, configurations)
    }

    /// `recipe`'s configuration (`resolved`) with `entries` applied last. A problem at a [tune] axis is
    /// named by the axis (`tune."train.lr"`); one that no axis holds points at the first entry that
    /// could cause it.
    private func resolve(_ recipe: Recipe, at resolved: Experiment.Variant.Configuration, with entries: [Assignment], label: String,
                         axes: [TuneAxis], setup: TaskSetup) throws -> Experiment.Variant.Configuration {
        let toModel = entries.filter { $0.section == "model" || $0.key == "dropout" }
        let toTraining = entries.filter { $0.section == "train" && $0.key != "dropout" }
        do {
            var configuration = resolved
            if let first = toModel.first {
                configuration.model = try resolveModel(recipe.modelEntries + toModel, scope: Scope(label: label, fallback: first.path, owns: [["tune"]]), setup: setup)
            }
            if let first = toTraining.first {
                configuration.training = try resolveTraining(recipe.trainEntries + toTraining, scope: Scope(label: label, fallback: first.path, owns: [["tune"]]))
            }
            return configuration
        } catch var problem as Problem {
            if let axis = axes.first(where: { $0.path == problem.path }) { problem.key = axis.named }
            throw problem
        }
    }

    /// The axes one entry of [tune] writes: `"train.lr" = [...]`, or `train.lr = [...]` (a table).
    private func collectTuneAxes(_ entry: Assignment, components: [String], into axes: inout [TuneAxis]) throws {
        let target = components + entry.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let key = "tune." + Quoting.key(target.joined(separator: "."))
        switch entry.value {
        case .table(let values, _):
            for inner in assignments(values, at: entry.path) {
                try collectTuneAxes(inner, components: target, into: &axes)
            }
        case .array(let values):
            guard target.count == 2, target[0] == "model" || target[0] == "train" else {
                if target.count == 1 { throw unknownTuneKey(entry, word: target[0], key: key) }
                if ["task", "experiment", "seeds"].contains(target[0]) {
                    throw Problem(entry.path, key: key, "the task and the experiment's seeds cannot be tuned: every run of an experiment trains and is evaluated on the same data; "
                                  + "[tune] tunes \"model.KEY\" and \"train.KEY\" settings (its own seeds = [...] are the seeds trials train on)")
                }
                let hint = ["model", "train"].contains(target[0]) ? "" : Quoting.didYouMean(target[0], among: ["model", "train"])
                throw Problem(entry.path, key: key, "a [tune] key names a model or training setting, \"model.KEY\" or \"train.KEY\"\(hint), "
                              + "with the values to try: \"train.lr\" = [3e-4, 1e-3, 3e-3]")
            }
            let (section, name) = (target[0], target[1])
            if section == "model", name == "arch" {
                throw Problem(entry.path, key: key, "the architecture cannot be tuned: each configuration is tuned within its own architecture; write a [[variant]] with model = { arch = \"rnn\", ... } to compare architectures")
            }
            if let reason = Self.untunable(section: section, key: name) {
                throw Problem(entry.path, key: key, "\(section).\(name) cannot be tuned: \(reason)")
            }
            guard !values.isEmpty else {
                throw Problem(entry.path, key: key, "expected a non-empty array of values to try, e.g. [3e-4, 1e-3, 3e-3]")
            }
            for (i, value) in values.enumerated() where values[..<i].contains(value) {
                throw Problem(entry.path, key: key, "the value \(value.plain) appears twice")
            }
            axes.append(TuneAxis(section: section, key: name, path: entry.path, values: values, shortName: name))
        default:
            if target.count == 1 { throw unknownTuneKey(entry, word: target[0], key: key) }
            throw Problem(entry.path, key: key, "expected an array of values to try, e.g. [3e-4, 1e-3, 3e-3], got \(entry.value.quoted)")
        }
    }

    private func unknownTuneKey(_ entry: Assignment, word: String, key: String) -> Problem {
        // The nearest of [tune]'s own keys and the settings it can tune (`haeds`: "model.heads", `lr`: "train.lr").
        let suggestions = Schema.tuneKeys.map { ($0, $0) }
            + Schema.trainingKeys.filter { Self.untunable(section: "train", key: $0) == nil }.map { ($0, Quoting.key("train.\($0)")) }
            + Schema.modelKeys.filter { $0 != "arch" }.map { ($0, Quoting.key("model.\($0)")) }
        let hint = Quoting.closest(word, among: suggestions.map(\.0)).flatMap { match in suggestions.first { $0.0 == match } }
            .map { " (did you mean \($0.1)?)" } ?? ""
        return Problem(entry.path, key: key, "unknown key\(hint); [tune] takes \"model.KEY\" and \"train.KEY\" = [values to try], "
                       + Schema.tuneKeys.joined(separator: ", "))
    }

    /// Why a setting cannot be tuned (nil: it can): it measures a run or bounds it rather than shaping its training.
    static func untunable(section: String, key: String) -> String? {
        guard section == "train", let setting = TrainingSettings.setting(named: key),
              Tuning.untunableKeys.contains("train.\(setting.key)") else { return nil }
        switch setting.key {
        case "steps": return "it bounds every run, and the trials' budgets are shares of it (halving chooses their steps); write a [[variant]] to compare run lengths"
        case "eval_every": return "it measures a run: trials are judged at its evaluations (the rungs stop at its multiples)"
        case "validation_examples": return "it measures a run: it is how much validation data trials are judged on"
        case "test_examples_per_size": return "it measures a run on the test split, which tuning never looks at"
        case "stop_at_accuracy", "time_budget_seconds": return "it bounds a run (it stops training early), so trials would not compare"
        default: return "it only saves a run's model along the way; it does not change what the run learns"
        }
    }

    /// The settings a key sets, to tell two keys that set the same thing: `dropout` in [train] is the
    /// model's, `lr` and `learning_rate` are one setting, and a Transformer's `layers` sets both stacks.
    static func settings(section: String, key: String) -> Set<String> {
        if key == "dropout" { return ["model.dropout"] }
        if section == "train" { return ["train.\(TrainingSettings.setting(named: key)?.key ?? key)"] }
        if key == "layers" { return ["model.encoder_layers", "model.decoder_layers"] }
        return ["model.\(key)"]
    }

    /// A string naming one of `cases`, with a "did you mean" for a near miss.
    private func choice<Choice: RawRepresentable & CaseIterable>(_ entry: Assignment, key: String, among cases: Choice.AllCases, what: String) throws
        -> Choice where Choice.RawValue == String {
        let names = cases.map(\.rawValue)
        if case .string(let text) = entry.value, let match = cases.first(where: { $0.rawValue == text }) { return match }
        let hint: String
        if case .string(let text) = entry.value, let near = Quoting.closest(text, among: names) { hint = " (did you mean \(Quoting.quote(near))?)" } else { hint = "" }
        throw Problem(entry.path, key: key, "expected \(names.map(Quoting.quote).joined(separator: " or ")) (\(what)), got \(entry.value.quoted)\(hint)")
    }
}
