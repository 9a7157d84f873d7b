import Foundation

/// Where each key of a TOML document is written: TOMLKit's values carry no positions, so the lines of
/// semantic errors come from this scan of the source text.
///
/// A path is the list of table names and keys from the root, with the index of an array-of-tables
/// entry as "#i": `b = 1` under the second `[[variant]]` is ["variant", "#1", "b"]; `model.heads = 4`
/// under `[grid]` is ["grid", "model", "heads"], and `"model.heads" = [1, 2]` is ["grid", "model.heads"].
/// Keys inside inline tables have their own positions: `model = { heads = 2, layers = 1 }` under the
/// second `[[variant]]` writes ["variant", "#1", "model", "heads"] before [..., "layers"], and the
/// inline tables of an array are entries "#i" of it, as an array of tables' are. The scan assumes a
/// document TOMLKit has already accepted.
struct SourceMap {
    /// A line and a column, both counted from 1; ordered as they come in the file.
    struct Location: Equatable, Comparable {
        var line: Int
        var column: Int

        static func < (a: Location, b: Location) -> Bool { (a.line, a.column) < (b.line, b.column) }
    }

    private var keys: [String: Location] = [:]
    private var headers: [String: Int] = [:]
    /// Paths in the order their keys appear.
    private(set) var order: [[String]] = []

