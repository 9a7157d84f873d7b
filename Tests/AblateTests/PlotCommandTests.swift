import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Models
import TestSupport
import XCTest

/// End-to-end: `ablate plot attention` on tiny trained runs (an encoder-decoder and a decoder-only
/// Transformer, and the RNN) and `ablate plot positional`, through the real binary, with the figures
/// read back: the exact file set, PNG signatures, SVGs that parse as XML, and the numbers of each
/// gnuplot script's data block checked against what they must be.
///
/// The binary runs in a fresh temporary folder (`env -C`), so the default `plots/...` folders are
/// created there and never in the package.
final class PlotCommandTests: XCTestCase {
    // MARK: - Fixture: one tiny experiment trained once, shared by the tests

    struct Fixture {
        var directory: URL
        var database: String
        /// Run keys by variant: "baseline" (encoder-decoder, sinusoidal), "decoder-only", "learned" (positions), "rnn".
        var keys: [String: String]
    }

    nonisolated(unsafe) private static var shared: Fixture?
    nonisolated(unsafe) private static var sharedFailure: Error?

    /// A name with a slash, `..`, quotes and a space: folders made from it must stay safe.
    static let experimentName = #"odd/../name "q""#
    /// Its file stem (the name made safe, then `~` and 16 hex digits of its SHA-256).
    static let safeExperimentName = "odd_.._name__q_~b1c4caf2cfe66f41"

    static let experiment = TinyExperiment.file(
        name: #"odd/../name \"q\""#, question: "What do tiny models attend to?", seeds: [1],
        trainLines: ["steps = 10", "batch = 8", "eval_every = 5", "validation_examples = 16", "test_examples_per_size = 4"],
        rest: """
            [[variant]]
            name = "decoder-only"
            model.layout = "decoder-only"

            [[variant]]
            name = "learned"
            model.positional = "learned"
            model.max_length = 12

            [[variant]]
            name = "rnn"
            model = { arch = "rnn", cell = "gru", attention = "additive", embedding = 8, hidden = 8, attention_size = 8 }

            """)

    static func fixture() throws -> Fixture {
        if let shared { return shared }
        if let sharedFailure { throw sharedFailure }
        do {
            let directory = try RunCommandTests.Experiment.temporaryDirectory("plot-shared")
            let file = try RunCommandTests.Experiment.write(experiment, named: "plots.toml", in: directory)
            let database = directory.appendingPathComponent("plots.sqlite").path
            let result = try AblateBinary.run(["run", file, "--database", database, "--workers", "1"])
            guard result.status == 0 else {
                throw RunCommandTests.Shell.Failure(description: "ablate run failed: \(result.standardOutput)\(result.standardError)")
            }
            var keys: [String: String] = [:]
            for row in try RunCommandTests.SQLite.rows(database, "SELECT variant, key, status FROM runs") {
                guard row["status"]?.text == "done", let variant = row["variant"]?.text, let key = row["key"]?.text else {
                    throw RunCommandTests.Shell.Failure(description: "a run did not finish: \(row)")
                }
                keys[variant] = key
            }
            let fixture = Fixture(directory: directory, database: database, keys: keys)
            shared = fixture
            return fixture
        } catch {
            sharedFailure = error
            throw error
        }
    }

    override class func tearDown() {
        if let shared { try? FileManager.default.removeItem(at: shared.directory) }
        shared = nil
        super.tearDown()
    }

    /// The folder the binary runs in for one test.
    private var workingDirectory: URL!

