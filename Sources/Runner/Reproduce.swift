import Foundation
import Models
import Store
import Tasks
import Training

/// `ablate reproduce` and `ablate eval`: a stored run, retrained or re-evaluated.
public enum StoredRun {
    /// A problem a user can fix: an unknown or ambiguous run, a missing checkpoint.
    public struct Problem: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Finds the run whose key starts with `prefix`, in `database`, or in results/*.sqlite when nil.
    /// Databases are opened for reading only. While searching results/, a file that is not an ablate
    /// database is skipped (and named if no run is found); a run found in several databases (a copy)
    /// is refused with their names, so that `--database` can choose.
    public static func find(_ prefix: String, database: String?) throws -> (store: ResultStore, run: RunRecord) {
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else {
            throw Problem(message: "a run is named by its key or a prefix of at least 4 hex digits (see ablate run --dry-run), got \"\(prefix)\"")
        }
        var stores: [ResultStore] = []
        var skipped: [String] = []
        if let database {
            stores = [try ResultStore(readingAt: database)]
        } else {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "results")) ?? []
            for path in names.filter({ $0.hasSuffix(".sqlite") }).sorted().map({ "results/\($0)" }) {
                do {
                    stores.append(try ResultStore(readingAt: path))
                } catch {
                    skipped.append("\(path) (\(error))")
                }
            }
        }
        var matches: [(store: ResultStore, run: RunRecord)] = []
        for store in stores {
            for run in try store.runs() where run.key.hasPrefix(prefix.lowercased()) { matches.append((store, run)) }
        }
        guard let first = matches.first else {
            let searched = stores.isEmpty ? "results/ (no databases)" : stores.map(\.path).joined(separator: ", ")
            throw Problem(message: "no run with a key starting \(prefix) in \(searched)"
                          + (skipped.isEmpty ? "" : "; skipped \(skipped.joined(separator: "; "))"))
        }
        let keys = Set(matches.map(\.run.key))
        guard keys.count == 1 else {
            throw Problem(message: "\(keys.count) runs have keys starting \(prefix): give more of the key")
        }
        guard matches.count == 1 else {
            let paths = matches.map(\.store.path)
            throw Problem(message: "run \(first.run.key.prefix(16)) is in \(paths.count) databases (\(paths.joined(separator: ", "))): "
                          + "choose one with --database, e.g. --database \(paths[0])")
        }
        return first
    }

    public struct Reproduction: Sendable {
        public var compared: Int
        /// The first metric that differs, or nil when every stored metric was reproduced bit for bit.
        public var firstDifference: String?
    }

    /// Retrains the run from its stored config and compares every stored metric and slice bit for bit.
    public static func reproduce(_ run: RunRecord, store: ResultStore) throws -> Reproduction {
        guard run.status == .done || run.status == .diverged else {
            throw Problem(message: "run \(run.key.prefix(16)) is \(run.status.rawValue): only finished runs can be reproduced")
        }
        let spec = try JSONDecoder().decode(RunSpec.self, from: Data(run.config.utf8))
        let observer = MemoryObserver(run: run.key)
        _ = try Trainer.run(spec, observer: observer)
        func key(_ p: MetricPoint) -> String { "\(p.split) \(p.name) at step \(p.step)" }
        let fresh = Dictionary(observer.recorder.points.map { (key($0), $0.value) }, uniquingKeysWith: { $1 })
        var compared = 0
        for point in try store.metrics(run: run.key) {
            compared += 1
            guard let value = fresh[key(point)] else { return Reproduction(compared: compared, firstDifference: "\(key(point)): not produced again") }
            if value.bitPattern != point.value.bitPattern && !(value.isNaN && point.value.isNaN) {
                return Reproduction(compared: compared, firstDifference: "\(key(point)): stored \(point.value), reproduced \(value)")
            }
        }
        let freshSlices = Dictionary(observer.recorder.slices.map { ("\($0.split) \($0.slice) at step \($0.step)", $0) }, uniquingKeysWith: { $1 })
        for slice in try store.slices(run: run.key) {
            compared += 1
            let name = "\(slice.split) \(slice.slice) at step \(slice.step)"
            guard let again = freshSlices[name] else { return Reproduction(compared: compared, firstDifference: "\(name): not produced again") }
            if again.loss.bitPattern != slice.loss.bitPattern || again.tokenAccuracy != slice.tokenAccuracy
                || again.exactMatch != slice.exactMatch || again.examples != slice.examples {
                return Reproduction(compared: compared, firstDifference: "\(name): stored \(slice), reproduced \(again)")
            }
        }
        return Reproduction(compared: compared, firstDifference: nil)
    }

    /// The model of `run`'s final checkpoint (artifact kind "checkpoint"); a `Problem` naming the run
    /// when it has none (it is not done) or the file is gone.
    static func finalModel(of run: RunRecord, store: ResultStore) throws -> Model {
        guard let checkpoint = try store.artifacts(experiment: run.experiment).first(where: { $0.run == run.key && $0.kind == "checkpoint" }) else {
            throw Problem(message: "run \(run.key.prefix(16)) (\(run.variant) seed \(run.seed)) has no final checkpoint (it is \(run.status.rawValue)): only runs that are done have one")
        }
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw Problem(message: "the checkpoint of run \(run.key.prefix(16)) is missing: \(checkpoint.path)")
        }
        return try Model.load(from: URL(fileURLWithPath: checkpoint.path)).model
    }

    /// Evaluates the run's saved checkpoint on `perSize` test examples of each size in `sizes`.
    public static func evaluate(_ run: RunRecord, store: ResultStore, sizes: ClosedRange<Int>, perSize: Int) throws -> Evaluation {
        let spec = try JSONDecoder().decode(RunSpec.self, from: Data(run.config.utf8))
        let model = try finalModel(of: run, store: store)
        let setup = try TaskSetup(task: try spec.task.setup().task, trainSize: spec.task.trainSize, evaluationSize: sizes)
        let examples = try setup.evaluationExamples(seed: spec.seed, perSize: perSize)
        try Formatting.check(setup.task, model: model.config)
        return Evaluator.evaluate(model, task: setup.task, examples: examples)
    }
}
