import Models
import Training
import XCTest
@testable import Experiments

/// How variants, the grid and the defaults resolve.
final class ExpansionTests: XCTestCase {
    static let head = """
    [experiment]
    name = "t"
    seeds = [5]

    [task]
    kind = "parity"
    train_length = [8, 16]

    [model]
    d_model = 32
    heads = 4
    layers = 3
    decoder_layers = 1

    [train]
    steps = 20
    dropout = 0.1

    """

    func load(_ tail: String) throws -> Experiment {
        try ExperimentLoader.load(text: Self.head + tail, path: "t.toml")
    }

    func transformer(_ model: ModelConfig, file: StaticString = #filePath, line: UInt = #line) throws -> TransformerConfig {
        guard case .transformer(let config) = model else { XCTFail("not a Transformer", file: file, line: line); throw XCTSkip() }
        return config
    }

    func testDefaultsAndTheTaskFillTheModel() throws {
        let experiment = try load("")
        let config = try transformer(experiment.baseline)
        XCTAssertEqual(config.encoderLayers, 3, "layers sets both stacks")
        XCTAssertEqual(config.decoderLayers, 1, "a later decoder_layers overrides it")
        XCTAssertEqual(config.vocabulary, 3, "parity: bits 1, 2 and the reserved 0; classes 0 and 1 are emitted as tokens 1 and 2")
        XCTAssertEqual(config.dropout, 0.1, "[train] dropout lands in the model")
        XCTAssertEqual(config.positional, .sinusoidal)
        XCTAssertEqual(experiment.training.learningRate, TrainingSettings().learningRate)
        XCTAssertEqual(experiment.training.clipNorm, 1)
        XCTAssertNil(experiment.training.stopAtAccuracy)
        XCTAssertEqual(experiment.task.evaluationSize, nil, "not written: TaskSetup's default (up to twice the training size)")
        XCTAssertEqual(experiment.runs.count, 1)
        XCTAssertEqual(experiment.runs[0].spec.seed, 5)
    }

    /// "gelu" in a file is the exact GELU, stored as "gelu_exact"; a stored "gelu" is what earlier
    /// versions wrote for the tanh approximation and reads as "gelu_tanh". So an exact-GELU run never
    /// takes the key (and the results) of a run an earlier version trained with the approximation.
    func testGELUNamesKeepStoredRunsAndCheckpointsMeaningWhatTheyWere() throws {
        let experiment = try load("""
        [[variant]]
        name = "exact"
        model.activation = "gelu"

        [[variant]]
        name = "approximate"
        model.activation = "gelu_tanh"
        """)
        let exact = try transformer(experiment.variants[1].model)
        XCTAssertEqual(exact.activation, .gelu)
        XCTAssertEqual(try transformer(experiment.variants[2].model).activation, .geluTanh)
        XCTAssertThrowsError(try load("""
        [[variant]]
        name = "exact"
        model.activation = "gelu"

        [[variant]]
        name = "exact-by-its-stored-name"
        model.activation = "gelu_exact"
        """)) { error in
            XCTAssertTrue("\(error)".contains("is the same configuration as variant \"exact\""), "\(error)")
        }
        let stored = experiment.variants[1].model.json()
        XCTAssertTrue(stored.contains("\"activation\":\"gelu_exact\""), stored)
        XCTAssertEqual(try ModelConfig.fromJSON(stored), experiment.variants[1].model)

        // What an earlier version stored for its (tanh) "gelu": it reads as the approximation.
        let earlier = stored.replacingOccurrences(of: "\"gelu_exact\"", with: "\"gelu\"")
        XCTAssertEqual(try transformer(ModelConfig.fromJSON(earlier)).activation, .geluTanh)
        // The earlier run's key was the hash of that text: no run of this version has it.
        let keys = Set(experiment.runs.map(\.key))
        XCTAssertEqual(experiment.runs.filter { $0.spec.canonicalJSON().contains("\"gelu_exact\"") }.count, 1)
        for run in experiment.runs {
            var anonymous = run.spec
            anonymous.variant = ""
            XCTAssertEqual(run.key, SHA256.hex(RunKey.version + "\n" + anonymous.canonicalJSON()), "the key is the documented hash")
            let text = anonymous.canonicalJSON()
            guard text.contains("\"gelu_exact\"") else { continue }
            let earlierText = text.replacingOccurrences(of: "\"gelu_exact\"", with: "\"gelu\"")
            XCTAssertFalse(keys.contains(SHA256.hex(RunKey.version + "\n" + earlierText)))
        }
    }

    func testEncoderOnlyTakesItsClassesFromTheTask() throws {
        let experiment = try load("""
        [[variant]]
        name = "classifier"
        model.layout = "encoder-only"
        """)
        let config = try transformer(experiment.variants[1].model)
        XCTAssertEqual(config.layout, .encoderOnly)
        XCTAssertEqual(config.classes, 2)
        XCTAssertEqual(config.vocabulary, 3)
        XCTAssertEqual(config.dropout, 0.1)
    }

