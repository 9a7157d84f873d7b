import Foundation
import GRDB

// Tuning as the store keeps it (migration v3, docs/store.md): what the [tune] table asked for
// (`tuning`), which run plays which part for which variant (`tuning_runs`), and every decision
// taken at the end of a rung (`tuning_decisions`), written in the same transaction as the runs
// of the next rung, so that a sweep resumed at any moment replays the same choices.

/// The part a run plays in a tuned experiment. One run can play several: when the chosen value is
/// the baseline's own, the final runs are the untuned ones.
public enum RunRole: String, Codable, CaseIterable, Sendable {
    /// A trial of a candidate on a selection seed, at a rung: validation only.
    case trial
    /// The chosen candidate on one of the experiment's seeds, evaluated on the test split.
    case final
    /// The variant at its own (untuned) settings on one of the experiment's seeds: the effect at the
    /// baseline's setting.
    case untuned
}

/// What an experiment's [tune] table asks for, as one row of `tuning` (stored as JSON).
public struct TuningSettings: Codable, Equatable, Sendable {
    /// One tuned setting: "train.lr" and its values in the file's syntax.
    public struct Axis: Codable, Equatable, Sendable {
        public var key: String
        public var values: [String]
        /// Whether every value is a number (an edge-of-range warning applies).
        public var numeric: Bool

        public init(key: String, values: [String], numeric: Bool) {
            (self.key, self.values, self.numeric) = (key, values, numeric)
        }
    }

    /// One point of the product of the axes ("lr=0.001") and the values it sets.
    public struct Candidate: Codable, Equatable, Sendable {
        public var name: String
        public var changes: [VariantChange]

        public init(name: String, changes: [VariantChange]) {
            (self.name, self.changes) = (name, changes)
        }
    }

    /// "grid" or "halving".
    public var method: String
    /// "exact_match" or "loss" (validation).
    public var metric: String
    public var selectionSeeds: [Int]
    public var eta: Int
    /// The first rung's share of the steps, when the file sets it.
    public var firstRung: Double?
    public var axes: [Axis]
    public var candidates: [Candidate]

    public init(method: String, metric: String, selectionSeeds: [Int], eta: Int, firstRung: Double?, axes: [Axis],
                candidates: [Candidate]) {
        self.method = method
        self.metric = metric
        self.selectionSeeds = selectionSeeds
        self.eta = eta
        self.firstRung = firstRung
        self.axes = axes
        self.candidates = candidates
    }

    enum CodingKeys: String, CodingKey {
        case method, metric, eta, axes, candidates
        case selectionSeeds = "selection_seeds", firstRung = "first_rung"
    }
}

/// The part one run plays for one variant: a row of `tuning_runs`.
public struct TuningRunRecord: Codable, Hashable, Sendable {
    public var experiment: String
    public var variant: String
    public var role: RunRole
    /// The candidate's index in `TuningSettings.candidates` (nil for an untuned run).
    public var candidate: Int?
    /// The rung (trials only, from 0).
    public var rung: Int?
    public var seed: Int
    /// The run's key.
    public var run: String

    public init(experiment: String, variant: String, role: RunRole, candidate: Int?, rung: Int?, seed: Int, run: String) {
        self.experiment = experiment
        self.variant = variant
        self.role = role
        self.candidate = candidate
        self.rung = rung
        self.seed = seed
        self.run = run
    }
}

/// What became of one candidate of one variant at the end of a rung: a row of `tuning_decisions`.
public struct TuningDecisionRecord: Codable, Equatable, Sendable {
    public enum Decision: String, Codable, CaseIterable, Sendable {
        /// Goes on to the next rung.
        case kept
        /// Stops here.
        case stopped
        /// The choice: its values are trained on every seed (the final runs).
        case chosen
    }

    public var experiment: String
    public var variant: String
    public var rung: Int
    public var candidate: Int
    /// The rung's steps.
    public var steps: Int
    /// The mean over the selection seeds of the selection metric at each trial's last step (nil when
    /// every trial diverged).
    public var value: Double?
    /// The same mean of the other validation metric (the first tie-break).
    public var tieBreak: Double?
    /// Its place in the rung's ranking, from 1.
    public var rank: Int
    public var decision: Decision
    /// The keys of the trials the numbers come from, in seed order. A stored decision is replayed only
    /// while the plan gives the same trials (an edited [tune] table decides anew).
    public var runs: [String]
    public var decidedAt: Date

    public init(experiment: String, variant: String, rung: Int, candidate: Int, steps: Int, value: Double?, tieBreak: Double?,
                rank: Int, decision: Decision, runs: [String], decidedAt: Date = Date()) {
        self.experiment = experiment
        self.variant = variant
        self.rung = rung
        self.candidate = candidate
        self.steps = steps
        self.value = value
        self.tieBreak = tieBreak
        self.rank = rank
        self.decision = decision
        self.runs = runs
        self.decidedAt = decidedAt
    }

