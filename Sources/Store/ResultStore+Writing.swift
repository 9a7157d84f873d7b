import Foundation
import GRDB

// Every method here is one transaction: it happens entirely or not at all, whatever kills the
// process. Writes that may be retried (metrics, slices, environment, artifacts) replace the row
// with the same identity instead of adding a second one.

extension ResultStore {
    /// Adds an experiment and the runs it does not have yet, as `pending`. Runs already in the
    /// file are left as they are (done runs stay done), so registering again is harmless.
    /// The experiment's question, findings and source text are updated to the ones given, and its
    /// variants (when given) replace the stored ones, in the same transaction: editing a description
    /// or the findings and registering again changes the plan without touching a run.
    ///
    /// - Parameter variants: the experiment's variants in the file's order; nil leaves the stored
    ///   ones as they are (a shard, which only trains).
    /// - Returns: the number of runs added.
    /// - Throws: `StoreError.runChanged` if a key is already in the file with a different
    ///   experiment, variant, seed or configuration.
    @discardableResult
    public func register(experiment: ExperimentRecord, variants: [VariantRecord]? = nil, runs: [PlannedRun],
                         tuning: TuningRegistration? = nil) throws -> Int {
        precondition(variants?.allSatisfy { $0.experiment == experiment.name } ?? true,
                     "every variant registered belongs to experiment \(experiment.name)")
        return try write { db in
            if var stored = try ExperimentRecord.fetchOne(db, key: experiment.name) {
                stored.question = experiment.question
                stored.findings = experiment.findings
                stored.source = experiment.source
                try stored.update(db)
            } else {
                try experiment.insert(db)
            }
            if let variants {
                try VariantRecord.filter(Column(VariantRecord.CodingKeys.experiment) == experiment.name).deleteAll(db)
                for variant in variants { try variant.insert(db) }
            }
            var position = try Int.fetchOne(db, sql: "SELECT ifnull(max(position), -1) + 1 FROM runs WHERE experiment = ?",
                                            arguments: [experiment.name]) ?? 0
            var added = 0
            let now = Date()
            // The runs given are the experiment's plan now: runs of earlier versions of the file stay
            // in the file but leave the summaries and are not claimed again.
            try db.execute(sql: "UPDATE runs SET current = 0 WHERE experiment = ?", arguments: [experiment.name])
            for run in runs {
                if let existing = try Row.fetchOne(db, sql: "SELECT experiment, variant, seed, config FROM runs WHERE key = ?",
                                                   arguments: [run.key]) {
                    let changed = existing["experiment"] as String != experiment.name ? "experiment"
                        : existing["variant"] as String != run.variant ? "variant"
                        : existing["seed"] as Int != run.seed ? "seed"
                        : existing["config"] as String != run.config ? "configuration" : nil
                    if let changed { throw StoreError.runChanged(path: path, key: run.key, field: changed) }
                    try db.execute(sql: "UPDATE runs SET current = 1 WHERE key = ?", arguments: [run.key])
                    continue
                }
                try db.execute(
                    sql: """
                        INSERT INTO runs (key, experiment, variant, seed, config, status, position, registered_at)
                        VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
                        """,
                    arguments: [run.key, experiment.name, run.variant, run.seed, run.config, position, now])
                position += 1
                added += 1
            }
            // A shard (variants nil) only trains: the tuning rows stay as the experiment's database has them.
            if variants != nil { try Self.writeTuning(tuning, experiment: experiment.name, db) }
            return added
        }
    }

