import Foundation
import TestSupport
import XCTest

/// End-to-end: `ablate run` on a tiny experiment file with a [tune] table, with the real binary,
/// read back with sqlite3 as a user would.
final class TuneCommandTests: FolderTestCase {
    override class var folderLabel: String { "tune" }
    typealias SQLite = RunCommandTests.SQLite

    /// The tiny experiment (baseline and no-positional, seeds 1 and 2, 40 steps, validation every 10)
    /// tuned over three learning rates.
    static func file(name: String, method: String) -> String {
        TinyExperiment.text(name: name, steps: 40) + """

            [tune]
            "train.lr" = [1e-3, 3e-3, 1e-2]
            method = "\(method)"
            eta = 2
            """
    }

    @discardableResult
    func run(_ name: String, method: String, workers: Int = 2) throws -> (file: String, database: String, output: String) {
        let file = try RunCommandTests.Experiment.write(Self.file(name: name, method: method), named: "\(name).toml", in: directory)
        let database = directory.appendingPathComponent("\(name).sqlite").path
        let result = try AblateBinary.run(["run", file, "--database", database, "--workers", String(workers)])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        return (file, database, result.standardOutput)
    }

    /// Every metric of the runs of one role, by (variant, seed, candidate, rung, split, name, step), to 17 digits.
    func values(_ database: String, role: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try SQLite.rows(database, """
            SELECT p.variant, p.seed, ifnull(p.candidate, -1) AS c, ifnull(p.rung, -1) AS r, m.split, m.name, m.step,
                   printf('%.17g', m.value) AS v
            FROM tuning_runs AS p JOIN metrics AS m ON m.run = p.run WHERE p.role = '\(role)'
            """) {
            let key = ["variant", "seed", "c", "r", "split", "name", "step"].map { row[$0]!.text }.joined(separator: "/")
            result[key] = row["v"]!.text
        }
        return result
    }

