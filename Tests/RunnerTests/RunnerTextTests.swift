import Experiments
import Foundation
import Store
import TestSupport
import XCTest
@testable import Runner

/// The orchestration's own unit tests: what the sweep, the shard plans and Slurm scripts say and do,
/// without starting a worker (the end-to-end runs are in AblateTests).
final class RunnerTextTests: XCTestCase {
    func loadExperiment() throws -> Experiment {
        try ExperimentLoader.load(text: TinyExperiment.text(variantName: "no-positional \\u001b[31m"), path: "tiny.toml")
    }

    func testSummaryLineCountsInReportingOrderAndEscapesThePath() {
        let summary = Sweep.Summary(counts: [.failed: 1, .done: 3], total: 4, databasePath: "results/a\u{1b}b.sqlite")
        XCTAssertEqual(summary.line, "results/a\\u{1B}b.sqlite: 3 done, 1 failed of 4 runs")
        XCTAssertFalse(summary.complete)
        XCTAssertTrue(Sweep.Summary(counts: [.done: 3, .diverged: 1], total: 4, databasePath: "x").complete)
    }

    func testDryRunListsEveryRunWithItsKeyVariantAndSeedInSweepOrder() throws {
        let experiment = try loadExperiment()
        let lines = ValidationSummary.dryRunLines(for: experiment)
        XCTAssertEqual(lines.first, "tiny: 4 runs")
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[1].hasPrefix("  \(experiment.runs[0].shortKey)  baseline  seed 1"), lines[1])
        XCTAssertTrue(lines[4].contains("seed 2"), lines[4])
        XCTAssertFalse(lines.joined().contains("\u{1b}"), "a variant name reaches the terminal raw")
        XCTAssertEqual(Set(experiment.runs.map(\.shortKey)).count, 4, "two runs share a key")
    }

    func testValidationSummaryCountsVariantsSeedsAndFiles() throws {
        let lines = ValidationSummary.lines(for: try loadExperiment(), file: "tiny.toml")
        XCTAssertEqual(lines[0], "tiny.toml: valid: tiny, 2 variant(s) x 2 seed(s) = 4 runs")
        XCTAssertTrue(lines[1].contains("results/tiny.sqlite"), lines[1])
        XCTAssertEqual(lines.count, 2, "a plain name needs no note on its file names")
    }

    func testValidationSummarySaysWhatTuningTrains() throws {
        let text = TinyExperiment.text(steps: 90) + "\n[tune]\n\"train.lr\" = [1e-3, 3e-3, 1e-2, 3e-2]\nmethod = \"halving\"\n"
        let experiment = try ExperimentLoader.load(text: text, path: "tiny.toml")
        let lines = ValidationSummary.lines(for: experiment, file: "tiny.toml")
        XCTAssertEqual(lines.count, 5, lines.joined(separator: "\n"))
        XCTAssertEqual(lines[1], "  tuned: train.lr in [0.001, 0.003, 0.01, 0.03] = 4 candidate(s) per configuration, by halving (eta 3)")
        // 90 steps, validation every 10: rungs of 90/9 = 10 and 90/3 = 30 steps.
        XCTAssertEqual(lines[2], "    on validation exact_match of seed(s) 1; the baseline's rungs: 4 x 10 steps, 2 x 30 steps")
        XCTAssertEqual(lines[3], "    trials: at most 100 steps per configuration, 28% of the full grid's 360; then the choice on every seed, beside the 4 untuned runs")
        XCTAssertTrue(ValidationSummary.dryRunLines(for: experiment).last!.contains("tuning trains each configuration's trials"))
    }

    func testShardShareTakesEveryNthRunAndCoversEachOnce() {
        let runs = (0..<7).map { PlannedRun(key: "k\($0)", variant: "v", seed: $0, config: "{}") }
        let plan = ShardPlan(experiment: "e", question: "q", source: "", database: "/d.sqlite", checkpoints: "/c",
                             schemaVersions: ["v1"], tasks: 3, threads: 1, retryFailed: false, runs: runs)
        XCTAssertEqual(plan.share(0).map(\.key), ["k0", "k3", "k6"])
        XCTAssertEqual(plan.share(2).map(\.key), ["k2", "k5"])
        XCTAssertEqual((0..<3).flatMap { plan.share($0).map(\.key) }.sorted(), runs.map(\.key).sorted())
    }

    func testSlurmScriptQuotesUserTextAndKeepsItOffSbatchLines() {
        var options = Slurm.Options()
        options.partition = "cpu"
        options.maxParallel = 2
        options.extraLines = ["#SBATCH --mem=2G"]
        let plan = ShardPlan(experiment: "it's $(rm) x", question: "q", source: "", database: "/d.sqlite", checkpoints: "/c",
                             schemaVersions: ["v1"], tasks: 4, threads: 2, retryFailed: false, runs: [])
        let script = Slurm.script(plan: plan, planPath: "/a b/plan.json", options: options, executable: "/bin/ablate",
                                  workingDirectory: "/it's")
        let lines = script.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("#SBATCH --array=0-3%2"), script)
        XCTAssertTrue(lines.contains("#SBATCH --partition=cpu"), script)
        XCTAssertTrue(lines.contains("#SBATCH --mem=2G"), script)
        XCTAssertTrue(lines.contains("#SBATCH --job-name=ablate-it_s___rm__x"), script)
        XCTAssertTrue(lines.contains("cd '/it'\\''s'"), script)
        XCTAssertTrue(lines.contains(#"exec '/bin/ablate' worker --plan '/a b/plan.json' --shard "$SLURM_ARRAY_TASK_ID" --threads 2"#), script)
        XCTAssertEqual(Slurm.shellQuoted("a\u{1b}b"), "$'a\\x1Bb'")
    }

    func testSlurmOptionsAreCheckedBeforeAnythingIsWritten() {
        func refused(_ change: (inout Slurm.Options) -> Void, _ fragment: String) {
            var options = Slurm.Options()
            change(&options)
            XCTAssertThrowsError(try Slurm.validate(options)) { XCTAssertTrue("\($0)".contains(fragment), "\($0)") }
        }
        refused({ $0.partition = "cpu\n#SBATCH --x" }, "--partition")
        refused({ $0.time = "1 hour" }, "--time")
        refused({ $0.tasks = Slurm.maxTasks + 1 }, "--tasks")
        refused({ $0.extraLines = ["--mem=2G"] }, "--sbatch")
        XCTAssertNoThrow(try Slurm.validate(Slurm.Options()))
    }

    func testSubmissionAndMergeLines() {
        var submission = Slurm.Submission(database: "results/x y.sqlite", folder: "results/x y-slurm", scriptPath: "s", planPath: "p",
                                          script: "", planned: 3, total: 5, tasks: 2, jobID: "42", merged: 0)
        XCTAssertEqual(submission.lines(experiment: "x"), [
            "Submitted job 42: 3 of 5 runs in 2 task(s); shards, plan and logs in results/x y-slurm.",
            "Follow it with: ablate status 'results/x y.sqlite'; when it has ended: ablate merge 'results/x y.sqlite'",
        ])
        submission.jobID = nil
        XCTAssertEqual(submission.lines(experiment: "x"), ["Nothing to submit: all 5 runs of x are finished in the database."])

        var summary = ImportSummary()
        summary.imported = ["a", "b"]
        summary.alreadyFinished = 1
        XCTAssertEqual(Shards.MergeResult(shards: ["s0", "s1"], summary: summary).line(database: "results/x.sqlite"),
                       "Merged 2 run(s) from 2 shard(s) into results/x.sqlite; 1 already there, 0 unfinished in the shards (ignored).")
        XCTAssertEqual(Shards.MergeResult(shards: [], summary: summary).line(database: "results/x.sqlite"),
                       "No shards in results/x-slurm: nothing to merge.")
    }

    func testRelativePathOnlyShortensPathsInsideTheWorkingDirectory() {
        let here = FileManager.default.currentDirectoryPath
        XCTAssertEqual(relativePath(here + "/reports/x.md"), "reports/x.md")
        XCTAssertEqual(relativePath("/elsewhere-\(UUID().uuidString)/x.md").hasPrefix("/elsewhere-"), true)
        XCTAssertEqual(relativePath(here + "/../x.md"), here + "/../x.md")
    }
}