    init(text: String) {
        var arrayCounts: [String: Int] = [:]
        var prefix: [String] = []
        var value = ValueScanner()  // the value being read, which may span lines
        // "\r\n" is one Character in Swift: normalise line ends before splitting.
        var normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
        if normalised.hasPrefix("\u{FEFF}") { normalised.removeFirst() }
        for (index, rawLine) in normalised.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Array(rawLine)
            if !value.isDone {
                value.scan(line, from: 0, lineNumber: lineNumber)
                record(value.drain())
                continue
            }
            var position = 0
            while position < line.count, line[position] == " " || line[position] == "\t" { position += 1 }
            guard position < line.count, line[position] != "#" else { continue }
            if line[position] == "[" {
                let isArray = position + 1 < line.count && line[position + 1] == "["
                var cursor = position + (isArray ? 2 : 1)
                guard let parts = Self.parseKey(line, &cursor) else { continue }
                let name = parts.joined(separator: "\u{1F}")
                if isArray { arrayCounts[name, default: 0] += 1 }
                var resolved: [String] = []
                for (i, part) in parts.enumerated() {
                    resolved.append(part)
                    let sofar = parts[...i].joined(separator: "\u{1F}")
                    if let count = arrayCounts[sofar] { resolved.append("#\(count - 1)") }
                }
                prefix = resolved
                if headers[Self.join(resolved)] == nil { headers[Self.join(resolved)] = lineNumber }
                continue
            }
            var cursor = position
            guard let parts = Self.parseKey(line, &cursor), cursor < line.count, line[cursor] == "=" else { continue }
            let path = prefix + parts
            record([(path, Location(line: lineNumber, column: position + 1))])
            value.begin(at: path)
            value.scan(line, from: cursor + 1, lineNumber: lineNumber)
            record(value.drain())
        }
    }

    /// Notes where keys are written; the first place a path is written is where it is.
    private mutating func record(_ found: [(path: [String], location: Location)]) {
        for (path, location) in found where keys[Self.join(path)] == nil {
            keys[Self.join(path)] = location
            order.append(path)
        }
    }

    /// Where `path` itself is written, or nil.
    func exact(_ path: [String]) -> Location? { keys[Self.join(path)] }

    /// The best line for `path`: where it is written; else where its first key is written (a table
    /// made by dotted keys, `task.x = 1`); else where its closest written ancestor is (the key of
    /// the table a missing key would go in, say) or the header of its closest table.
    func line(_ path: [String]) -> Int? {
        if let location = keys[Self.join(path)] { return location.line }
        if headers[Self.join(path)] == nil, !path.isEmpty, let first = order.first(where: { $0.count > path.count && Array($0.prefix(path.count)) == path }) {
            return keys[Self.join(first)]?.line
        }
        var candidate = path
        while !candidate.isEmpty {
            if let location = keys[Self.join(candidate)] { return location.line }
            if let line = headers[Self.join(candidate)] { return line }
            candidate.removeLast()
        }
        return nil
    }

    /// The key written last on or before `line`, as messages name it ("experiment.name",
    /// "variant.name"), or nil when no key comes before it.
    func key(before line: Int) -> String? {
        let written = order.compactMap { path in keys[Self.join(path)].map { (path, $0) } }.filter { $0.1.line <= line }
        guard let last = written.max(by: { ($0.1.line, $0.1.column) < ($1.1.line, $1.1.column) }) else { return nil }
        return last.0.filter { !$0.hasPrefix("#") }.joined(separator: ".")
    }

    /// The line of the first NUL character that an escape (`\u0000`, `\U00000000`, `\x00`) writes in
    /// a basic string of `text` (a key or a value), or nil. TOMLKit hands strings over as C strings,
    /// which end at a NUL: such a string would silently lose everything from the NUL on, so the
    /// loader refuses it. Literal strings and comments take a backslash as it is. Assumes a document
    /// TOMLKit has accepted.
    static func lineOfEscapedNUL(in text: String) -> Int? {
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1
        /// The number of `quote`s in a row at `at`.
        func run(_ quote: Unicode.Scalar, at: Int) -> Int {
            var n = 0
            while at + n < s.count, s[at + n] == quote { n += 1 }
            return n
        }
        /// The value of `count` hex digits after `at`, or nil.
        func hex(at: Int, count: Int) -> UInt32? {
            guard at + count <= s.count else { return nil }
            return UInt32(String(String.UnicodeScalarView(s[at..<(at + count)])), radix: 16)
        }
        while i < s.count {
            let c = s[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c == "#" {
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            guard c == "\"" || c == "'" else { i += 1; continue }
            let multiLine = run(c, at: i) >= 3
            i += multiLine ? 3 : 1
            while i < s.count {
                let d = s[i]
                if d == "\n" { line += 1; i += 1; continue }
                if d == c {
                    let quotes = run(c, at: i)
                    if !multiLine { i += 1; break }
                    if quotes >= 3 { i += quotes; break }
                    i += quotes
                    continue
                }
                if d == "\\" && c == "\"" {
                    guard i + 1 < s.count else { return nil }
                    let kind = s[i + 1]
                    let digits = kind == "u" ? 4 : kind == "U" ? 8 : kind == "x" ? 2 : 0
                    if digits > 0, hex(at: i + 2, count: digits) == 0 { return line }
                    if kind == "\n" { line += 1 }
                    i += 2
                    continue
                }
                i += 1
            }
        }
        return nil
    }

    /// The position of a path in the file, for ordering keys as they were written: where it is written,
    /// else where its first key is (a table made by dotted keys), else after everything.
    func rank(_ path: [String]) -> Location {
        if let location = keys[Self.join(path)] { return location }
        let inside = order.lazy.filter { $0.count > path.count && Array($0.prefix(path.count)) == path }.compactMap { keys[Self.join($0)] }
        return inside.min() ?? Location(line: .max, column: .max)
    }

    private static func join(_ path: [String]) -> String { path.joined(separator: "\u{1F}") }

    // MARK: Scanning

    /// Reads a (possibly dotted, possibly quoted) key and the whitespace after it, stopping at `=` or `]`.
    fileprivate static func parseKey(_ line: [Character], _ cursor: inout Int) -> [String]? {
        var parts: [String] = []
        func skipSpace() { while cursor < line.count, line[cursor] == " " || line[cursor] == "\t" { cursor += 1 } }
        while true {
            skipSpace()
            guard cursor < line.count else { return nil }
            let c = line[cursor]
            if c == "\"" {
                cursor += 1
                var part = ""
                while cursor < line.count, line[cursor] != "\"" {
                    if line[cursor] == "\\", cursor + 1 < line.count {
                        cursor += 1
                        switch line[cursor] {
                        case "n": part.append("\n")
                        case "t": part.append("\t")
                        case "r": part.append("\r")
                        case "b": part.append("\u{08}")
                        case "f": part.append("\u{0C}")
                        case "u", "U":
                            let width = line[cursor] == "u" ? 4 : 8
                            let digits = String(line[(cursor + 1)..<min(line.count, cursor + 1 + width)])
                            if let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) { part.unicodeScalars.append(scalar) }
                            cursor += width
                        default: part.append(line[cursor])
                        }
                    } else {
                        part.append(line[cursor])
                    }
                    cursor += 1
                }
                guard cursor < line.count else { return nil }
                cursor += 1
                parts.append(part)
            } else if c == "'" {
                cursor += 1
                var part = ""
                while cursor < line.count, line[cursor] != "'" { part.append(line[cursor]); cursor += 1 }
                guard cursor < line.count else { return nil }
                cursor += 1
                parts.append(part)
            } else {
                var part = ""
                while cursor < line.count, line[cursor].isLetter || line[cursor].isNumber || line[cursor] == "_" || line[cursor] == "-" {
                    part.append(line[cursor])
                    cursor += 1
                }
                guard !part.isEmpty else { return nil }
                parts.append(part)
            }
            skipSpace()
            guard cursor < line.count else { return nil }
            if line[cursor] == "." { cursor += 1; continue }
            if line[cursor] == "=" || line[cursor] == "]" { return parts }
            return nil
        }
    }

    fileprivate static func find(_ needle: String, in line: [Character], from start: Int) -> Int? {
        let pattern = Array(needle)
        guard start <= line.count - pattern.count else { return nil }
        var i = start
        while i <= line.count - pattern.count {
            if Array(line[i..<(i + pattern.count)]) == pattern { return i }
            i += 1
        }
        return nil
    }
}

