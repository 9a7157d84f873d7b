import Models
import Training
import XCTest
@testable import Experiments

/// The [tune] table: its axes and candidates, each configuration's candidates, its errors, and the
/// halving ladder (`Tuning.rungs`).
final class TuneTests: XCTestCase {
    static let head = """
    [experiment]
    name = "t"
    seeds = [7, 3]

    [task]
    kind = "parity"
    train_length = [8, 16]

    [model]
    d_model = 32
    heads = 4
    layers = 2

    [train]
    steps = 20
    lr = 1e-3
    dropout = 0.1

    """

    func load(_ tail: String) throws -> Experiment {
        try ExperimentLoader.load(text: Self.head + tail, path: "t.toml")
    }

    /// The 1-based line of the first line of head + tail that contains `needle` (the `occurrence`th one).
    func line(_ needle: String, in tail: String, occurrence: Int = 1) -> Int {
        let lines = (Self.head + tail).components(separatedBy: "\n")
        let hits = lines.indices.filter { lines[$0].contains(needle) }
        XCTAssertGreaterThanOrEqual(hits.count, occurrence, "no line with \(needle)")
        return hits.count >= occurrence ? hits[occurrence - 1] + 1 : 0
    }

    /// Loading head + tail fails at `line` naming `key`, with `fragments` in the message.
    func assertRefused(_ tail: String, line: Int, key: String, _ fragments: String..., file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertThrowsError(try load(tail), file: file, line: lineNumber) { error in
            guard let error = error as? ExperimentError else { return XCTFail("not an ExperimentError: \(error)", file: file, line: lineNumber) }
            XCTAssertEqual(error.file, "t.toml", file: file, line: lineNumber)
            XCTAssertEqual(error.line, line, error.description, file: file, line: lineNumber)
            XCTAssertEqual(error.key, key, error.description, file: file, line: lineNumber)
            XCTAssertTrue(error.description.hasPrefix("t.toml:\(line): \(key): "), error.description, file: file, line: lineNumber)
            for fragment in fragments {
                XCTAssertTrue(error.message.contains(fragment), "expected \"\(fragment)\" in: \(error.description)", file: file, line: lineNumber)
            }
            XCTAssertFalse(error.description.contains("\n"), error.description, file: file, line: lineNumber)
        }
    }

    func transformer(_ model: ModelConfig, file: StaticString = #filePath, line: UInt = #line) throws -> TransformerConfig {
        guard case .transformer(let config) = model else { XCTFail("not a Transformer", file: file, line: line); throw XCTSkip() }
        return config
    }

    static func dropout(_ model: ModelConfig) -> Float {
        switch model {
        case .transformer(let config): return config.dropout
        case .rnn(let config): return config.dropout
        }
    }

    // MARK: A valid [tune]

