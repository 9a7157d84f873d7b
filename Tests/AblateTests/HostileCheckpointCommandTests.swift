import Foundation
import Models
import TestSupport
import XCTest

/// End-to-end: `ablate predict` and `ablate eval` on checkpoints and options that once trapped, hung
/// or allocated without bound. Each must end, within a time limit, with exit 2 and one line on
/// standard error starting "error: " that says what to change; never a signal.
final class HostileCheckpointCommandTests: FolderTestCase {
    override class var folderLabel: String { "hostile-checkpoints" }

    // MARK: - Running with a time limit

    struct Outcome {
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var standardOutput: String
        var standardError: String
    }

    /// The longest any one case may take before it counts as a hang.
    static let timeLimit: TimeInterval = 20

    /// Runs `ablate arguments...`, killing it (and failing) if it outlives `timeLimit`.
    func ablate(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = AblateBinary.url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let outputURL = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let errorURL = directory.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let output = try FileHandle(forWritingTo: outputURL), error = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + Self.timeLimit) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        try output.close()
        try error.close()
        return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                       timedOut: timedOut,
                       standardOutput: String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self),
                       standardError: String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self))
    }

    /// Asserts a clean refusal: exit 2, no signal, no hang, one line "error: ..." holding `words`.
    func assertRefused(_ arguments: [String], saying words: [String], usage: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let outcome = try ablate(arguments)
        assertCleanError(outcome, arguments.joined(separator: " "), usage: usage, file: file, line: line)
        for word in words {
            XCTAssertTrue(outcome.standardError.contains(word), "\(arguments): \(outcome.standardError) lacks \(word)", file: file, line: line)
        }
    }

    /// Exit 2, one "error:" line (and for a usage error, the subcommand's usage after it), no trap, no hang.
    func assertCleanError(_ outcome: Outcome, _ what: String, usage: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(outcome.timedOut, "\(what): still running after \(Self.timeLimit) s", file: file, line: line)
        XCTAssertFalse(outcome.signalled, "\(what): killed by signal \(outcome.status): \(outcome.standardError)", file: file, line: line)
        XCTAssertEqual(outcome.status, 2, "\(what): \(outcome.standardError)", file: file, line: line)
        XCTAssertTrue(outcome.standardError.hasPrefix("error: "), "\(what): \(outcome.standardError)", file: file, line: line)
        let lines = outcome.standardError.split(separator: "\n")
        if usage {
            XCTAssertEqual(lines.filter { $0.hasPrefix("error: ") }.count, 1, "\(what): \(outcome.standardError)", file: file, line: line)
            XCTAssertTrue(lines.contains { $0.hasPrefix("Usage: ablate ") }, "\(what): \(outcome.standardError)", file: file, line: line)
        } else {
            XCTAssertEqual(lines.count, 1, "\(what): \(outcome.standardError)", file: file, line: line)
        }
        XCTAssertFalse(outcome.standardError.contains("DecodingError"), "\(what): \(outcome.standardError)", file: file, line: line)
    }

    // MARK: - Checkpoints

    private func tinyConfig() -> TransformerConfig {
        var config = TransformerConfig()
        config.vocabulary = 7
        config.modelSize = 8
        config.heads = 2
        config.encoderLayers = 1
        config.decoderLayers = 1
        config.feedForwardSize = 8
        config.positional = .learned
        config.maxLength = 8
        return config
    }

    /// Saves a model of `config` whose metadata holds `configText` (its own config by default).
    private func checkpoint(_ config: TransformerConfig, configText: String? = nil, name: String = "model") throws -> String {
        let model = try Model.build(.transformer(config), seed: 5)
        let url = directory.appendingPathComponent("\(name).safetensors")
        try Checkpoint.save(model.parameters, metadata: ["format": Model.checkpointFormat, "config": configText ?? model.config.json()], to: url)
        return url.path
    }

    /// The tiny model's config JSON with `change` applied.
    private func configText(_ change: (inout [String: Any]) -> Void) throws -> String {
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ModelConfig.transformer(tinyConfig()).json().utf8)) as? [String: Any])
        change(&object)
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    // MARK: - predict

    func testAModelSizeOf2To40IsRefusedInsteadOfHanging() throws {
        let path = try checkpoint(tinyConfig(), configText: try configText { $0["d_model"] = 1 << 40 })
        try assertRefused(["predict", path, "--input", "1 2"], saying: ["model.d_model", "1...16384", "1099511627776", path])
    }

    func testHugeStepsAreRefusedBeforeAnyAllocation() throws {
        let path = try checkpoint(tinyConfig())
        try assertRefused(["predict", path, "--input", "1 2", "--steps", "100000000000"], saying: ["--steps", "1...65536", "100000000000"])
        try assertRefused(["predict", path, "--input", "1 2", "--steps", "0"], saying: ["--steps"])
        try assertRefused(["predict", path, "--input", "1 2", "--steps=-5"], saying: ["--steps"])
        // Within the bound but past the learned table: the positions message, naming what to change.
        try assertRefused(["predict", path, "--input", "1 2", "--steps", "9"],
                          saying: ["learned 8 positions", "needs 9", "--steps"])
    }

    func testDecodingThatCannotFitInMemoryIsRefusedUpFront() throws {
        // Without the causal mask the decoder reruns the whole sequence each step: 65,536 steps take
        // (B+3) H T^2 floats of attention per layer, about a terabyte.
        var config = tinyConfig()
        config.layout = .decoderOnly
        config.positional = .sinusoidal
        config.causalMask = false
        config.modelSize = 16
        config.heads = 16
        let path = try checkpoint(config)
        try assertRefused(["predict", path, "--input", "1 2", "--steps", "65536"],
                          saying: ["needs about", "TB of memory", "half of this machine's memory", "--steps"])
    }

    func testAnUnknownLayoutNamesTheKeyTheValueAndTheChoices() throws {
        let path = try checkpoint(tinyConfig(), configText: try configText { $0["layout"] = "sideways" })
        try assertRefused(["predict", path, "--input", "1 2"],
                          saying: ["model.layout", "\"sideways\"", "\"encoder-decoder\", \"decoder-only\", \"encoder-only\""])
    }

    func testAConfigClaimingAHugeVocabularyIsRefusedByItsTensors() throws {
        let path = try checkpoint(tinyConfig(), configText: try configText { $0["vocabulary"] = 1_000_000; $0["d_model"] = 16_384; $0["heads"] = 16 })
        try assertRefused(["predict", path, "--input", "1 2"], saying: ["[1000000, 16384]", "another configuration"])
    }

    func testAPipeIsRefusedInsteadOfWaitedOn() throws {
        let fifo = directory.appendingPathComponent("pipe.safetensors").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try assertRefused(["predict", fifo, "--input", "1 2"], saying: ["not a regular file"])
    }

    /// Damaged checkpoints through the real binary, for a bounded time: every case ends with exit 0
    /// (the damage left a valid file) or a clean error, never a signal or a hang.
    func testDamagedCheckpointsThroughTheBinaryEndCleanly() throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try checkpoint(tinyConfig(), name: "original"))))
        var mutations = CheckpointMutations(original: original, seed: 1515)
        let url = directory.appendingPathComponent("damaged.safetensors")
        let deadline = Date().addingTimeInterval(40)
        var index = 0, refused = 0
        while index < 260 && (index < CheckpointMutations.kinds.count || Date() < deadline) {
            let damaged = mutations.next(index)
            try Data(damaged.bytes).write(to: url)
            let outcome = try ablate(["predict", url.path, "--input", "1 2 3", "--steps", "4"])
            if outcome.status == 0 && !outcome.signalled && !outcome.timedOut {
                XCTAssertEqual(outcome.standardOutput.split(separator: " ").count, 4, "\(damaged.what): \(outcome.standardOutput)")
            } else {
                assertCleanError(outcome, damaged.what)
                refused += 1
            }
            index += 1
        }
        XCTAssertGreaterThanOrEqual(index, CheckpointMutations.kinds.count, "every kind of damage ran once")
        XCTAssertGreaterThan(refused, index / 2, "most damaged files are refused: \(refused) of \(index)")
    }

    // MARK: - eval

    private static let learnedExperiment = TinyExperiment.file(
        name: "learned", question: "Does a tiny model with 8 learned positions evaluate past them?", seeds: [1],
        modelLines: ["positional = \"learned\"", "max_length = 8"],
        trainLines: ["steps = 5", "batch = 8", "eval_every = 5", "validation_examples = 8", "test_examples_per_size = 2"])

    /// Trains the experiment with 8 learned positions; returns its database and run key.
    private func trainedRun() throws -> (database: String, key: String) {
        let file = try RunCommandTests.Experiment.write(Self.learnedExperiment, named: "learned.toml", in: directory)
        let database = directory.appendingPathComponent("learned.sqlite").path
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        let key = try XCTUnwrap(try RunCommandTests.SQLite.rows(database, "SELECT key FROM runs").first?["key"]?.text)
        return (database, key)
    }

    func testEvalPastTheLearnedPositionsIsAMessageNotATrap() throws {
        let (database, key) = try trainedRun()
        try assertRefused(["eval", key, "--database", database, "--length", "20"],
                          saying: ["learned 8 positions (model.max_length)", "needs 20", "choose a smaller --length"])
        try assertRefused(["eval", key, "--database", database, "--length", "3...9"], saying: ["learned 8 positions", "needs 9"])
        // Sizes the task does not take name the option and the task's range.
        try assertRefused(["eval", key, "--database", database, "--length", "5000"], saying: ["--length 5000...5000", "reverse takes length in"])
        // And within the table it evaluates.
        let fine = try ablate(["eval", key, "--database", database, "--length", "3...8", "--examples", "2"])
        XCTAssertEqual(fine.status, 0, fine.standardError)
        XCTAssertTrue(fine.standardOutput.contains("length=8"), fine.standardOutput)
    }

    func testEvalRefusesZeroNegativeAndHugeExampleCounts() throws {
        let (database, key) = try trainedRun()
        for count in ["0", "-3"] {
            let outcome = try ablate(["eval", key, "--database", database, "--length", "4", "--examples=\(count)"])
            assertCleanError(outcome, "--examples \(count)", usage: true)
            XCTAssertTrue(outcome.standardError.contains("--examples must be at least 1, got \(count)"), outcome.standardError)
            XCTAssertEqual(outcome.standardOutput, "", "nothing evaluated")
        }
        try assertRefused(["eval", key, "--database", database, "--length", "1...4096", "--examples", "1000"],
                          saying: ["--examples 1000", "4096 sizes", "at most", "fewer --examples"], usage: true)
        // The options are checked before the run is looked up.
        try assertRefused(["eval", "ffffffff", "--database", database, "--length", "4", "--examples", "0"], saying: ["--examples"], usage: true)
    }
}
