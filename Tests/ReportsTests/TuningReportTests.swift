import Foundation
import Models
import Plots
import Reports
import Store
import Training
import XCTest

/// A tiny tuned experiment written straight into a store, with known numbers.
///
/// [tune] "train.lr" = [0.001, 0.03] (the baseline's own is 0.001), halving with eta 2 (one rung of
/// 10 of the 20 steps), selection on validation exact match over seeds 1 and 2.
/// - baseline: trials lr=0.001 0.5, 0.75 (mean 0.625); lr=0.03 0.75, 1.0 (0.875): lr=0.03 is chosen
///   (the largest value: an edge). Finals (lr=0.03) test 0.7, 0.8, 0.9; untuned (lr=0.001) 0.5, 0.6, 0.7.
/// - "wide": trials lr=0.001 0.75, 1.0 (0.875); lr=0.03 0.25, 0.5 (0.375): lr=0.001 is chosen (the
///   smallest: an edge; the baseline's own, so its final runs are its untuned runs): test 0.8, 0.8, 0.9.
/// Every trial also carries a wild test value (0.0) that no analysis may use.
enum TunedFixture {
    static let experiment = "tuned"
    static let rates = ["0.001", "0.03"]

    static let settings = TuningSettings(
        method: "halving", metric: "exact_match", selectionSeeds: [1, 2], eta: 2, firstRung: 0.5,
        axes: [TuningSettings.Axis(key: "train.lr", values: rates, numeric: true)],
        candidates: rates.map { TuningSettings.Candidate(name: "lr=\($0)", changes: [VariantChange(key: "train.lr", value: $0)]) })

    struct Run {
        var key: String
        var variant: String
        var seed: Int
        var lr: Double
        var trial: Bool
        var validation: Double
        var test: Double?
        var steps: Int
        var status: RunStatus = .done
    }

    static func config(_ run: Run) -> String {
        var model = TransformerConfig()
        model.heads = 2
        model.positional = run.variant == "wide" ? .learned : .sinusoidal
        var training = TrainingSettings()
        training.steps = 20
        training.learningRate = run.lr
        let task = TaskSpec(kind: "reverse", parameters: ["symbols": .integer(8)], trainSize: 2...3, evaluationSize: 2...4)
        var spec = RunSpec(variant: run.variant, seed: UInt64(run.seed), task: task, model: .transformer(model), training: training)
        if run.trial {
            spec.stopAfter = 10
            spec.evaluatesTest = false
        }
        return spec.canonicalJSON()
    }