    func testATuneTableGivesTheProductAndEachConfigurationsCandidates() throws {
        let tail = """
        [[variant]]
        name = "pre"
        model.norm = "pre"

        [[variant]]
        name = "rnn"
        model = { arch = "rnn", hidden = 16 }

        [tune]
        "train.lr" = [3e-4, 1e-3, 3e-3]
        model.dropout = [0.0, 0.2]
        """
        let experiment = try load(tail)
        let tuning = try XCTUnwrap(experiment.tuning)
        XCTAssertEqual(tuning.axes, [
            Tuning.Axis(key: "train.lr", values: ["0.0003", "0.001", "0.003"], numeric: true, line: line("\"train.lr\" =", in: tail)),
            Tuning.Axis(key: "model.dropout", values: ["0.0", "0.2"], numeric: true, line: line("model.dropout =", in: tail)),
        ])
        XCTAssertEqual(tuning.candidates.map(\.name), ["lr=0.0003,dropout=0.0", "lr=0.0003,dropout=0.2", "lr=0.001,dropout=0.0",
                                                       "lr=0.001,dropout=0.2", "lr=0.003,dropout=0.0", "lr=0.003,dropout=0.2"],
                       "the first axis varies slowest")
        XCTAssertEqual(tuning.candidates[3].changes, [.init(key: "train.lr", value: "0.001"), .init(key: "model.dropout", value: "0.2")])
        // The defaults.
        XCTAssertEqual(tuning.metric, .exactMatch)
        XCTAssertEqual(tuning.selectionSeeds, [7], "the experiment's first seed")
        XCTAssertEqual(tuning.method, .grid)
        XCTAssertEqual(tuning.eta, 3)
        XCTAssertNil(tuning.firstRung)
        XCTAssertEqual(tuning.line, line("[tune]", in: tail))

        // Every configuration has one configuration per candidate, its own change kept.
        XCTAssertEqual(experiment.variants.map(\.candidates.count), [6, 6, 6])
        for variant in experiment.variants {
            for (candidate, configuration) in zip(tuning.candidates, variant.candidates) {
                let lr = Double(candidate.changes[0].value)!
                let dropout = Float(candidate.changes[1].value)!
                XCTAssertEqual(configuration.training.learningRate, lr, "\(variant.name), \(candidate.name)")
                XCTAssertEqual(configuration.training.steps, 20, "the baseline's [train] kept")
                XCTAssertEqual(Self.dropout(configuration.model), dropout, "\(variant.name), \(candidate.name): the candidate's value applies last, over [train]'s dropout")
            }
        }
        let pre = try transformer(experiment.variants[1].candidates[5].model)
        XCTAssertEqual(pre.norm, .pre, "the variant's own change is kept")
        XCTAssertEqual(pre.encoderLayers, 2, "and the baseline's keys")
        XCTAssertEqual(try transformer(experiment.variants[0].candidates[5].model).norm, TransformerConfig().norm)
        guard case .rnn(let rnn) = experiment.variants[2].candidates[1].model else { return XCTFail("the RNN variant's candidates are RNNs") }
        XCTAssertEqual(rnn.hidden, 16)
        XCTAssertEqual(rnn.dropout, 0.2)

        // The runs are the untuned ones.
        XCTAssertEqual(experiment.runs.count, 3 * 2)
        XCTAssertEqual(experiment.runs[0].spec.training.learningRate, 1e-3)
        XCTAssertEqual(Self.dropout(experiment.runs[0].spec.model), 0.1)
        let untuned = try load("""
        [[variant]]
        name = "pre"
        model.norm = "pre"

        [[variant]]
        name = "rnn"
        model = { arch = "rnn", hidden = 16 }
        """)
        XCTAssertEqual(experiment.runs, untuned.runs, "[tune] changes no run")
        XCTAssertNil(untuned.tuning)
        XCTAssertEqual(untuned.variants.map(\.candidates.count), [0, 0, 0])
    }

    func testEveryKeyOfTuneAndAStringAxis() throws {
        let tail = """
        [tune]
        metric = "loss"
        seeds = [2, 9]
        method = "halving"
        eta = 2
        first_rung = 0.25
        model.positional = ["sinusoidal", "none"]
        train.schedule = ["warmup", "cosine"]
        """
        let tuning = try XCTUnwrap(try load(tail).tuning)
        XCTAssertEqual(tuning.metric, .loss)
        XCTAssertEqual(tuning.selectionSeeds, [2, 9])
        XCTAssertEqual(tuning.method, .halving)
        XCTAssertEqual(tuning.eta, 2)
        XCTAssertEqual(tuning.firstRung, 0.25)
        XCTAssertEqual(tuning.axes.map(\.key), ["model.positional", "train.schedule"])
        XCTAssertEqual(tuning.axes[0].values, ["\"sinusoidal\"", "\"none\""], "values in the file's syntax")
        XCTAssertFalse(tuning.axes[0].numeric)
        XCTAssertEqual(tuning.candidates.map(\.name), ["positional=sinusoidal,schedule=warmup", "positional=sinusoidal,schedule=cosine",
                                                       "positional=none,schedule=warmup", "positional=none,schedule=cosine"])
        XCTAssertEqual(tuning.candidates[2].changes.map(\.description), ["model.positional = \"none\"", "train.schedule = \"warmup\""])
    }

