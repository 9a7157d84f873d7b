import Foundation
import GRDB

// The plan of an experiment as the experiment file means it: its variants, each with its
// description and its changes as the user wrote them. Read and written through `Codable`, so that
// each column is named once (in `CodingKeys`); docs/store.md describes the table and its view.

/// Where a variant comes from in the experiment file.
public enum VariantOrigin: String, Codable, CaseIterable, Sendable {
    /// The experiment's own `[model]` and `[train]`.
    case baseline
    /// A `[[variant]]`.
    case variant
    /// A point of `[grid]`.
    case grid
}

/// One setting a variant changes, as the user wrote it: `train.lr = 0.003` is key "train.lr" and
/// value "0.003"; a whole new model `model = { arch = "rnn", ... }` is one change of key "model".
public struct VariantChange: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The setting's name in the experiment file ("model.heads", "train.lr"), or "model" for a whole new model.
    public var key: String
    /// The value, in the file's syntax (strings quoted): "0.003", "\"none\"", "{ arch = \"rnn\", layers = 1 }".
    public var value: String

    /// "train.lr = 0.003".
    public var description: String { "\(key) = \(value)" }

    public init(key: String, value: String) {
        (self.key, self.value) = (key, value)
    }
}

/// One variant of an experiment: a row of `variants`, unique by (experiment, name).
public struct VariantRecord: Codable, Equatable, Sendable {
    public var experiment: String
    /// "baseline", the `[[variant]]`'s name, or a grid point's name such as "heads=2,d_model=32".
    public var name: String
    /// Its place in the experiment file: the baseline 0, then the `[[variant]]`s, then the grid points.
    public var position: Int
    public var origin: VariantOrigin
    /// The `[[variant]]`'s description ("" when none).
    public var description: String
    /// What it changes against the baseline, in the order written; empty for the baseline. Stored as
    /// a JSON array of `{"key": ..., "value": ...}` objects.
    public var changes: [VariantChange]
    /// For a grid point with the same configuration as an earlier variant: that variant's name (it
    /// has no runs of its own).
    public var sameAs: String?

    public init(experiment: String, name: String, position: Int, origin: VariantOrigin, description: String = "",
                changes: [VariantChange] = [], sameAs: String? = nil) {
        self.experiment = experiment
        self.name = name
        self.position = position
        self.origin = origin
        self.description = description
        self.changes = changes
        self.sameAs = sameAs
    }

    enum CodingKeys: String, CodingKey {
        case experiment, name, position, origin, description, changes
        case sameAs = "same_as"
    }
}

extension ExperimentRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "experiments" }
}

extension VariantRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "variants" }
}
