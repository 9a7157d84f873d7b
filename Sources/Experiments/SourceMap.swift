import Foundation

/// Where each key of a TOML document is written: TOMLKit's values carry no positions, so the lines of
/// semantic errors come from this scan of the source text.
///
/// A path is the list of table names and keys from the root, with the index of an array-of-tables
/// entry as "#i": `b = 1` under the second `[[variant]]` is ["variant", "#1", "b"]; `model.heads = 4`
/// under `[grid]` is ["grid", "model", "heads"], and `"model.heads" = [1, 2]` is ["grid", "model.heads"].
/// The scan assumes a document TOMLKit has already accepted.
struct SourceMap {
    struct Location: Equatable {
        var line: Int
        var column: Int
    }

    private var keys: [String: Location] = [:]
    private var headers: [String: Int] = [:]
    /// Paths in the order their keys appear.
    private(set) var order: [[String]] = []

    init(text: String) {
        var arrayCounts: [String: Int] = [:]
        var prefix: [String] = []
        var depth = 0
        var openString: String? = nil  // the delimiter of an unclosed multi-line string
        // "\r\n" is one Character in Swift: normalise line ends before splitting.
        var normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
        if normalised.hasPrefix("\u{FEFF}") { normalised.removeFirst() }
        for (index, rawLine) in normalised.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Array(rawLine)
            var position = 0
            if let delimiter = openString {
                guard let end = Self.find(delimiter, in: line, from: 0) else { continue }
                openString = nil
                position = end + delimiter.count
                Self.scanValue(line, from: position, depth: &depth, openString: &openString)
                continue
            }
            if depth > 0 {
                Self.scanValue(line, from: 0, depth: &depth, openString: &openString)
                continue
            }
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
            if keys[Self.join(path)] == nil {
                keys[Self.join(path)] = Location(line: lineNumber, column: position + 1)
                order.append(path)
            }
            Self.scanValue(line, from: cursor + 1, depth: &depth, openString: &openString)
        }
    }

    /// Where `path` itself is written, or nil.
    func exact(_ path: [String]) -> Location? { keys[Self.join(path)] }

    /// The best line for `path`: where it is written; else where its first key is written (a table
    /// made by dotted keys, `task.x = 1`); else where its closest written ancestor is (an inline
    /// table's key, say) or the header of its closest table.
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

    /// The position of a path in the file, for ordering keys as they were written (unknown: last).
    func rank(_ path: [String]) -> Int {
        guard let location = keys[Self.join(path)] else { return Int.max }
        return location.line * 10_000 + location.column
    }

    private static func join(_ path: [String]) -> String { path.joined(separator: "\u{1F}") }

    // MARK: Scanning

    /// Reads a (possibly dotted, possibly quoted) key and the whitespace after it, stopping at `=` or `]`.
    private static func parseKey(_ line: [Character], _ cursor: inout Int) -> [String]? {
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

    /// Follows brackets and strings through a value so that the lines of a multi-line array or string
    /// are not read as keys.
    private static func scanValue(_ line: [Character], from start: Int, depth: inout Int, openString: inout String?) {
        var i = start
        while i < line.count {
            let c = line[i]
            switch c {
            case "#":
                return
            case "[", "{":
                depth += 1
            case "]", "}":
                depth = max(0, depth - 1)
            case "\"", "'":
                let triple = String(repeating: String(c), count: 3)
                if find(triple, in: line, from: i) == i {
                    guard let end = find(triple, in: line, from: i + 3) else { openString = triple; return }
                    i = end + 3
                    continue
                }
                i += 1
                while i < line.count, line[i] != c {
                    if c == "\"" && line[i] == "\\" { i += 1 }
                    i += 1
                }
            default:
                break
            }
            i += 1
        }
    }

    private static func find(_ needle: String, in line: [Character], from start: Int) -> Int? {
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