    func testHalvingTrialsByRungDecidesOnValidationAndTrainsTheChoiceOnEverySeed() throws {
        let (file, database, output) = try run("halving", method: "halving")
        // What each finished run is for, as the sweep logs it.
        XCTAssertTrue(output.contains("done: baseline seed 1 (trial lr=0.001, rung 0: 10 steps"), output)
        XCTAssertTrue(output.contains("(final lr="), output)
        XCTAssertTrue(output.contains("tuning: 2 of 2 configuration(s) chosen"), output)
        // 3 candidates, eta 2: rung 0 all three for 40/4 = 10 steps, rung 1 the best two for 20; then one is left.
        let trials = try SQLite.rows(database, """
            SELECT p.variant, p.rung, p.candidate, runs.steps, runs.status, json_extract(runs.config, '$.stop_after') AS stop,
                   json_extract(runs.config, '$.evaluate_test') AS test,
                   (SELECT count(*) FROM metrics WHERE run = p.run AND split = 'test') AS tests
            FROM tuning_runs AS p JOIN runs ON runs.key = p.run WHERE p.role = 'trial' ORDER BY p.variant, p.rung, p.candidate
            """)
        XCTAssertEqual(trials.count, 2 * (3 + 2))
        for trial in trials {
            XCTAssertEqual(trial["status"]?.text, "done")
            XCTAssertEqual(trial["stop"]?.int, trial["rung"]?.int == 0 ? 10 : 20)
            XCTAssertEqual(trial["steps"]?.int, trial["stop"]?.int)
            XCTAssertEqual(trial["test"]?.int, 0, "stored as evaluate_test = false")
            XCTAssertEqual(trial["tests"]?.int, 0, "a trial is never evaluated on the test split")
        }
        // Each decision's value is the trial's validation exact match at its last step (one selection seed), and the ranking follows it.
        let decisions = try SQLite.rows(database, """
            SELECT d.variant, d.rung, d.candidate, d.rank, d.decision, d.value, d.tie_break, d.steps,
                   (SELECT m.value FROM metrics AS m WHERE m.run = p.run AND m.split = 'validation' AND m.name = 'exact_match'
                    ORDER BY m.step DESC LIMIT 1) AS measured,
                   (SELECT m.value FROM metrics AS m WHERE m.run = p.run AND m.split = 'validation' AND m.name = 'loss'
                    ORDER BY m.step DESC LIMIT 1) AS loss
            FROM tuning_decisions AS d JOIN tuning_runs AS p
              ON p.experiment = d.experiment AND p.variant = d.variant AND p.rung = d.rung AND p.candidate = d.candidate AND p.role = 'trial'
            ORDER BY d.variant, d.rung, d.rank
            """)
        XCTAssertEqual(decisions.count, 2 * (3 + 2))
        for decision in decisions {
            XCTAssertEqual(decision["value"]?.double, decision["measured"]?.double)
            XCTAssertEqual(decision["tie_break"]?.double, decision["loss"]?.double)
        }
        for variant in ["baseline", "no-positional"] {
            let mine = decisions.filter { $0["variant"]?.text == variant }
            XCTAssertEqual(mine.map { $0["decision"]!.text }, ["kept", "kept", "stopped", "chosen", "stopped"])
            let rung0 = mine.prefix(3).map { $0["value"]!.double! }
            XCTAssertEqual(rung0, rung0.sorted(by: >), "ranked by the metric, best first")
            let kept = Set(mine.prefix(2).map { $0["candidate"]!.int! })
            XCTAssertEqual(Set(mine.suffix(2).map { $0["candidate"]!.int! }), kept, "rung 1 trains the kept candidates")
            // The final runs: the chosen candidate on both seeds, full length, with test numbers.
            let chosen = mine[3]["candidate"]!.int!
            let finals = try SQLite.rows(database, """
                SELECT p.seed, p.candidate, runs.steps, json_extract(runs.config, '$.train.lr') AS lr,
                       (SELECT count(*) FROM metrics WHERE run = p.run AND split = 'test') AS tests
                FROM tuning_runs AS p JOIN runs ON runs.key = p.run WHERE p.role = 'final' AND p.variant = '\(variant)' ORDER BY p.seed
                """)
            XCTAssertEqual(finals.map { $0["seed"]!.int! }, [1, 2])
            XCTAssertEqual(Set(finals.map { $0["candidate"]!.int! }), [chosen])
            XCTAssertEqual(finals.first?["lr"]?.double, [1e-3, 3e-3, 1e-2][chosen])
            for final in finals { XCTAssertGreaterThan(final["tests"]?.int ?? 0, 0) }
        }
        // The untuned runs are the experiment's plain runs, at lr 3e-3, with test numbers.
        let untuned = try SQLite.rows(database, """
            SELECT json_extract(runs.config, '$.train.lr') AS lr, (SELECT count(*) FROM metrics WHERE run = p.run AND split = 'test') AS tests
            FROM tuning_runs AS p JOIN runs ON runs.key = p.run WHERE p.role = 'untuned'
            """)
        XCTAssertEqual(untuned.count, 4)
        for run in untuned {
            XCTAssertEqual(run["lr"]?.double, 3e-3)
            XCTAssertGreaterThan(run["tests"]?.int ?? 0, 0)
        }

        // status shows the tuning; reproduce works on a trial and on a final.
        let status = try AblateBinary.run(["status", database])
        XCTAssertEqual(status.status, 0, status.standardError)
        XCTAssertTrue(status.standardOutput.contains("tuned (halving, eta 2, validation exact_match, seeds 1): train.lr in [0.001, 0.003, 0.01]"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("    trials: rung 0 (10 steps): 3/3 finished, decided; rung 1 (20 steps): 2/2 finished, decided"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("    chosen: lr="), status.standardOutput)
        for role in ["trial", "final"] {
            let key = try XCTUnwrap(try SQLite.rows(database, "SELECT run FROM tuning_runs WHERE role = '\(role)' LIMIT 1").first?["run"]?.text)
            let reproduced = try AblateBinary.run(["reproduce", String(key.prefix(16)), "--database", database])
            XCTAssertEqual(reproduced.status, 0, reproduced.standardOutput + reproduced.standardError)
        }

        // Running the file again trains nothing and decides nothing anew.
        let before = try SQLite.rows(database, "SELECT variant, rung, candidate, decided_at FROM tuning_decisions ORDER BY 1, 2, 3")
        let again = try AblateBinary.run(["run", file, "--database", database])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("Nothing to do"), again.standardOutput)
        XCTAssertEqual(try SQLite.rows(database, "SELECT variant, rung, candidate, decided_at FROM tuning_decisions ORDER BY 1, 2, 3"), before)
    }

    /// Killed at any moment and resumed, with one worker or two, a tuned sweep comes to the same
    /// decisions and the same numbers, bit for bit.
    func testAKilledTunedSweepResumesToTheSameChoicesAndNumbers() throws {
        let (_, reference, _) = try run("halving", method: "halving", workers: 1)
        let file = try RunCommandTests.Experiment.write(Self.file(name: "halving", method: "halving"), named: "killed.toml", in: directory)
        let database = directory.appendingPathComponent("killed.sqlite").path
        // Kill the parent (SIGKILL: its workers stop as they notice) once the first decisions are stored, then again later.
        for threshold in [1, 8] {
            let parent = try AblateBinary.startRun(file, database: database, output: FileHandle.nullDevice)
            let deadline = Date().addingTimeInterval(120)
            while parent.isRunning, Date() < deadline {
                let decided = FileManager.default.fileExists(atPath: database)
                    ? (try? SQLite.rows(database, "SELECT count(*) AS n FROM tuning_decisions"))?.first?["n"]?.int ?? 0 : 0
                if decided >= threshold { break }
                usleep(20_000)
            }
            if parent.isRunning { kill(parent.processIdentifier, SIGKILL) }
            parent.waitUntilExit()
            usleep(500_000)
        }
        let resumed = try AblateBinary.run(["run", file, "--database", database, "--workers", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.standardOutput + resumed.standardError)
        XCTAssertEqual(try SQLite.rows(database, "PRAGMA integrity_check").first?["integrity_check"]?.text, "ok")
        let decisions = "SELECT variant, rung, candidate, rank, decision, printf('%.17g', value) AS v FROM tuning_decisions ORDER BY 1, 2, 3"
        XCTAssertEqual(try SQLite.rows(database, decisions), try SQLite.rows(reference, decisions))
        for role in ["trial", "final", "untuned"] {
            let expected = try values(reference, role: role)
            XCTAssertFalse(expected.isEmpty, role)
            XCTAssertEqual(try values(database, role: role), expected, role)
        }
    }

    /// The grid trains every candidate to the end; the final run of a selection seed at the chosen
    /// value reuses its trial (numbers copied, test evaluated on its checkpoint), bit for bit what
    /// training it would give. Halving's trials are the first steps of the grid's.
    func testTheGridReusesItsTrialAndHalvingTrialsArePrefixesOfTheGrids() throws {
        // One worker: the untuned runs (first in the plan) are done before the trials start.
        let (_, grid, _) = try run("grid", method: "grid", workers: 1)
        let trials = try SQLite.rows(grid, "SELECT count(*) AS n FROM tuning_runs WHERE role = 'trial'").first?["n"]?.int
        XCTAssertEqual(trials, 2 * 3, "every candidate of each variant on the selection seed")
        // The trial of the baseline's own rate (3e-3, candidate 1) on seed 1 is the untuned seed-1 run without its test: derived from it.
        let derived = try SQLite.rows(grid, """
            SELECT p.variant, e.value AS source, (SELECT u.run FROM tuning_runs AS u WHERE u.role = 'untuned' AND u.variant = p.variant AND u.seed = 1) AS untuned,
                   (SELECT count(*) FROM metrics WHERE run = p.run) AS n,
                   (SELECT count(*) FROM metrics WHERE run = e.value AND split != 'test') AS m
            FROM tuning_runs AS p JOIN environment AS e ON e.run = p.run AND e.name = 'derived_from' WHERE p.role = 'trial'
            """)
        XCTAssertEqual(derived.map { $0["variant"]!.text }.sorted(), ["baseline", "no-positional"])
        for row in derived {
            XCTAssertEqual(row["source"], row["untuned"])
            XCTAssertEqual(row["n"], row["m"], "every training and validation number, no test")
        }
        // A final run on seed 1 at a chosen rate other than the baseline's own reuses its trial.
        let finals = try SQLite.rows(grid, """
            SELECT p.run, (SELECT value FROM environment WHERE run = p.run AND name = 'reused_trial') AS trial
            FROM tuning_runs AS p WHERE p.role = 'final' AND p.seed = 1
              AND p.run NOT IN (SELECT run FROM tuning_runs WHERE role = 'untuned')
            """)
        for row in finals {
            let final = row["run"]!.text
            guard case .text(let trial)? = row["trial"] else { XCTFail("final \(final) did not reuse its trial"); continue }
            let copied = try SQLite.rows(grid, """
                SELECT count(*) AS n FROM metrics AS a JOIN metrics AS b ON b.run = '\(trial)' AND b.split = a.split AND b.name = a.name
                  AND b.step = a.step AND b.value IS a.value WHERE a.run = '\(final)'
                """).first?["n"]?.int
            let own = try SQLite.rows(grid, "SELECT count(*) AS n FROM metrics WHERE run = '\(final)' AND split != 'test'").first?["n"]?.int
            XCTAssertEqual(copied, own)
            let reproduced = try AblateBinary.run(["reproduce", String(final.prefix(16)), "--database", grid])
            XCTAssertEqual(reproduced.status, 0, "training the reused final from scratch gives its numbers: " + reproduced.standardOutput + reproduced.standardError)
        }
        // A derived trial reproduces too: training it gives the numbers it copied.
        let derivedKey = try XCTUnwrap(try SQLite.rows(grid, "SELECT run FROM environment WHERE name = 'derived_from' LIMIT 1").first?["run"]?.text)
        let reproduced = try AblateBinary.run(["reproduce", String(derivedKey.prefix(16)), "--database", grid])
        XCTAssertEqual(reproduced.status, 0, reproduced.standardOutput + reproduced.standardError)
        // Halving's trials, run for real, measured what the grid's full-length trials measured at the same step.
        let (_, halving, _) = try run("halving", method: "halving")
        let prefixes = try SQLite.rows(halving, """
            SELECT p.candidate, p.variant, runs.steps,
                   (SELECT printf('%.17g', value) FROM metrics WHERE run = p.run AND split = 'validation' AND name = 'exact_match' ORDER BY step DESC LIMIT 1) AS v
            FROM tuning_runs AS p JOIN runs ON runs.key = p.run WHERE p.role = 'trial'
            """)
        let parts = try SQLite.rows(halving, "SELECT variant, role, candidate, rung, run FROM tuning_runs")
        XCTAssertEqual(prefixes.count, 10, "\(parts)")
        for row in prefixes {
            let candidate = row["candidate"]!.int!, variant = row["variant"]!.text, step = row["steps"]!.int!
            let atStep = try SQLite.rows(grid, """
                SELECT printf('%.17g', m.value) AS v FROM tuning_runs AS p JOIN metrics AS m ON m.run = p.run
                WHERE p.role = 'trial' AND p.candidate = \(candidate) AND p.variant = '\(variant)' AND m.split = 'validation'
                  AND m.name = 'exact_match' AND m.step = \(step)
                """).first?["v"]?.text
            XCTAssertEqual(atStep, row["v"]?.text, "\(variant) candidate \(candidate) at step \(step)")
        }
    }

    /// A Slurm job array tunes too: each `ablate submit` merges what the last job trained, takes the
    /// decisions it allows and submits the next rung (or the final runs), until nothing is missing;
    /// the merged database holds the choices and the numbers of a local run, bit for bit.
    func testSuccessiveSubmissionsTuneRungByRungLikeALocalRun() throws {
        let (_, local, _) = try run("halving", method: "halving")
        let environment = try Shard.fakeScheduler(in: directory)
        let file = try RunCommandTests.Experiment.write(Self.file(name: "halving", method: "halving"), named: "cluster.toml", in: directory)
        let database = directory.appendingPathComponent("cluster.sqlite").path
        var submissions: [String] = []
        for _ in 0..<6 {
            let submitted = try AblateBinary.run(["submit", file, "--slurm", "--tasks", "2", "--database", database], environment: environment)
            XCTAssertEqual(submitted.status, 0, submitted.standardOutput + submitted.standardError)
            submissions.append(submitted.standardOutput)
            if submitted.standardOutput.contains("Nothing to submit") { break }
        }
        // Rung 0 and the untuned runs; rung 1; the final runs; then nothing.
        XCTAssertEqual(submissions.count, 4, submissions.joined(separator: "\n---\n"))
        XCTAssertTrue(submissions[0].contains("Submitted job 4242: 10 of 10 runs"), submissions[0])
        XCTAssertTrue(submissions[0].contains("tuning: 0 of 2 configuration(s) chosen: the next rung's trials"), submissions[0])
        XCTAssertTrue(submissions[1].contains("Submitted job 4242: 4 of 14 runs"), submissions[1])
        XCTAssertTrue(submissions[2].contains("tuning: 2 of 2 configuration(s) chosen."), submissions[2])
        XCTAssertTrue(submissions[3].contains("Nothing to submit: all"), submissions[3])
        let decisions = "SELECT variant, rung, candidate, rank, decision, printf('%.17g', value) AS v FROM tuning_decisions ORDER BY 1, 2, 3"
        XCTAssertEqual(try SQLite.rows(database, decisions), try SQLite.rows(local, decisions))
        for role in ["trial", "final", "untuned"] {
            XCTAssertEqual(try values(database, role: role), try values(local, role: role), role)
        }
    }
}