    func testEtaAndFirstRungAreAcceptedWithTheGridMethod() throws {
        let tuning = try XCTUnwrap(try load("[tune]\neta = 4\nfirst_rung = 0.5\n\"train.lr\" = [1e-3, 3e-3]\n").tuning)
        XCTAssertEqual(tuning.method, .grid)
        XCTAssertEqual(tuning.eta, 4)
        XCTAssertEqual(tuning.rungs(steps: 100, evalEvery: 10), [Tuning.Rung(candidates: 2, steps: 100)], "they matter only for halving")
    }

    func testGridPointsAreTunedAndPointsEqualToAnEarlierVariantAreNot() throws {
        let experiment = try load("""
        [grid]
        "model.heads" = [2, 4]

        [tune]
        "train.lr" = [1e-3, 1e-2]
        """)
        XCTAssertEqual(experiment.variants.map(\.name), ["baseline", "heads=2", "heads=4"])
        XCTAssertEqual(experiment.variants.map(\.sameAs), [nil, nil, "baseline"])
        XCTAssertEqual(experiment.variants.map(\.candidates.count), [2, 2, 0])
        let point = experiment.variants[1].candidates[1]
        XCTAssertEqual(try transformer(point.model).heads, 2)
        XCTAssertEqual(point.training.learningRate, 1e-2)
    }

    func testTrainDropoutIsTheModelsDropoutAndLearningRateIsLr() throws {
        let experiment = try load("""
        [tune]
        train.dropout = [0.0, 0.3]
        "train.learning_rate" = [0.01]
        """)
        let tuning = try XCTUnwrap(experiment.tuning)
        XCTAssertEqual(tuning.candidates.map(\.name), ["dropout=0.0,learning_rate=0.01", "dropout=0.3,learning_rate=0.01"])
        XCTAssertEqual(experiment.variants[0].candidates.map { Self.dropout($0.model) }, [0.0, 0.3])
        XCTAssertEqual(experiment.variants[0].candidates.map(\.training.learningRate), [0.01, 0.01])
    }

    // MARK: Errors

    func testABadValueNamesTheAxis() {
        var tail = "[tune]\n\"train.lr\" = [1e-3, 20]\n"
        assertRefused(tail, line: line("\"train.lr\"", in: tail), key: "tune.\"train.lr\"", "in [tune]: ", "expected")
        tail = "[tune]\nmodel.heads = [2, 3]\n"
        assertRefused(tail, line: line("model.heads", in: tail), key: "tune.\"model.heads\"", "in [tune]: 3 heads do not divide d_model = 32")
        tail = "[tune]\n[tune.model]\nd_model = [30]\n"
        assertRefused(tail, line: line("d_model = [30]", in: tail), key: "tune.\"model.d_model\"", "in [tune]: 4 heads do not divide d_model = 30")
        tail = "[tune]\n\"model.positional\" = [\"rop\"]\n"
        assertRefused(tail, line: line("positional", in: tail), key: "tune.\"model.positional\"", "did you mean \"rope\"?")
        tail = "[tune]\n\"train.lr\" = [[1e-3]]\n"
        assertRefused(tail, line: line("\"train.lr\"", in: tail), key: "tune.\"train.lr\"", "in [tune]: ")
    }

    func testTheShapeOfAnAxis() {
        var tail = "[tune]\n\"train.lr\" = [1e-3, 0.001]\n"
        assertRefused(tail, line: line("\"train.lr\"", in: tail), key: "tune.\"train.lr\"", "the value 0.001 appears twice")
        tail = "[tune]\n\"train.lr\" = []\n"
        assertRefused(tail, line: line("\"train.lr\"", in: tail), key: "tune.\"train.lr\"", "non-empty array")
        tail = "[tune]\n\"train.lr\" = 0.001\n"
        assertRefused(tail, line: line("\"train.lr\"", in: tail), key: "tune.\"train.lr\"", "expected an array of values to try", "got 0.001")
        tail = "[tune]\nmetric = \"loss\"\n"
        assertRefused(tail, line: line("[tune]", in: tail), key: "tune", "empty: give the settings to tune")
        tail = "[tune]\n"
        assertRefused(tail, line: line("[tune]", in: tail), key: "tune", "empty")
        tail = "[tune]\n\"train.lr\" = [\((1...40).map { "\(Double($0) * 1e-4)" }.joined(separator: ", "))]\n"
            + "\"train.weight_decay\" = [\((1...30).map { "\(Double($0) * 1e-2)" }.joined(separator: ", "))]\n"
        assertRefused(tail, line: line("\"train.lr\"", in: tail), key: "tune", "1200 candidates (40 x 30); at most 1000")
    }

