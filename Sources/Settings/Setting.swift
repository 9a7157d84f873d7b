// One definition per setting: the name users write in experiment files (and that stored configs,
// exports, reports and messages use), what it takes, its default and a line saying what it does.
// A configuration type lists its settings in a table (`TransformerConfig.settings`, ...); reading a
// file, decoding a stored config and checking before training all go through that table.

/// A value as an experiment file or a stored config writes it.
public enum SettingValue: Equatable, Sendable {
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case text(String)
    /// `false` for a setting that can be switched off (clip_norm, stop_at_accuracy, ...).
    case off

    /// The value as a file writes it: 64, 0.001, true, "post" (quotes and backslashes escaped), false.
    public var written: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return NumberRange.bound(value)
        case .bool(let value): return String(value)
        case .text(let value): return "\"" + value.map { $0 == "\\" || $0 == "\"" ? "\\\($0)" : String($0) }.joined() + "\""
        case .off: return "false"
        }
    }
}

/// An interval of numbers, open or closed at each end.
public struct NumberRange: Equatable, Sendable {
    public var lower: Double
    public var lowerOpen: Bool
    public var upper: Double
    public var upperOpen: Bool

    public init(lower: Double, lowerOpen: Bool = false, upper: Double, upperOpen: Bool = false) {
        self.lower = lower
        self.lowerOpen = lowerOpen
        self.upper = upper
        self.upperOpen = upperOpen
    }

    public func contains(_ value: Double) -> Bool {
        value.isFinite && (lowerOpen ? value > lower : value >= lower) && (upperOpen ? value < upper : value <= upper)
    }

    /// "in [0, 1)", ">= 0", "> 0".
    public var text: String { upper == .infinity ? bracketed : "in " + bracketed }

    /// "[0, 1)", ">= 0", "> 0": the range as the documentation's tables write it.
    public var bracketed: String {
        if upper == .infinity { return (lowerOpen ? "> " : ">= ") + Self.bound(lower) }
        return (lowerOpen ? "(" : "[") + Self.bound(lower) + ", " + Self.bound(upper) + (upperOpen ? ")" : "]")
    }

    /// A bound or a value as a person writes it: 0, 1, 0.5, 0.001.
    public static func bound(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    public static let fraction = NumberRange(lower: 0, upper: 1, upperOpen: true)
    public static let nonNegative = NumberRange(lower: 0, upper: .infinity)
    public static let positive = NumberRange(lower: 0, lowerOpen: true, upper: .infinity)
}

/// What a setting takes.
public enum SettingKind: Equatable, Sendable {
    case integer(ClosedRange<Int>)
    case number(NumberRange)
    /// A number in the range, or `false` for none.
    case numberOrOff(NumberRange)
    /// An integer in the range, or `false` for none.
    case integerOrOff(ClosedRange<Int>)
    case boolean
    case choice([String])

