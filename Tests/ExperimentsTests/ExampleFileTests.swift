import Models
import Training
import XCTest
@testable import Experiments

/// The example files in experiments/ load, expand as documented, and their run keys behave
/// (valid/everything.toml, a file with every kind of variant, stands in where a test edits a file).
final class ExampleFileTests: XCTestCase {
    func testQuickstartLoadsAndExpands() throws {
        let experiment = try ExperimentLoader.load(path: Files.example("quickstart.toml"))
        XCTAssertEqual(experiment.name, "quickstart")
        XCTAssertEqual(experiment.seeds, [1, 2, 3])
        XCTAssertEqual(experiment.variants.map(\.name), ["baseline", "rnn-attention"])
        XCTAssertEqual(experiment.runs.count, 6)
        XCTAssertEqual(Set(experiment.runs.map(\.key)).count, 6, "every run has its own key")
        XCTAssertEqual(experiment.task.kind, "reverse")
        XCTAssertEqual(experiment.task.trainSize, 2...8)
        XCTAssertEqual(experiment.task.evaluationSize, 2...12)

        guard case .transformer(let transformer) = experiment.baseline else { return XCTFail("the baseline is a Transformer") }
        XCTAssertEqual(transformer.modelSize, 32)
        XCTAssertEqual(transformer.encoderLayers, 1)
        XCTAssertEqual(transformer.decoderLayers, 1)
        XCTAssertEqual(transformer.vocabulary, 9, "8 symbols + the reserved token, from the task")
        guard case .rnn(let rnn) = experiment.variants[1].model else { return XCTFail("the variant is the RNN") }
        XCTAssertEqual(rnn.hidden, 64)
        XCTAssertEqual(rnn.vocabulary, 9)
        XCTAssertEqual(experiment.training.steps, 300)
        XCTAssertEqual(experiment.training.learningRate, 3e-3)
        XCTAssertEqual(experiment.variants[1].training, experiment.training, "a variant keeps the baseline's training")
        XCTAssertEqual(experiment.runs.map(\.spec.variant), ["baseline", "baseline", "baseline", "rnn-attention", "rnn-attention", "rnn-attention"])
    }

    func testEverythingLoadsAndExpands() throws {
        let experiment = try ExperimentLoader.load(path: Files.valid("everything.toml"))
        XCTAssertEqual(experiment.variants.count, 1 + 9 + 4)
        let grid = experiment.variants.filter { $0.origin == .grid }
        XCTAssertEqual(grid.map(\.name), ["heads=1", "heads=2", "heads=4", "heads=8"])
        XCTAssertEqual(grid.map(\.sameAs), [nil, nil, "baseline", nil], "heads=4 is the baseline: it is not run twice")
        XCTAssertEqual(experiment.runs.count, 13 * 3)
        XCTAssertEqual(experiment.distinctVariants.count, 13)
        XCTAssertEqual(Set(experiment.runs.map(\.key)).count, 39)
        let learned = try XCTUnwrap(experiment.variants.first { $0.name == "learned-positional" })
        XCTAssertEqual(learned.changes.map(\.description), ["model.positional = \"learned\"", "model.max_length = 64"])
        guard case .transformer(let config) = learned.model else { return XCTFail() }
        XCTAssertEqual(config.positional, .learned)
        XCTAssertEqual(config.maxLength, 64)
        XCTAssertEqual(config.heads, 4, "everything else is the baseline's")
        XCTAssertEqual(config.modelSize, 64)
        XCTAssertEqual(experiment.training.stopAtAccuracy, 0.99)
        XCTAssertEqual(experiment.training.schedule, .inverseSqrt)
    }

    func testKeysAreStableAcrossLoads() throws {
        let first = try ExperimentLoader.load(path: Files.valid("everything.toml"))
        let second = try ExperimentLoader.load(path: Files.valid("everything.toml"))
        XCTAssertEqual(first.runs.map(\.key), second.runs.map(\.key))
        for run in first.runs {
            XCTAssertEqual(run.key.count, 64)
            XCTAssertTrue(run.key.allSatisfy { "0123456789abcdef".contains($0) })
            XCTAssertEqual(run.shortKey, String(run.key.prefix(16)))
        }
    }

    /// A pinned key: if this changes, every stored result is orphaned (their runs would run again).
    /// Change it only on purpose (a new field in RunSpec, new defaults), and say so.
    func testQuickstartBaselineKeyIsPinned() throws {
        let experiment = try ExperimentLoader.load(path: Files.example("quickstart.toml"))
        let run = experiment.runs[0]
        XCTAssertEqual(run.key, RunKey.key(for: run.spec))
        XCTAssertEqual(run.key, SHA256.hex("ablate-run-v2\n" + { var s = run.spec; s.variant = ""; return s.canonicalJSON() }()))
        XCTAssertEqual(run.shortKey, Self.pinnedQuickstartKey, "the run key of quickstart's baseline (seed 1) changed: \(run.key)")
    }

    /// ablate-run-v2 (the file's names in the canonical JSON); under ablate-run-v1 it was 5e55438f60151afe.
    static let pinnedQuickstartKey = "eb61910292a322cc"

