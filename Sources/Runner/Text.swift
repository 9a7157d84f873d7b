import Experiments
import Reports
import Store

// What the orchestration commands print, as lines: the executable prints them and tests read them.
// Every piece of user text (names, paths) is escaped for the terminal here.

extension Sweep.Summary {
    /// "results/x.sqlite: 20 done, 1 failed of 21 runs", statuses in `RunStatus.reportingOrder`.
    public var line: String {
        let parts = RunStatus.reportingOrder.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
        return "\(Escaping.terminal(databasePath)): \(parts.joined(separator: ", ")) of \(total) runs"
    }
}

extension ValidationSummary {
    /// `ablate run --dry-run`: "NAME: N runs", then one line per run with its short key, variant and seed.
    /// With [tune], these are the untuned runs; a last line says what tuning adds.
    public static func dryRunLines(for experiment: Experiment) -> [String] {
        var lines = ["\(Escaping.terminal(experiment.name)): \(experiment.runs.count) runs"]
            + experiment.runs.map { "  \($0.shortKey)  \(Escaping.terminal($0.spec.variant))  seed \($0.spec.seed)" }
        if experiment.tuning != nil {
            lines.append("  (untuned runs; with them, tuning trains each configuration's trials rung by rung and then its choice "
                         + "on every seed: ablate validate shows the rungs)")
        }
        return lines
    }
}

extension Slurm.Submission {
    /// What `ablate submit --slurm` says after submitting (or finding nothing to submit).
    public func lines(experiment: String) -> [String] {
        let tuningDone = tuning?.done ?? true
        guard let jobID else {
            if !tuningDone, let tuning { return ["Nothing to submit now (\(Escaping.terminal(tuning.description))): no run can start until the runs in the queue or in unmerged shards are merged."] }
            return ["Nothing to submit: all \(total) runs of \(Escaping.terminal(experiment)) are finished in the database."]
        }
        let quoted = Escaping.terminal(Slurm.shellQuoted(database))
        var lines = ["Submitted job \(jobID): \(planned) of \(total) runs in \(tasks) task(s); shards, plan and logs in \(Escaping.terminal(folder)).",
                     "Follow it with: ablate status \(quoted); when it has ended: ablate merge \(quoted)"]
        if let tuning {
            lines.append(Escaping.terminal(tuning.description) + (tuningDone ? "." : ": the next rung's trials and the final runs are planned from this job's results, so when it has ended, submit again (ablate submit merges the shards first) until every configuration is chosen and its final runs are done."))
        }
        return lines
    }
}

extension Shards.MergeResult {
    /// What `ablate merge` says: how many runs came from how many shards, and what was left alone.
    public func line(database: String) -> String {
        if shards.isEmpty {
            return "No shards in \(Escaping.terminal(Shards.folder(forDatabase: database))): nothing to merge."
        }
        return "Merged \(summary.imported.count) run(s) from \(shards.count) shard(s) into \(Escaping.terminal(database)); "
            + "\(summary.alreadyFinished) already there, \(summary.unfinished) unfinished in the shards (ignored)."
    }
}
