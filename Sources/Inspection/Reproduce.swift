import Foundation
import Runner
import Models
import Store
import Tasks
import Tensors
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
        /// How the run was retrained (the GEMM path) and what could make its bits differ.
        public var notes: [String] = []
    }

    /// Retrains the run from its stored config and compares every stored metric and slice bit for bit.
    public static func reproduce(_ run: RunRecord, store: ResultStore) throws -> Reproduction {
        guard run.status == .done || run.status == .diverged else {
            throw Problem(message: "run \(run.key.prefix(16)) is \(run.status.rawValue): only finished runs can be reproduced")
        }
        let spec = try self.spec(of: run)
        // Retrain on the GEMM path the run recorded (runs stored before paths were recorded used OpenBLAS),
        // and say what can make the bits differ anyway: another OpenBLAS kernel.
        let trainedIn = try store.environment(experiment: run.experiment, run: run.key)
        let path = GEMMPath(rawValue: trainedIn["gemm"] ?? GEMMPath.openBLAS.rawValue) ?? .openBLAS
        var notes = ["GEMM path \(path.rawValue), as the run recorded" + (trainedIn["gemm"] == nil ? " (none recorded: OpenBLAS)" : "")]
        let kernelNow = Bench.blasKernel
        if path == .openBLAS, let kernelThen = trainedIn["blas_kernel"], kernelThen != kernelNow {
            notes.append("the run was trained with the OpenBLAS kernel \(kernelThen) and this machine uses \(kernelNow): "
                         + "their sums differ in order, so the last bits can differ (the ordered GEMM path does not depend on the CPU)")
        }
        let previous = GEMMPath.current
        GEMMPath.select(path)
        defer { GEMMPath.select(previous) }
        var reproduction = try compare(run, store: store, with: spec)
        reproduction.notes = notes
        return reproduction
    }

    /// Trains `spec` and compares every stored metric and slice of `run` with what it produced.
    private static func compare(_ run: RunRecord, store: ResultStore, with spec: RunSpec) throws -> Reproduction {
        let observer = MemoryObserver(run: run.key)
        _ = try Trainer.run(spec, observer: observer)
        func key(_ p: MetricPoint) -> String { "\(p.split) \(p.name) at step \(p.step)" }
        let fresh = Dictionary(observer.points.map { (key($0), $0.value) }, uniquingKeysWith: { $1 })
        var compared = 0
        for point in try store.metrics(run: run.key) {
            compared += 1
            guard let value = fresh[key(point)] else { return Reproduction(compared: compared, firstDifference: "\(key(point)): not produced again") }
            if value.bitPattern != point.value.bitPattern && !(value.isNaN && point.value.isNaN) {
                return Reproduction(compared: compared, firstDifference: "\(key(point)): stored \(point.value), reproduced \(value)")
            }
        }
        let freshSlices = Dictionary(observer.slices.map { ("\($0.split) \($0.slice) at step \($0.step)", $0) }, uniquingKeysWith: { $1 })
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

    /// The run's stored settings; a `Problem` naming the run and the key when they cannot be read
    /// (a database written by another version, or edited by hand).
    static func spec(of run: RunRecord) throws -> RunSpec {
        do {
            return try JSONDecoder().decode(RunSpec.self, from: Data(run.config.utf8))
        } catch let error as DecodingError {
            let context: DecodingError.Context?
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
            @unknown default: context = nil
            }
            let key = context.map { $0.codingPath.map(\.stringValue).joined(separator: ".") } ?? ""
            let reason = context?.debugDescription ?? "it is not valid"
            throw Problem(message: "run \(run.key.prefix(16)) has a stored config that cannot be read\(key.isEmpty ? "" : " at \(key)"): \(reason) (was the database written by another version of ablate?)")
        }
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

    /// The most examples `ablate eval` draws in all: `--examples` times the sizes of `--length`.
    public static let maximumEvaluationExamples = 1_000_000

    /// Checks `ablate eval`'s `--length` sizes and `--examples` before anything is opened: at least one
    /// example per size, sizes from 1, and at most `maximumEvaluationExamples` in all. A `Problem`
    /// naming the option otherwise.
    public static func checkEvaluationOptions(sizes: ClosedRange<Int>, perSize: Int) throws {
        guard perSize >= 1 else { throw Problem(message: "--examples must be at least 1, got \(perSize)") }
        guard sizes.lowerBound >= 1 else {
            throw Problem(message: "--length must be a size of at least 1, got \(sizes.lowerBound)")
        }
        let (sizeCount, _) = (sizes.upperBound - sizes.lowerBound).addingReportingOverflow(1)
        let (total, overflow) = sizeCount.multipliedReportingOverflow(by: perSize)
        guard !overflow, total <= maximumEvaluationExamples else {
            throw Problem(message: "--examples \(perSize) for each of the \(sizeCount) sizes of --length \(sizes.lowerBound)...\(sizes.upperBound) is more than the \(maximumEvaluationExamples) examples ablate eval draws at most: give fewer --examples or a narrower --length")
        }
    }

    /// Evaluates the run's saved checkpoint on `perSize` test examples of each size in `sizes`.
    ///
    /// Refused with a `Problem` before anything is evaluated: the options (`checkEvaluationOptions`),
    /// sizes the task does not take, a model that does not fit the task, sequences longer than a
    /// learned positional table, and sizes whose buffers would not fit in `MemoryBudget`.
    public static func evaluate(_ run: RunRecord, store: ResultStore, sizes: ClosedRange<Int>, perSize: Int) throws -> Evaluation {
        try checkEvaluationOptions(sizes: sizes, perSize: perSize)
        let spec = try self.spec(of: run)
        let model = try finalModel(of: run, store: store)
        let task = try spec.task.setup().task
        let kind = type(of: task).kind, sizeName = type(of: task).sizeName, limits = task.sizeLimits
        guard limits.contains(sizes.lowerBound), limits.contains(sizes.upperBound) else {
            throw Problem(message: "--length \(sizes.lowerBound)...\(sizes.upperBound): task \(kind) takes \(sizeName) in \(limits.lowerBound)...\(limits.upperBound)")
        }
        try Formatting.check(task, model: model.config)
        guard let largest = sizes.reversed().first(where: { task.canGenerate(size: $0) }) else {
            throw Problem(message: "--length \(sizes.lowerBound)...\(sizes.upperBound): task \(kind) has no examples of these sizes")
        }
        let setup = try TaskSetup(task: task, trainSize: spec.task.trainSize, evaluationSize: sizes)

        // The largest size's example stands for the others in the memory estimate.
        let sample = try TaskSetup(task: task, trainSize: spec.task.trainSize, evaluationSize: largest...largest)
            .evaluationExamples(seed: spec.seed, perSize: 1)
        let sourceLength = sample.map(\.source.count).max() ?? 0
        let outputLength = sample.map { Formatting.outputTokens($0, task: task).count }.max() ?? 0
        let hint = "choose a smaller --length"
        try model.checkPositions(sourceLength: sourceLength, outputLength: outputLength, subject: "an example of \(sizeName) \(largest)", hint: hint)
        let count = Double(perSize) * Double(sizes.filter { task.canGenerate(size: $0) }.count)
        let examplesBytes = count * (256 + 8 * Double(sourceLength + outputLength))
        let batchBytes = model.workspaceBytes(batch: min(perSize, Evaluator.defaultBatchSize), sourceLength: sourceLength,
                                              targetLength: model.positionsNeeded(sourceLength: sourceLength, outputLength: outputLength))
        try MemoryBudget.check(examplesBytes + 2 * batchBytes, for: "evaluating \(Int(count)) examples of up to \(sizeName) \(largest)",
                               change: "give fewer --examples or a smaller --length")

        let examples = try setup.evaluationExamples(seed: spec.seed, perSize: perSize)
        for example in examples {
            try model.checkPositions(sourceLength: example.source.count, outputLength: Formatting.outputTokens(example, task: task).count,
                                     subject: "an example of \(example.source.count) source tokens", hint: hint)
        }
        return Evaluator.evaluate(model, task: task, examples: examples)
    }
}
