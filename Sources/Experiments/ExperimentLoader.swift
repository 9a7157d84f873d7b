import Foundation
import Models
import Tasks
import Training

/// Reads, validates and expands experiment files (`docs/experiment-file.md` describes the format).
///
/// Everything is checked before anything runs: the first problem found is thrown as an
/// `ExperimentError` naming the file, the line, the key and what was expected. Loading writes nothing.
public enum ExperimentLoader {
    /// Loads the experiment file at `path`.
    public static func load(path: String) throws -> Experiment {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "there is no such file"
            throw ExperimentError(file: path, line: nil, key: "file", message: "cannot open the experiment file: \(reason)")
        }
        return try load(data: data, path: path)
    }

    /// Loads an experiment from the bytes of a file; `path` names it in errors.
    public static func load(data: Data, path: String) throws -> Experiment {
        var lineStart = 0
        var line = 1
        let bytes = [UInt8](data)
        for (index, byte) in bytes.enumerated() where byte == 0x0A || index == bytes.count - 1 {
            let end = byte == 0x0A ? index : index + 1
            if !isValidUTF8(bytes[lineStart..<end]) {
                throw ExperimentError(file: path, line: line, key: "file", message: "the file is not UTF-8 text (TOML files are UTF-8)")
            }
            lineStart = index + 1
            line += 1
        }
        return try load(text: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Loads an experiment from its text; `path` names it in errors and in `Experiment.sourcePath`.
    public static func load(text: String, path: String) throws -> Experiment {
        let reader = try Reader(text: text, path: path)
        do {
            return try reader.experiment()
        } catch let problem as Problem {
            throw reader.error(problem)
        }
    }

    private static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

/// One key = value of a table, with where it was written.
struct Assignment {
    var key: String
    var value: TOMLNode
    /// Where it is written (see `SourceMap`).
    var path: [String]
    /// The table it belongs to as messages name it: "model" or "train" (`dropout` in [train] is
    /// applied to the model but still named train.dropout).
    var section: String

    /// "model.heads", as messages name it.
    var shown: String { section.isEmpty ? Quoting.key(key) : "\(section).\(Quoting.key(key))" }
}

/// The state of one load: the document, where its keys are, and the task once read.
struct Reader {
    let path: String
    let text: String
    let root: [String: TOMLNode]
    let map: SourceMap

    init(text: String, path: String) throws {
        self.path = path
        self.text = text
        map = SourceMap(text: text)
        if let index = text.unicodeScalars.firstIndex(of: "\0") {
            let line = text.unicodeScalars[..<index].filter { $0 == "\n" }.count + 1
            throw ExperimentError(file: path, line: line, key: "file", message: "the file contains a NUL character, which TOML does not allow")
        }
        do {
            root = try TOMLDocument.parse(text)
        } catch let error as TOMLSyntaxError {
            throw ExperimentError(file: path, line: error.line, column: error.column, key: "syntax",
                                  message: SyntaxHint.message(for: error, in: text))
        }
        if let line = SourceMap.lineOfEscapedNUL(in: text) {
            throw ExperimentError(file: path, line: line, key: map.key(before: line) ?? "syntax",
                                  message: "a string holds a NUL character (an escape such as \\u0000), which ablate cannot keep: "
                                  + "everything after it would be lost (names are passed to worker processes and stored as text); remove it")
        }
    }

    func error(_ problem: Problem) -> ExperimentError {
        ExperimentError(file: path, line: map.line(problem.path) ?? 1, key: problem.key, message: problem.message)
    }

    /// The entries of a table as assignments, in the order they are written in the file.
    func assignments(_ table: [String: TOMLNode], at path: [String]) -> [Assignment] {
        table.map { Assignment(key: $0.key, value: $0.value, path: path + [$0.key], section: path.last ?? "") }
            .sorted { (map.rank($0.path), $0.key) < (map.rank($1.path), $1.key) }
    }

    // MARK: The whole file

    func experiment() throws -> Experiment {
        for entry in assignments(root, at: []) {
            guard Schema.tables.contains(entry.key) else {
                if Schema.experimentKeys.contains(entry.key) {
                    throw Problem(entry.path, key: entry.key, "\(entry.key) belongs in the [experiment] table: write it after an [experiment] line")
                }
                throw Problem(entry.path, key: Quoting.key(entry.key),
                              "unknown table\(Quoting.didYouMean(entry.key, among: Schema.tables)); an experiment file has the tables [experiment], [task], [model], [train], [[variant]], [grid] and [tune]")
            }
            if entry.key == "variant" {
                guard case .array = entry.value else {
                    throw Problem(entry.path, key: "variant", "each variant is an entry of an array of tables: write [[variant]] (with double brackets) before each one")
                }
            } else if entry.value.table == nil {
                throw Problem(entry.path, key: entry.key, "expected a table ([\(entry.key)] on a line of its own, then its keys), got \(entry.value.quoted)")
            }
        }

        let (name, question, findings, seeds) = try readExperimentTable()
        let (task, setup) = try readTask()
        let base = try readBase(setup: setup)
        let variants = try readVariants(base: base, setup: setup)
        let grid = try readGrid(base: base, setup: setup, earlier: variants.variants)
        var all = variants.variants + grid.variants
        let tuning = try readTune(base: base, setup: setup, seeds: seeds, variants: all, recipes: variants.recipes + grid.recipes)
        if let tuning {
            for (i, candidates) in tuning.candidates.enumerated() { all[i].candidates = candidates }
        }

        var runs: [Experiment.Run] = []
        let runCount = all.filter { $0.sameAs == nil }.count * seeds.count
        guard runCount <= 100_000 else {
            throw Problem(["experiment", "seeds"], key: "experiment.seeds", "the experiment expands to \(runCount) runs (\(all.count) variants x \(seeds.count) seeds); at most 100000 are allowed")
        }
        for variant in all where variant.sameAs == nil {
            for seed in seeds {
                let spec = RunSpec(variant: variant.name, seed: seed, task: task, model: variant.model, training: variant.training)
                runs.append(Experiment.Run(key: RunKey.key(for: spec), spec: spec))
            }
        }
        var experiment = Experiment(name: name, question: question, findings: findings, sourcePath: path, sourceText: text, seeds: seeds, task: task,
                                    baseline: base.model, training: base.training, variants: all, runs: runs)
        experiment.tuning = tuning?.tuning
        return experiment
    }

    // MARK: [experiment]

    private func readExperimentTable() throws -> (name: String, question: String, findings: String, seeds: [UInt64]) {
        guard let table = root["experiment"]?.table else {
            throw Problem([], key: "experiment", "missing the [experiment] table: it names the experiment (name = \"...\") and its seeds")
        }
        var name: String? = nil
        var question = ""
        var findings = ""
        var seeds: [UInt64] = [1, 2, 3]
        for entry in assignments(table, at: ["experiment"]) {
            let key = "experiment.\(Quoting.key(entry.key))"
            switch entry.key {
            case "name":
                guard case .string(let text) = entry.value else { throw Problem(entry.path, key: key, "expected a string, got \(entry.value.quoted)") }
                if let problem = nameProblem(text) { throw Problem(entry.path, key: key, problem) }
                name = text
            case "question":
                guard case .string(let text) = entry.value else { throw Problem(entry.path, key: key, "expected a string, got \(entry.value.quoted)") }
                question = text
            case "findings":
                guard case .string(let text) = entry.value else {
                    throw Problem(entry.path, key: key, "expected a string (what the results say, in words; \"\"\" for several lines), got \(entry.value.quoted)")
                }
                findings = text
            case "seeds":
                seeds = try readSeeds(entry, key: key)
            default:
                throw unknownKey(entry, table: "experiment", known: Schema.experimentKeys)
            }
        }
        guard let name else {
            throw Problem(["experiment"], key: "experiment.name", "missing: every experiment has a name, e.g. name = \"positional\"")
        }
        return (name, question, findings, seeds)
    }

    func readSeeds(_ entry: Assignment, key: String) throws -> [UInt64] {
        let expected = "expected a non-empty array of distinct integers >= 0, e.g. seeds = [1, 2, 3]"
        guard case .array(let values) = entry.value, !values.isEmpty else { throw Problem(entry.path, key: key, "\(expected); got \(entry.value.quoted)") }
        var seeds: [UInt64] = []
        for value in values {
            guard case .integer(let seed) = value, seed >= 0 else { throw Problem(entry.path, key: key, "\(expected); got \(value.quoted) among them") }
            guard !seeds.contains(UInt64(seed)) else { throw Problem(entry.path, key: key, "\(expected); seed \(seed) appears twice") }
            seeds.append(UInt64(seed))
        }
        guard seeds.count <= 1000 else { throw Problem(entry.path, key: key, "at most 1000 seeds are allowed, got \(seeds.count)") }
        return seeds
    }

    func unknownKey(_ entry: Assignment, table: String, known: [String], note: String = "") -> Problem {
        let keys = known.map(Quoting.key).joined(separator: ", ")
        return Problem(entry.path, key: "\(table).\(Quoting.key(entry.key))",
                       "unknown key\(Quoting.didYouMean(entry.key, among: known))\(note); [\(table)] takes \(keys)")
    }

    // MARK: [task]

    private func readTask() throws -> (TaskSpec, TaskSetup) {
        guard let table = root["task"]?.table else {
            throw Problem([], key: "task", "missing the [task] table: it names the task (kind = \"reverse\", ...) and its sizes")
        }
        guard let kindNode = table["kind"] else {
            throw Problem(["task"], key: "task.kind", "missing: the task to train on, one of \(TaskRegistry.entries.map(\.kind).joined(separator: ", "))")
        }
        guard case .string(let kind) = kindNode else {
            throw Problem(["task", "kind"], key: "task.kind", "expected a task name (a string), got \(kindNode.quoted)")
        }
        guard let entry = TaskRegistry.entry(kind: kind) else {
            var message = "unknown task \(Quoting.value(kind))"
            do { _ = try TaskRegistry.make(kind: kind) } catch let error as TaskConfigError { message = error.message }
            throw Problem(["task", "kind"], key: "task.kind", message)
        }
        let size = entry.sizeName
        let sizeNames = ["length", "distance", "pairs", "depth", "digits"]
        var parameters: [String: TaskParameterValue] = [:]
        var trainSize: (ClosedRange<Int>, Assignment)? = nil
        var evaluationSize: (ClosedRange<Int>, Assignment)? = nil
        let known = ["kind", "train_\(size)", "eval_\(size)", "train_size", "eval_size"] + entry.parameters.map(\.name)
        for item in assignments(table, at: ["task"]) where item.key != "kind" {
            let key = "task.\(Quoting.key(item.key))"
            if item.key == "train_\(size)" || item.key == "train_size" || item.key == "eval_\(size)" || item.key == "eval_size" {
                let isTrain = item.key.hasPrefix("train_")
                if let earlier = isTrain ? trainSize?.1 : evaluationSize?.1 {
                    throw Problem(item.path, key: key, "give only one of \(earlier.key) and \(item.key): they are the same setting")
                }
                let range = try readSizeRange(item, key: key, sizeName: size)
                if isTrain { trainSize = (range, item) } else { evaluationSize = (range, item) }
            } else if let parameter = entry.parameters.first(where: { $0.name == item.key }) {
                switch item.value {
                case .integer(let value) where parameter.range != nil: parameters[item.key] = .integer(value)
                case .string(let value) where parameter.range == nil: parameters[item.key] = .text(value)
                default: throw Problem(item.path, key: key, "expected \(parameter.allowed), got \(item.value.quoted)")
                }
            } else if let prefix = ["train_", "eval_"].first(where: { item.key.hasPrefix($0) }), sizeNames.contains(String(item.key.dropFirst(prefix.count))) {
                throw Problem(item.path, key: key, "\(kind) measures its size in \(size), not \(item.key.dropFirst(prefix.count)): write \(prefix)\(size)")
            } else if item.key == "vocab" || item.key == "vocabulary" {
                let symbols = entry.parameters.contains { $0.name == "symbols" } ? "symbols = N sets the task's alphabet; " : ""
                throw Problem(item.path, key: key, "unknown key: \(symbols)the model's vocabulary follows from the task (or set model.vocabulary); [task] of \(kind) takes \(known.joined(separator: ", "))")
            } else {
                throw Problem(item.path, key: key, "unknown key\(Quoting.didYouMean(item.key, among: known)); [task] of \(kind) takes \(known.joined(separator: ", "))")
            }
        }
        guard let (train, trainEntry) = trainSize else {
            let probe = try? TaskRegistry.make(kind: kind, parameters: parameters.mapValues(\.taskParameter))
            let limits = probe.map { " (\(kind) takes \(size) in \($0.sizeLimits.lowerBound)...\($0.sizeLimits.upperBound))" } ?? ""
            throw Problem(["task"], key: "task.train_\(size)", "missing: the \(size) range to train on, e.g. train_\(size) = [8, 32]\(limits)")
        }
        let spec = TaskSpec(kind: kind, parameters: parameters, trainSize: train, evaluationSize: evaluationSize?.0)
        do {
            let setup = try spec.setup()
            try setup.checkDrawable()
            return (spec, setup)
        } catch let error as TaskConfigError {
            let name = error.key.hasPrefix("task.") ? String(error.key.dropFirst(5)) : error.key
            var location = ["task", name]
            var key = error.key
            if name == "train_\(size)" { location = trainEntry.path; key = "task.\(trainEntry.key)" }
            if name == "eval_\(size)" {
                if let evaluation = evaluationSize?.1 {
                    location = evaluation.path; key = "task.\(evaluation.key)"
                } else {
                    location = trainEntry.path
                }
            }
            throw Problem(location, key: key, error.message)
        }
    }

    private func readSizeRange(_ item: Assignment, key: String, sizeName: String) throws -> ClosedRange<Int> {
        let expected = "expected [smallest, largest] \(sizeName) (integers, smallest <= largest) or one integer"
        switch item.value {
        case .integer(let value):
            return value...value
        case .array(let values):
            guard values.count == 2, case .integer(let low) = values[0], case .integer(let high) = values[1] else {
                throw Problem(item.path, key: key, "\(expected), got \(item.value.quoted)")
            }
            guard low <= high else { throw Problem(item.path, key: key, "\(expected), got [\(low), \(high)]: write [\(high), \(low)]") }
            return low...high
        default:
            throw Problem(item.path, key: key, "\(expected), got \(item.value.quoted)")
        }
    }
}

/// The longest name of an experiment or a variant, in characters (Unicode scalars).
let maxNameLength = 1000

/// What is wrong with a name of an experiment or a variant, or nil when it can be used. A name is any
/// text, but not empty or only blanks, at most `maxNameLength` characters (it is passed to every
/// worker process and printed in every message), and without NUL (argv and SQLite text end at a NUL,
/// so the name would be cut). Its files are named by `FileNames.stem(_:)`.
func nameProblem(_ text: String) -> String? {
    if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        return "expected a non-empty name, got \(Quoting.value(text))"
    }
    let length = text.unicodeScalars.count
    if length > maxNameLength {
        return "the name has \(length) characters; at most \(maxNameLength) are allowed: choose a shorter name"
    }
    if text.unicodeScalars.contains("\0") {
        return "the name \(Quoting.value(text)) holds a NUL character (\\u0000), which cannot be passed to the worker "
            + "processes or stored whole: remove it"
    }
    return nil
}
