import Foundation
import GRDB

// Queries. Each reads one consistent snapshot, even while other processes write.

extension ResultStore {
    /// All experiments, by name.
    public func experiments() throws -> [ExperimentRecord] {
        try read { db in
            try ExperimentRecord.order(Column(ExperimentRecord.CodingKeys.name)).fetchAll(db)
        }
    }

    /// The experiment's variants as its file defines them, in the file's order (the baseline first),
    /// as last registered; empty for an unknown experiment.
    public func variants(experiment: String) throws -> [VariantRecord] {
        try read { db in
            try VariantRecord.filter(Column(VariantRecord.CodingKeys.experiment) == experiment)
                .order(Column(VariantRecord.CodingKeys.position)).fetchAll(db)
        }
    }

    /// The experiment's runs in sweep order, or every run when `experiment` is nil.
    public func runs(experiment: String? = nil) throws -> [RunRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, position",
                             arguments: [experiment]).map(Self.runRecord)
        }
    }

    /// One run, or nil if the key is not in the file.
    public func run(key: String) throws -> RunRecord? {
        try read { try Self.fetchRun(key, $0) }
    }

    /// A run's metric points, by split, name and step; optionally only one split or one name.
    public func metrics(run: String, split: MetricSplit? = nil, name: MetricName? = nil) throws -> [MetricPoint] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM metrics WHERE run = ?1 AND (?2 IS NULL OR split = ?2) AND (?3 IS NULL OR name = ?3)
                    ORDER BY split, name, step
                    """,
                arguments: [run, split?.rawValue, name?.rawValue]
            ).map {
                MetricPoint(run: $0["run"], step: $0["step"], storedSplit: $0["split"], storedName: $0["name"],
                            value: $0["value"] ?? .nan, wallSeconds: $0["wall_seconds"])
            }
        }
    }

    /// A run's slice evaluations, by split, slice and step.
    public func slices(run: String) throws -> [SliceEvaluation] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM slices WHERE run = ? ORDER BY split, slice, step", arguments: [run]).map {
                SliceEvaluation(run: $0["run"], step: $0["step"], storedSplit: $0["split"], storedSlice: $0["slice"],
                                loss: $0["loss"] ?? .nan, tokenAccuracy: $0["token_accuracy"] ?? .nan,
                                exactMatch: $0["exact_match"] ?? .nan, examples: $0["examples"])
            }
        }
    }

    /// The environment facts of a run, or of the experiment as a whole when `run` is nil.
    public func environment(experiment: String, run: String? = nil) throws -> [String: String] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, value FROM environment WHERE experiment = ? AND run IS ?",
                                        arguments: [experiment, run])
            return Dictionary(rows.map { ($0["name"] as String, $0["value"] as String) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// The files an experiment's runs and reports produced, by path.
    public func artifacts(experiment: String) throws -> [ArtifactRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM artifacts WHERE experiment = ? ORDER BY path", arguments: [experiment]).map {
                ArtifactRecord(experiment: $0["experiment"], run: $0["run"], kind: $0["kind"], path: $0["path"],
                               sha256: $0["sha256"], bytes: $0["bytes"], created: $0["created_at"])
            }
        }
    }

    /// How many runs of each variant are in each status (variants in sweep order): what
    /// `ablate status` shows.
    /// Runs per variant and status, for the current plan of the experiment (see `RunRecord.current`).
    public func statusCounts(experiment: String) throws -> [StatusCount] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT runs.variant, runs.status, count(*) AS runs FROM runs
                    JOIN (SELECT variant, min(position) AS first FROM runs WHERE experiment = ?1 AND current = 1 GROUP BY variant) AS variants
                        ON variants.variant = runs.variant
                    WHERE runs.experiment = ?1 AND runs.current = 1 GROUP BY runs.variant, runs.status
                    ORDER BY variants.first, instr('pending running done failed diverged interrupted', runs.status)
                    """,
                arguments: [experiment]
            ).map { StatusCount(variant: $0["variant"], status: RunStatus(rawValue: $0["status"]) ?? .pending, runs: $0["runs"]) }
        }
    }

    /// The last value of every metric of every run of the experiment (the `final_metrics` view).
    public func finalMetrics(experiment: String) throws -> [FinalMetric] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT final_metrics.* FROM final_metrics JOIN runs ON runs.key = final_metrics.run
                    WHERE final_metrics.experiment = ? ORDER BY runs.position, split, name
                    """,
                arguments: [experiment]
            ).map {
                FinalMetric(run: $0["run"], variant: $0["variant"], seed: $0["seed"],
                            status: RunStatus(rawValue: $0["status"]) ?? .pending, split: $0["split"], name: $0["name"],
                            step: $0["step"], value: $0["value"] ?? .nan)
            }
        }
    }

    /// Per variant and metric, the mean and spread over seeds of the final values of the `done`
    /// runs (the `variant_summary` view), variants in sweep order.
    public func variantSummary(experiment: String) throws -> [VariantSummary] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT summary.* FROM variant_summary AS summary WHERE summary.experiment = ?1
                    ORDER BY (SELECT min(position) FROM runs WHERE runs.experiment = ?1 AND runs.variant = summary.variant),
                        split, name
                    """,
                arguments: [experiment]
            ).map {
                VariantSummary(variant: $0["variant"], split: $0["split"], name: $0["name"], n: $0["n"], mean: $0["mean"],
                               stddev: $0["stddev"], min: $0["min"], max: $0["max"])
            }
        }
    }

    // MARK: - Row mapping

    static func fetchRun(_ key: String, _ db: Database) throws -> RunRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE key = ?", arguments: [key]).map(runRecord)
    }

    static func runRecord(_ row: Row) -> RunRecord {
        let host: String? = row["worker_host"]
        let pid: Int32? = row["worker_pid"]
        return RunRecord(
            key: row["key"], experiment: row["experiment"], variant: row["variant"], seed: row["seed"],
            config: row["config"], status: RunStatus(rawValue: row["status"]) ?? .pending, position: row["position"],
            worker: host.flatMap { host in pid.map { WorkerIdentity(host: host, pid: $0) } },
            attempts: row["attempts"], registered: row["registered_at"], started: row["started_at"],
            finished: row["finished_at"], heartbeat: row["heartbeat_at"], wallSeconds: row["wall_seconds"],
            parameters: row["parameters"], steps: row["steps"], stepsToTarget: row["steps_to_target"], error: row["error"],
            current: (row["current"] as Int?) != 0)
    }
}
