import Models
import XCTest
@testable import Experiments

/// The file's order decides between keys that set the same thing (`layers` sets both stacks, a later
/// `encoder_layers` or `decoder_layers` overrides it, and the other way round), however a model is
/// written: a [model] table, dotted keys, a [variant.model] table, an inline table, dotted keys inside
/// an inline table, an array of inline tables.
final class KeyOrderTests: XCTestCase {
    /// The experiment and the task, as inline tables of the root (so that more root keys may follow).
    static let head = """
    experiment = { name = "t", seeds = [1] }
    task = { kind = "reverse", train_length = [2, 4] }

    """

    /// The two orders of the same two keys, and the stacks each gives.
    static let orders: [(keys: [String], encoder: Int, decoder: Int)] = [
        (["layers = 1", "decoder_layers = 2"], 1, 2),
        (["decoder_layers = 2", "layers = 1"], 1, 1),
        (["layers = 3", "encoder_layers = 2"], 2, 3),
        (["encoder_layers = 2", "layers = 3"], 3, 3),
    ]

    /// Loads `root` (keys of the root table, written before any header), the head, then `tail`.
    private func load(_ tail: String, root: String = "") throws -> Experiment {
        try ExperimentLoader.load(text: root + Self.head + tail, path: "t.toml")
    }

    /// The (encoder, decoder) layers of the named variant's Transformer.
    private func stacks(_ experiment: Experiment, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Int] {
        let variant = try XCTUnwrap(experiment.variants.first { $0.name == name }, "no variant \(name)", file: file, line: line)
        guard case .transformer(let config) = variant.model else {
            XCTFail("\(name) is not a Transformer", file: file, line: line)
            return []
        }
        return [config.encoderLayers, config.decoderLayers]
    }

    func testTheBaselineTableTakesTheLaterKey() throws {
        for order in Self.orders {
            let experiment = try load("[model]\n" + order.keys.joined(separator: "\n") + "\n")
            XCTAssertEqual(try stacks(experiment, "baseline"), [order.encoder, order.decoder], "\(order.keys)")
        }
    }

    func testAnInlineBaselineTakesTheLaterKey() throws {
        for order in Self.orders {
            let experiment = try load("", root: "model = { " + order.keys.joined(separator: ", ") + " }\n")
            XCTAssertEqual(try stacks(experiment, "baseline"), [order.encoder, order.decoder], "\(order.keys)")
        }
    }

    /// Each way of writing a variant's model, both orders: the bug was the inline table's, whose keys
    /// had no position and were applied alphabetically (`decoder_layers` before `layers`).
    func testEveryWayOfWritingAVariantTakesTheLaterKey() throws {
        let ways: [(name: String, write: ([String]) -> String)] = [
            ("dotted", { "model." + $0.joined(separator: "\nmodel.") }),
            ("header", { "[variant.model]\n" + $0.joined(separator: "\n") }),
            ("inline", { "model = { arch = \"transformer\", " + $0.joined(separator: ", ") + " }" }),
            ("inline-spaced", { "model   =   {" + $0.joined(separator: " ,  ") + "}   # a comment, with = and }" }),
        ]
        for order in Self.orders {
            for way in ways {
                // One file each: variants of one file that are the same configuration are refused.
                let experiment = try load("[model]\nlayers = 6\n\n[[variant]]\nname = \"\(way.name)\"\n\(way.write(order.keys))\n")
                XCTAssertEqual(try stacks(experiment, way.name), [order.encoder, order.decoder], "\(way.name): \(order.keys)")
            }
        }
    }

    /// The changes a variant reports list its keys as written.
    func testAnInlineVariantsChangesKeepTheFilesOrder() throws {
        let experiment = try load("""
        [[variant]]
        name = "inline"
        model = { layers = 1, decoder_layers = 2, arch = "transformer" }
        """)
        XCTAssertEqual(experiment.variants[1].changes.map(\.description), ["model = { layers = 1, decoder_layers = 2, arch = \"transformer\" }"])
    }

