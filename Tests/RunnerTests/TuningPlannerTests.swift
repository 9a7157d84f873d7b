import Experiments
import Foundation
import Store
import TestSupport
import Training
import XCTest
@testable import Runner

/// The tuning plan from stored numbers alone: rung by rung, decisions ranked as documented, stored
/// decisions replayed (not taken again), final runs once a candidate is chosen.
final class TuningPlannerTests: XCTestCase {
    /// The tiny experiment (baseline and no-positional, seeds 1 and 2) tuned over `lrs` by hand.
    static func tuned(_ lrs: [Double], method: Tuning.Method, eta: Int = 2, metric: Tuning.Metric = .exactMatch,
                      selection: [UInt64] = [1]) throws -> Experiment {
        var experiment = try ExperimentLoader.load(text: TinyExperiment.text(steps: 40), path: "tiny.toml")
        let candidates = lrs.map { Tuning.Candidate(name: "lr=\($0)", changes: [.init(key: "train.lr", value: "\($0)")]) }
        experiment.tuning = Tuning(axes: [Tuning.Axis(key: "train.lr", values: lrs.map { "\($0)" }, numeric: true, line: 1)],
                                   candidates: candidates, metric: metric, selectionSeeds: selection, method: method, eta: eta)
        for index in experiment.variants.indices {
            experiment.variants[index].candidates = lrs.map { lr in
                var training = experiment.variants[index].training
                training.learningRate = lr
                return Experiment.Variant.Configuration(model: experiment.variants[index].model, training: training)
            }
        }
        return experiment
    }

    func testTheLadderOfSuccessiveHalving() throws {
        let experiment = try Self.tuned([1e-4, 1e-3, 1e-2, 1e-1], method: .halving, eta: 2)
        // 4 candidates, eta 2: rungs of 4 and 2 (the one left is the choice), steps 40/4 and 40/2.
        XCTAssertEqual(experiment.tuning!.rungs(steps: 40, evalEvery: 10), [Tuning.Rung(candidates: 4, steps: 10), Tuning.Rung(candidates: 2, steps: 20)])
        XCTAssertEqual(Tuning(axes: [], candidates: experiment.tuning!.candidates, selectionSeeds: [1], method: .halving, eta: 3)
            .rungs(steps: 2000, evalEvery: 100), [Tuning.Rung(candidates: 4, steps: 200), Tuning.Rung(candidates: 2, steps: 600)])
        XCTAssertEqual(Tuning(axes: [], candidates: experiment.tuning!.candidates, selectionSeeds: [1], method: .grid)
            .rungs(steps: 2000, evalEvery: 100), [Tuning.Rung(candidates: 4, steps: 2000)])
    }

