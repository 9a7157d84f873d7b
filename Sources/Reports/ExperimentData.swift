import Foundation
import Store

// What a report is built from: an experiment's current runs and their metrics, read from the
// Store as plain records. Nothing here knows of tensors or models; a run's configuration is the
// JSON text the sweep stored, flattened into "path = value" pairs.

/// One run of the experiment with what a report needs of its metrics.
public struct RunData: Sendable {
    public var record: RunRecord
    /// The resolved configuration flattened to dotted paths, e.g. "model.positional" = "sinusoidal",
    /// "task.train_length" = "[2,8]", "train.lr" = "0.001". Empty if the stored text is not a JSON object.
    public var config: [String: String]
    /// Every metric point, by split and name, ordered by step.
    public var curves: [String: [MetricPoint]]
    /// The slice evaluations of the last evaluation step of each split.
    public var finalSlices: [SliceEvaluation]

    public init(record: RunRecord, config: [String: String], curves: [String: [MetricPoint]], finalSlices: [SliceEvaluation]) {
        self.record = record
        self.config = config
        self.curves = curves
        self.finalSlices = finalSlices
    }

    /// The key of `curves` for a split and metric name as stored.
    public static func curveKey(split: String, name: String) -> String { split + "/" + name }

    /// The points of one metric of one split, ordered by step (empty when none were recorded).
    public func curve(split: MetricSplit, name: MetricName) -> [MetricPoint] {
        curves[Self.curveKey(split: split.rawValue, name: name.rawValue)] ?? []
    }

    /// The last recorded value of a metric (nil when none, or when it is not finite).
    public func final(split: MetricSplit, name: MetricName) -> Double? {
        guard let value = curve(split: split, name: name).last?.value, value.isFinite else { return nil }
        return value
    }
}

/// An experiment as stored: its record, its current runs in sweep order, its environment.
public struct ExperimentData: Sendable {
    public var experiment: ExperimentRecord
    /// The runs of the file as last registered (`current = 1`), in sweep order.
    public var runs: [RunData]
    /// Runs of earlier versions of the file, kept in the database but left out of the report.
    public var staleRuns: Int
    /// Facts about the machine and software recorded for the experiment as a whole.
    public var environment: [String: String]
    /// Facts recorded per run (git commit, BLAS kernel, ...), by run key.
    public var runEnvironments: [String: [String: String]]
    /// The database file the data came from, as the caller named it.
    public var databasePath: String

    public init(experiment: ExperimentRecord, runs: [RunData], staleRuns: Int, environment: [String: String],
                runEnvironments: [String: [String: String]], databasePath: String) {
        self.experiment = experiment
        self.runs = runs
        self.staleRuns = staleRuns
        self.environment = environment
        self.runEnvironments = runEnvironments
        self.databasePath = databasePath
    }

    /// Variant names in sweep order (the order of their first run).
    public var variants: [String] {
        var seen = Set<String>()
        return runs.map(\.record.variant).filter { seen.insert($0).inserted }
    }

    /// Reads one experiment from a store.
    public static func load(from store: ResultStore, experiment name: String, databasePath: String) throws -> ExperimentData {
        guard let experiment = try store.experiments().first(where: { $0.name == name }) else {
            throw ReportError.unknownExperiment(name, database: databasePath, known: try store.experiments().map(\.name))
        }
        let all = try store.runs(experiment: name)
        var runs: [RunData] = []
        var environments: [String: [String: String]] = [:]
        for record in all where record.current {
            var curves: [String: [MetricPoint]] = [:]
            for point in try store.metrics(run: record.key) {
                curves[RunData.curveKey(split: point.split, name: point.name), default: []].append(point)
            }
            let slices = try store.slices(run: record.key)
            var lastStep: [String: Int] = [:]
            for slice in slices { lastStep[slice.split] = max(lastStep[slice.split] ?? slice.step, slice.step) }
            let finalSlices = slices.filter { $0.step == lastStep[$0.split] }
            runs.append(RunData(record: record, config: flattenJSON(record.config), curves: curves, finalSlices: finalSlices))
            environments[record.key] = try store.environment(experiment: name, run: record.key)
        }
        return ExperimentData(experiment: experiment, runs: runs, staleRuns: all.count - runs.count,
                              environment: try store.environment(experiment: name), runEnvironments: environments,
                              databasePath: databasePath)
    }

    /// Flattens a JSON object into dotted paths; arrays stay one value ("[2,8]").
    public static func flattenJSON(_ text: String) -> [String: String] {
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return [:] }
        var out: [String: String] = [:]
        func visit(_ value: JSONValue, _ path: String) {
            if case .object(let inner) = value, !inner.isEmpty {
                for (key, member) in inner { visit(member, path.isEmpty ? key : path + "." + key) }
            } else {
                out[path] = value.text
            }
        }
        for (key, member) in members { visit(member, key) }
        return out
    }
}

/// A JSON value, decoded without Foundation's bridging (so true stays a boolean and 1 a number).
enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// Compact text: numbers without a needless ".0", arrays and objects in JSON-like form.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return "\(value)"
        case .string(let value): return value
        case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\($0): \(members[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A problem with the report's input that a user can fix.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    case noDatabase(String)
    case unknownExperiment(String, database: String, known: [String])
    case emptyDatabase(String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "no database at \(path) (ablate run EXPERIMENT.toml writes results/NAME.sqlite)"
        case .unknownExperiment(let name, let database, let known):
            return "no experiment named \"\(name)\" in \(database); it holds: "
                + (known.isEmpty ? "none" : known.map { "\"\($0)\"" }.joined(separator: ", "))
        case .emptyDatabase(let path):
            return "\(path) holds no experiment yet (run ablate run EXPERIMENT.toml first)"
        }
    }
}