    func testKeysThatCannotBeTuned() {
        var tail = "[tune]\n\"train.steps\" = [10, 20]\n"
        assertRefused(tail, line: line("steps", in: tail, occurrence: 2), key: "tune.\"train.steps\"", "train.steps cannot be tuned: it bounds every run")
        tail = "[tune]\ntrain.eval_every = [5]\n"
        assertRefused(tail, line: line("eval_every", in: tail), key: "tune.\"train.eval_every\"", "cannot be tuned: it measures a run")
        for key in ["validation_examples", "test_examples_per_size", "stop_at_accuracy", "time_budget_seconds", "checkpoint_every"] {
            tail = "[tune]\n\"train.\(key)\" = [5]\n"
            assertRefused(tail, line: line(key, in: tail), key: "tune.\"train.\(key)\"", "train.\(key) cannot be tuned: it ")
        }
        tail = "[tune]\n\"model.arch\" = [\"rnn\"]\n"
        assertRefused(tail, line: line("arch", in: tail), key: "tune.\"model.arch\"", "the architecture cannot be tuned", "[[variant]]")
        tail = "[tune]\n\"task.train_length\" = [[2, 4]]\n"
        assertRefused(tail, line: line("task.train_length", in: tail), key: "tune.\"task.train_length\"", "the task and the experiment's seeds cannot be tuned")
        tail = "[tune]\n\"trian.lr\" = [1e-3]\n"
        assertRefused(tail, line: line("trian", in: tail), key: "tune.\"trian.lr\"", "a [tune] key names a model or training setting", "did you mean train?")
        tail = "[tune]\ntrain.lr.peak = [1e-3]\n"
        assertRefused(tail, line: line("peak", in: tail), key: "tune.\"train.lr.peak\"", "a [tune] key names a model or training setting, \"model.KEY\" or \"train.KEY\", with the values to try")
    }

    func testUnknownKeysGetADidYouMean() {
        var tail = "[tune]\nmetrc = \"loss\"\n\"train.lr\" = [1e-3]\n"
        assertRefused(tail, line: line("metrc", in: tail), key: "tune.metrc", "unknown key (did you mean metric?); [tune] takes")
        tail = "[tune]\nlr = [1e-3]\n"
        assertRefused(tail, line: line("lr = [", in: tail), key: "tune.lr", "unknown key (did you mean \"train.lr\"?)")
        tail = "[tune]\nhaeds = [2]\n"
        assertRefused(tail, line: line("haeds", in: tail), key: "tune.haeds", "did you mean \"model.heads\"?")
        tail = "[tune]\n\"train.lrr\" = [1e-3]\n"
        assertRefused(tail, line: line("lrr", in: tail), key: "tune.\"train.lrr\"", "in [tune]: unknown key (did you mean lr?)")
        tail = "[tune]\n\"train.heads\" = [2]\n"
        assertRefused(tail, line: line("train.heads", in: tail), key: "tune.\"train.heads\"", "heads is a model setting")
        tail = "[tnue]\n\"train.lr\" = [1e-3]\n"
        assertRefused(tail, line: line("[tnue]", in: tail), key: "tnue", "did you mean tune?", "[grid] and [tune]")
    }