    /// Makes `worker` the owner of a run, if no one else has it: a `pending` or `interrupted` run
    /// (and a `failed` one when `retryFailed`) becomes `running`. Results of an earlier attempt
    /// (metrics, slices, the run's environment and artifacts rows) are deleted, because a claimed
    /// run is trained from its first step.
    ///
    /// - Returns: false if the run is running or finished already.
    /// - Throws: `StoreError.unknownRun` for a key not in the file.
    @discardableResult
    public func claim(runKey: String, worker: WorkerIdentity, retryFailed: Bool = false) throws -> Bool {
        try write { db in
            guard let raw = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE key = ?", arguments: [runKey]) else {
                throw StoreError.unknownRun(path: path, key: runKey)
            }
            guard Self.isClaimable(RunStatus(rawValue: raw), retryFailed: retryFailed) else { return false }
            try Self.start(runKey, worker: worker, db)
            return true
        }
    }

    /// Claims the first claimable run of the experiment in sweep order (see `claim`), or returns
    /// nil when there is none left. Workers in several processes call this in a loop.
    public func claimNext(experiment: String, worker: WorkerIdentity, retryFailed: Bool = false) throws -> RunRecord? {
        try write { db in
            let statuses = retryFailed ? "('pending', 'interrupted', 'failed')" : "('pending', 'interrupted')"
            guard let key = try String.fetchOne(
                db, sql: "SELECT key FROM runs WHERE experiment = ? AND current = 1 AND status IN \(statuses) ORDER BY position LIMIT 1",
                arguments: [experiment])
            else { return nil }
            try Self.start(key, worker: worker, db)
            return try Self.fetchRun(key, db)
        }
    }

    /// Appends metric points (any runs). A point with the same (run, split, name, step) as a stored
    /// one replaces it, so a retried write adds nothing. Also marks the runs' heartbeat.
    public func recordMetrics(_ points: [MetricPoint]) throws {
        guard !points.isEmpty else { return }
        try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO metrics (run, split, name, step, value, wall_seconds) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for point in points {
                // SQLite has no NaN: it is stored as NULL and read back as NaN.
                let value: Double? = point.value.isNaN ? nil : point.value
                try insert.execute(arguments: [point.run, point.split, point.name, point.step, value, point.wallSeconds])
            }
            try Self.beat(Set(points.map(\.run)), db)
        }
    }

    /// Appends slice evaluations; one with the same (run, split, slice, step) replaces the stored one.
    public func recordSlices(_ slices: [SliceEvaluation]) throws {
        guard !slices.isEmpty else { return }
        try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO slices (run, split, slice, step, loss, token_accuracy, exact_match, examples)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for s in slices {
                try insert.execute(arguments: [s.run, s.split, s.slice, s.step, Self.storable(s.loss),
                                               Self.storable(s.tokenAccuracy), Self.storable(s.exactMatch), s.examples])
            }
            try Self.beat(Set(slices.map(\.run)), db)
        }
    }

    /// Records environment facts (name -> value, e.g. the output of `EnvironmentInfo.collect()`)
    /// of a run, or of the whole experiment when `run` is nil. A fact recorded again replaces the old value.
    public func recordEnvironment(_ facts: [String: String], experiment: String, run: String? = nil) throws {
        try write { db in
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO environment (experiment, run, name, value) VALUES (?, ?, ?, ?)")
            for (name, value) in facts.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [experiment, run, name, value])
            }
        }
    }

    /// Records a file a run or an experiment produced; a record with the same path replaces the old one.
    public func recordArtifact(_ artifact: ArtifactRecord) throws {
        try recordArtifacts([artifact])
    }

    /// Records several files at once, in one transaction; each replaces a record of the same path.
    public func recordArtifacts(_ artifacts: [ArtifactRecord]) throws {
        try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO artifacts (path, experiment, run, kind, sha256, bytes, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for artifact in artifacts {
                try insert.execute(arguments: [artifact.path, artifact.experiment, artifact.run, artifact.kind, artifact.sha256,
                                               artifact.bytes, artifact.created])
            }
        }
    }

    /// Ends a run that `worker` holds: sets its status (done, failed, diverged or interrupted),
    /// end time and what is known of it.
    ///
    /// - Returns: false, changing nothing, if the run is no longer `running` under this worker
    ///   (it was reset as stale, and perhaps claimed by another worker).
    @discardableResult
    public func finish(runKey: String, worker: WorkerIdentity, outcome: RunOutcome) throws -> Bool {
        precondition(outcome.status != .pending && outcome.status != .running, "finish needs a final status, not \(outcome.status)")
        return try write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM runs WHERE key = ?", arguments: [runKey]) != nil else {
                throw StoreError.unknownRun(path: path, key: runKey)
            }
            try db.execute(
                sql: """
                    UPDATE runs SET status = ?, finished_at = ?, wall_seconds = ?, parameters = ?, steps = ?,
                        steps_to_target = ?, error = ?
                    WHERE key = ? AND status = 'running' AND worker_host = ? AND worker_pid = ?
                    """,
                arguments: [outcome.status.rawValue, Date(), outcome.wallSeconds, outcome.parameters, outcome.steps,
                            outcome.stepsToTarget, outcome.error, runKey, worker.host, worker.pid])
            return db.changesCount == 1
        }
    }

    /// Returns to `pending` every `running` run whose worker is gone, and deletes its partial
    /// results, so the next claim trains it again from the start without duplicating anything.
    /// Call it before scheduling (`ablate run` does).
    ///
    /// A run is stale when `isAlive` says its worker is gone (by default: a process of this host
    /// that no longer exists; workers of other hosts count as alive), or, if `olderThan` is
    /// given, when its worker has shown no sign of life (claim, metrics or slices write) for
    /// longer than that many seconds.
    ///
    /// - Returns: the keys of the runs reset, in sweep order.
    @discardableResult
    public func resetStale(experiment: String? = nil, olderThan: TimeInterval? = nil, now: Date = Date(),
                           isAlive: (WorkerIdentity) -> Bool = WorkerIdentity.isAlive) throws -> [String] {
        try write { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT key, worker_host, worker_pid, ifnull(heartbeat_at, started_at) AS seen FROM runs
                    WHERE status = 'running' AND (?1 IS NULL OR experiment = ?1) ORDER BY experiment, position
                    """,
                arguments: [experiment])
            var reset: [String] = []
            for row in rows {
                let worker = WorkerIdentity(host: row["worker_host"] ?? "", pid: row["worker_pid"] ?? 0)
                let seen: Date? = row["seen"]
                let silent = olderThan.map { limit in seen.map { now.timeIntervalSince($0) > limit } ?? true } ?? false
                let gone = !isAlive(worker)
                guard gone || silent else { continue }
                let key: String = row["key"]
                try Self.deleteResults(of: key, db)
                try db.execute(
                    sql: """
                        UPDATE runs SET status = 'pending', worker_host = NULL, worker_pid = NULL, started_at = NULL,
                            heartbeat_at = NULL, finished_at = NULL, error = ? WHERE key = ?
                        """,
                    arguments: ["reset: worker \(worker) " + (gone ? "was gone" : "was silent too long"), key])
                reset.append(key)
            }
            return reset
        }
    }

    // MARK: - Helpers (inside a transaction)

    static func isClaimable(_ status: RunStatus?, retryFailed: Bool) -> Bool {
        switch status {
        case .pending, .interrupted: return true
        case .failed: return retryFailed
        default: return false
        }
    }

    static func start(_ key: String, worker: WorkerIdentity, _ db: Database) throws {
        try deleteResults(of: key, db)
        let now = Date()
        try db.execute(
            sql: """
                UPDATE runs SET status = 'running', worker_host = ?, worker_pid = ?, attempts = attempts + 1,
                    started_at = ?, heartbeat_at = ?, finished_at = NULL, wall_seconds = NULL, steps = NULL,
                    steps_to_target = NULL, error = NULL
                WHERE key = ?
                """,
            arguments: [worker.host, worker.pid, now, now, key])
    }

    /// Deletes what an attempt of a run wrote: metrics, slices, its environment facts and artifact rows.
    static func deleteResults(of key: String, _ db: Database) throws {
        for table in ["metrics", "slices", "environment", "artifacts"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE run = ?", arguments: [key])
        }
    }

    static func beat(_ keys: Set<String>, _ db: Database) throws {
        let now = Date()
        for key in keys {
            try db.execute(sql: "UPDATE runs SET heartbeat_at = ? WHERE key = ? AND status = 'running'", arguments: [now, key])
        }
    }

    static func storable(_ value: Double) -> Double? { value.isNaN ? nil : value }
}
