import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plots
import Reports
import Store
import XCTest

/// Reports computed from a fixture database whose numbers are known (see ReportFixture).
final class ReportAnalysisTests: ReportTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try ReportFixture.write(to: databasePath)
    }

    func row(_ analysis: ExperimentAnalysis, _ name: String) throws -> VariantRow {
        try XCTUnwrap(analysis.variants.first { $0.name == name }, "no row for \(name)")
    }

    func testLoadsOnlyCurrentRunsInSweepOrder() throws {
        let analysis = try analysis()
        XCTAssertEqual(analysis.data.runs.count, 9)
        XCTAssertEqual(analysis.data.staleRuns, 1)
        XCTAssertEqual(analysis.data.variants, ["baseline", "wide", "broken"])
        XCTAssertEqual(analysis.baseline, "baseline")
        // The plan, from the database alone.
        XCTAssertEqual(analysis.data.plan.question, "Is wider better?")
        XCTAssertEqual(analysis.findings, "Wider is better.")
        XCTAssertEqual(analysis.data.plan.variants, ReportFixture.variants(experiment: "fixture"))
        // Only the last evaluation's slices.
        XCTAssertEqual(analysis.data.runs[0].finalSlices.map(\.slice).sorted(), ["length=2", "length=3", "length=4"])
        XCTAssertTrue(analysis.data.runs[0].finalSlices.allSatisfy { $0.step == 20 })
    }

    func testMeansAndIntervalsPerVariant() throws {
        let analysis = try analysis()
        let baseline = try row(analysis, "baseline")
        // Test: 0.5, 0.6, 0.7 -> mean 0.6, sd 0.1, t(0.975, 2) = 4.302652730.
        let half = 4.302652730 * 0.1 / 3.0.squareRoot()
        XCTAssertEqual(baseline.test.mean!, 0.6, accuracy: 1e-12)
        XCTAssertEqual(baseline.test.interval!.lower, 0.6 - half, accuracy: 1e-9)
        XCTAssertEqual(baseline.test.interval!.upper, 0.6 + half, accuracy: 1e-9)
        XCTAssertEqual(baseline.validation.mean!, 0.65, accuracy: 1e-12)
        XCTAssertEqual(baseline.parameters, [1000])
        XCTAssertEqual(baseline.done, 3)
        XCTAssertEqual(baseline.wallSeconds.mean!, 3, accuracy: 1e-12)
        // The threshold is the baseline's stop_at_accuracy (0.6): seeds 2 and 3 reach it at step 10.
        XCTAssertEqual(analysis.threshold, 0.6)
        XCTAssertEqual(baseline.stepsToThreshold.values, [10, 10])

        let wide = try row(analysis, "wide")
        XCTAssertEqual(wide.test.mean!, 2.5 / 3, accuracy: 1e-12)
        let wideSD = (pow(0.8 - 2.5 / 3, 2) * 2 + pow(0.9 - 2.5 / 3, 2)) / 2
        XCTAssertEqual(wide.test.interval!.halfWidth, 4.302652730 * wideSD.squareRoot() / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(wide.changes, ["model.positional = \"learned\" (baseline: \"sinusoidal\")"])
        XCTAssertEqual(try row(analysis, "broken").changes, ["train.lr = 10 (baseline: 0.001)"])
        let changes = analysis.changesTable()
        XCTAssertEqual(changes.columns, ["variant", "description", "settings that differ from the baseline"])
        XCTAssertEqual(changes.rows, [["wide", "learned positions", "model.positional = \"learned\" (baseline: \"sinusoidal\")"],
                                      ["broken", "", "train.lr = 10 (baseline: 0.001)"],
                                      ["heads=2", "", "model.heads = 2 (baseline: 2); same configuration as baseline: its results are baseline's"]])

        // Only the done run of "broken" counts: one value, no interval.
        let broken = try row(analysis, "broken")
        XCTAssertEqual(broken.done, 1)
        XCTAssertEqual(broken.test.values, [0.1])
        XCTAssertNil(broken.test.interval)
        XCTAssertEqual(broken.statuses, [.done: 1, .failed: 1, .diverged: 1])

        let table = analysis.variantTable()
        XCTAssertEqual(table.rows[0], ["baseline (baseline)", "3/3", "1,000", "0.650 [0.402, 0.898]", "0.600 [0.352, 0.848]",
                                       "10 (2/3 reached)", "3.0 s"])
        XCTAssertEqual(table.rows[2][4], "0.100 (1 seed)")
        XCTAssertEqual(table.rows[2][5], "not reached (0/1)")
    }

    func testAnotherThresholdAndMetric() throws {
        let analysis = try analysis(ReportOptions(metric: .tokenAccuracy, threshold: 0.8))
        let baseline = try row(analysis, "baseline")
        // Token accuracy is exact match + 0.1 in the fixture.
        XCTAssertEqual(baseline.test.mean!, 0.7, accuracy: 1e-12)
        XCTAssertEqual(baseline.stepsToThreshold.values, [20])  // 0.85 at step 20 for seed 3 only
        XCTAssertTrue(analysis.variantTable().columns[3].contains("token accuracy"))
    }

    func testEffectsArePairedBySeed() throws {
        let analysis = try analysis()
        let wide = try XCTUnwrap(analysis.effects.first { $0.variant == "wide" })
        let test = try XCTUnwrap(wide.test)
        XCTAssertEqual(test.pairedSeeds, [1, 2, 3])
        XCTAssertEqual(test.difference.estimate, 0.7 / 3, accuracy: 1e-12)  // (0.3 + 0.2 + 0.2) / 3
        // Resample means of {0.3, 0.2, 0.2} lie in [0.2, 0.3].
        XCTAssertGreaterThanOrEqual(test.difference.lower, 0.2 - 1e-12)
        XCTAssertLessThanOrEqual(test.difference.upper, 0.3 + 1e-12)
        XCTAssertLessThan(test.difference.lower, test.difference.estimate)
        let broken = try XCTUnwrap(analysis.effects.first { $0.variant == "broken" }?.test)
        XCTAssertEqual(broken.pairedSeeds, [1])
        XCTAssertEqual(broken.baselineOnlySeeds, [2, 3])
        XCTAssertEqual(broken.difference.estimate, -0.4, accuracy: 1e-12)

        let table = analysis.effectTable()
        XCTAssertEqual(table.rows.map(\.first), ["wide", "broken"])
        XCTAssertEqual(table.rows[0][1], "3")
        XCTAssertEqual(table.rows[0][4], "better than the baseline")
        XCTAssertEqual(table.rows[1][4], "one pair: no interval")
        // The same database gives the same interval.
        XCTAssertEqual(try self.analysis().effects.first?.test, wide.test)
    }

    func testSlicesMarkTheTrainingRange() throws {
        let facts = TaskFacts(kind: "reverse", summary: "reverse the symbols", sizeName: "length",
                              chanceBySize: [2: 1.0 / 64, 3: 1.0 / 512, 4: 1.0 / 4096], chanceExplanation: "uniform guessing")
        let analysis = try analysis(task: facts)
        let slices = try XCTUnwrap(analysis.slices)
        XCTAssertEqual(slices.values, [2, 3, 4])
        XCTAssertEqual(slices.trainingRange, 2...3)
        let baseline = try XCTUnwrap(slices.cells.first { $0.variant == "baseline" })
        XCTAssertEqual(baseline.byValue[2]!.mean!, 0.7, accuracy: 1e-12)  // 0.6, 0.7, 0.8
        XCTAssertEqual(baseline.byValue[4]!.mean!, 0.3, accuracy: 1e-12)  // 0.2, 0.3, 0.4
        let table = analysis.sliceTable(slices)
        XCTAssertEqual(table.columns, ["length", "seen in training", "chance", "baseline [95% CI]", "wide [95% CI]", "broken [95% CI]"])
        XCTAssertEqual(table.rows.map { $0[1] }, ["yes", "yes", "no"])
        XCTAssertEqual(table.rows[0][2], "0.016")
        XCTAssertEqual(table.rows[2][5], "0.000 (1 seed)")
    }

    func testWarningsNameWhatIsWrong() throws {
        let warnings = try analysis().warnings.joined(separator: "\n")
        XCTAssertTrue(warnings.contains("broken: 1 of 3 runs failed"), warnings)
        XCTAssertTrue(warnings.contains("out of memory"), warnings)
        XCTAssertFalse(warnings.contains("second line"), "only an error's first line")
        XCTAssertTrue(warnings.contains("broken: 1 of 3 runs diverged"), warnings)
        XCTAssertTrue(warnings.contains("Unequal numbers of finished seeds: baseline 3, wide 3, broken 1"), warnings)
        XCTAssertTrue(warnings.contains("wide has 1200 parameters, +20.0% against the baseline's 1000"), warnings)
        XCTAssertFalse(warnings.contains("broken has"), "broken has the baseline's size")
        XCTAssertTrue(warnings.contains("as few as 1 paired seed"), warnings)
        XCTAssertTrue(warnings.contains("broken: some seeds have no partner"), warnings)
        XCTAssertTrue(warnings.contains("1 run(s) of earlier versions"), warnings)
    }

    func testNoWarningsForACleanExperiment() throws {
        // Only the baseline and "wide": equal seeds, all done; still too few pairs and a size gap.
        let store = try ResultStore(path: databasePath)
        let data = try ExperimentData.load(from: store, experiment: "fixture", databasePath: databasePath)
        try store.close()
        var clean = data
        clean.runs = data.runs.filter { $0.record.variant != "broken" }
        clean.staleRuns = 0
        let warnings = ExperimentAnalysis(data: clean).warnings
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings[0].hasPrefix("wide has 1200 parameters"))
        XCTAssertTrue(warnings[1].hasPrefix("Effects rest on 3 paired seed(s)"))
    }

    func testMissingBaselineIsSaid() throws {
        let analysis = try analysis(ReportOptions(baseline: "nonexistent"))
        XCTAssertNil(analysis.baseline)
        XCTAssertTrue(analysis.effects.isEmpty)
        XCTAssertTrue(analysis.warnings.contains { $0.contains("No run of the baseline \"nonexistent\"") })
    }

    func testLearningCurvesAverageOverSeedsWithARange() throws {
        let analysis = try analysis()
        let curves = analysis.figures()
        XCTAssertEqual(curves.map(\.name), ["accuracy-by-length", "validation-accuracy", "training-loss", "final-accuracy"])
        let validation = try XCTUnwrap(curves.first { $0.name == "validation-accuracy" }).figure
        let baseline = try XCTUnwrap(validation.series.first { $0.name == "baseline" })
        XCTAssertEqual(baseline.points.map(\.x), [0, 10, 20])
        XCTAssertEqual(baseline.points[1].y, (0.3 + 0.6 + 0.7) / 3, accuracy: 1e-12)
        XCTAssertEqual(baseline.band![1].low, 0.3, accuracy: 1e-12)
        XCTAssertEqual(baseline.band![1].high, 0.7, accuracy: 1e-12)
        let length = try XCTUnwrap(curves.first { $0.name == "accuracy-by-length" }).figure
        XCTAssertEqual(length.marks, [Mark(from: 1.5, to: 3.5, label: "seen in training")])
        let final = try XCTUnwrap(curves.first { $0.name == "final-accuracy" }).figure
        let bars = try XCTUnwrap(final.series.first { $0.name == "baseline" })
        XCTAssertEqual(bars.points.map(\.y), [0.65, 0.6].map { $0 }, "validation then test means")
        XCTAssertEqual(bars.band![1].low, 0.6 - 4.302652730 * 0.1 / 3.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(final.xTicks.map(\.label), ["validation", "test"])
        XCTAssertEqual(final.palette, ["baseline", "wide", "broken"])
    }
}

