import Foundation
import XCTest

/// End-to-end: what `ablate validate` says about task sizes comes from the tasks' own answers (which
/// sizes they draw, which splits they can fill, their longest examples), with the file's line and key.
final class TaskAnswerCommandTests: FolderTestCase {
    override class var folderLabel: String { "task-answers" }

    /// The tiny experiment file of `RunCommandTests` with its `[task]` lines replaced by `task` (so the
    /// task's first line is line 7) and `model` lines added to its `[model]`.
    private func file(task: String, model: String = "", named name: String) throws -> String {
        let tiny = RunCommandTests.Experiment.tiny()
        let taskLines = "kind = \"reverse\"\nsymbols = 4\ntrain_length = [2, 4]\neval_length = [2, 5]\n"
        XCTAssertTrue(tiny.contains("[task]\n" + taskLines) && tiny.contains("d_ff = 8\n"), "the tiny file changed: \(tiny)")
        let text = tiny.replacingOccurrences(of: taskLines, with: task + "\n").replacingOccurrences(of: "d_ff = 8\n", with: "d_ff = 8\n\(model)\n")
        return try RunCommandTests.Experiment.write(text, named: name, in: directory)
    }

    private func validate(_ path: String) throws -> AblateBinary.Result {
        try AblateBinary.run(["validate", path])
    }

    func testATrainingRangeWithoutADrawableLengthIsRefusedWithTheRule() throws {
        let path = try file(task: "kind = \"dyck\"\ntrain_length = [3, 3]\neval_length = [2, 8]", named: "odd.toml")
        let result = try validate(path)
        XCTAssertEqual(result.status, 2, result.standardError)
        XCTAssertTrue(result.standardError.contains("\(path):8: task.train_length: dyck in classify mode draws only even lengths "
                                                    + "(balanced sequences), and 3...3 has none"), result.standardError)
        let complete = try file(task: "kind = \"dyck\"\nmode = \"complete\"\ntrain_length = [3, 3]", named: "complete.toml")
        XCTAssertEqual(try validate(complete).status, 0, "complete mode draws odd lengths")
    }

    func testAnEvaluationSizeWhoseTestSplitCannotBeFilledIsNamed() throws {
        let path = try file(task: "kind = \"parity\"\ntrain_length = [8, 16]\neval_length = [1, 16]", named: "parity.toml")
        let result = try validate(path)
        XCTAssertEqual(result.status, 2, result.standardError)
        XCTAssertTrue(result.standardError.contains("\(path):9: task.eval_length: parity cannot fill its test split at length "),
                      result.standardError)
        let fine = try file(task: "kind = \"parity\"\ntrain_length = [8, 16]\neval_length = [6, 16]", named: "fine.toml")
        let accepted = try validate(fine)
        XCTAssertEqual(accepted.status, 0, accepted.standardError)
    }

    /// A learned table must cover the task's longest example: associative recall with 4 queries at 3
    /// pairs has sources of 2 * 3 + 4 = 10 tokens and targets of 4, so a decoder-only model reads 14.
    func testALearnedTableMustCoverTheTasksLongestExample() throws {
        let task = "kind = \"associative-recall\"\nqueries = 4\ntrain_pairs = [1, 3]\neval_pairs = [1, 3]"
        let model = "layout = \"decoder-only\"\npositional = \"learned\"\nmax_length = "
        let short = try file(task: task, model: model + "13", named: "short.toml")
        let refused = try validate(short)
        XCTAssertEqual(refused.status, 2, refused.standardError)
        XCTAssertTrue(refused.standardError.contains("model.max_length:"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("sources of up to 10 tokens and targets of up to 4"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("10 + 1 + 4 - 1 = 14 positions: set max_length >= 14"), refused.standardError)
        let enough = try file(task: task, model: model + "14", named: "enough.toml")
        let accepted = try validate(enough)
        XCTAssertEqual(accepted.status, 0, accepted.standardError)
    }
}
