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
        case .string(let text): return "\(Quoting.value(text)) (a string)"
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

/// toml++'s syntax messages say what its parser met; for the mistakes people make most they are
/// obscure ("unescaped control characters ... are explicitly prohibited" for a string left open,
/// "could not determine value type" for a word without quotes). This says what to change instead,
/// and keeps toml++'s own words for the rest.
enum SyntaxHint {
    static func message(for error: TOMLSyntaxError, in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = error.line >= 1 && error.line <= lines.count ? String(lines[error.line - 1]) : ""
        let characters = Array(line.unicodeScalars)
        // toml++ counts columns from 1; the column may be one past the end of the line.
        let index = error.column - 1
        let atEnd = index >= characters.count || characters[index] == "\r"
        let rest = index >= 0 && index < characters.count ? String(String.UnicodeScalarView(characters[index...])) : ""

        if error.message.contains("unescaped control characters") {
            if atEnd {
                return "a string is not closed on line \(error.line): add the closing quote (a \"...\" or '...' string "
                    + "ends on its own line; use \"\"\"...\"\"\" for text over several lines)"
            }
            let scalar = characters[index]
            return "line \(error.line) holds the control character U+\(String(format: "%04X", scalar.value)) inside a string: "
                + "write it as \\u\(String(format: "%04X", scalar.value)), or remove it"
        }
        if error.message.contains("could not determine value type") {
            let word = rest.prefix { !$0.isWhitespace && $0 != "," && $0 != "]" && $0 != "}" && $0 != "#" }
            if !word.isEmpty, word.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" || $0 == "-" || ("0"..."9").contains($0) }) {
                return "\(Quoting.key(String(word))) is not a TOML value: strings need quotes, e.g. \(Quoting.quote(String(word))) "
                    + "(values are \"strings\", numbers, true or false, [arrays] and { tables })"
            }
            return "expected a value here (a \"string\" in quotes, a number, true or false, an [array] or a { table }): "
                + "toml++ says \(error.message)"
        }
        if error.message.contains("end-of-file") || error.message.contains("end of file") {
            return "the file ends inside a value that was not closed (a \"\"\" string, an [array] or a { table }): \(error.message)"
        }
        return "not valid TOML: \(error.message)"
    }
}
