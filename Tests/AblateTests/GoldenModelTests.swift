import Foundation
import Models
import TestSupport
import XCTest

/// The golden test, as llm.c's test_gpt2.c checks its logits against a reference: `ablate predict
/// --json` on checkpoints that set every switch of both model families, against an independent NumPy
/// (float64) implementation written from docs/models.md (`Tests/reference/models.py`).
///
/// Each configuration of `GoldenConfigurations` is made twice: trained for a few steps by a real
/// `ablate run` (so ablate reads what it wrote, with weights that training moved), and with random
/// weights that the reference script writes under the documented tensor names (so ablate reads a
/// checkpoint it did not write, with weights large enough that every part moves the logits).
///
/// Agreement, per logits row z (ablate) and r (the reference):
///
///     |z_j - r_j| <= 1e-5 * max(1, max_j |r_j|)   for every j
///
/// and every output token the reference's own argmax, unless the reference's top two are within the
/// same tolerance (a near-tie that Float32 rounding may break the other way: counted, not failed).
/// The reference follows ablate's tokens (it reads ablate's token k as its input of step k + 1), so
/// such a tie cannot derail the steps after it.
///
/// The second test runs the same comparison with each deliberately wrong convention of the
/// reference (`--wrong NAME`) and requires it to disagree on every case that uses the convention and
/// on no other: the comparison can fail, and each convention is pinned by at least one case.
///
/// Needs the Python of ABLATE_TEST_PYTHON (numpy and safetensors; scripts/test prepares it);
/// skipped without it, failed without it when ABLATE_REQUIRE_PYTHON=1.
final class GoldenModelTests: XCTestCase {
    static let tolerance = 1e-5

    /// One `ablate predict` of one checkpoint.
    struct Case {
        var name: String
        var checkpoint: String
        /// The checkpoint's config as ablate reads it (every default filled in), for the coverage and
        /// the predicates.
        var config: Config
        var input: [Int32]
        var steps: Int
        var ablate: Prediction

        /// The positions of the longest stack that reads the case (see `Model.positionsNeeded`).
        var positions: Int {
            if config["arch"] == "rnn" { return input.count }
            switch config["layout"] {
            case "decoder-only": return input.count + steps
            case "encoder-only": return input.count + 1
            default: return max(input.count, steps)
            }
        }
    }

    struct Prediction: Decodable {
        var output: [Int32]
        var logits: [[Double]]
    }

    struct Fixture {
        var directory: URL
        var cases: [Case]
    }

    nonisolated(unsafe) private static var shared: Fixture?
    nonisolated(unsafe) private static var sharedFailure: Error?

    override class func tearDown() {
        if let shared { try? FileManager.default.removeItem(at: shared.directory) }
        shared = nil
        super.tearDown()
    }

    // MARK: - The tests

    func testAblateMatchesTheReferenceOnEverySwitchOfBothFamilies() throws {
        let fixture = try Self.fixture()
        try assertCoverage(fixture.cases)
        let results = try Self.reference(fixture.cases, in: fixture.directory, wrong: nil)
        var worst = (ratio: 0.0, name: ""), ties = 0
        for (item, result) in zip(fixture.cases, results) {
            let comparison = Self.compare(item.ablate, result)
            ties += comparison.ties
            if comparison.worst > worst.ratio { worst = (comparison.worst, item.name) }
            XCTAssertNil(comparison.problem, "\(item.name): \(comparison.problem ?? "")")
        }
        print("golden: \(fixture.cases.count) cases agree with the reference; worst |a - b| / max(1, max|ref row|) = "
              + "\(String(format: "%.3g", worst.ratio)) (\(worst.name)); near-ties \(ties)")
    }

    typealias Config = [String: GoldenConfigurations.Value]

    /// What each `--wrong` convention changes: the cases that must disagree with it, by their config
    /// (as ablate reads it) and, for RoPE and ALiBi, which do nothing at one position, their length.
    /// Every other case must still agree.
    static let wrongConventions: [String: @Sendable (Case) -> Bool] = [
        "gelu": { $0.config["activation"]?.description.hasPrefix("gelu") == true && $0.config["feed_forward"] == true },
        "rope": { $0.config["positional"] == "rope" && $0.positions > 1 },
        "variance": { $0.config["arch"] == "transformer" && $0.config["norm"] != "none" },
        "sinusoidal": { $0.config["positional"] == "sinusoidal" },
        "alibi": { $0.config["positional"] == "alibi" && !isPowerOfTwo($0.config["heads"]?.int ?? 0) && $0.positions > 1 },
        "timing": { ["dot", "general"].contains($0.config["attention"]) },
        "gru": { $0.config["cell"] == "gru" },
        "tied": { $0.config["tied_embeddings"] == true },
    ]