/// The written report: real gnuplot, files on disk, Markdown and HTML.
final class ReportWriterTests: ReportTestCase {
    func testWritesMarkdownHTMLAndFigures() throws {
        try ReportFixture.write(to: databasePath)
        let analysis = try analysis()
        let reports = folder.appendingPathComponent("reports"), plots = folder.appendingPathComponent("plots")
        let output = try ReportWriter.write(analysis, fileStem: "fixture", reportsDirectory: reports, plotsDirectory: plots)
        XCTAssertEqual(output.markdown.lastPathComponent, "fixture.md")
        XCTAssertEqual(output.html.lastPathComponent, "fixture.html")
        XCTAssertEqual(output.figures.map(\.lastPathComponent),
                       ["accuracy-by-length.png", "validation-accuracy.png", "training-loss.png", "final-accuracy.png"])
        for png in output.figures {
            let bytes = [UInt8](try Data(contentsOf: png))
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png.path)
            XCTAssertGreaterThan(bytes.count, 5000, png.path)
            let base = png.deletingPathExtension()
            XCTAssertTrue(FileManager.default.fileExists(atPath: base.path + ".gp"))
            _ = try XMLDocument(contentsOf: URL(fileURLWithPath: base.path + ".svg"), options: [])
        }
        let markdown = try String(contentsOf: output.markdown, encoding: .utf8)
        XCTAssertTrue(markdown.contains("| baseline (baseline) | 3/3 | 1,000 | 0.650 \\[0.402, 0.898\\] | 0.600 \\[0.352, 0.848\\] |"), markdown)
        XCTAssertTrue(markdown.contains("**Question.** Is wider better?"))
        XCTAssertTrue(markdown.contains("ablate run experiments/fixture.toml"))
        XCTAssertTrue(markdown.contains("git checkout abc123"), "the commit the runs were trained at, not the last registration's")
        XCTAssertFalse(markdown.contains("def456"), "the registration's commit is not the runs'")
        XCTAssertTrue(markdown.contains("| git\\_dirty | false |"), markdown)
        // Every linked figure exists, relative to the report.
        let links = markdown.components(separatedBy: "](").dropFirst().map { String($0.prefix { $0 != ")" }) }
        XCTAssertEqual(links.count, 4)
        for link in links {
            XCTAssertTrue(FileManager.default.fileExists(atPath: reports.appendingPathComponent(link).standardizedFileURL.path), link)
        }
        let html = try String(contentsOf: output.html, encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "src=\"data:image/png;base64,").count - 1, 4)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src=\"http"), "self-contained")
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='table']").count, 5)
        // Writing again replaces the files (same content: the bootstrap is seeded).
        let again = try ReportWriter.write(try self.analysis(), fileStem: "fixture", reportsDirectory: reports, plotsDirectory: plots)
        XCTAssertEqual(try String(contentsOf: again.markdown, encoding: .utf8), markdown)
    }

    func testFilesTakeTheGivenStemNotTheName() throws {
        try ReportFixture.write(to: databasePath)
        let reports = folder.appendingPathComponent("reports"), plots = folder.appendingPathComponent("plots")
        let output = try ReportWriter.write(try analysis(), fileStem: "other_stem~0123456789abcdef",
                                            reportsDirectory: reports, plotsDirectory: plots)
        XCTAssertEqual(output.markdown.path, reports.appendingPathComponent("other_stem~0123456789abcdef.md").path)
        XCTAssertEqual(output.html.path, reports.appendingPathComponent("other_stem~0123456789abcdef.html").path)
        for png in output.figures {
            XCTAssertEqual(png.deletingLastPathComponent().standardizedFileURL.path,
                           plots.appendingPathComponent("other_stem~0123456789abcdef").standardizedFileURL.path)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted(),
                       ["other_stem~0123456789abcdef.html", "other_stem~0123456789abcdef.md"])
    }

    func testReproduceCommandsAreSafeToPaste() throws {
        try ReportFixture.write(to: databasePath)
        var analysis = try analysis()
        analysis.data.environment["experiment_file"] = "exp\u{1B}[31m it's\u{202E}.toml"
        analysis.data.databasePath = "results/plain.sqlite"
        XCTAssertEqual(analysis.reproduceCommands(fileStem: "unused").components(separatedBy: "\n").suffix(2),
                       ["ablate run $'exp\\x1B[31m it\\'s\\u202E.toml'", "ablate report results/plain.sqlite"])
        analysis.data.environment["experiment_file"] = nil
        XCTAssertTrue(analysis.reproduceCommands(fileStem: "s~0123").contains("ablate run 'experiments/s~0123.toml'"))
    }
}