    /// What the setting takes, in words: "an integer in 1...16384", "one of \"post\", \"pre\", \"none\"",
    /// "a number in (0, 10], or false for none".
    public var expected: String {
        switch self {
        case .integer(let range): return "an integer in \(range.lowerBound)...\(range.upperBound)"
        case .number(let range): return "a number \(range.text)"
        case .numberOrOff(let range): return "a number \(range.text), or false for none"
        case .integerOrOff(let range): return "an integer in \(range.lowerBound)...\(range.upperBound), or false for none"
        case .boolean: return "true or false"
        case .choice(let choices): return "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }

    /// The type column of the documentation: "integer", "number or `false`", "string".
    public var typeName: String {
        switch self {
        case .integer: return "integer"
        case .number: return "number"
        case .numberOrOff: return "number or `false`"
        case .integerOrOff: return "integer or `false`"
        case .boolean: return "boolean"
        case .choice: return "string"
        }
    }

    /// The allowed values as the documentation writes them: "1...16384", "[0, 1)", "`\"post\"`, `\"pre\"`".
    public var allowed: String {
        switch self {
        case .integer(let range), .integerOrOff(let range): return "\(range.lowerBound)...\(range.upperBound)"
        case .number(let range), .numberOrOff(let range): return range.bracketed
        case .boolean: return ""
        case .choice(let choices): return choices.map { "`\"\($0)\"`" }.joined(separator: ", ")
        }
    }

    /// Checks a value against the kind: returns it as the config stores it (an integer given for a
    /// number becomes a number), or throws why it does not fit. `found` is the value as the caller's
    /// messages show it (a file quotes differently from a JSON config). With `ranges` false only the
    /// type and the choices are checked (decoding a stored config, whose ranges `checkRanges` checks).
    public func check(_ value: SettingValue?, found: @autoclosure () -> String, ranges: Bool = true) throws -> SettingValue {
        func fail() -> SettingMismatch { SettingMismatch(expected: expected, found: found(), choices: nil) }
        switch (self, value) {
        case (.integer(let range), .integer(let v)?), (.integerOrOff(let range), .integer(let v)?):
            guard !ranges || range.contains(v) else { throw fail() }
            return .integer(v)
        case (.number(let range), .integer(let v)?), (.numberOrOff(let range), .integer(let v)?):
            guard !ranges || range.contains(Double(v)) else { throw fail() }
            return .number(Double(v))
        case (.number(let range), .number(let v)?), (.numberOrOff(let range), .number(let v)?):
            guard !ranges || range.contains(v) else { throw fail() }
            return .number(v)
        case (.numberOrOff, .bool(false)?), (.integerOrOff, .bool(false)?), (.numberOrOff, .off?), (.integerOrOff, .off?):
            return .off
        case (.boolean, .bool(let v)?):
            return .bool(v)
        case (.choice(let choices), .text(let v)?):
            guard choices.contains(v) else { throw SettingMismatch(expected: expected, found: found(), choices: choices, written: v) }
            return .text(v)
        default:
            throw fail()
        }
    }
}

/// A value that does not fit its setting: "expected an integer in 1...1024, got 0".
public struct SettingMismatch: Error, Equatable, CustomStringConvertible {
    public var expected: String
    public var found: String
    /// For a string that is not among a choice's values: the values, and the string (for a
    /// "did you mean" hint).
    public var choices: [String]?
    public var written: String?

    public init(expected: String, found: String, choices: [String]? = nil, written: String? = nil) {
        self.expected = expected
        self.found = found
        self.choices = choices
        self.written = written
    }

    public var message: String { "expected \(expected), got \(found)" }
    public var description: String { message }
}

/// A setting that cannot work, with the key that holds it: a model's config or the training
/// settings. Task parameters have `TaskConfigError` in Tasks.
public struct SettingError: Error, CustomStringConvertible, Equatable {
    /// The key, as written in experiment files (e.g. "model.heads", "train.lr").
    public var key: String
    public var message: String
    public var description: String { "\(key): \(message)" }

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }
}

/// One setting of a configuration type `Root`: its key, what it takes, its default, and how it is
/// read from and written to `Root`.
public struct Setting<Root>: @unchecked Sendable {
    /// The name users write: `lr`, `eval_every`, `heads`. Stored configs use it too.
    public var key: String
    /// Other names an experiment file may use for it (`learning_rate` for `lr`); never stored.
    public var aliases: [String]
    public var kind: SettingKind
    /// One line: what the setting changes.
    public var doc: String
    /// The default as the documentation writes it, when it is not the default config's value ("from the task").
    public var defaultNote: String?
    /// The value held by a config; nil for a setting that is not stored (an unset optional, or a
    /// shorthand such as the Transformer's `layers`).
    public var get: (Root) -> SettingValue?
    /// Sets a value that `kind.check` accepted.
    public var set: (inout Root, SettingValue) -> Void
    /// Kept as a 32-bit float: encoded as one, so that 0.1 is stored as 0.1.
    public var isFloat32 = false
    /// For a choice: what some of its values mean, for the documentation ("decoder-only": "one causal stack ...").
    public var choiceNotes: [String: String] = [:]

    public init(_ key: String, aliases: [String] = [], _ kind: SettingKind, doc: String, defaultNote: String? = nil,
                get: @escaping (Root) -> SettingValue?, set: @escaping (inout Root, SettingValue) -> Void) {
        self.key = key
        self.aliases = aliases
        self.kind = kind
        self.doc = doc
        self.defaultNote = defaultNote
        self.get = get
        self.set = set
    }

    /// Whether `name` is this setting's key or one of its aliases.
    public func named(_ name: String) -> Bool { key == name || aliases.contains(name) }

    public static func integer(_ key: String, _ range: ClosedRange<Int>, _ path: WritableKeyPath<Root, Int>, doc: String,
                               defaultNote: String? = nil) -> Setting {
        Setting(key, .integer(range), doc: doc, defaultNote: defaultNote, get: { .integer($0[keyPath: path]) }) { root, value in
            if case .integer(let v) = value { root[keyPath: path] = v }
        }
    }

    public static func number(_ key: String, aliases: [String] = [], _ range: NumberRange, _ path: WritableKeyPath<Root, Double>,
                              doc: String) -> Setting {
        Setting(key, aliases: aliases, .number(range), doc: doc, get: { .number($0[keyPath: path]) }) { root, value in
            if case .number(let v) = value { root[keyPath: path] = v }
        }
    }

    public static func float(_ key: String, _ range: NumberRange, _ path: WritableKeyPath<Root, Float>, doc: String) -> Setting {
        // Read as the decimal the float prints as (0.1, not 0.10000000149011612): what a file wrote,
        // and what messages and the documentation show. Float(that) is the same float.
        var setting = Setting(key, .number(range), doc: doc, get: { .number(Double($0[keyPath: path].description) ?? Double($0[keyPath: path])) }) { root, value in
            if case .number(let v) = value { root[keyPath: path] = Float(v) }
        }
        setting.isFloat32 = true
        return setting
    }