    func testTheOtherKeysValues() {
        let axis = "\"train.lr\" = [1e-3, 3e-3]\n"
        for (written, fragments) in [
            ("metric = \"accuracy\"", ["expected \"exact_match\" or \"loss\"", "got \"accuracy\" (a string)"]),
            ("metric = \"exact-match\"", ["did you mean \"exact_match\"?"]),
            ("method = \"halfing\"", ["expected \"grid\" or \"halving\"", "did you mean \"halving\"?"]),
            ("method = 2", ["got 2"]),
            ("eta = 1", ["expected an integer >= 2", "got 1"]),
            ("eta = 2.5", ["expected an integer >= 2", "got 2.5"]),
            ("first_rung = 1", ["expected a number in (0, 1)", "got 1"]),
            ("first_rung = 0.0", ["expected a number in (0, 1)", "got 0.0"]),
            ("first_rung = \"half\"", ["expected a number in (0, 1)"]),
            ("seeds = []", ["non-empty array of distinct integers"]),
            ("seeds = [1, 1]", ["seed 1 appears twice"]),
            ("seeds = [-1]", ["got -1 among them"]),
        ] {
            let tail = "[tune]\n" + axis + written + "\n"
            let key = "tune." + written.prefix { $0 != " " }
            for fragment in fragments {
                assertRefused(tail, line: line(written, in: tail), key: key, fragment)
            }
        }
    }