    /// Writes the experiment; `decided` false leaves it at the trials (no decision, no final run).
    @discardableResult
    static func write(to path: String, decided: Bool = true) throws -> [Run] {
        var runs: [Run] = []
        var parts: [TuningRunRecord] = []
        var number = 0
        func key() -> String { number += 1; return String(format: "%064x", number) }
        let trialValues: [String: [[Double]]] = ["baseline": [[0.5, 0.75], [0.75, 1.0]], "wide": [[0.75, 1.0], [0.25, 0.5]]]
        for variant in ["baseline", "wide"] {
            for candidate in 0..<2 {
                for (index, seed) in [1, 2].enumerated() {
                    let run = Run(key: key(), variant: variant, seed: seed, lr: Double(rates[candidate])!, trial: true,
                                  validation: trialValues[variant]![candidate][index], test: 0.0, steps: 10)
                    runs.append(run)
                    parts.append(TuningRunRecord(experiment: experiment, variant: variant, role: .trial, candidate: candidate, rung: 0,
                                                 seed: seed, run: run.key))
                }
            }
        }
        var decisions: [TuningDecisionRecord] = []
        if decided {
            let finals: [(String, Int, [Double])] = [("baseline", 1, [0.7, 0.8, 0.9]), ("wide", 0, [0.8, 0.8, 0.9])]
            for (variant, chosen, tests) in finals {
                for (index, seed) in [1, 2, 3].enumerated() {
                    let run = Run(key: key(), variant: variant, seed: seed, lr: Double(rates[chosen])!, trial: false,
                                  validation: tests[index] + 0.05, test: tests[index], steps: 20)
                    runs.append(run)
                    parts.append(TuningRunRecord(experiment: experiment, variant: variant, role: .final, candidate: chosen, rung: nil,
                                                 seed: seed, run: run.key))
                }
            }
            // wide's chosen value is the baseline's own: its final runs are its untuned runs.
            for (index, seed) in [1, 2, 3].enumerated() {
                let run = Run(key: key(), variant: "baseline", seed: seed, lr: 0.001, trial: false,
                              validation: [0.55, 0.65, 0.75][index], test: [0.5, 0.6, 0.7][index], steps: 20)
                runs.append(run)
                parts.append(TuningRunRecord(experiment: experiment, variant: "baseline", role: .untuned, candidate: nil, rung: nil,
                                             seed: seed, run: run.key))
            }
            for part in parts where part.variant == "wide" && part.role == .final {
                parts.append(TuningRunRecord(experiment: experiment, variant: "wide", role: .untuned, candidate: nil, rung: nil,
                                             seed: part.seed, run: part.run))
            }
            for (variant, values, chosen) in [("baseline", [0.625, 0.875], 1), ("wide", [0.875, 0.375], 0)] {
                for candidate in 0..<2 {
                    let trials = parts.filter { $0.variant == variant && $0.role == .trial && $0.candidate == candidate }.map(\.run)
                    decisions.append(TuningDecisionRecord(
                        experiment: experiment, variant: variant, rung: 0, candidate: candidate, steps: 10, value: values[candidate],
                        tieBreak: 1.0, rank: candidate == chosen ? 1 : 2, decision: candidate == chosen ? .chosen : .stopped, runs: trials))
                }
            }
        }

        let store = try ResultStore(path: path)
        defer { try? store.close() }
        let record = ExperimentRecord(name: experiment, question: "Does wide help once tuned?", source: "[tune]\n\"train.lr\" = [0.001, 0.03]\n")
        let variants = [
            VariantRecord(experiment: experiment, name: "baseline", position: 0, origin: .baseline),
            VariantRecord(experiment: experiment, name: "wide", position: 1, origin: .variant,
                          changes: [VariantChange(key: "model.positional", value: "\"learned\"")]),
        ]
        try store.register(experiment: record, variants: variants,
                           runs: runs.map { PlannedRun(key: $0.key, variant: $0.variant, seed: $0.seed, config: config($0)) },
                           tuning: TuningRegistration(settings: settings, runs: parts, decisions: decisions))
        let worker = WorkerIdentity(host: "fixture-host", pid: 1)
        for run in runs {
            let claimed = try XCTUnwrap(try store.claimNext(experiment: experiment, worker: worker))
            XCTAssertEqual(claimed.key, run.key)
            var points = [MetricPoint(run: run.key, step: run.steps, split: .validation, name: .exactMatch, value: run.validation),
                          MetricPoint(run: run.key, step: run.steps, split: .validation, name: .loss, value: 1 - run.validation)]
            for step in 0..<run.steps {
                points.append(MetricPoint(run: run.key, step: step, split: .train, name: .loss, value: 2.0 / Double(step + 1)))
            }
            if let test = run.test {
                points.append(MetricPoint(run: run.key, step: run.steps, split: .test, name: .exactMatch, value: test))
                try store.recordSlices([SliceEvaluation(run: run.key, step: run.steps, split: .test, slice: SliceLabel(name: "length", value: 2),
                                                        loss: 1, tokenAccuracy: test, exactMatch: test, examples: 8),
                                        SliceEvaluation(run: run.key, step: run.steps, split: .test, slice: SliceLabel(name: "length", value: 4),
                                                        loss: 1, tokenAccuracy: test / 2, exactMatch: test / 2, examples: 8)])
            }
            try store.recordMetrics(points)
            _ = try store.finish(runKey: run.key, worker: worker, outcome: RunOutcome(status: run.status, wallSeconds: 1, parameters: 1000,
                                                                                      steps: run.steps))
        }
        return runs
    }
}

final class TuningReportTests: ReportTestCase {
    func tunedAnalysis() throws -> ExperimentAnalysis {
        let store = try ResultStore(path: databasePath)
        defer { try? store.close() }
        let data = try ExperimentData.load(from: store, experiment: TunedFixture.experiment, databasePath: databasePath)
        return ExperimentAnalysis(data: data, configuration: ReportFixture.configuration, trainingSteps: ["baseline": 20, "wide": 20])
    }