    func testEachWrongConventionIsCaught() throws {
        let fixture = try Self.fixture()
        for (convention, uses) in Self.wrongConventions.sorted(by: { $0.key < $1.key }) {
            let results = try Self.reference(fixture.cases, in: fixture.directory, wrong: convention)
            var caught = 0
            for (item, result) in zip(fixture.cases, results) {
                let disagrees = Self.compare(item.ablate, result).problem != nil
                if uses(item) {
                    XCTAssertTrue(disagrees, "--wrong \(convention) should disagree on \(item.name), which uses it")
                    caught += disagrees ? 1 : 0
                } else {
                    XCTAssertFalse(disagrees, "--wrong \(convention) should not change \(item.name), which does not use it")
                }
            }
            XCTAssertGreaterThan(caught, 0, "no case uses \(convention)")
            print("golden: --wrong \(convention) disagrees on \(caught) of \(fixture.cases.count) cases")
        }
    }

    /// Every value of every switch is set by at least one checkpoint: a new value of a setting fails
    /// here until a configuration covers it.
    private func assertCoverage(_ cases: [Case]) throws {
        var seen: [String: Set<String>] = [:]
        for item in cases {
            let arch = item.config["arch"]?.description ?? ""
            for (key, value) in item.config { seen["\(arch).\(key)", default: []].insert(value.description) }
        }
        func expect(_ key: String, _ values: [String]) {
            XCTAssertTrue(Set(values).isSubset(of: seen[key] ?? []), "\(key): \(values) not all among \(seen[key] ?? [])")
        }
        let booleans = ["true", "false"]
        expect("transformer.layout", TransformerConfig.Layout.allCases.map(\.rawValue))
        expect("transformer.positional", TransformerConfig.Positional.allCases.map(\.rawValue))
        expect("transformer.norm", TransformerConfig.Norm.allCases.map(\.rawValue))
        expect("transformer.attention_scale", TransformerConfig.AttentionScale.allCases.map(\.rawValue))
        expect("transformer.activation", TransformerConfig.Activation.allCases.map(\.rawValue))
        for key in ["causal_mask", "residual", "feed_forward", "bias", "tied_embeddings", "scale_embeddings"] {
            expect("transformer.\(key)", booleans)
        }
        expect("rnn.cell", RNNConfig.Cell.allCases.map(\.rawValue))
        expect("rnn.attention", RNNConfig.Attention.allCases.map(\.rawValue))
        expect("rnn.bidirectional", booleans)
        expect("rnn.layers", ["1", "2"])
        // An odd d_model with sinusoids, and ALiBi with a head count that is not a power of two.
        XCTAssertTrue(cases.contains { $0.config["positional"] == "sinusoidal" && ($0.config["d_model"]?.int ?? 0) % 2 == 1 })
        XCTAssertTrue(cases.contains { $0.config["positional"] == "alibi" && !Self.isPowerOfTwo($0.config["heads"]?.int ?? 0) })
    }

    // MARK: - The comparison

    /// The largest row ratio, the first disagreement (nil when they agree), and the near-ties.
    static func compare(_ ablate: Prediction, _ reference: Prediction) -> (worst: Double, problem: String?, ties: Int) {
        guard ablate.logits.count == reference.logits.count, ablate.output.count == reference.output.count else {
            return (.infinity, "ablate gave \(ablate.logits.count) logits rows, the reference \(reference.logits.count)", 0)
        }
        var worst = 0.0, ties = 0
        var problem: String?
        for (step, (row, expected)) in zip(ablate.logits, reference.logits).enumerated() {
            guard row.count == expected.count else {
                return (.infinity, "step \(step): \(row.count) logits, the reference \(expected.count)", ties)
            }
            let scale = max(1, expected.map(abs).max() ?? 0)
            let error = zip(row, expected).map { abs($0 - $1) }.max() ?? 0
            let ratio = error / scale, allowed = tolerance * scale
            worst = max(worst, ratio)
            if !(ratio <= tolerance), problem == nil {  // (a NaN fails too)
                problem = "step \(step): logits differ by \(error) (\(ratio) of max(1, max |ref|)), ablate \(row), reference \(expected)"
            }
            let token = Int(ablate.output[step]), own = Int(reference.output[step])
            if token != own {
                if expected[own] - expected[token] <= allowed {
                    ties += 1
                } else if problem == nil {
                    problem = "step \(step): ablate chose \(token), the reference \(own) (its logits \(expected))"
                }
            }
        }
        return (worst, problem, ties)
    }

    // MARK: - The reference

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reference/models.py")

