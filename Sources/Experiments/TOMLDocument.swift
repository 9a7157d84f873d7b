import TOMLKit

/// A parsed TOML value, copied out of TOMLKit so that the rest of the target never sees its types.
indirect enum TOMLNode: Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLNode])
    /// `inline` is true for `{ ... }` tables, false for `[header]` tables and those made by dotted keys.
    case table([String: TOMLNode], inline: Bool)
    /// A date, time or date-time (never valid in an experiment file), as TOML wrote it.
    case date(String)

    /// "an integer", "a string", ...: what a value is, for error messages.
    var kindName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number with a fraction"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        case .date: return "a date or time"
        }
    }

    /// The value as an error message quotes it: `"64" (a string)`, `2.5`, `[1, 2]`.
    var quoted: String {
        switch self {
        case .string(let text): return "\(Quoting.quote(text)) (a string)"
        case .integer(let value): return String(value)
        case .float(let value): return Quoting.number(value)
        case .bool(let value): return String(value)
        case .array(let values): return values.count <= 8 ? "[" + values.map(\.plain).joined(separator: ", ") + "]" : "an array of \(values.count) values"
        case .table: return "a table"
        case .date(let text): return "\(text) (a date or time)"
        }
    }

    /// The value as written in a variant name: strings bare, numbers as numbers.
    var plain: String {
        switch self {
        case .string(let text): return Quoting.quote(text)
        case .integer(let value): return String(value)
        case .float(let value): return Quoting.number(value)
        case .bool(let value): return String(value)
        case .array(let values): return "[" + values.map(\.plain).joined(separator: ", ") + "]"
        case .table: return "{...}"
        case .date(let text): return text
        }
    }

    var table: [String: TOMLNode]? {
        if case .table(let entries, _) = self { return entries }
        return nil
    }
}

/// A TOML syntax error, with where toml++ found it.
struct TOMLSyntaxError: Error {
    var message: String
    var line: Int
    var column: Int
}

enum TOMLDocument {
    /// Parses a whole document into its root table.
    static func parse(_ text: String) throws -> [String: TOMLNode] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TOMLSyntaxError(message: error.description, line: error.source.begin.line, column: error.source.begin.column)
        }
        return convert(table)
    }

    private static func convert(_ table: TOMLTable) -> [String: TOMLNode] {
        var entries: [String: TOMLNode] = [:]
        for key in table.keys {
            if let value = table[key] { entries[key] = convert(value) }
        }
        return entries
    }

    private static func convert(_ value: TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .array:
            guard let array = value.array else { return .array([]) }
            return .array(array.map { convert($0) })
        case .table:
            guard let table = value.table else { return .table([:], inline: false) }
            return .table(convert(table), inline: table.inline)
        case .date, .time, .dateTime:
            return .date(value.debugDescription)
        }
    }
}