    func testHalvingPlansRungByRungAndReplaysStoredDecisions() throws {
        let experiment = try Self.tuned([1e-4, 1e-3, 1e-2, 1e-1], method: .halving, eta: 2)
        let planner = try XCTUnwrap(TuningPlanner(experiment))
        // Nothing stored: the 4 untuned runs, then rung 0's trials of both variants (4 candidates x seed 1).
        let first = planner.plan(stored: [], status: [:]) { _ in XCTFail("nothing is measured before a rung ends"); return .init(exactMatch: nil, loss: nil) }
        XCTAssertEqual(first.runs.count, 2 * 4 + 4)
        XCTAssertEqual(first.newDecisions, [])
        XCTAssertEqual(Set(first.undecided), ["baseline", "no-positional"])
        let trials = first.parts.filter { $0.role == .trial }
        XCTAssertEqual(trials.map(\.rung), Array(repeating: 0, count: 8))
        for trial in trials {
            let spec = try JSONDecoder().decode(RunSpec.self, from: Data(first.runs.first { $0.key == trial.run }!.config.utf8))
            XCTAssertEqual(spec.stopAfter, 10)
            XCTAssertFalse(spec.evaluatesTest, "a trial never sees the test split")
            XCTAssertEqual(spec.training.steps, 40, "the schedule is the full run's")
        }
        XCTAssertEqual(first.parts.filter { $0.role == .untuned }.map(\.run), experiment.runs.map(\.key))

        // The baseline's rung 0 finishes: candidate 2 best by exact match, 0 and 1 tie on exact
        // match and are ranked by loss, 3 diverged.
        let baseline = trials.filter { $0.variant == "baseline" }
        var status: [String: RunStatus] = [:]
        for trial in baseline { status[trial.run] = trial.candidate == 3 ? .diverged : .done }
        let numbers: [Int: TuningPlanner.Measured] = [0: .init(exactMatch: 0.5, loss: 0.9), 1: .init(exactMatch: 0.5, loss: 0.7),
                                                      2: .init(exactMatch: 0.8, loss: 1.5), 3: .init(exactMatch: 1, loss: 0)]
        let measure: (String) -> TuningPlanner.Measured = { key in numbers[baseline.first { $0.run == key }!.candidate!]! }
        let second = planner.plan(stored: [], status: status, measured: measure)
        XCTAssertEqual(second.newDecisions.map(\.candidate), [2, 1, 0, 3], "ranked: exact match, then loss, diverged last")
        XCTAssertEqual(second.newDecisions.map(\.decision), [.kept, .kept, .stopped, .stopped])
        XCTAssertEqual(second.newDecisions.map(\.rank), [1, 2, 3, 4])
        XCTAssertEqual(second.newDecisions[0].value, 0.8)
        XCTAssertEqual(second.newDecisions[0].tieBreak, 1.5)
        XCTAssertNil(second.newDecisions[3].value)
        let rung1 = second.parts.filter { $0.role == .trial && $0.variant == "baseline" && $0.rung == 1 }
        XCTAssertEqual(rung1.map(\.candidate), [1, 2], "the kept candidates go on, in file order")
        XCTAssertEqual(second.runs.count, first.runs.count + 2)

        // With the decisions stored, planning again takes none anew, whatever the numbers say now.
        let replay = planner.plan(stored: second.newDecisions, status: status) { _ in .init(exactMatch: 0, loss: 9) }
        XCTAssertEqual(replay.newDecisions, [])
        XCTAssertEqual(replay.runs, second.runs)

        // Rung 1 ends: the better of the two is chosen, and its final runs (every seed, full, with test) follow.
        for trial in rung1 { status[trial.run] = .done }
        let third = planner.plan(stored: second.newDecisions, status: status) { key in
            rung1.first { $0.run == key }!.candidate == 1 ? .init(exactMatch: 0.9, loss: 0.2) : .init(exactMatch: 0.7, loss: 0.3)
        }
        XCTAssertEqual(third.newDecisions.map(\.decision), [.chosen, .stopped])
        XCTAssertEqual(third.newDecisions.first?.candidate, 1)
        XCTAssertEqual(third.undecided, ["no-positional"])
        let finals = third.parts.filter { $0.role == .final }
        XCTAssertEqual(finals.map(\.seed), [1, 2])
        for final in finals {
            let spec = try JSONDecoder().decode(RunSpec.self, from: Data(third.runs.first { $0.key == final.run }!.config.utf8))
            XCTAssertNil(spec.stopAfter)
            XCTAssertTrue(spec.evaluatesTest)
            XCTAssertEqual(spec.training.learningRate, 1e-3)
        }
    }

    func testAChangedTrialIsDecidedAnew() throws {
        let experiment = try Self.tuned([1e-3, 1e-2], method: .grid, metric: .loss)
        let planner = try XCTUnwrap(TuningPlanner(experiment))
        let first = planner.plan(stored: [], status: [:]) { _ in .init(exactMatch: nil, loss: nil) }
        var status: [String: RunStatus] = [:]
        for part in first.parts where part.role == .trial { status[part.run] = .done }
        let decided = planner.plan(stored: [], status: status) { key in
            first.parts.first { $0.run == key }!.candidate == 0 ? .init(exactMatch: 0.2, loss: 0.5) : .init(exactMatch: 0.9, loss: 0.6)
        }
        XCTAssertEqual(decided.newDecisions.filter { $0.decision == .chosen }.map(\.candidate), [0, 0], "loss decides, lower first")
        // Decisions stored for other trials (an edited file) are not replayed.
        var stale = decided.newDecisions
        for index in stale.indices { stale[index].runs = ["other"] }
        let again = planner.plan(stored: stale, status: status) { key in
            first.parts.first { $0.run == key }!.candidate == 0 ? .init(exactMatch: 0.2, loss: 0.5) : .init(exactMatch: 0.9, loss: 0.6)
        }
        XCTAssertEqual(again.newDecisions.count, 4)
    }
}