    enum CodingKeys: String, CodingKey {
        case experiment, variant, rung, candidate, steps, value, rank, decision, runs
        case tieBreak = "tie_break", decidedAt = "decided_at"
    }
}

/// What a tuned experiment registers besides its runs: the settings, every run's part, and the
/// decisions taken since the last registration.
public struct TuningRegistration: Sendable {
    public var settings: TuningSettings
    /// Every part of every run planned now (replaces the stored rows).
    public var runs: [TuningRunRecord]
    /// Decisions taken since the last registration: they replace the stored decisions of their
    /// variant from their rung on.
    public var decisions: [TuningDecisionRecord]

    public init(settings: TuningSettings, runs: [TuningRunRecord], decisions: [TuningDecisionRecord]) {
        (self.settings, self.runs, self.decisions) = (settings, runs, decisions)
    }
}

extension TuningRunRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "tuning_runs" }
}

extension TuningDecisionRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "tuning_decisions" }
}

/// A stored tuning: the settings, the parts and the decisions of one experiment.
public struct StoredTuning: Sendable, Equatable {
    public var settings: TuningSettings
    public var runs: [TuningRunRecord]
    public var decisions: [TuningDecisionRecord]

    public init(settings: TuningSettings, runs: [TuningRunRecord], decisions: [TuningDecisionRecord]) {
        (self.settings, self.runs, self.decisions) = (settings, runs, decisions)
    }

    /// The runs of a role (of one variant, when named), in the order stored.
    public func runs(_ role: RunRole, variant: String? = nil) -> [TuningRunRecord] {
        runs.filter { $0.role == role && (variant == nil || $0.variant == variant) }
    }
}

extension ResultStore {
    /// The experiment's tuning, or nil when its file has no [tune] table.
    public func tuning(experiment: String) throws -> StoredTuning? {
        try read { db in
            // A v2 file read without migrating has no tuning tables: nothing was tuned.
            guard try db.tableExists("tuning"),
                  let text = try String.fetchOne(db, sql: "SELECT settings FROM tuning WHERE experiment = ?", arguments: [experiment])
            else { return nil }
            let settings = try JSONDecoder().decode(TuningSettings.self, from: Data(text.utf8))
            let runs = try TuningRunRecord.fetchAll(db, sql: """
                SELECT * FROM tuning_runs WHERE experiment = ? ORDER BY position
                """, arguments: [experiment])
            let decisions = try TuningDecisionRecord.fetchAll(db, sql: """
                SELECT * FROM tuning_decisions WHERE experiment = ? ORDER BY variant, rung, rank
                """, arguments: [experiment])
            return StoredTuning(settings: settings, runs: runs, decisions: decisions)
        }
    }

    /// Writes a tuned experiment's settings, run parts and new decisions (inside `register`'s transaction).
    static func writeTuning(_ tuning: TuningRegistration?, experiment: String, _ db: Database) throws {
        guard let tuning else {
            try db.execute(sql: "DELETE FROM tuning WHERE experiment = ?", arguments: [experiment])
            try db.execute(sql: "DELETE FROM tuning_runs WHERE experiment = ?", arguments: [experiment])
            return
        }
        precondition(tuning.runs.allSatisfy { $0.experiment == experiment } && tuning.decisions.allSatisfy { $0.experiment == experiment },
                     "every tuning row registered belongs to experiment \(experiment)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let settings = String(decoding: try encoder.encode(tuning.settings), as: UTF8.self)
        try db.execute(sql: "INSERT OR REPLACE INTO tuning (experiment, settings) VALUES (?, ?)", arguments: [experiment, settings])
        try db.execute(sql: "DELETE FROM tuning_runs WHERE experiment = ?", arguments: [experiment])
        for (position, part) in tuning.runs.enumerated() {
            try db.execute(sql: """
                INSERT OR IGNORE INTO tuning_runs (experiment, variant, role, candidate, rung, seed, run, position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [part.experiment, part.variant, part.role.rawValue, part.candidate, part.rung, part.seed, part.run, position])
        }
        // A decision taken anew for a rung (the trials changed) replaces that rung's and every later
        // rung's stored decisions of the variant: they followed from the old one.
        var firstRung: [String: Int] = [:]
        for decision in tuning.decisions { firstRung[decision.variant] = min(firstRung[decision.variant] ?? decision.rung, decision.rung) }
        for (variant, rung) in firstRung.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "DELETE FROM tuning_decisions WHERE experiment = ? AND variant = ? AND rung >= ?",
                           arguments: [experiment, variant, rung])
        }
        for decision in tuning.decisions { try decision.insert(db) }
    }
}
