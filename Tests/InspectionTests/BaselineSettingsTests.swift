@testable import Inspection
import Models
import Training
import XCTest

/// What "baseline: X" shows next to a change: every setting of a stored run under the file's names.
final class BaselineSettingsTests: XCTestCase {
    func testEverySettingIsNamedAsTheFileWritesIt() {
        var training = TrainingSettings()
        training.learningRate = 0.003
        training.evalEvery = 25
        training.clipNorm = nil
        var model = TransformerConfig()
        model.norm = .pre
        model.dropout = 0.1
        let task = TaskSpec(kind: "associative-recall", parameters: ["keys": .integer(8)], trainSize: 2...4, evaluationSize: 2...8)
        let spec = RunSpec(variant: "v", seed: 1, task: task, model: .transformer(model), training: training)
        let settings = ReportInput.baselineSettings(spec, sizeName: "pairs")
        let expected: [String: String?] = [
            "train.lr": "0.003", "train.learning_rate": "0.003", "train.eval_every": "25",
            "train.clip_norm": "false", "train.stop_at_accuracy": "false", "train.checkpoint_every": nil,
            "model.arch": "\"transformer\"", "model.norm": "\"pre\"", "model.dropout": "0.1",
            "train.dropout": "0.1", "model.layers": nil,
            "task.kind": "\"associative-recall\"", "task.keys": "8", "task.train_pairs": "[2, 4]", "task.eval_pairs": "[2, 8]",
        ]
        for (key, value) in expected { XCTAssertEqual(settings[key], value, key) }
        for key in TransformerConfig.storedKeys { XCTAssertNotNil(settings["model." + key], key) }
        for key in TrainingSettings.storedKeys where key != "checkpoint_every" { XCTAssertNotNil(settings["train." + key], key) }
    }
}
