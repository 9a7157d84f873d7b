import Foundation
import Models
import Settings
import Tasks
import Tensors
import Training
import XCTest

/// Records everything a run reports.
private final class Recorder: TrainingObserver {
    var steps: [Int] = []
    var losses: [Double] = []
    var gradientNorms: [Double] = []
    var evaluations: [(step: Int, split: Split, evaluation: Evaluation)] = []

    func trained(step: Int, loss: Double, accuracy: Double, learningRate: Double, gradientNorm: Double, seconds: Double) {
        steps.append(step)
        losses.append(loss)
        gradientNorms.append(gradientNorm)
    }

    func evaluated(step: Int, split: Split, evaluation: Evaluation, seconds: Double) {
        evaluations.append((step, split, evaluation))
    }

    var validationSteps: [Int] { evaluations.filter { $0.split == .validation }.map(\.step) }
    var tests: [Evaluation] { evaluations.filter { $0.split == .test }.map(\.evaluation) }
}

final class TrainerTests: XCTestCase {
    /// Reverse over 4 symbols, lengths 2...4 (evaluated on 2...8), a tiny encoder-decoder with dropout.
    private func tinySpec(seed: UInt64 = 1) -> RunSpec {
        var model = TransformerConfig()
        model.vocabulary = 5
        model.modelSize = 16
        model.heads = 2
        model.encoderLayers = 1
        model.decoderLayers = 1
        model.feedForwardSize = 32
        model.dropout = 0.1
        var training = TrainingSettings()
        training.steps = 60
        training.batch = 16
        training.learningRate = 3e-3
        training.schedule = .warmup
        training.warmup = 10
        training.evalEvery = 20
        training.validationExamples = 32
        training.testExamplesPerSize = 4
        return RunSpec(variant: "baseline", seed: seed,
                       task: TaskSpec(kind: "reverse", parameters: ["symbols": .integer(4)], trainSize: 2...4),
                       model: .transformer(model), training: training)
    }

    /// A tuning trial (`stop_after`, no test) is the first steps of the full-length run, bit for
    /// bit: the same losses and the same validation at its last step, with the full run's schedule.
    func testATrialIsThePrefixOfTheFullRun() throws {
        let full = Recorder()
        let (fullOutcome, _) = try Trainer.run(tinySpec(), observer: full)
        var spec = tinySpec()
        spec.stopAfter = 40
        spec.evaluatesTest = false
        let trial = Recorder()
        let (outcome, _) = try Trainer.run(spec, observer: trial)
        XCTAssertEqual(outcome.steps, 40)
        XCTAssertEqual(outcome.status, .done)
        XCTAssertNil(outcome.finalTest, "a trial is never evaluated on the test split")
        XCTAssertTrue(trial.tests.isEmpty)
        XCTAssertEqual(trial.losses, Array(full.losses.prefix(40)))
        XCTAssertEqual(trial.validationSteps, [20, 40])
        let atForty = try XCTUnwrap(full.evaluations.first { $0.split == .validation && $0.step == 40 }?.evaluation)
        XCTAssertEqual(outcome.finalValidation.overall, atForty.overall)
        XCTAssertNotNil(fullOutcome.finalTest)
        // The stored form: both fields only when set, so other runs keep their keys.
        XCTAssertFalse(tinySpec().canonicalJSON().contains("stop_after"))
        XCTAssertFalse(tinySpec().canonicalJSON().contains("evaluate_test"))
        XCTAssertTrue(spec.canonicalJSON().contains("\"evaluate_test\":false"))
        XCTAssertTrue(spec.canonicalJSON().contains("\"stop_after\":40"))
        XCTAssertEqual(try JSONDecoder().decode(RunSpec.self, from: Data(spec.canonicalJSON().utf8)), spec)
    }

    func testTinyRunLearnsAndReportsEveryStepAndEvaluation() throws {
        let recorder = Recorder()
        let (outcome, model) = try Trainer.run(tinySpec(), observer: recorder)

        XCTAssertEqual(outcome.status, .done)
        XCTAssertEqual(outcome.steps, 60)
        XCTAssertNil(outcome.stepsToTarget)
        XCTAssertEqual(outcome.parameterCount, model.parameterCount)
        XCTAssertEqual(recorder.steps, Array(1...60))
        let early = recorder.losses.prefix(10).reduce(0, +) / 10, late = recorder.losses.suffix(10).reduce(0, +) / 10
        XCTAssertLessThan(late, 0.8 * early, "the loss should go down: \(early) -> \(late)")
        XCTAssertEqual(recorder.validationSteps, [20, 40, 60])
        XCTAssertEqual(recorder.evaluations.last?.split, .test)
        XCTAssertEqual(recorder.evaluations.last?.step, 60)
        XCTAssertEqual(recorder.tests.count, 1)
        let test = try XCTUnwrap(outcome.finalTest)
        XCTAssertEqual(Set(test.slices.keys), Set((2...8).map { "length=\($0)" }))
        XCTAssertEqual(test.overall.examples, 7 * 4)
        XCTAssertEqual(outcome.finalValidation.overall, recorder.evaluations[2].evaluation.overall)
        XCTAssertEqual(outcome.finalValidation.overall.examples, 32)
    }