    func testDottedOverridesChangeOnlyWhatTheyNameAndInlineTablesReplace() throws {
        let experiment = try load("""
        [[variant]]
        name = "dotted"
        model.norm = "pre"
        train.lr = 3e-4

        [[variant]]
        name = "inline"
        model = { norm = "pre" }

        [[variant]]
        name = "header"
        [variant.model]
        heads = 8

        [[variant]]
        name = "gru"
        model.arch = "rnn"
        model.hidden = 16
        train.dropout = 0.2
        """)
        XCTAssertEqual(experiment.variants.map(\.name), ["baseline", "dotted", "inline", "header", "gru"])
        let dotted = try transformer(experiment.variants[1].model)
        XCTAssertEqual(dotted.norm, .pre)
        XCTAssertEqual(dotted.encoderLayers, 3, "kept from the baseline")
        XCTAssertEqual(experiment.variants[1].training.learningRate, 3e-4)
        XCTAssertEqual(experiment.variants[1].training.steps, 20)
        XCTAssertEqual(experiment.variants[1].changes.map(\.description), ["model.norm = \"pre\"", "train.lr = 0.0003"])

        let inline = try transformer(experiment.variants[2].model)
        XCTAssertEqual(inline.norm, .pre)
        XCTAssertEqual(inline.modelSize, TransformerConfig().modelSize, "an inline table starts from the defaults")
        XCTAssertEqual(inline.encoderLayers, TransformerConfig().encoderLayers)
        XCTAssertEqual(inline.dropout, 0.1, "[train] dropout still applies")
        XCTAssertEqual(experiment.variants[2].changes.map(\.description), ["model = { norm = \"pre\" }"])
        XCTAssertEqual(experiment.variants[2].changes, [.init(key: "model", value: "{ norm = \"pre\" }")], "a whole new model is one change")
        XCTAssertEqual(experiment.variants[1].changes.map(\.key), ["model.norm", "train.lr"])

        let header = try transformer(experiment.variants[3].model)
        XCTAssertEqual(header.heads, 8)
        XCTAssertEqual(header.encoderLayers, 3, "[variant.model] overrides like dotted keys")

        guard case .rnn(let rnn) = experiment.variants[4].model else { return XCTFail("arch = rnn makes an RNN") }
        XCTAssertEqual(rnn.hidden, 16)
        XCTAssertEqual(rnn.vocabulary, 3)
        XCTAssertEqual(rnn.dropout, 0.2, "the variant's train.dropout wins over the baseline's")
        XCTAssertEqual(experiment.runs.count, 5)
    }

    func testTheGridIsAFullProductInFileOrder() throws {
        let experiment = try load("""
        [grid]
        "model.heads" = [2, 4]
        train.lr = [1e-3, 3e-3, 1e-2]
        """)
        let grid = experiment.variants.filter { $0.origin == .grid }
        XCTAssertEqual(grid.map(\.name), ["heads=2,lr=0.001", "heads=2,lr=0.003", "heads=2,lr=0.01",
                                          "heads=4,lr=0.001", "heads=4,lr=0.003", "heads=4,lr=0.01"])
        XCTAssertEqual(grid.map(\.sameAs), [nil, nil, nil, "baseline", nil, nil])
        XCTAssertEqual(grid[2].changes.map(\.description), ["model.heads = 2", "train.lr = 0.01"])
        XCTAssertEqual(try transformer(grid[2].model).heads, 2)
        XCTAssertEqual(grid[2].training.learningRate, 1e-2)
        XCTAssertEqual(experiment.runs.count, 1 + 5)
    }

    func testAGridPointEqualToAVariantIsNotRunTwice() throws {
        let experiment = try load("""
        [[variant]]
        name = "two-heads"
        model.heads = 2

        [grid]
        "model.heads" = [2, 8]
        "model.dropout" = [0.1]
        """)
        let grid = experiment.variants.filter { $0.origin == .grid }
        XCTAssertEqual(grid.map(\.name), ["heads=2,dropout=0.1", "heads=8,dropout=0.1"])
        XCTAssertEqual(grid.map(\.sameAs), ["two-heads", nil])
        XCTAssertEqual(experiment.runs.map(\.spec.variant), ["baseline", "two-heads", "heads=8,dropout=0.1"])
    }

    func testSwitchesThatCanBeTurnedOff() throws {
        let experiment = try load("""
        [[variant]]
        name = "no-clipping"
        train.clip_norm = false
        train.stop_at_accuracy = 0.9
        """)
        XCTAssertNil(experiment.variants[1].training.clipNorm)
        XCTAssertEqual(experiment.variants[1].training.stopAtAccuracy, 0.9)
    }

    func testTheGridAndVariantsPointAtTheirOwnLines() throws {
        let tail = """
        [[variant]]
        name = "a"
        model.heads = 2

        [[variant]]
        name = "b"
        model.d_model = 30
        """
        let lines = (Self.head + tail).split(separator: "\n", omittingEmptySubsequences: false)
        let header = try XCTUnwrap(lines.firstIndex(of: "name = \"b\"")) // 0-based index of the name: the header is the line before
        XCTAssertThrowsError(try load(tail)) { error in
            let error = error as? ExperimentError
            // heads = 4 (the baseline's) does not divide 30: the variant did not write heads, so its header is named.
            XCTAssertEqual(error?.line, header)
            XCTAssertEqual(error?.key, "model.heads")
            XCTAssertTrue(error?.message.hasPrefix("variant \"b\": 4 heads do not divide d_model = 30") == true, error?.message ?? "")
        }
    }
}