    /// The reference's logits and own argmax for every case, in one process, following ablate's tokens.
    static func reference(_ cases: [Case], in directory: URL, wrong: String?) throws -> [Prediction] {
        let manifest: [String: Any] = ["cases": cases.map { item -> [String: Any] in
            ["checkpoint": item.checkpoint, "input": item.input.map(Int.init), "steps": item.steps, "follow": item.ablate.output.map(Int.init)]
        }]
        let file = directory.appendingPathComponent("manifest-\(wrong ?? "right").json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: file)
        let output = try runPython(["evaluate", file.path] + (wrong.map { ["--wrong", $0] } ?? []))
        struct Results: Decodable { var cases: [Prediction] }
        let results = try JSONDecoder().decode(Results.self, from: output).cases
        guard results.count == cases.count else { throw GoldenFailure(message: "the reference answered \(results.count) of \(cases.count) cases") }
        return results
    }

    static func python() throws -> String { try TestPython.interpreter(unchecked: "the golden test (the reference is in Python)") }

    struct GoldenFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs the reference script with `arguments` and returns what it printed; a non-zero exit throws.
    static func runPython(_ arguments: [String]) throws -> Data {
        try TestPython.output(try python(), script, arguments, scratch: FileManager.default.temporaryDirectory)
    }

    // MARK: - The fixture: checkpoints made both ways, and ablate's predictions

    static func fixture() throws -> Fixture {
        if let shared { return shared }
        if let sharedFailure { throw sharedFailure }
        do {
            _ = try python()  // skip (or fail) before anything is built
            let directory = try RunCommandTests.Experiment.temporaryDirectory("golden")
            let start = Date(), random: [Checkpoint], trained: [Checkpoint], ran: Date, fixture: Fixture
            do {
                random = try randomCheckpoints(in: directory)
                trained = try trainedCheckpoints(in: directory)
                ran = Date()
                fixture = Fixture(directory: directory, cases: try predictions(random + trained))
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
            print("golden: \(random.count) random and \(trained.count) trained checkpoints in \(seconds(start, ran)), "
                  + "\(fixture.cases.count) predictions in \(seconds(ran, Date()))")
            shared = fixture
            return fixture
        } catch let skip as XCTSkip {
            throw skip
        } catch {
            sharedFailure = error
            throw error
        }
    }

    /// A checkpoint, what it is called in messages, and what its input depends on.
    private struct Checkpoint {
        var name: String
        var path: String
        var vocabulary: Int
        var isClassifier: Bool
        /// Its configuration's index in `GoldenConfigurations.all`.
        var index: Int
        var trained: Bool
    }

    /// The random checkpoints, written by the reference script in one process (seed = the index).
    private static func randomCheckpoints(in directory: URL) throws -> [Checkpoint] {
        let folder = directory.appendingPathComponent("random")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var entries: [[String: Any]] = []
        var checkpoints: [Checkpoint] = []
        for (index, configuration) in GoldenConfigurations.all.enumerated() {
            let path = folder.appendingPathComponent("\(configuration.name).safetensors").path
            let config = try JSONSerialization.jsonObject(with: JSONEncoder().encode(GoldenConfigurations.randomConfig(configuration)))
            entries.append(["path": path, "config": config, "seed": index + 1])
            checkpoints.append(Checkpoint(name: "random \(configuration.name)", path: path, vocabulary: GoldenConfigurations.randomVocabulary,
                                          isClassifier: configuration.isClassifier, index: index, trained: false))
        }
        let spec = directory.appendingPathComponent("random.json")
        try JSONSerialization.data(withJSONObject: ["checkpoints": entries]).write(to: spec)
        _ = try runPython(["write-random", spec.path])
        return checkpoints
    }

    /// The trained checkpoints: two tiny experiments (sequences, and classes for encoder-only), one
    /// run per configuration, both files run at once with one worker each.
    private static func trainedCheckpoints(in directory: URL) throws -> [Checkpoint] {
        let generative = GoldenConfigurations.all.filter { !$0.isClassifier }
        let classifiers = GoldenConfigurations.all.filter(\.isClassifier)
        let experiments = [
            ("golden-sequences", GoldenConfigurations.sequenceTask, generative, GoldenConfigurations.sequenceVocabulary),
            ("golden-classes", GoldenConfigurations.classificationTask, classifiers, GoldenConfigurations.classificationVocabulary),
        ]
        let runs = try parallel(experiments) { name, task, configurations, _ -> AblateBinary.Result in
            let file = try RunCommandTests.Experiment.write(GoldenConfigurations.experiment(name: name, task: task, configurations),
                                                            named: "\(name).toml", in: directory)
            let database = directory.appendingPathComponent("\(name).sqlite").path
            return try AblateBinary.run(["run", file, "--database", database, "--workers", "1"], currentDirectory: directory)
        }
        var checkpoints: [Checkpoint] = []
        for ((name, _, configurations, vocabulary), run) in zip(experiments, runs) {
            guard run.status == 0 else { throw GoldenFailure(message: "ablate run \(name).toml failed: \(run.standardError)\(run.standardOutput)") }
            let database = directory.appendingPathComponent("\(name).sqlite").path
            let rows = try RunCommandTests.SQLite.rows(database, """
                SELECT r.variant, a.path FROM artifacts a JOIN runs r ON r.key = a.run WHERE a.kind = 'checkpoint'
                """)
            // A stored path is relative to the folder ablate ran in when it lies inside it (docs/store.md).
            let paths = Dictionary(uniqueKeysWithValues: rows.map { row in
                (row["variant"]!.text, URL(fileURLWithPath: row["path"]!.text, relativeTo: directory).path)
            })
            for configuration in configurations {
                let variant = configuration.name == configurations[0].name ? "baseline" : configuration.name
                guard let path = paths[variant] else { throw GoldenFailure(message: "\(name): no checkpoint for \(variant) in \(paths)") }
                let index = GoldenConfigurations.all.firstIndex { $0.name == configuration.name }!
                checkpoints.append(Checkpoint(name: "trained \(configuration.name)", path: path, vocabulary: vocabulary,
                                              isClassifier: configuration.isClassifier, index: index, trained: true))
            }
        }
        return checkpoints
    }

    /// One input per checkpoint, so each configuration decodes two: a random checkpoint's, of length 1
    /// to 7 with as many steps (the default) or two more, and a trained checkpoint's, of length 3 to
    /// 5 with one step fewer. (Each `ablate predict` costs about half a second of start-up in a debug
    /// build, most of it checking OpenBLAS: a third input each would cost 15 more seconds.)
    private static func input(_ checkpoint: Checkpoint) -> (tokens: [Int32], steps: Int?) {
        let i = checkpoint.index
        let length = checkpoint.trained ? 3 + i % 3 : 1 + i % 7
        let tokens = (0..<length).map { Int32(1 + (7 * i + 3 * $0) % (checkpoint.vocabulary - 1)) }
        if checkpoint.isClassifier { return (tokens, nil) }
        if checkpoint.trained { return (tokens, length - 1) }
        return (tokens, i % 2 == 0 ? nil : length + 2)
    }

    /// Runs `ablate predict --json` for every input of every checkpoint, two at a time (each process
    /// spends most of its time starting: loading and checking OpenBLAS).
    private static func predictions(_ checkpoints: [Checkpoint]) throws -> [Case] {
        let jobs = checkpoints.map { checkpoint in (checkpoint, input(checkpoint).tokens, input(checkpoint).steps) }
        let results = try parallel(jobs) { checkpoint, tokens, steps -> AblateBinary.Result in
            try AblateBinary.run(["predict", checkpoint.path, "--input", tokens.map(String.init).joined(separator: " "), "--json"]
                                 + (steps.map { ["--steps", String($0)] } ?? []))
        }
        return try zip(jobs, results).map { job, result in
            let (checkpoint, tokens, steps) = job
            let name = "\(checkpoint.name) on [\(tokens.map(String.init).joined(separator: " "))]"
            guard result.status == 0 else { throw GoldenFailure(message: "ablate predict, \(name): exit \(result.status): \(result.standardError)") }
            let metadata = try Models.Checkpoint.metadata(at: URL(fileURLWithPath: checkpoint.path))
            // The config as ablate reads it: every default filled in, an old "gelu" renamed.
            let config = try JSONDecoder().decode(Config.self, from: Data(try ModelConfig.fromJSON(metadata["config"] ?? "").json().utf8))
            // A non-finite logit is printed as a string; it then fails the comparison.
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            let prediction = try decoder.decode(Prediction.self, from: Data(result.standardOutput.utf8))
            return Case(name: name, checkpoint: checkpoint.path, config: config, input: tokens,
                        steps: checkpoint.isClassifier ? 1 : steps ?? tokens.count, ablate: prediction)
        }
    }

    /// `body` on every item, two at a time, results in order; the first error thrown is rethrown.
    private static func parallel<Item: Sendable, Output>(_ items: [Item], _ body: @Sendable (Item) throws -> Output) throws -> [Output] {
        let results = ParallelResults<Output>()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while let index = results.claim(below: items.count) {
                results.store(Result { try body(items[index]) }, at: index)
            }
        }
        return try (0..<items.count).map { try results.value(at: $0).get() }
    }

    private static func seconds(_ start: Date, _ end: Date) -> String { String(format: "%.1f s", end.timeIntervalSince(start)) }

    static func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
}

/// The results of `parallel`'s workers: the next index to take, and each index's result.
private final class ParallelResults<Output>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Result<Output, Error>] = [:]
    private var next = 0

    func claim(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: Result<Output, Error>, at index: Int) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func value(at index: Int) -> Result<Output, Error> {
        lock.lock()
        defer { lock.unlock() }
        return values[index]!
    }
}
