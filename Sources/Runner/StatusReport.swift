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
}