    func testEditingOneVariantRerunsOnlyThatVariant() throws {
        let text = try Files.text(Files.valid("everything.toml"))
        let before = try ExperimentLoader.load(text: text, path: "everything.toml")
        let edited = text.replacingOccurrences(of: "model.max_length = 64", with: "model.max_length = 96")
        XCTAssertNotEqual(edited, text)
        let after = try ExperimentLoader.load(text: edited, path: "everything.toml")
        XCTAssertEqual(before.runs.count, after.runs.count)
        for (old, new) in zip(before.runs, after.runs) {
            XCTAssertEqual(old.spec.variant, new.spec.variant)
            if old.spec.variant == "learned-positional" {
                XCTAssertNotEqual(old.key, new.key)
            } else {
                XCTAssertEqual(old.key, new.key, "\(old.spec.variant) seed \(old.spec.seed)")
            }
        }
    }

    func testEditingTheBaselineKeepsOnlyWhatDoesNotDependOnIt() throws {
        let text = try Files.text(Files.valid("everything.toml"))
        let before = try ExperimentLoader.load(text: text, path: "everything.toml")
        let after = try ExperimentLoader.load(text: text.replacingOccurrences(of: "d_ff = 256", with: "d_ff = 128"), path: "everything.toml")
        for (old, new) in zip(before.runs, after.runs) {
            // The RNN variant replaces the whole model: the Transformer's d_ff does not reach it.
            if old.spec.variant == "rnn-attention" { XCTAssertEqual(old.key, new.key) } else { XCTAssertNotEqual(old.key, new.key) }
        }
        let longer = try ExperimentLoader.load(text: text.replacingOccurrences(of: "steps = 3000", with: "steps = 4000"), path: "everything.toml")
        for (old, new) in zip(before.runs, longer.runs) {
            XCTAssertNotEqual(old.key, new.key, "training settings are shared by every run")
        }
    }

    func testRenamingAVariantKeepsItsKeys() throws {
        let text = try Files.text(Files.valid("everything.toml"))
        let before = try ExperimentLoader.load(text: text, path: "everything.toml")
        let after = try ExperimentLoader.load(text: text.replacingOccurrences(of: "name = \"rope\"", with: "name = \"rotary\""), path: "everything.toml")
        XCTAssertEqual(after.variants.map(\.name).filter { $0 == "rotary" }.count, 1)
        XCTAssertEqual(before.runs.map(\.key), after.runs.map(\.key))
        XCTAssertNotEqual(before.runs.map(\.spec.variant), after.runs.map(\.spec.variant))
    }

    func testSeedsChangeKeys() throws {
        let text = try Files.text(Files.example("quickstart.toml"))
        let before = try ExperimentLoader.load(text: text, path: "quickstart.toml")
        let after = try ExperimentLoader.load(text: text.replacingOccurrences(of: "seeds = [1, 2, 3]", with: "seeds = [1, 2, 4]"), path: "quickstart.toml")
        let old = Dictionary(uniqueKeysWithValues: before.runs.map { ("\($0.spec.variant)/\($0.spec.seed)", $0.key) })
        for run in after.runs {
            let id = "\(run.spec.variant)/\(run.spec.seed)"
            if run.spec.seed == 4 {
                XCTAssertFalse(old.values.contains(run.key), "seed 4 is a new run")
            } else {
                XCTAssertEqual(old[id], run.key, id)
            }
        }
    }

    /// Every file in experiments/ asks its question at the top, runs at least 3 seeds, and expands.
    func testEveryExperimentFileIsReady() throws {
        let folder = Files.root.appendingPathComponent("experiments")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertEqual(names, ["heads.toml", "masking.toml", "positional.toml", "quickstart.toml", "residual-norm.toml",
                               "rnn-baseline.toml", "scaling.toml"])
        for name in names {
            let experiment = try ExperimentLoader.load(path: Files.example(name))
            XCTAssertEqual(experiment.name + ".toml", name, "the database and report are named after the file")
            XCTAssertFalse(experiment.question.isEmpty, name)
            XCTAssertGreaterThanOrEqual(experiment.seeds.count, 3, name)
            XCTAssertNil(experiment.training.timeBudgetSeconds, "\(name): a time budget would make results depend on the machine")
            let text = try Files.text(Files.example(name))
            XCTAssertTrue(text.hasPrefix("# "), "\(name) opens with a paragraph that says what it asks")
            XCTAssertTrue(text.contains("ablate run experiments/\(name)"), "\(name) shows the command that runs it")
        }
    }

    /// The two example files are shown in full in docs/experiment-file.md: the copies must match.
    func testTheDocumentationShowsTheExampleFilesAsTheyAre() throws {
        let doc = try Files.text(Files.root.appendingPathComponent("docs/experiment-file.md").path)
        for name in ["quickstart.toml", "positional.toml"] {
            let file = try Files.text(Files.example(name))
            XCTAssertTrue(doc.contains("```toml\n" + file + "```"), "docs/experiment-file.md does not show experiments/\(name) as it is")
        }
    }
}
