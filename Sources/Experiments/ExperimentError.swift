/// An experiment file that cannot run, with where and why:
///
///     experiments/x.toml:12: model.heads: 3 heads do not divide d_model = 64: choose heads among [1, 2, 4, 8, 16, 32, 64]
///
/// Thrown before anything runs or is written; the command line prints `description` and exits with
/// `exitCode` (2).
public struct ExperimentError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as it was named to the loader.
    public var file: String
    /// The 1-based line the problem is on (nil: the file as a whole, e.g. it cannot be read).
    public var line: Int?
    /// The 1-based column, when known (syntax errors).
    public var column: Int?
    /// The key as written in experiment files, e.g. "model.heads" or "task.train_length"; "syntax"
    /// for a TOML syntax error, "file" for a file that cannot be read.
    public var key: String
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, line: Int?, column: Int? = nil, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let line, let column, line > 0 { location += ":\(column)" }
        return "\(location): \(key): \(message)"
    }

    /// The exit status of a command that stops on this error.
    public var exitCode: Int32 { 2 }
}

/// A problem found while reading one part of the file, before its line is known: the loader turns it
/// into an `ExperimentError` at the line of `path`.
struct Problem: Error {
    /// Where in the document (see `SourceMap`).
    var path: [String]
    /// The key to name in the message.
    var key: String
    var message: String

    init(_ path: [String], key: String, _ message: String) {
        self.path = path
        self.key = key
        self.message = message
    }
}

/// How messages quote what a user wrote: safe to print, whatever it contains.
enum Quoting {
    /// `text` in double quotes, with quotes, backslashes, control characters and the characters that
    /// reorder text escaped.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || reordersText(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The line and paragraph separators and the bidirectional formatting characters (U+061C,
    /// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which would break or reorder what a terminal
    /// shows: quoted as `\u{...}` like control characters.
    static func reordersText(_ scalar: Unicode.Scalar) -> Bool {
        [0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }

    /// A key as written in a message: bare when TOML would take it bare, quoted otherwise; a key of more
    /// than `longest` characters (no real key is) shown by its start and its length.
    static func key(_ text: String) -> String {
        let bare = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        guard text.count <= longest else { return cut(text) }
        return bare ? text : quote(text)
    }

    /// A string value as a message quotes it: whole when short, else by its start and its length.
    static func value(_ text: String) -> String {
        text.count > longest ? cut(text) : quote(text)
    }

    /// The most characters of a key or string value that a message repeats whole.
    static let longest = 64

    /// A long text in a message: its first characters, quoted, and how long it is.
    static func cut(_ text: String) -> String {
        quote(String(text.prefix(longest - 16))) + "... (\(text.count) characters)"
    }

    /// A number as a person writes it: 0.001, 64, 1e-06.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) + ".0" }
        return String(value)
    }

    /// The candidate closest to `word` (within 1 edit for words of up to 4 letters, 2 for longer ones,
    /// a swap of neighbours counting as one), or spelled the same but for case and separators.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        let normalised = { (s: String) in s.lowercased().filter { $0 != "_" && $0 != "-" } }
        if let match = candidates.first(where: { normalised($0) == normalised(word) }) { return match }
        // A longer or shorter form of a candidate: [training] for [train], eval for eval_every.
        if word.count >= 4, let match = candidates.filter({ $0.count >= 4 })
            .first(where: { normalised(word).hasPrefix(normalised($0)) || normalised($0).hasPrefix(normalised(word)) }) {
            return match
        }
        guard word.count <= 4 * longest else { return nil }
        let limit = word.count >= 5 ? 2 : 1
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// " (did you mean \"x\"?)" or "".
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        closest(word, among: candidates).map { " (did you mean \(key($0))?)" } ?? ""
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    /// neighbouring characters each cost 1.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
