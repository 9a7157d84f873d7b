import Reports
import Store

/// What `ablate status` prints of a database: per experiment its question, then per variant, in the
/// sweep's order (the baseline, then the variants as the experiment file lists them, as registered),
/// `name (changes as written): counts`, "same as X" for a grid point equal to an earlier variant,
/// the failed and diverged runs with their errors, and for a cluster sweep its shards' progress.
/// Only reads; every piece of user text is escaped for the terminal.
public enum StatusReport {
    public static func lines(databasePath: String) throws -> [String] {
        let store = try ResultStore(readingAt: databasePath)
        var lines: [String] = []
        for experiment in try store.experiments() {
            lines.append("\(Escaping.terminal(experiment.name)): \(Escaping.terminal(experiment.question))")
            let counts = try store.statusCounts(experiment: experiment.name)
            let runs = try store.runs(experiment: experiment.name)
            // The plan's order, then any variant with current runs that the plan lacks.
            let plan = try store.variants(experiment: experiment.name)
            var variants = plan.map(\.name)
            for run in runs where run.current && !variants.contains(run.variant) { variants.append(run.variant) }
            let order = RunStatus.reportingOrder
            let tuning = try store.tuning(experiment: experiment.name)
            if let tuning {
                let settings = tuning.settings
                let axes = settings.axes.map { "\($0.key) in [\($0.values.joined(separator: ", "))]" }.joined(separator: " x ")
                lines.append("  tuned (\(settings.method)\(settings.method == "halving" ? ", eta \(settings.eta)" : ""), validation \(settings.metric), "
                             + "seeds \(settings.selectionSeeds.map(String.init).joined(separator: ", "))): \(Escaping.terminal(axes))")
            }
            for variant in variants {
                let planned = plan.first { $0.name == variant }
                let changes = planned.map { $0.changes.map(\.description).joined(separator: ", ") } ?? ""
                let label = Escaping.terminal(variant) + (changes.isEmpty ? "" : " (\(Escaping.terminal(changes)))")
                if let same = planned?.sameAs {
                    lines.append("  \(label): same as \(Escaping.terminal(same))")
                    continue
                }
                let parts = counts.filter { $0.variant == variant }
                    .sorted { (order.firstIndex(of: $0.status) ?? order.count) < (order.firstIndex(of: $1.status) ?? order.count) }
                    .map { "\($0.runs) \($0.status.rawValue)" }
                lines.append("  \(label): \(parts.isEmpty ? "no runs" : parts.joined(separator: ", "))")
                if let tuning { lines += tuningLines(tuning, variant: variant, runs: runs) }
            }
            let earlier = runs.filter { !$0.current }.count
            if earlier > 0 { lines.append("  (\(earlier) run(s) of earlier versions of the file are kept but not counted)") }
            for run in runs where run.current && (run.status == .failed || run.status == .diverged) {
                lines.append("  \(run.status.rawValue): \(Escaping.terminal(run.variant)) seed \(run.seed): \(Escaping.terminal(run.error ?? ""))")
            }
        }
        try store.close()
        // A cluster sweep: its shards' progress and, where squeue answers, the job array's state.
        if let progress = try Shards.progress(databasePath: databasePath) {
            lines += progress.lines.map(Escaping.terminal)
        }
        return lines
    }

    /// A tuned variant's progress: its trials rung by rung, the choice, its final and untuned runs.
    static func tuningLines(_ tuning: StoredTuning, variant: String, runs: [RunRecord]) -> [String] {
        let status = Dictionary(runs.map { ($0.key, $0.status) }) { first, _ in first }
        func count(_ parts: [TuningRunRecord]) -> String {
            let done = parts.filter { status[$0.run]?.isFinished == true }.count
            let running = parts.filter { status[$0.run] == .running }.count
            return "\(done)/\(parts.count) finished" + (running > 0 ? ", \(running) running" : "")
        }
        let trials = tuning.runs(.trial, variant: variant)
        guard !trials.isEmpty else { return [] }
        var lines: [String] = []
        let rungs = Set(trials.compactMap(\.rung)).sorted()
        let decisions = tuning.decisions.filter { $0.variant == variant }
        let rungText = rungs.map { rung -> String in
            let here = trials.filter { $0.rung == rung }
            let steps = decisions.first { $0.rung == rung }?.steps
            return "rung \(rung)\(steps.map { " (\($0) steps)" } ?? ""): \(count(here))"
                + (decisions.contains { $0.rung == rung } ? ", decided" : "")
        }
        lines.append("    trials: " + rungText.joined(separator: "; "))
        if let chosen = decisions.first(where: { $0.decision == .chosen }), chosen.candidate < tuning.settings.candidates.count {
            let name = tuning.settings.candidates[chosen.candidate].name
            let value = chosen.value.map { Format.fixed($0, 3) } ?? "-"
            lines.append("    chosen: \(Escaping.terminal(name)) (validation \(tuning.settings.metric) \(value)); final runs: \(count(tuning.runs(.final, variant: variant)))")
        } else {
            lines.append("    chosen: not yet")
        }
        lines.append("    untuned runs: \(count(tuning.runs(.untuned, variant: variant)))")
        return lines
    }
}
