import Store
import Training
import XCTest
@testable import Runner

/// The worker's observer turns what training reports into the store's metric rows, named by the
/// metric vocabulary: one row per recorded metric and split, and one slice row per slice label.
final class MetricRecorderTests: XCTestCase {
    func testTrainingStepsBecomeOneRowPerTrainMetric() {
        var recorder = MetricRecorder(run: "r")
        recorder.trained(step: 7, loss: 1.5, accuracy: 0.25, learningRate: 1e-3, gradientNorm: 2, seconds: 0.5)
        let byName = Dictionary(uniqueKeysWithValues: recorder.points.map { (MetricName(rawValue: $0.name)!, $0) })
        XCTAssertEqual(Set(byName.keys), Set(MetricName.recorded(for: .train)))
        XCTAssertEqual(byName[.loss]?.value, 1.5)
        XCTAssertEqual(byName[.tokenAccuracy]?.value, 0.25)
        XCTAssertEqual(byName[.learningRate]?.value, 1e-3)
        XCTAssertEqual(byName[.gradientNorm]?.value, 2)
        XCTAssertTrue(recorder.points.allSatisfy { $0.step == 7 && $0.split == MetricSplit.train.rawValue && $0.run == "r" })
    }

    func metrics(examples: Int, tokens: Int, lossSum: Double, correct: Int, exact: Int) -> Metrics {
        var m = Metrics()
        m.examples = examples
        m.tokens = tokens
        m.lossSum = lossSum
        m.correctTokens = correct
        m.exactMatches = exact
        return m
    }

    func testEvaluationsBecomeOverallRowsAndSliceRows() {
        var evaluation = Evaluation()
        evaluation.overall = metrics(examples: 4, tokens: 8, lossSum: 4, correct: 6, exact: 2)
        evaluation.slices["length=3"] = metrics(examples: 2, tokens: 4, lossSum: 1, correct: 4, exact: 2)
        evaluation.slices["length=12"] = metrics(examples: 2, tokens: 4, lossSum: 3, correct: 2, exact: 0)
        let observer = MemoryObserver(run: "r")
        observer.evaluated(step: 10, split: .test, evaluation: evaluation, seconds: 1)
        XCTAssertEqual(observer.points.map(\.name), MetricName.recorded(for: .test).map(\.rawValue))
        XCTAssertEqual(observer.points.first { $0.name == MetricName.exactMatch.rawValue }?.value, 0.5)
        XCTAssertTrue(observer.points.allSatisfy { $0.split == MetricSplit.test.rawValue })
        XCTAssertEqual(observer.slices.map(\.examples), [2, 2])
        XCTAssertEqual(observer.slices.map(\.exactMatch), [1, 0], "slices are not in numeric order of their value")
        observer.evaluated(step: 10, split: .validation, evaluation: evaluation, seconds: 1)
        XCTAssertEqual(observer.points.filter { $0.split == MetricSplit.validation.rawValue }.count, MetricName.recorded(for: .validation).count)
    }
}