    override func setUpWithError() throws {
        workingDirectory = try RunCommandTests.Experiment.temporaryDirectory("plot")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workingDirectory)
    }

    // MARK: - Helpers

    /// Runs `ablate arguments...` in the test's working directory.
    private func ablate(_ arguments: [String], environment changes: [String: String?] = [:]) throws -> AblateBinary.Result {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        return try AblateBinary.execute(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["-C", workingDirectory.path, AblateBinary.url.path] + arguments, environment: environment)
    }

    /// Every file under `directory`, as paths relative to it, sorted.
    private func files(under directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var found: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// What a heatmap script holds: the inline matrix and the tick labels.
    struct Script {
        var rows: [[Double]]
        var xTicks: [String]
        var yTicks: [String]
        var text: String

        init(_ url: URL) throws {
            text = try String(contentsOf: url, encoding: .utf8)
            let lines = text.components(separatedBy: "\n")
            guard let start = lines.firstIndex(of: "$matrix << EOD"),
                  let end = lines[start...].firstIndex(of: "EOD") else {
                throw RunCommandTests.Shell.Failure(description: "\(url.path) has no $matrix data block")
            }
            rows = lines[(start + 1)..<end].map { line in
                line.split(separator: " ").map { Double($0) ?? .nan }
            }
            func ticks(_ axis: String) -> [String] {
                guard let line = lines.first(where: { $0.hasPrefix("set \(axis)tics (") }) else { return [] }
                // 'label' position, ... (labels here never hold a quote)
                let list = line.dropFirst("set \(axis)tics (".count).prefix { $0 != ")" }
                return list.components(separatedBy: ", ").map { entry in
                    let parts = entry.split(separator: "'", omittingEmptySubsequences: false)
                    return parts.count >= 2 ? String(parts[1]) : "?"
                }
            }
            xTicks = ticks("x")
            yTicks = ticks("y")
        }
    }

    /// Checks the three files of each stem in `directory`: a script, a PNG and an SVG.
    private func checkRendered(_ stems: [String], in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = stems.flatMap { ["\($0).gp", "\($0).png", "\($0).svg"] }.sorted()
        XCTAssertEqual(files(under: directory), expected, "the figures in \(directory.path)", file: file, line: line)
        for stem in stems {
            let png = try Data(contentsOf: directory.appendingPathComponent("\(stem).png"))
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(stem).png signature", file: file, line: line)
            XCTAssertGreaterThan(png.count, 2_000, "\(stem).png is too small to hold a figure", file: file, line: line)
            let svg = try Data(contentsOf: directory.appendingPathComponent("\(stem).svg"))
            let document = try XMLDocument(data: svg, options: [])
            XCTAssertEqual(document.rootElement()?.name, "svg", "\(stem).svg", file: file, line: line)
            let script = try String(contentsOf: directory.appendingPathComponent("\(stem).gp"), encoding: .utf8)
            XCTAssertTrue(script.contains("set output ablate_dir.'\(stem).png'"), "\(stem).gp writes its PNG beside it", file: file, line: line)
            XCTAssertFalse(script.contains(directory.path), "\(stem).gp names no path of this machine", file: file, line: line)
        }
    }

    /// Each row a softmax: weights in 0...1 summing to 1.
    private func checkRowsAreDistributions(_ rows: [[Double]], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(rows.isEmpty, name, file: file, line: line)
        for (index, row) in rows.enumerated() {
            XCTAssertTrue(row.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name) row \(index): \(row)", file: file, line: line)
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5, "\(name) row \(index) sums to \(row.reduce(0, +))", file: file, line: line)
        }
    }

    /// The lines "  source: ..." and "  target: ..." the command prints, as tokens.
    private func printedExample(_ output: String) -> (source: [String], target: [String]) {
        func tokens(_ label: String) -> [String] {
            guard let line = output.components(separatedBy: "\n").first(where: { $0.hasPrefix("  \(label): ") }) else { return [] }
            return line.dropFirst("  \(label): ".count).split(separator: " ").map(String.init)
        }
        return (tokens("source"), tokens("target"))
    }

    // MARK: - Attention

    func testAttentionOfAnEncoderDecoderTransformerHasEveryLayerAndHeadWithItsTokens() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["baseline"])
        let result = try ablate(["plot", "attention", String(key.prefix(8)), "--database", fixture.database, "--example", "3"])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        XCTAssertEqual(result.standardError, "")

        // The default folder, under a safe version of the experiment's name.
        let directory = workingDirectory.appendingPathComponent("plots/\(Self.safeExperimentName)/attention-\(key.prefix(16))-example-3")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workingDirectory.appendingPathComponent("plots").path), [Self.safeExperimentName])
        let stems = ["encoder-self", "decoder-masked-self", "decoder-cross"].flatMap { kind in
            (1...2).map { "\(kind)-layer-1-head-\($0)" }
        }
        try checkRendered(stems, in: directory)
        XCTAssertEqual(result.standardOutput.components(separatedBy: "\n").filter { $0.hasPrefix("wrote ") }.count, 18, result.standardOutput)
        // The figures are recorded as the run's artifacts, with their digests.
        let artifacts = try RunCommandTests.SQLite.rows(fixture.database, """
            SELECT path, kind, sha256 FROM artifacts WHERE run = '\(key)' AND kind != 'checkpoint' AND path LIKE '%attention-%-example-3/%'
            """)
        XCTAssertEqual(artifacts.count, 18, "\(artifacts)")
        XCTAssertEqual(artifacts.filter { $0["kind"]?.text == "figure-script" }.count, 6)
        let recordedPNG = try XCTUnwrap(artifacts.first { $0["path"]?.text.hasSuffix("encoder-self-layer-1-head-1.png") == true })
        XCTAssertEqual(recordedPNG["sha256"]?.text, try FileDigest.sha256(directory.appendingPathComponent("encoder-self-layer-1-head-1.png").path))

        // The example: reverse at the largest training length (4) over the symbols a...d.
        let (source, target) = printedExample(result.standardOutput)
        XCTAssertEqual(source.count, 4, result.standardOutput)
        XCTAssertTrue(source.allSatisfy { ["a", "b", "c", "d"].contains($0) }, "\(source)")
        XCTAssertEqual(target, source.reversed())
        let decoderInput = ["<s>"] + target.dropLast()

        for head in 1...2 {
            let encoder = try Script(directory.appendingPathComponent("encoder-self-layer-1-head-\(head).gp"))
            XCTAssertEqual(encoder.rows.count, 4)
            XCTAssertTrue(encoder.rows.allSatisfy { $0.count == 4 })
            checkRowsAreDistributions(encoder.rows, "encoder self head \(head)")
            XCTAssertEqual(encoder.xTicks, source)
            XCTAssertEqual(encoder.yTicks, source)
            XCTAssertTrue(encoder.text.contains("set title 'encoder self, layer 1, head \(head) (baseline seed 1, example 3)'"), encoder.text)
            XCTAssertTrue(encoder.text.contains("set cbrange [0:1]"))

            let masked = try Script(directory.appendingPathComponent("decoder-masked-self-layer-1-head-\(head).gp"))
            XCTAssertEqual(masked.rows.count, 4)
            checkRowsAreDistributions(masked.rows, "decoder masked self head \(head)")
            for (query, row) in masked.rows.enumerated() {
                XCTAssertEqual(row.count, 4)
                for (key, weight) in row.enumerated() where key > query {
                    XCTAssertEqual(weight, 0, "decoder masked self head \(head): query \(query) sees the later key \(key)")
                }
            }
            XCTAssertEqual(masked.rows[0][0], 1, accuracy: 1e-6, "the first position can only attend to itself")
            XCTAssertEqual(masked.xTicks, decoderInput)
            XCTAssertEqual(masked.yTicks, decoderInput)

            let cross = try Script(directory.appendingPathComponent("decoder-cross-layer-1-head-\(head).gp"))
            XCTAssertEqual(cross.rows.count, 4)
            XCTAssertTrue(cross.rows.allSatisfy { $0.count == 4 })
            checkRowsAreDistributions(cross.rows, "decoder cross head \(head)")
            XCTAssertEqual(cross.xTicks, source)
            XCTAssertEqual(cross.yTicks, target)
        }

        // Deterministic: the same example again gives the same scripts; another example is another folder.
        let before = try String(contentsOf: directory.appendingPathComponent("decoder-cross-layer-1-head-1.gp"), encoding: .utf8)
        let again = try ablate(["plot", "attention", String(key.prefix(8)), "--database", fixture.database, "--example", "3"])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("decoder-cross-layer-1-head-1.gp"), encoding: .utf8), before)
        XCTAssertEqual(again.standardOutput, result.standardOutput)

        // The script re-renders the figure on its own.
        let png = directory.appendingPathComponent("decoder-cross-layer-1-head-1.png")
        try FileManager.default.removeItem(at: png)
        _ = try RunCommandTests.Shell.run("/usr/bin/env", ["gnuplot", directory.appendingPathComponent("decoder-cross-layer-1-head-1.gp").path])
        XCTAssertTrue(FileManager.default.fileExists(atPath: png.path))
    }

    func testAttentionOfADecoderOnlyTransformerIsMaskedSelfAttentionOverTheWholeSequence() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["decoder-only"])
        let output = workingDirectory.appendingPathComponent("figures")
        let result = try ablate(["plot", "attention", String(key.prefix(8)), "--database", fixture.database,
                                 "--example", "2", "--length", "3", "--output", output.path])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        try checkRendered(["decoder-masked-self-layer-1-head-1", "decoder-masked-self-layer-1-head-2"], in: output)

        let (source, target) = printedExample(result.standardOutput)
        XCTAssertEqual(source.count, 3, result.standardOutput)
        XCTAssertEqual(target, source.reversed())
        // source, the separator, then the target without its last token: 3 + 1 + 2 positions
        let sequence = source + ["<s>"] + target.dropLast()
        for head in 1...2 {
            let script = try Script(output.appendingPathComponent("decoder-masked-self-layer-1-head-\(head).gp"))
            XCTAssertEqual(script.rows.count, 6)
            checkRowsAreDistributions(script.rows, "decoder-only head \(head)")
            for (query, row) in script.rows.enumerated() {
                XCTAssertEqual(row.count, 6)
                XCTAssertTrue(row.enumerated().allSatisfy { $0.offset <= query || $0.element == 0 }, "row \(query): \(row)")
            }
            XCTAssertEqual(script.xTicks, sequence)
            XCTAssertEqual(script.yTicks, sequence)
        }
    }

    func testTheRNNGivesOneAlignmentOfTargetStepsOverTheSource() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["rnn"])
        let output = workingDirectory.appendingPathComponent("rnn")
        let result = try ablate(["plot", "attention", key, "--database", fixture.database, "--length", "5", "--output", output.path])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        XCTAssertTrue(result.standardOutput.contains("test example 1, length 5"), result.standardOutput)
        try checkRendered(["alignment"], in: output)

        let (source, target) = printedExample(result.standardOutput)
        XCTAssertEqual(source.count, 5)
        XCTAssertEqual(target, source.reversed())
        let script = try Script(output.appendingPathComponent("alignment.gp"))
        XCTAssertEqual(script.rows.count, 5)
        XCTAssertTrue(script.rows.allSatisfy { $0.count == 5 })
        checkRowsAreDistributions(script.rows, "alignment")
        XCTAssertEqual(script.xTicks, source)
        XCTAssertEqual(script.yTicks, target)
        XCTAssertTrue(script.text.contains("set title 'alignment (rnn seed 1, example 1)'"), script.text)
    }

    // MARK: - Positional encodings

    func testSinusoidalEncodingAndSimilarityMatchTheFormula() throws {
        let result = try ablate(["plot", "positional", "--kind", "sinusoidal", "--length", "16", "--d-model", "8"])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        let directory = workingDirectory.appendingPathComponent("plots/positional-sinusoidal")
        try checkRendered(["encoding", "similarity"], in: directory)

        // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)); rows are positions.
        let d = 8, length = 16
        let expected: [[Double]] = (0..<length).map { pos in
            (0..<d).map { dimension in
                let i = dimension / 2
                let angle = Double(pos) / pow(10_000, Double(2 * i) / Double(d))
                return dimension % 2 == 0 ? sin(angle) : cos(angle)
            }
        }
        let encoding = try Script(directory.appendingPathComponent("encoding.gp"))
        XCTAssertEqual(encoding.rows.count, length)
        for (pos, row) in encoding.rows.enumerated() {
            XCTAssertEqual(row.count, d)
            for (dimension, value) in row.enumerated() {
                XCTAssertEqual(value, expected[pos][dimension], accuracy: 1e-6, "PE(\(pos), \(dimension))")
            }
        }
        XCTAssertFalse(encoding.text.contains("set cbrange"), "the encoding's colours fit its values")

        let similarity = try Script(directory.appendingPathComponent("similarity.gp"))
        XCTAssertEqual(similarity.rows.count, length)
        func norm(_ v: [Double]) -> Double { v.map { $0 * $0 }.reduce(0, +).squareRoot() }
        for s in 0..<length {
            XCTAssertEqual(similarity.rows[s].count, length)
            XCTAssertEqual(similarity.rows[s][s], 1, "diagonal at \(s)")
            for t in 0..<length {
                XCTAssertEqual(similarity.rows[s][t], similarity.rows[t][s], "symmetric at \(s), \(t)")
                let cosine = zip(expected[s], expected[t]).map(*).reduce(0, +) / (norm(expected[s]) * norm(expected[t]))
                XCTAssertEqual(similarity.rows[s][t], cosine, accuracy: 1e-5, "cosine(\(s), \(t))")
            }
        }
        XCTAssertTrue(similarity.text.contains("set cbrange [-1:1]"))
    }

    func testASinusoidalRunsEncodingIsDrawnAtItsModelSizeAndAnRNNHasNone() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["baseline"])  // sinusoidal, d_model 8
        let result = try ablate(["plot", "positional", "--run", String(key.prefix(8)), "--database", fixture.database, "--length", "16"])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        let directory = workingDirectory.appendingPathComponent("plots/\(Self.safeExperimentName)/positional-\(key.prefix(16))")
        try checkRendered(["encoding", "similarity"], in: directory)
        let encoding = try Script(directory.appendingPathComponent("encoding.gp"))
        XCTAssertEqual(encoding.rows.count, 16)
        XCTAssertTrue(encoding.rows.allSatisfy { $0.count == 8 })

        let rnn = try ablate(["plot", "positional", "--run", try XCTUnwrap(fixture.keys["rnn"]), "--database", fixture.database])
        XCTAssertEqual(rnn.status, 2)
        XCTAssertTrue(rnn.standardError.contains("is an RNN"), rnn.standardError)
    }

    func testALearnedRunsTablesAreDrawnAsTheCheckpointHoldsThem() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["learned"])
        let output = workingDirectory.appendingPathComponent("learned")
        let result = try ablate(["plot", "positional", "--run", key, "--database", fixture.database, "--length", "12", "--output", output.path])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        try checkRendered(["encoder-encoding", "encoder-similarity", "decoder-encoding", "decoder-similarity"], in: output)

        // The checkpoint, read as safetensors: the first 12 rows of each (max_length 12, d_model 8) table.
        let checkpoint = try XCTUnwrap(try RunCommandTests.SQLite.rows(
            fixture.database, "SELECT path FROM artifacts WHERE run = '\(key)' AND kind = 'checkpoint'").first?["path"]?.text)
        let tensors = try Safetensors.read(from: URL(fileURLWithPath: checkpoint)).tensors
        for side in ["encoder", "decoder"] {
            let table = try XCTUnwrap(tensors.first { $0.name == "\(side).positions.weight" })
            XCTAssertEqual(table.shape, [12, 8])
            let encoding = try Script(output.appendingPathComponent("\(side)-encoding.gp"))
            XCTAssertEqual(encoding.rows.count, 12)
            for (position, row) in encoding.rows.enumerated() {
                XCTAssertEqual(row.count, 8)
                for (dimension, value) in row.enumerated() {
                    XCTAssertEqual(Float(value), table.values[position * 8 + dimension], "\(side) P[\(position), \(dimension)]")
                }
            }
            let similarity = try Script(output.appendingPathComponent("\(side)-similarity.gp"))
            XCTAssertEqual(similarity.rows.count, 12)
            for s in 0..<12 {
                XCTAssertEqual(similarity.rows[s][s], 1)
                for t in 0..<12 { XCTAssertEqual(similarity.rows[s][t], similarity.rows[t][s]) }
            }
        }

        let tooLong = try ablate(["plot", "positional", "--run", key, "--database", fixture.database, "--length", "13", "--output", output.path + "-2"])
        XCTAssertEqual(tooLong.status, 2)
        XCTAssertTrue(tooLong.standardError.contains("learned 12 positions"), tooLong.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path + "-2"))
    }

    // MARK: - Errors: exit 2, a message naming the problem, nothing written

    private func assertRefused(_ arguments: [String], saying words: [String], environment: [String: String?] = [:],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try ablate(arguments, environment: environment)
        XCTAssertEqual(result.status, 2, "\(arguments): \(result.standardOutput) \(result.standardError)", file: file, line: line)
        XCTAssertTrue(result.standardError.hasPrefix("error: "), result.standardError, file: file, line: line)
        for word in words {
            XCTAssertTrue(result.standardError.contains(word), "\(arguments): \"\(word)\" not in: \(result.standardError)", file: file, line: line)
        }
        XCTAssertEqual(files(under: workingDirectory), [], "\(arguments) wrote files", file: file, line: line)
    }

    func testErrorsExitTwoNameTheProblemAndWriteNothing() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["baseline"])
        try assertRefused(["plot", "attention", "abcdef12", "--database", fixture.database], saying: ["no run with a key starting abcdef12"])
        try assertRefused(["plot", "attention", "xyz", "--database", fixture.database], saying: ["\"xyz\""])
        try assertRefused(["plot", "attention", key, "--database", workingDirectory.appendingPathComponent("none.sqlite").path],
                          saying: ["no database at"])
        try assertRefused(["plot", "attention", key, "--database", fixture.database, "--example", "0"], saying: ["--example", "from 1"])
        try assertRefused(["plot", "attention", key, "--database", fixture.database, "--length", "0"], saying: ["length 0"])
        try assertRefused(["plot", "attention", key, "--database", fixture.database],
                          saying: ["gnuplot"], environment: ["ABLATE_GNUPLOT": "/nonexistent/gnuplot"])
        try assertRefused(["plot", "positional", "--kind", "bogus"], saying: ["\"bogus\"", "sinusoidal"])
        try assertRefused(["plot", "positional", "--kind", "rope"], saying: ["\"rope\"", "inside attention", "sinusoidal"])
        try assertRefused(["plot", "positional", "--kind", "none"], saying: ["\"none\"", "sinusoidal"])
        try assertRefused(["plot", "positional", "--kind", "learned"], saying: ["--run"])
        try assertRefused(["plot", "positional", "--kind", "sinusoidal", "--length", "0"], saying: ["--length"])
        try assertRefused(["plot", "positional"], saying: ["--kind"])
        try assertRefused(["plot", "positional", "--kind", "sinusoidal"], saying: ["gnuplot"],
                          environment: ["ABLATE_GNUPLOT": "/nonexistent/gnuplot"])
    }

    func testARunWithoutItsFinalCheckpointIsRefusedByName() throws {
        let fixture = try Self.fixture()
        let key = try XCTUnwrap(fixture.keys["baseline"])
        // A copy of the database whose run lost its checkpoint record, as for a run that did not finish.
        let copy = workingDirectory.appendingPathComponent("copy.sqlite").path
        try RunCommandTests.SQLite.execute(fixture.database, ".backup '\(copy)'")
        try RunCommandTests.SQLite.execute(copy, "DELETE FROM artifacts WHERE run = '\(key)' AND kind = 'checkpoint'; UPDATE runs SET status = 'failed' WHERE key = '\(key)'")
        let result = try ablate(["plot", "attention", String(key.prefix(8)), "--database", copy])
        XCTAssertEqual(result.status, 2, result.standardOutput + result.standardError)
        XCTAssertTrue(result.standardError.contains("run \(key.prefix(16))") && result.standardError.contains("no final checkpoint")
                      && result.standardError.contains("failed"), result.standardError)
        XCTAssertEqual(files(under: workingDirectory).filter { !$0.hasPrefix("copy.sqlite") }, [])
    }

    func testHelpDescribesBothCommands() throws {
        let plot = try ablate(["plot", "--help"])
        XCTAssertEqual(plot.status, 0)
        XCTAssertTrue(plot.standardOutput.contains("attention") && plot.standardOutput.contains("positional"), plot.standardOutput)
        let attention = try ablate(["plot", "attention", "--help"])
        XCTAssertTrue(attention.standardOutput.contains("--example") && attention.standardOutput.contains("plots/EXPERIMENT/attention-KEY-example-N"),
                      attention.standardOutput)
        let positional = try ablate(["plot", "positional", "--help"])
        XCTAssertTrue(positional.standardOutput.contains("--d-model") && positional.standardOutput.contains("--kind"), positional.standardOutput)
    }
}
