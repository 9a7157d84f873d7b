import GRDB

/// The versioned schema. A migration, once released, never changes: a new column or table is a
/// new migration ("v2", ...) appended here and described in docs/store.md. GRDB records the
/// applied ones in the table `grdb_migrations`.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: version2)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: version3)
        }
        return migrator
    }()

    /// Migrations that only add tables a reader can do without (their absence reads as empty): a
    /// file lacking only these is read as it is, without migrating it.
    static let readableWithout: Set<String> = ["v3"]

    /// The identifiers of the migrations this code knows, oldest first.
    static var versions: [String] { migrator.migrations }

    static let version1 = """
        CREATE TABLE experiments (
            name TEXT NOT NULL PRIMARY KEY,
            question TEXT NOT NULL,
            source TEXT NOT NULL,
            created_at DATETIME NOT NULL
        );

        CREATE TABLE runs (
            key TEXT NOT NULL PRIMARY KEY,
            experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
            variant TEXT NOT NULL,
            seed INTEGER NOT NULL,
            config TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged', 'interrupted')),
            position INTEGER NOT NULL,
            worker_host TEXT,
            worker_pid INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            registered_at DATETIME NOT NULL,
            started_at DATETIME,
            finished_at DATETIME,
            heartbeat_at DATETIME,
            wall_seconds REAL,
            parameters INTEGER,
            steps INTEGER,
            steps_to_target INTEGER,
            error TEXT,
            current INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1))
        );
        CREATE INDEX runs_by_experiment ON runs(experiment, position);
        CREATE INDEX runs_by_status ON runs(status);

        CREATE TABLE metrics (
            run TEXT NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
            split TEXT NOT NULL,
            name TEXT NOT NULL,
            step INTEGER NOT NULL,
            value REAL,
            wall_seconds REAL,
            PRIMARY KEY (run, split, name, step)
        ) WITHOUT ROWID;

        CREATE TABLE slices (
            run TEXT NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
            split TEXT NOT NULL,
            slice TEXT NOT NULL,
            step INTEGER NOT NULL,
            loss REAL,
            token_accuracy REAL,
            exact_match REAL,
            examples INTEGER NOT NULL,
            PRIMARY KEY (run, split, slice, step)
        ) WITHOUT ROWID;

        CREATE TABLE environment (
            experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
            run TEXT REFERENCES runs(key) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL
        );
        CREATE UNIQUE INDEX environment_by_name ON environment(experiment, ifnull(run, ''), name);
        CREATE INDEX environment_by_run ON environment(run);

        CREATE TABLE artifacts (
            path TEXT NOT NULL PRIMARY KEY,
            experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
            run TEXT REFERENCES runs(key) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            sha256 TEXT,
            bytes INTEGER,
            created_at DATETIME NOT NULL
        );
        CREATE INDEX artifacts_by_experiment ON artifacts(experiment);
        CREATE INDEX artifacts_by_run ON artifacts(run);

        CREATE VIEW final_metrics AS
        SELECT runs.experiment, runs.variant, runs.seed, runs.status, runs.current,
               metrics.run, metrics.split, metrics.name, metrics.step, metrics.value
        FROM metrics JOIN runs ON runs.key = metrics.run
        WHERE metrics.step = (
            SELECT max(later.step) FROM metrics AS later
            WHERE later.run = metrics.run AND later.split = metrics.split AND later.name = metrics.name);

        CREATE VIEW variant_summary AS
        WITH finals AS (
            SELECT experiment, variant, split, name, value FROM final_metrics
            WHERE status = 'done' AND current = 1 AND value IS NOT NULL
        ), means AS (
            SELECT experiment, variant, split, name,
                   count(*) AS n, avg(value) AS mean, min(value) AS min, max(value) AS max
            FROM finals GROUP BY experiment, variant, split, name
        )
        SELECT means.experiment, means.variant, means.split, means.name, means.n, means.mean,
               CASE WHEN means.n > 1
                    THEN sqrt(sum((finals.value - means.mean) * (finals.value - means.mean)) / (means.n - 1))
               END AS stddev,
               means.min, means.max
        FROM means JOIN finals
            ON finals.experiment = means.experiment AND finals.variant = means.variant
           AND finals.split = means.split AND finals.name = means.name
        GROUP BY means.experiment, means.variant, means.split, means.name;

        CREATE VIEW run_counts AS
        SELECT experiment, variant, status, count(*) AS runs
        FROM runs WHERE current = 1 GROUP BY experiment, variant, status;
        """

    /// The plan with its meaning: the experiment's findings, and each variant as the experiment file
    /// defines it (description, what it changes as the user wrote it, whether it is the same
    /// configuration as an earlier one), so that a report needs the database alone.
    static let version2 = """
        ALTER TABLE experiments ADD COLUMN findings TEXT NOT NULL DEFAULT '';

        CREATE TABLE variants (
            experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('baseline', 'variant', 'grid')),
            description TEXT NOT NULL DEFAULT '',
            changes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changes) AND json_type(changes) = 'array'),
            same_as TEXT,
            PRIMARY KEY (experiment, name)
        );
        CREATE INDEX variants_by_position ON variants(experiment, position);

        CREATE VIEW variant_changes AS
        SELECT variants.experiment, variants.name AS variant, variants.position,
               json_extract(change.value, '$.key') AS key, json_extract(change.value, '$.value') AS value
        FROM variants, json_each(variants.changes) AS change
        ORDER BY variants.experiment, variants.position, change.key;
        """

    /// Tuning ([tune]): what was asked for, the part each run plays for each variant (trial at a
    /// rung, final, untuned) and the decision taken for each candidate at the end of each rung.
    static let version3 = """
        CREATE TABLE tuning (
            experiment TEXT NOT NULL PRIMARY KEY REFERENCES experiments(name) ON DELETE CASCADE,
            settings TEXT NOT NULL CHECK (json_valid(settings))
        );

        CREATE TABLE tuning_runs (
            experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
            variant TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('trial', 'final', 'untuned')),
            candidate INTEGER,
            rung INTEGER,
            seed INTEGER NOT NULL,
            run TEXT NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
            position INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX tuning_runs_by_part ON tuning_runs(experiment, variant, role, ifnull(candidate, -1), ifnull(rung, -1), seed);
        CREATE INDEX tuning_runs_by_run ON tuning_runs(run);

        CREATE TABLE tuning_decisions (
            experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
            variant TEXT NOT NULL,
            rung INTEGER NOT NULL,
            candidate INTEGER NOT NULL,
            steps INTEGER NOT NULL,
            value REAL,
            tie_break REAL,
            rank INTEGER NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('kept', 'stopped', 'chosen')),
            runs TEXT NOT NULL CHECK (json_valid(runs) AND json_type(runs) = 'array'),
            decided_at DATETIME NOT NULL,
            PRIMARY KEY (experiment, variant, rung, candidate)
        );
        """
}