    /// An array of inline tables is another way to write [[variant]]; inside it, dotted keys and
    /// nested inline tables keep their order too, over lines.
    func testAnArrayOfInlineVariantsTakesTheLaterKey() throws {
        let experiment = try load("[model]\nlayers = 6\nheads = 2\n", root: """
        variant = [
          { name = "dotted-12", model.layers = 1, model.decoder_layers = 2 },
          { name = "dotted-11", model.decoder_layers = 2, model.layers = 1 },
          { name = "nested-12", model = { layers = 1, decoder_layers = 2, d_model = 16 } },
          { name = "nested-11", model = { decoder_layers = 2, layers = 1, d_model = 32 } },
        ]

        """)
        XCTAssertEqual(try stacks(experiment, "dotted-12"), [1, 2])
        XCTAssertEqual(try stacks(experiment, "dotted-11"), [1, 1])
        XCTAssertEqual(try stacks(experiment, "nested-12"), [1, 2])
        XCTAssertEqual(try stacks(experiment, "nested-11"), [1, 1])
        guard case .transformer(let dotted) = experiment.variants[1].model, case .transformer(let nested) = experiment.variants[3].model else {
            return XCTFail("not Transformers")
        }
        XCTAssertEqual(dotted.heads, 2, "dotted keys override the baseline")
        XCTAssertEqual(nested.heads, TransformerConfig().heads, "an inline model replaces it")
    }

    /// A [grid] written as an inline table varies its keys in the order they are written, the last fastest.
    func testAnInlineGridKeepsTheFilesOrder() throws {
        let experiment = try load("""
        [grid]
        model = { layers = [1, 2], heads = [2, 4] }
        """)
        XCTAssertEqual(experiment.variants.filter { $0.origin == .grid }.map(\.name),
                       ["layers=1,heads=2", "layers=1,heads=4", "layers=2,heads=2", "layers=2,heads=4"])
        let reversed = try load("""
        [grid]
        model = { heads = [2, 4], layers = [1, 2] }
        """)
        XCTAssertEqual(reversed.variants.filter { $0.origin == .grid }.map(\.name),
                       ["heads=2,layers=1", "heads=2,layers=2", "heads=4,layers=1", "heads=4,layers=2"])
    }

    /// A problem inside an inline table points at its line, not at the table's first line.
    func testAProblemInsideAMultiLineArrayOfInlineTablesNamesItsLine() throws {
        XCTAssertThrowsError(try load("", root: """
        variant = [
          { name = "a", model.heads = 2 },
          { name = "b", model = { heads = 0 } },
        ]

        """)) { error in
            let problem = error as? ExperimentError
            XCTAssertEqual(problem?.line, 3, "\(error)")
            XCTAssertEqual(problem?.key, "model.heads", "\(error)")
        }
    }

    // MARK: SourceMap

    func testSourceMapGivesKeysInsideInlineTablesTheirPositions() {
        let text = """
        a = { x = 1, "y.z" = "}{,=", w.v = { u = [1, { t = 2 }] } }
        b = [
          { p = 'say "}"', q = \"\"\"
        ], { r = 1 }
        \"\"\" },
          { s = [
            1, 2,
          ], r = 3 },  # { fake = 1 }
        ]
        c = 4
        """
        let map = SourceMap(text: text)
        XCTAssertEqual(map.exact(["a", "x"]), .init(line: 1, column: 7))
        XCTAssertEqual(map.exact(["a", "y.z"]), .init(line: 1, column: 14))
        XCTAssertEqual(map.exact(["a", "w", "v"]), .init(line: 1, column: 30))
        XCTAssertEqual(map.exact(["a", "w", "v", "u", "#1", "t"]), .init(line: 1, column: 48))
        XCTAssertEqual(map.exact(["b", "#0", "p"]), .init(line: 3, column: 5))
        XCTAssertEqual(map.exact(["b", "#0", "q"]), .init(line: 3, column: 20))
        XCTAssertNil(map.exact(["b", "#0", "r"]), "inside a multi-line string")
        XCTAssertEqual(map.exact(["b", "#1", "s"]), .init(line: 6, column: 5))
        XCTAssertEqual(map.exact(["b", "#1", "r"]), .init(line: 8, column: 6))
        XCTAssertNil(map.exact(["b", "#1", "fake"]), "in a comment")
        XCTAssertEqual(map.exact(["c"]), .init(line: 10, column: 1), "the top level resumes after the array")
        XCTAssertEqual(map.line(["a", "w"]), 1, "a table made by dotted keys: where its first key is")
        XCTAssertLessThan(map.rank(["a", "w"]), map.rank(["b"]))
        XCTAssertLessThan(map.rank(["a", "x"]), map.rank(["a", "y.z"]))
        XCTAssertEqual(map.rank(["nowhere"]), .init(line: .max, column: .max))
    }
}