    func testMainAnalysisReadsOnlyFinalsAndTheUntunedOneOnlyUntunedRuns() throws {
        let runs = try TunedFixture.write(to: databasePath)
        let analysis = try tunedAnalysis()
        let finals = Set(runs.filter { !$0.trial && ($0.variant == "wide" || $0.lr == 0.03) }.map(\.key))
        XCTAssertEqual(Set(analysis.data.runs.map(\.record.key)), finals)
        XCTAssertEqual(analysis.data.variants, ["baseline", "wide"])
        XCTAssertNil(analysis.data.tuning, "the analysed copy is a plain experiment")
        let baseline = try XCTUnwrap(analysis.variants.first { $0.name == "baseline" })
        XCTAssertEqual(baseline.test.values, [0.7, 0.8, 0.9], "the baseline's finals, at lr=0.03")
        XCTAssertEqual(baseline.runs, 3)
        let tuning = try XCTUnwrap(analysis.tuning)
        let untunedBaseline = try XCTUnwrap(tuning.untunedVariants.first { $0.name == "baseline" })
        XCTAssertEqual(untunedBaseline.test.values, [0.5, 0.6, 0.7], "the baseline at its own lr")
        XCTAssertEqual(try XCTUnwrap(tuning.untunedVariants.first { $0.name == "wide" }).test.values, [0.8, 0.8, 0.9])
        // Trials never give a test number (their wild 0.0 would show), nor enter the slices.
        for row in analysis.variants + tuning.untunedVariants {
            XCTAssertFalse(row.test.values.contains(0.0), row.name)
            XCTAssertEqual(row.runs, 3, row.name)
        }
        XCTAssertTrue(try XCTUnwrap(analysis.slices).cells.allSatisfy { $0.byValue[2]!.values.count == 3 })
        // The restriction by hand: relabelled, in the file's order, seeds ascending.
        let store = try ResultStore(path: databasePath)
        let data = try ExperimentData.load(from: store, experiment: TunedFixture.experiment, databasePath: databasePath)
        try store.close()
        XCTAssertEqual(data.runs.count, 17)
        let untuned = data.restricted(to: .untuned)
        XCTAssertEqual(untuned.runs.map(\.record.variant), ["baseline", "baseline", "baseline", "wide", "wide", "wide"])
        XCTAssertEqual(untuned.runs.map(\.record.seed), [1, 2, 3, 1, 2, 3])
        XCTAssertEqual(data.restricted(to: .trial).runs.count, 8)
    }

    func testTuningTableSaysWhatWasChosenAndWhatItChanges() throws {
        try TunedFixture.write(to: databasePath)
        let analysis = try tunedAnalysis()
        let tuning = try XCTUnwrap(analysis.tuning)
        XCTAssertEqual(tuning.variants.map(\.name), ["baseline", "wide"])
        XCTAssertEqual(tuning.variants.map(\.chosen), [1, 0])
        XCTAssertEqual(tuning.variants[0].edges, [TunedVariant.Edge(key: "train.lr", value: "0.03", largest: true)])
        XCTAssertEqual(tuning.variants[1].edges, [TunedVariant.Edge(key: "train.lr", value: "0.001", largest: false)])

        // Each at its best: wide - baseline finals = +0.1, 0, 0; at the baseline's setting: +0.3, +0.2, +0.2.
        let best = try XCTUnwrap(tuning.variants[1].tuned?.test)
        XCTAssertEqual(best.pairedSeeds, [1, 2, 3])
        XCTAssertEqual(best.difference.estimate, 0.1 / 3, accuracy: 1e-12)
        let own = try XCTUnwrap(tuning.variants[1].atBaselineSetting?.test)
        XCTAssertEqual(own.difference.estimate, 0.7 / 3, accuracy: 1e-12)
        XCTAssertNil(tuning.variants[0].tuned)

        let table = tuning.summaryTable(analysis)
        XCTAssertEqual(table.rows[0][0], "baseline (baseline)")
        XCTAssertEqual(table.rows[0][1], "lr=0.03")
        XCTAssertEqual(table.rows[0][2], "0.875 (rung 0, 10 steps)")
        XCTAssertEqual(table.rows[0][3], "WARNING: train.lr at its largest value: widen it")
        XCTAssertEqual(table.rows[0][5], "reference")
        XCTAssertEqual(table.rows[1][1], "lr=0.001")
        XCTAssertEqual(table.rows[1][3], "WARNING: train.lr at its smallest value: widen it")
        XCTAssertEqual(table.rows[1][4], "3/3")
        XCTAssertTrue(table.rows[1][5].hasPrefix("+0.033 ["), table.rows[1][5])
        XCTAssertEqual(table.rows[1][6], "no clear difference")
        XCTAssertTrue(table.rows[1][7].hasPrefix("+0.233 ["), table.rows[1][7])
        XCTAssertEqual(table.rows[1][8], "better than the baseline")
        XCTAssertEqual(table.rows[1][9], "yes: better than the baseline at the baseline's setting, no clear difference tuned")

        let warnings = analysis.warnings.joined(separator: "\n")
        XCTAssertTrue(warnings.contains("baseline: the chosen train.lr = 0.03 is the largest of the values tried (0.001, 0.03): "
                                        + "at the edge of its range: widen it."), warnings)
        XCTAssertTrue(warnings.contains("wide: the chosen train.lr = 0.001 is the smallest"), warnings)

        let rungs = tuning.rungTable(tuning.variants[0])
        XCTAssertEqual(rungs.columns, ["candidate", "rung 0 (10 steps): validation exact match (rank, decision)"])
        XCTAssertEqual(rungs.rows, [["lr=0.03", "0.875 (#1, chosen)"], ["lr=0.001", "0.625 (#2, stopped)"]])
        let facts = tuning.settingsTable()
        XCTAssertEqual(facts.rows[0], ["tuned", "train.lr = 0.001, 0.03"])
        XCTAssertTrue(facts.rows[2][1].hasPrefix("successive halving (eta 2"), facts.rows[2][1])
        XCTAssertTrue(facts.rows[2][1].contains("rungs of 10 steps"), facts.rows[2][1])
        XCTAssertTrue(facts.rows[3][1].contains("seeds 1, 2"), facts.rows[3][1])
        // compare prints analysis.tables(): the tuning's are among them.
        XCTAssertTrue(analysis.tables().contains { $0.title == "What tuning chose, and what it changes" })
        XCTAssertTrue(analysis.tables().contains { $0.title == "Training steps spent" })
    }