    func testTheSameSpecGivesBitIdenticalLossesAndMetricsAndAnotherSeedDoesNot() throws {
        var spec = tinySpec()
        spec.training.steps = 20
        spec.training.evalEvery = 10
        func run(_ spec: RunSpec) throws -> (Recorder, TrainingOutcome) {
            let recorder = Recorder()
            let outcome = try Trainer.run(spec, observer: recorder).outcome
            return (recorder, outcome)
        }
        let (first, firstOutcome) = try run(spec)
        let (second, secondOutcome) = try run(spec)
        XCTAssertEqual(first.losses.map(\.bitPattern), second.losses.map(\.bitPattern))
        XCTAssertEqual(first.gradientNorms.map(\.bitPattern), second.gradientNorms.map(\.bitPattern))
        XCTAssertEqual(first.evaluations.count, second.evaluations.count)
        for (a, b) in zip(first.evaluations, second.evaluations) {
            XCTAssertEqual(a.step, b.step)
            XCTAssertEqual(a.split, b.split)
            XCTAssertEqual(a.evaluation.overall, b.evaluation.overall)
            XCTAssertEqual(a.evaluation.slices, b.evaluation.slices)
        }
        XCTAssertEqual(firstOutcome.finalTest?.slices, secondOutcome.finalTest?.slices)

        spec.seed = 2
        let (other, _) = try run(spec)
        XCTAssertNotEqual(first.losses, other.losses)
    }

    /// The ordered GEMM path trains to the same bits on every instruction set (as on a machine with
    /// AVX-512, one with AVX2 only, one with neither), a Transformer and an RNN alike, while OpenBLAS's
    /// sums, in another order, differ in the last bits: the path is real and is all that differs.
    func testTheOrderedGEMMPathTrainsToTheSameBitsOnEveryInstructionSet() throws {
        var rnn = RNNConfig()
        rnn.vocabulary = 5
        rnn.embeddingSize = 8
        rnn.hidden = 16
        rnn.attentionSize = 16
        var transformer = tinySpec()
        transformer.training.steps = 12
        transformer.training.evalEvery = 6
        var recurrent = transformer
        recurrent.model = .rnn(rnn)
        let levelBefore = VectorKernels.level, pathBefore = GEMMPath.current
        defer {
            _ = VectorKernels.select(levelBefore)
            GEMMPath.select(pathBefore)
        }
        func fingerprint(_ spec: RunSpec, _ path: GEMMPath, _ level: VectorKernels.Level) throws -> [UInt64] {
            GEMMPath.select(path)
            XCTAssertTrue(VectorKernels.select(level), "\(level)")
            let recorder = Recorder()
            _ = try Trainer.run(spec, observer: recorder)
            return recorder.losses.map(\.bitPattern) + recorder.gradientNorms.map(\.bitPattern)
                + recorder.evaluations.map { $0.evaluation.overall.loss.bitPattern }
        }
        for spec in [transformer, recurrent] {
            let reference = try fingerprint(spec, .ordered, .baseline)
            XCTAssertGreaterThan(reference.count, 20)
            for level in VectorKernels.available where level != .baseline {
                XCTAssertEqual(try fingerprint(spec, .ordered, level), reference, "ordered GEMM on \(level.name)")
            }
            XCTAssertNotEqual(try fingerprint(spec, .openBLAS, VectorKernels.best), reference,
                              "OpenBLAS sums in its own order: if this ever matched, the path switch would not be tested")
        }
    }