/// Reads one value of a document (a scalar, a string, an array, an inline table, nested at will), a
/// line at a time, so that the keys of its inline tables get their positions and the lines of a
/// multi-line array or string are not read as keys.
private struct ValueScanner {
    /// A bracket the value is inside: an array with the index of its current element, or an inline table.
    private enum Frame {
        case array(path: [String], index: Int)
        case table(path: [String])
    }

    /// What comes next: a value written at `path`, a key of the innermost inline table, or what
    /// follows a value (`,` or a closing bracket).
    private enum Expecting: Equatable {
        case value([String])
        case key
        case separator
    }

    private var stack: [Frame] = []
    private var expecting = Expecting.separator
    /// The delimiter of a multi-line string left open at the end of a line.
    private var openString: String? = nil
    private var found: [(path: [String], location: SourceMap.Location)] = []

    /// Whether the value begun last is read to its end.
    var isDone: Bool { stack.isEmpty && openString == nil && expecting == .separator }

    /// Starts reading the value of the key at `path`.
    mutating func begin(at path: [String]) {
        stack = []
        openString = nil
        expecting = .value(path)
    }

    /// The keys found since the last call, in the order they are written.
    mutating func drain() -> [(path: [String], location: SourceMap.Location)] {
        defer { found = [] }
        return found
    }

    /// Reads `line` from `start` on (everything after a comment sign outside strings is a comment).
    mutating func scan(_ line: [Character], from start: Int, lineNumber: Int) {
        var i = start
        if let delimiter = openString {
            guard let end = Self.closing(delimiter, in: line, from: 0) else { return }
            openString = nil
            i = end
        }
        while i < line.count {
            let c = line[i]
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == "#" { return }
            switch expecting {
            case .value(let path):
                switch c {
                case "[":
                    stack.append(.array(path: path, index: 0))
                    expecting = .value(path + ["#0"])
                    i += 1
                case "{":
                    stack.append(.table(path: path))
                    expecting = .key
                    i += 1
                case "]":  // an empty array, or one with a trailing comma
                    close()
                    i += 1
                case "\"", "'":
                    expecting = .separator
                    guard let end = skipString(line, from: i) else { return }
                    i = end
                default:
                    expecting = .separator
                    while i < line.count, !",]}# \t".contains(line[i]) { i += 1 }
                }
            case .key:
                if c == "}" {
                    close()
                    i += 1
                    continue
                }
                var cursor = i
                guard case .table(let path)? = stack.last, let parts = SourceMap.parseKey(line, &cursor),
                      cursor < line.count, line[cursor] == "=" else {
                    // Not TOML as this scan knows it: give up on this value rather than guess.
                    stack = []
                    expecting = .separator
                    return
                }
                found.append((path + parts, SourceMap.Location(line: lineNumber, column: i + 1)))
                expecting = .value(path + parts)
                i = cursor + 1
            case .separator:
                switch (c, stack.last) {
                case (",", .array(let path, let index)?):
                    stack[stack.count - 1] = .array(path: path, index: index + 1)
                    expecting = .value(path + ["#\(index + 1)"])
                case (",", .table?):
                    expecting = .key
                case ("]", _), ("}", _):
                    close()
                default:
                    break
                }
                i += 1
            }
        }
    }

    /// Leaves the innermost bracket: what follows is what follows its value.
    private mutating func close() {
        if !stack.isEmpty { stack.removeLast() }
        expecting = .separator
    }

    /// Skips the string opening at `start`; returns the index after it, or nil when it is a
    /// multi-line string that goes on past this line.
    private mutating func skipString(_ line: [Character], from start: Int) -> Int? {
        let quote = line[start]
        let triple = String(repeating: String(quote), count: 3)
        if SourceMap.find(triple, in: line, from: start) == start {
            guard let end = Self.closing(triple, in: line, from: start + 3) else {
                openString = triple
                return nil
            }
            return end
        }
        var i = start + 1
        while i < line.count, line[i] != quote {
            if quote == "\"" && line[i] == "\\" { i += 1 }
            i += 1
        }
        return i + 1
    }

    /// The index after the `delimiter` (`"""` or `'''`) that closes a multi-line string, from `start`
    /// on, or nil. A basic string's escapes are skipped; up to two quotes just before the delimiter
    /// belong to the string.
    private static func closing(_ delimiter: String, in line: [Character], from start: Int) -> Int? {
        let quote = delimiter.first!
        var i = start
        while i < line.count {
            if quote == "\"" && line[i] == "\\" { i += 2; continue }
            if line[i] == quote {
                var run = 0
                while i + run < line.count, line[i + run] == quote { run += 1 }
                if run >= 3 { return i + min(run, 5) }
                i += run
                continue
            }
            i += 1
        }
        return nil
    }
}