    func testStepsAreCountedOncePerRun() throws {
        try TunedFixture.write(to: databasePath)
        let tuning = try XCTUnwrap(try tunedAnalysis().tuning)
        // Per variant: 4 trials of 10 steps; 3 finals of 20; baseline 3 untuned of 20, wide's untuned are its finals.
        XCTAssertEqual(tuning.steps.map(\.variant), ["baseline", "wide", nil])
        XCTAssertEqual(tuning.steps[0], TuningSteps(variant: "baseline", trials: 40, finals: 60, untuned: 60, shared: 0, unfinished: 0, fullGrid: 80))
        XCTAssertEqual(tuning.steps[1], TuningSteps(variant: "wide", trials: 40, finals: 60, untuned: 0, shared: 3, unfinished: 0, fullGrid: 80))
        XCTAssertEqual(tuning.steps[2], TuningSteps(variant: nil, trials: 80, finals: 120, untuned: 60, shared: 3, unfinished: 0, fullGrid: 160))
        XCTAssertEqual(tuning.steps[2].total, 260)
        XCTAssertEqual(tuning.steps[2].saved, 80)
        let table = tuning.stepsTable()
        XCTAssertEqual(table.columns.last, "saved by halving")
        XCTAssertEqual(table.rows.last, ["all", "80", "120", "60", "260", "160", "80 (50% of the grid's trials)"])
    }