    public static func numberOrOff(_ key: String, _ range: NumberRange, _ path: WritableKeyPath<Root, Double?>, doc: String) -> Setting {
        Setting(key, .numberOrOff(range), doc: doc, get: { $0[keyPath: path].map(SettingValue.number) ?? .off }) { root, value in
            if case .number(let v) = value { root[keyPath: path] = v }
            if case .off = value { root[keyPath: path] = nil }
        }
    }

    /// An optional integer that is left out of stored configs when off (so that adding the setting
    /// changed no stored config).
    public static func integerOrOff(_ key: String, _ range: ClosedRange<Int>, _ path: WritableKeyPath<Root, Int?>, doc: String) -> Setting {
        Setting(key, .integerOrOff(range), doc: doc, get: { $0[keyPath: path].map(SettingValue.integer) }) { root, value in
            if case .integer(let v) = value { root[keyPath: path] = v }
            if case .off = value { root[keyPath: path] = nil }
        }
    }

    public static func boolean(_ key: String, _ path: WritableKeyPath<Root, Bool>, doc: String) -> Setting {
        Setting(key, .boolean, doc: doc, get: { .bool($0[keyPath: path]) }) { root, value in
            if case .bool(let v) = value { root[keyPath: path] = v }
        }
    }

    public static func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ path: WritableKeyPath<Root, E>, doc: String = "",
                                                                 notes: [String: String] = [:]) -> Setting
    where E.RawValue == String {
        var setting = Setting(key, .choice(E.allCases.map(\.rawValue)), doc: doc, get: { .text($0[keyPath: path].rawValue) }) { root, value in
            if case .text(let v) = value, let e = E(rawValue: v) { root[keyPath: path] = e }
        }
        setting.choiceNotes = notes
        return setting
    }
}

/// A configuration type whose settings are listed in one table.
public protocol SettingsTable {
    init()
    /// Every setting, in the order the documentation lists them.
    static var settings: [Setting<Self>] { get }
}

extension SettingsTable {
    /// The setting a file or a stored config names `key` (its key or an alias).
    public static func setting(named key: String) -> Setting<Self>? { settings.first { $0.named(key) } }

    /// The stored settings' keys.
    public static var storedKeys: [String] {
        let defaults = Self()
        return settings.filter { $0.get(defaults) != nil || $0.kind.isOptional }.map(\.key)
    }

    /// Checks every stored value against its setting's range; throws a `SettingError` for
    /// `prefix.KEY` ("model.heads: expected an integer in 1...1024, got 0"). The one range check of
    /// a config, whether it came from a file, a checkpoint or code.
    public func checkRanges(prefix: String) throws {
        for setting in Self.settings {
            guard let value = setting.get(self) else { continue }
            do {
                _ = try setting.kind.check(value, found: value.written)
            } catch let mismatch as SettingMismatch {
                throw SettingError(key: "\(prefix).\(setting.key)", mismatch.message)
            }
        }
    }
}

extension SettingsTable {
    /// The setting's row of the documentation's key table:
    /// `| \`heads\` | integer | 4 | 1...1024: attention heads, dividing \`d_model\` |`.
    public static func documentationRow(_ setting: Setting<Self>) -> String {
        let names = (["`\(setting.key)`"] + setting.aliases.map { "(or `\($0)`)" }).joined(separator: " ")
        let defaultText: String
        if let note = setting.defaultNote {
            defaultText = note
        } else {
            switch setting.get(Self()) {
            case .integer(let v)?: defaultText = String(v)
            case .number(let v)?: defaultText = NumberRange.bound(v)
            case .bool(let v)?: defaultText = "`\(v)`"
            case .text(let v)?: defaultText = "`\"\(v)\"`"
            case .off?, nil: defaultText = "`false`"
            }
        }
        let allowed: String
        if case .choice(let choices) = setting.kind {
            allowed = choices.map { choice in "`\"\(choice)\"`" + (setting.choiceNotes[choice].map { " (\($0))" } ?? "") }.joined(separator: ", ")
        } else {
            allowed = setting.kind.allowed
        }
        let description = [allowed, setting.doc].filter { !$0.isEmpty }.joined(separator: ": ")
        return "| \(names) | \(setting.kind.typeName) | \(defaultText) | \(description) |"
    }

    /// The documentation's key table of the type: a header and one row per setting.
    public static var documentationTable: [String] {
        ["| key | type | default | allowed values |", "|---|---|---|---|"] + settings.map(documentationRow)
    }
}

extension SettingKind {
    /// Whether the setting may be absent from a config (off).
    var isOptional: Bool {
        switch self {
        case .integerOrOff, .numberOrOff: return true
        default: return false
        }
    }
}
