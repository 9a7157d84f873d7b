import Models
@testable import Reports
import Training
import XCTest

/// The report names settings as experiment files write them, from the stored canonical JSON.
final class ConfigNamesTests: XCTestCase {
    private func stored(lr: Double, evalEvery: Int, clip: Double?) -> [String: String] {
        var training = TrainingSettings()
        training.learningRate = lr
        training.evalEvery = evalEvery
        training.clipNorm = clip
        let task = TaskSpec(kind: "associative-recall", trainSize: 2...4, evaluationSize: 2...8)
        let spec = RunSpec(variant: "v", seed: 1, task: task, model: .transformer(TransformerConfig()), training: training)
        return ExperimentData.flattenJSON(spec.canonicalJSON())
    }

    func testWhatAVariantChangesUsesTheFileNames() {
        let baseline = stored(lr: 0.001, evalEvery: 100, clip: 1)
        let variant = stored(lr: 0.003, evalEvery: 25, clip: nil)
        XCTAssertEqual(ExperimentAnalysis.changes(variant, against: baseline), [
            "train.clip_norm = false (baseline: 1)",
            "train.eval_every = 25 (baseline: 100)",
            "train.lr = 0.003 (baseline: 0.001)",
        ])
    }

    func testTheTaskSizesAreFoundUnderTheTasksOwnSizeName() {
        let config = stored(lr: 0.001, evalEvery: 100, clip: 1)
        XCTAssertEqual(config["task.train_pairs"], "[2,4]")
        XCTAssertEqual(ExperimentAnalysis.sizeRange("train", in: config), "[2,4]")
        XCTAssertEqual(ExperimentAnalysis.sizeRange("eval", in: config), "[2,8]")
        XCTAssertEqual(ExperimentAnalysis.range(ExperimentAnalysis.sizeRange("train", in: config)), 2...4)
    }
}