    func testSensitivityFigureHoldsRungZero() throws {
        try TunedFixture.write(to: databasePath)
        let analysis = try tunedAnalysis()
        let figure = try XCTUnwrap(analysis.figures().first { $0.name == "tuning-train.lr" })
        XCTAssertTrue(figure.figure.logX, "0.001 to 0.03 spans more than a factor of 10")
        XCTAssertEqual(figure.figure.xTicks.map(\.label), ["0.001", "0.03"])
        XCTAssertTrue(figure.figure.title.contains("validation exact match after 10 steps, rung 0"), figure.figure.title)
        let baseline = try XCTUnwrap(figure.figure.series.first { $0.name == "baseline" })
        XCTAssertEqual(baseline.points.map(\.x), [0.001, 0.03])
        XCTAssertEqual(baseline.points.map(\.y), [0.625, 0.875])
        XCTAssertEqual(baseline.band!.map(\.low), [0.5, 0.75])
        XCTAssertEqual(baseline.band!.map(\.high), [0.75, 1.0])
        let script = Gnuplot.script(for: figure.figure, output: figure.name)
        XCTAssertTrue(script.contains("$data0 << EOD\n0.001 0.625\n0.03 0.875\nEOD"), script)
        XCTAssertTrue(script.contains("$band0 << EOD\n0.001 0.5 0.75\n0.03 0.75 1\nEOD"), script)
        XCTAssertTrue(script.contains("$data1 << EOD\n0.001 0.875\n0.03 0.375\nEOD"), script)
        XCTAssertTrue(script.contains("set logscale x"))
        // The tried values with a margin of a factor 1.25 each side, not gnuplot's rounding to a decade.
        let range = try XCTUnwrap(figure.figure.xRange)
        XCTAssertEqual(range.lowerBound, 0.001 / 1.25, accuracy: 1e-15)
        XCTAssertEqual(range.upperBound, 0.03 * 1.25, accuracy: 1e-15)
        XCTAssertTrue(script.contains("set xrange ["), script)
        XCTAssertTrue(script.contains("set xtics ('0.001' 0.001, '0.03' 0.03)"), script)
    }

    func testTunedReportIsWrittenWithItsTuningSection() throws {
        try TunedFixture.write(to: databasePath)
        let reports = folder.appendingPathComponent("reports"), plots = folder.appendingPathComponent("plots")
        let output = try ReportWriter.write(try tunedAnalysis(), fileStem: "tuned", reportsDirectory: reports, plotsDirectory: plots)
        XCTAssertEqual(output.figures.map(\.lastPathComponent).last, "tuning-train.lr.png")
        let markdown = try String(contentsOf: output.markdown, encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Tuning"), markdown)
        XCTAssertTrue(markdown.contains("Tuned: these are the final runs"), markdown)
        XCTAssertTrue(markdown.contains("![Tuning train.lr"), markdown)
        let html = try String(contentsOf: output.html, encoding: .utf8)
        XCTAssertTrue(html.contains("What tuning chose, and what it changes"))
    }

    func testTuningInProgressIsSaid() throws {
        try TunedFixture.write(to: databasePath, decided: false)
        let analysis = try tunedAnalysis()
        XCTAssertTrue(analysis.data.runs.isEmpty)
        let tuning = try XCTUnwrap(analysis.tuning)
        XCTAssertEqual(tuning.variants.map(\.chosen), [nil, nil])
        let warnings = analysis.warnings.joined(separator: "\n")
        XCTAssertTrue(warnings.contains("No final run yet"), warnings)
        XCTAssertTrue(warnings.contains("Tuning is in progress: no candidate chosen yet for baseline, wide"), warnings)
        XCTAssertFalse(warnings.contains("The experiment has no runs."), warnings)
        XCTAssertEqual(tuning.summaryTable(analysis).rows[0][1], "not chosen yet (no rung decided)")
        // The figure still shows the trials trained so far; the report is written.
        let figure = try XCTUnwrap(analysis.figures().first { $0.name == "tuning-train.lr" })
        XCTAssertEqual(figure.figure.series.first?.points.map(\.y), [0.625, 0.875])
        let output = try ReportWriter.write(analysis, fileStem: "tuned", reportsDirectory: folder.appendingPathComponent("reports"),
                                            plotsDirectory: folder.appendingPathComponent("plots"))
        XCTAssertTrue(try String(contentsOf: output.markdown, encoding: .utf8).contains("tuning is in progress"))
    }

    func testAnUntunedExperimentHasNoTuning() throws {
        try ReportFixture.write(to: databasePath)
        let analysis = try analysis()
        XCTAssertNil(analysis.tuning)
        XCTAssertNil(analysis.data.tuning)
        XCTAssertEqual(analysis.data.runs.count, 9, "all its runs, as before")
        XCTAssertEqual(analysis.tables().count, 4)
        XCTAssertFalse(analysis.figures().contains { $0.name.hasPrefix("tuning-") })
        let output = try ReportWriter.write(analysis, fileStem: "fixture", reportsDirectory: folder.appendingPathComponent("reports"),
                                            plotsDirectory: folder.appendingPathComponent("plots"))
        let markdown = try String(contentsOf: output.markdown, encoding: .utf8)
        XCTAssertFalse(markdown.contains("Tuning"))
        XCTAssertFalse(markdown.contains("final runs"))
    }
}