    /// Copy over 8 symbols at lengths 1...2: validation examples never occur in training (the splits are
    /// disjoint), so the task must have enough distinct sequences to generalise from; binary copy does not.
    func testStopsEarlyOnceValidationReachesTheTarget() throws {
        var model = TransformerConfig()
        model.vocabulary = 9
        model.modelSize = 16
        model.heads = 2
        model.encoderLayers = 1
        model.decoderLayers = 1
        model.feedForwardSize = 32
        var training = TrainingSettings()
        training.steps = 400
        training.batch = 16
        training.learningRate = 1e-2
        training.schedule = .warmup
        training.warmup = 10
        training.evalEvery = 5
        training.validationExamples = 16
        training.testExamplesPerSize = 4
        training.stopAtAccuracy = 1
        let spec = RunSpec(variant: "baseline", seed: 1,
                           task: TaskSpec(kind: "copy", parameters: ["symbols": .integer(8)], trainSize: 1...2, evaluationSize: 2...4),
                           model: .transformer(model), training: training)
        let recorder = Recorder()
        let outcome = try Trainer.run(spec, observer: recorder).outcome

        XCTAssertEqual(outcome.status, .done)
        let reached = try XCTUnwrap(outcome.stepsToTarget)
        XCTAssertLessThan(reached, 400)
        XCTAssertEqual(outcome.steps, reached)
        XCTAssertEqual(reached % 5, 0)
        XCTAssertEqual(outcome.finalValidation.overall.exactMatch, 1)
        XCTAssertEqual(recorder.steps.last, reached)
        XCTAssertEqual(recorder.validationSteps.last, reached)
        let before = recorder.evaluations.filter { $0.split == .validation && $0.step < reached }
        XCTAssertTrue(before.allSatisfy { $0.evaluation.overall.exactMatch < 1 }, "it stops at the first validation that reaches the target")
        XCTAssertNotNil(outcome.finalTest)
    }

    func testAHugeLearningRateDivergesAndNamesTheStep() throws {
        var spec = tinySpec()
        spec.training.optimizer = .sgd
        spec.training.learningRate = 10   // the largest rate the settings take
        spec.training.schedule = .constant
        spec.training.clipNorm = nil
        let recorder = Recorder()
        let outcome = try Trainer.run(spec, observer: recorder).outcome

        guard case .diverged(let message) = outcome.status else { return XCTFail("expected divergence, got \(outcome.status)") }
        let failedStep = outcome.steps + 1
        XCTAssertLessThan(outcome.steps, 60)
        XCTAssertTrue(message.hasSuffix("at step \(failedStep)"), message)
        XCTAssertTrue(message.contains("NaN") || message.contains("infinite"), message)
        XCTAssertEqual(recorder.steps, Array(1..<failedStep))
        XCTAssertNil(outcome.finalTest)
        XCTAssertTrue(recorder.tests.isEmpty)
    }

    func testTheRNNTrainsThroughTheSameLoop() throws {
        var rnn = RNNConfig()
        rnn.vocabulary = 5
        rnn.embeddingSize = 8
        rnn.hidden = 16
        rnn.attentionSize = 16
        var spec = tinySpec()
        spec.model = .rnn(rnn)
        spec.training.steps = 5
        spec.training.evalEvery = 5
        let recorder = Recorder()
        let outcome = try Trainer.run(spec, observer: recorder).outcome

        XCTAssertEqual(outcome.status, .done)
        XCTAssertEqual(recorder.steps, Array(1...5))
        XCTAssertTrue(recorder.losses.allSatisfy(\.isFinite))
        XCTAssertEqual(recorder.validationSteps, [5])
        XCTAssertEqual(outcome.finalTest?.slices.count, 7)
    }

    func testShouldStopCancelsTheRunAfterTheStepsTaken() throws {
        let recorder = Recorder()
        let outcome = try Trainer.run(tinySpec(), observer: recorder, shouldStop: { recorder.steps.count >= 5 }).outcome

        XCTAssertEqual(outcome.status, .cancelled)
        XCTAssertEqual(outcome.steps, 5)
        XCTAssertEqual(recorder.steps, Array(1...5))
        XCTAssertEqual(recorder.validationSteps, [5], "a cancelled run still reports the validation of the model it returns")
        XCTAssertNil(outcome.finalTest)
    }

    func testAnExhaustedTimeBudgetStopsAndStillTests() throws {
        var spec = tinySpec()
        spec.training.timeBudgetSeconds = 1e-9   // a budget must be > 0; this one runs out after the first step
        let recorder = Recorder()
        let outcome = try Trainer.run(spec, observer: recorder).outcome

        XCTAssertEqual(outcome.status, .stoppedByBudget)
        XCTAssertEqual(outcome.steps, 1)
        XCTAssertEqual(recorder.tests.count, 1)
        XCTAssertNotNil(outcome.finalTest)
    }

    func testSettingsThatCannotWorkAreThrownWithTheirKey() {
        var spec = tinySpec()
        spec.training.evalEvery = 0
        XCTAssertThrowsError(try Trainer.run(spec, observer: nil)) { error in
            XCTAssertEqual((error as? SettingError)?.key, "train.eval_every")
        }
    }
}