    func testOneSettingTunedTwice() {
        var tail = "[tune]\n\"train.lr\" = [1e-3]\n\"train.learning_rate\" = [3e-3]\n"
        assertRefused(tail, line: line("learning_rate", in: tail), key: "tune.\"train.learning_rate\"",
                      "train.learning_rate sets the same setting as train.lr on line \(line("\"train.lr\"", in: tail)): tune it once")
        tail = "[tune]\n\"model.dropout\" = [0.0]\n\"train.dropout\" = [0.1]\n"
        assertRefused(tail, line: line("\"train.dropout\"", in: tail), key: "tune.\"train.dropout\"", "the same setting as model.dropout")
        tail = "[tune]\n\"model.layers\" = [1, 2]\n\"model.decoder_layers\" = [1]\n"
        assertRefused(tail, line: line("decoder_layers", in: tail), key: "tune.\"model.decoder_layers\"", "the same setting as model.layers")
    }

    func testAVariantOrTheGridSettingATunedKeyIsRefused() {
        var tail = """
        [[variant]]
        name = "fast"
        train.lr = 3e-3

        [tune]
        "train.lr" = [1e-3, 1e-2]
        """
        let variantLine = line("train.lr = 3e-3", in: tail)
        let tuneLine = line("\"train.lr\" =", in: tail)
        assertRefused(tail, line: variantLine, key: "train.lr",
                      "variant \"fast\" sets train.lr on line \(variantLine), which [tune] tunes (train.lr on line \(tuneLine)): ", "drop one")

        tail = """
        [[variant]]
        name = "regularised"
        model.dropout = 0.3

        [tune]
        train.dropout = [0.0, 0.2]
        """
        assertRefused(tail, line: line("model.dropout = 0.3", in: tail), key: "model.dropout",
                      "variant \"regularised\" sets model.dropout on line \(line("model.dropout = 0.3", in: tail)), which [tune] tunes (train.dropout on line \(line("train.dropout = [", in: tail)))")

        tail = """
        [[variant]]
        name = "gru"
        model = { arch = "rnn", dropout = 0.3 }

        [tune]
        model.dropout = [0.0, 0.2]
        """
        assertRefused(tail, line: line("arch = \"rnn\"", in: tail), key: "model.dropout", "variant \"gru\" sets model.dropout")

        tail = """
        [tune]
        "train.lr" = [1e-3, 1e-2]

        [grid]
        "model.heads" = [2, 4]
        "train.learning_rate" = [1e-3, 3e-3]
        """
        let gridLine = line("\"train.learning_rate\"", in: tail)
        assertRefused(tail, line: gridLine, key: "grid.train.learning_rate",
                      "[grid] sweeps train.learning_rate on line \(gridLine), which [tune] tunes (train.lr on line \(line("\"train.lr\"", in: tail))): ", "drop one")
    }

    func testTheBaselineSettingATunedKeyIsItsUntunedValue() throws {
        let experiment = try load("[tune]\n\"train.lr\" = [1e-2]\n")
        XCTAssertEqual(experiment.training.learningRate, 1e-3)
        XCTAssertEqual(experiment.variants[0].candidates.map(\.training.learningRate), [1e-2])
    }

    func testACandidateThatDoesNotFitAVariantNamesBoth() {
        var tail = """
        [[variant]]
        name = "wide"
        model.d_model = 48

        [tune]
        "model.heads" = [2, 32]
        """
        assertRefused(tail, line: line("\"model.heads\"", in: tail), key: "tune.\"model.heads\"",
                      "variant \"wide\", candidate heads=32: 32 heads do not divide d_model = 48")

        tail = """
        [grid]
        "model.d_model" = [32, 48]

        [tune]
        "model.heads" = [2, 32]
        """
        assertRefused(tail, line: line("\"model.heads\"", in: tail), key: "tune.\"model.heads\"",
                      "grid point d_model=48, candidate heads=32: 32 heads do not divide d_model = 48")

        tail = """
        [[variant]]
        name = "gru"
        model = { arch = "rnn" }

        [tune]
        "train.lr" = [1e-3]
        "model.heads" = [2]
        """
        assertRefused(tail, line: line("\"model.heads\"", in: tail), key: "tune.\"model.heads\"",
                      "variant \"gru\", candidate lr=0.001,heads=2: heads is a key of the transformer model")

        // A problem no axis holds points at the first axis of the candidate's part (here the model's).
        tail = """
        [[variant]]
        name = "learned"
        model.positional = "learned"
        model.max_length = 32

        [tune]
        "train.lr" = [1e-3]
        "model.layout" = ["encoder-decoder", "decoder-only"]
        """
        assertRefused(tail, line: line("\"model.layout\"", in: tail), key: "tune.\"model.layout\"",
                      "variant \"learned\", candidate lr=0.001,layout=decoder-only: the learned positional table has 32 positions")
    }

    func testTheNumberOfTrialsIsBounded() {
        let values = (1...500).map { "\(Double($0) * 1e-4)" }.joined(separator: ", ")
        let seeds = (1...201).map(String.init).joined(separator: ", ")
        let tail = "[tune]\nseeds = [\(seeds)]\n\"train.lr\" = [\(values)]\n"
        assertRefused(tail, line: line("[tune]", in: tail), key: "tune", "100500 trials (1 configurations x 500 trials each x 201 selection seeds); at most 100000")
    }

    func testAHugeEtaIsOneRung() throws {
        let tuning = try XCTUnwrap(try load("[tune]\nmethod = \"halving\"\neta = 9223372036854775807\n\"train.lr\" = [1e-3, 3e-3, 1e-2]\n").tuning)
        XCTAssertEqual(tuning.rungs(steps: 1000, evalEvery: 10), [Tuning.Rung(candidates: 3, steps: 10)])
    }

    // MARK: The ladder

    func tuning(_ n: Int, _ method: Tuning.Method = .halving, eta: Int = 3, firstRung: Double? = nil) -> Tuning {
        let candidates = (0..<n).map { Tuning.Candidate(name: "lr=\($0)", changes: [.init(key: "train.lr", value: "\($0)")]) }
        return Tuning(axes: [], candidates: candidates, selectionSeeds: [1], method: method, eta: eta, firstRung: firstRung)
    }

    func testRungs() {
        typealias R = Tuning.Rung
        // 4 candidates, eta 3: 4 at steps/9, the best 2 at steps/3, then the chosen one (its final runs).
        XCTAssertEqual(tuning(4).rungs(steps: 900, evalEvery: 1), [R(candidates: 4, steps: 100), R(candidates: 2, steps: 300)])
        XCTAssertEqual(tuning(4).rungs(steps: 1000, evalEvery: 10), [R(candidates: 4, steps: 110), R(candidates: 2, steps: 330)], "rounded down to eval_every")
        XCTAssertEqual(tuning(4, eta: 2).rungs(steps: 1000, evalEvery: 10), [R(candidates: 4, steps: 250), R(candidates: 2, steps: 500)])
        XCTAssertEqual(tuning(8, eta: 2, firstRung: 0.125).rungs(steps: 1000, evalEvery: 25),
                       [R(candidates: 8, steps: 125), R(candidates: 4, steps: 250), R(candidates: 2, steps: 500)])
        XCTAssertEqual(tuning(9, eta: 3).rungs(steps: 810, evalEvery: 10), [R(candidates: 9, steps: 90), R(candidates: 3, steps: 270)])
        XCTAssertEqual(tuning(10, eta: 3).rungs(steps: 2700, evalEvery: 1),
                       [R(candidates: 10, steps: 100), R(candidates: 4, steps: 300), R(candidates: 2, steps: 900)], "ceil(10/3) = 4, ceil(4/3) = 2")
        XCTAssertEqual(tuning(4, .grid).rungs(steps: 1000, evalEvery: 10), [R(candidates: 4, steps: 1000)])
        XCTAssertEqual(tuning(1).rungs(steps: 1000, evalEvery: 10), [R(candidates: 1, steps: 1000)])
        XCTAssertEqual(tuning(1, .grid).rungs(steps: 1000, evalEvery: 10), [R(candidates: 1, steps: 1000)])
        // The minimum is one evaluation, the maximum the full length.
        XCTAssertEqual(tuning(4).rungs(steps: 100, evalEvery: 50), [R(candidates: 4, steps: 50), R(candidates: 2, steps: 50)])
        XCTAssertEqual(tuning(4).rungs(steps: 40, evalEvery: 100), [R(candidates: 4, steps: 40), R(candidates: 2, steps: 40)])
        XCTAssertEqual(tuning(4, firstRung: 0.5).rungs(steps: 1000, evalEvery: 10), [R(candidates: 4, steps: 500), R(candidates: 2, steps: 1000)])
    }

    /// A share that is a whole number of steps gives that number, not one evaluation less for a
    /// floating-point hair (0.57 * 100 is 56.99999999999999 in binary).
    func testRungsAreExactForWholeShares() {
        XCTAssertEqual(tuning(2, firstRung: 0.57).rungs(steps: 100, evalEvery: 1), [Tuning.Rung(candidates: 2, steps: 57)])
        for steps in 1...2000 {
            for evalEvery in [1, 3, 10] {
                for (n, eta) in [(4, 3), (4, 2), (9, 3), (27, 3), (5, 5)] {
                    let rungs = tuning(n, eta: eta).rungs(steps: steps, evalEvery: evalEvery)
                    let cuts = rungs.count
                    let expected = rungs.indices.map { k -> Int in
                        let exact = steps * Tuning.power(eta, k) / Tuning.power(eta, cuts) / evalEvery * evalEvery
                        return min(steps, max(evalEvery, exact))
                    }
                    if rungs.map(\.steps) != expected {
                        return XCTFail("n=\(n), eta=\(eta), steps=\(steps), eval_every=\(evalEvery): \(rungs.map(\.steps)), expected \(expected)")
                    }
                }
            }
        }
    }
}

