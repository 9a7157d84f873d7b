import Foundation
import GRDB

/// A table or view of the store that can be exported whole.
public enum ExportSource: String, CaseIterable, Sendable {
    case experiments, runs, metrics, slices, environment, artifacts
    case finalMetrics = "final_metrics"
    case variantSummary = "variant_summary"
    case runCounts = "run_counts"
    case variants
    case variantChanges = "variant_changes"
    case tuning
    case tuningRuns = "tuning_runs"
    case tuningDecisions = "tuning_decisions"

    /// The query, with `?1` the experiment name or NULL for all.
    var sql: String {
        switch self {
        case .experiments:
            return "SELECT * FROM experiments WHERE ?1 IS NULL OR name = ?1 ORDER BY name"
        case .runs:
            return "SELECT * FROM runs WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, position"
        case .metrics, .slices:
            let order = self == .metrics ? "split, name, step" : "split, slice, step"
            return """
                SELECT t.* FROM \(rawValue) AS t JOIN runs ON runs.key = t.run
                WHERE ?1 IS NULL OR runs.experiment = ?1 ORDER BY runs.experiment, runs.position, \(order)
                """
        case .environment:
            return "SELECT * FROM environment WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, run IS NOT NULL, run, name"
        case .artifacts:
            return "SELECT * FROM artifacts WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, path"
        case .variants:
            return "SELECT * FROM variants WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, position"
        case .variantChanges:
            return "SELECT * FROM variant_changes WHERE ?1 IS NULL OR experiment = ?1"
        case .finalMetrics, .variantSummary, .runCounts:
            return "SELECT * FROM \(rawValue) WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, variant"
        case .tuning:
            return "SELECT * FROM tuning WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment"
        case .tuningRuns:
            return "SELECT * FROM tuning_runs WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, position"
        case .tuningDecisions:
            return "SELECT * FROM tuning_decisions WHERE ?1 IS NULL OR experiment = ?1 ORDER BY experiment, variant, rung, rank"
        }
    }
}

/// One value of an exported cell.
public enum ExportValue: Equatable, Sendable, Encodable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The CSV field: empty for NULL, quoted when it holds a comma, quote or line break.
    public var csvField: String {
        switch self {
        case .null: return ""
        case let .integer(value): return String(value)
        case let .real(value): return Self.format(value)
        case let .text(text):
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// JSON null, number or string; infinities become the strings "inf" and "-inf" (JSON has no infinity).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .integer(value): try container.encode(value)
        case let .real(value): value.isFinite ? try container.encode(value) : try container.encode(Self.format(value))
        case let .text(text): try container.encode(text)
        }
    }

    static func format(_ value: Double) -> String {
        value.isNaN ? "nan" : value == .infinity ? "inf" : value == -.infinity ? "-inf" : "\(value)"
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case let .int64(number): self = .integer(number)
        case let .double(number): self = .real(number)
        case let .string(text): self = .text(text)
        case let .blob(data): self = .text(data.base64EncodedString())
        }
    }
}

/// The rows of a table or view, ready to be written as CSV or JSON.
public struct ExportTable: Equatable, Sendable, Encodable {
    public var columns: [String]
    public var rows: [[ExportValue]]

    /// RFC 4180 CSV: a header line, then one line per row, lines ending in "\n".
    public func csv() -> String {
        var text = columns.map { ExportValue.text($0).csvField }.joined(separator: ",") + "\n"
        for row in rows {
            text += row.map(\.csvField).joined(separator: ",") + "\n"
        }
        return text
    }

    /// Encodes as a JSON array of objects, one per row, keyed by column name.
    public func encode(to encoder: Encoder) throws {
        var array = encoder.unkeyedContainer()
        for row in rows {
            var object = array.nestedContainer(keyedBy: ColumnKey.self)
            for (column, value) in zip(columns, row) {
                try object.encode(value, forKey: ColumnKey(stringValue: column))
            }
        }
    }

    private struct ColumnKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension ResultStore {
    /// The rows of a table or view, for one experiment or (nil) all of them, in a stable order.
    public func export(_ source: ExportSource, experiment: String? = nil) throws -> ExportTable {
        try read { db in
            // A v2 file read as it is has no tuning tables: nothing was tuned.
            if [.tuning, .tuningRuns, .tuningDecisions].contains(source), try !db.tableExists(source.rawValue) {
                return ExportTable(columns: [], rows: [])
            }
            let statement = try db.makeStatement(sql: source.sql)
            let rows = try Row.fetchAll(statement, arguments: [experiment])
            return ExportTable(columns: statement.columnNames,
                               rows: rows.map { row in row.databaseValues.map(ExportValue.init) })
        }
    }
}

extension ResultStore {
    /// Runs one read-only SQL statement (a SELECT, a read-only PRAGMA) and returns its rows: for
    /// questions the typed queries do not answer. Statements that write fail.
    public func query(_ sql: String) throws -> ExportTable {
        try read { db in
            let statement = try db.makeStatement(sql: sql)
            let isPragma = sql.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix("pragma")
            // The connection is read-only anyway; this gives the clearer message. (SQLite does not
            // count even a reading PRAGMA as read-only, hence the exception.)
            guard statement.isReadonly || isPragma else {
                throw StoreError.sqlite(path: path, code: 8, message: "query only reads; \(sql) would write")
            }
            let rows = try Row.fetchAll(statement)
            return ExportTable(columns: statement.columnNames,
                               rows: rows.map { row in row.databaseValues.map(ExportValue.init) })
        }
    }
}