extension TuneTests {
    /// The worked example of docs/experiment-file.md: 4 learning rates, eta 3.
    func testTheDocumentationsExample() throws {
        let doc = try Files.text(Files.root.appendingPathComponent("docs/experiment-file.md").path)
        let section = try XCTUnwrap(doc.range(of: "## `[tune]`"), "docs/experiment-file.md has no [tune] section")
        let block = try XCTUnwrap(doc[section.upperBound...].range(of: "```toml\n"))
        let end = try XCTUnwrap(doc[block.upperBound...].range(of: "```"))
        let example = String(doc[block.upperBound..<end.lowerBound])
        let experiment = try load(example.replacingOccurrences(of: "seeds = [1]", with: "seeds = [3]"))
        let tuning = try XCTUnwrap(experiment.tuning)
        XCTAssertEqual(tuning.candidates.count, 4)
        XCTAssertEqual(tuning.method, .halving)
        XCTAssertEqual(tuning.selectionSeeds, [3])
        let rungs = tuning.rungs(steps: 9000, evalEvery: 100)
        XCTAssertEqual(rungs, [Tuning.Rung(candidates: 4, steps: 1000), Tuning.Rung(candidates: 2, steps: 3000)])
        let fullRuns = Double(rungs.reduce(0) { $0 + $1.candidates * $1.steps }) / 9000
        XCTAssertEqual(fullRuns, 4.0 / 9 + 2.0 / 3, accuracy: 1e-9)
        XCTAssertTrue(doc.contains("4/9 + 2/3 = \(String(format: "%.2f", fullRuns)) full runs"))
        XCTAssertTrue(doc.contains("(\(Int((fullRuns / 4 * 100).rounded()))%)"))
    }
}
