/// A value of a task parameter as written in an experiment file.
public enum TaskParameter: Sendable, Equatable, CustomStringConvertible {
    case integer(Int)
    case text(String)

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .text(let value): return "\"\(value)\""
        }
    }
}

/// A task name or parameter that cannot be used, with the key that holds it.
public struct TaskConfigError: Error, CustomStringConvertible, Equatable {
    /// The key as written in experiment files, e.g. "task.symbols".
    public var key: String
    public var message: String
    public var description: String { "\(key): \(message)" }

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

/// Every task by name, with its parameters: how experiment files and `ablate tasks` build tasks.
public enum TaskRegistry {
    /// One parameter of a task.
    public struct Parameter: Sendable {
        public var name: String
        /// The allowed integers, or nil for a text parameter.
        public var range: ClosedRange<Int>?
        /// The allowed texts, for a text parameter.
        public var choices: [String]
        public var defaultValue: TaskParameter
        public var help: String

        static func integer(_ name: String, _ range: ClosedRange<Int>, default value: Int, _ help: String) -> Parameter {
            Parameter(name: name, range: range, choices: [], defaultValue: .integer(value), help: help)
        }

        static func text(_ name: String, _ choices: [String], default value: String, _ help: String) -> Parameter {
            Parameter(name: name, range: nil, choices: choices, defaultValue: .text(value), help: help)
        }

        /// "integer in 2...4096" or "one of classify, complete".
        public var allowed: String {
            if let range { return "an integer in \(range.lowerBound)...\(range.upperBound)" }
            return "one of \(choices.joined(separator: ", "))"
        }
    }

    /// One task kind.
    public struct Entry: Sendable {
        public var kind: String
        public var summary: String
        public var sizeName: String
        public var parameters: [Parameter]
        let make: @Sendable (Values) -> any SyntheticTask
    }

    /// Checked parameter values, defaults filled in.
    struct Values {
        var values: [String: TaskParameter]
        func int(_ name: String) -> Int {
            if case .integer(let value) = values[name] { return value }
            preconditionFailure("task parameter \(name) is not an integer")
        }
        func text(_ name: String) -> String {
            if case .text(let value) = values[name] { return value }
            preconditionFailure("task parameter \(name) is not a text")
        }
    }

    private static let symbols = Parameter.integer("symbols", 2...4096, default: 8, "size of the symbol alphabet")

    /// All task kinds, in the order `ablate tasks` lists them.
    public static let entries: [Entry] = [
        Entry(kind: CopyTask.kind, summary: CopyTask.summary, sizeName: CopyTask.sizeName, parameters: [symbols]) {
            CopyTask(symbols: $0.int("symbols"))
        },
        Entry(kind: ReverseTask.kind, summary: ReverseTask.summary, sizeName: ReverseTask.sizeName, parameters: [symbols]) {
            ReverseTask(symbols: $0.int("symbols"))
        },
        Entry(kind: SortTask.kind, summary: SortTask.summary, sizeName: SortTask.sizeName, parameters: [symbols]) {
            SortTask(symbols: $0.int("symbols"))
        },
        Entry(kind: AssociativeRecallTask.kind, summary: AssociativeRecallTask.summary, sizeName: AssociativeRecallTask.sizeName,
              parameters: [.integer("keys", 1...4096, default: 16, "size of the key alphabet (pairs use distinct keys)"),
                           .integer("values", 2...4096, default: 16, "size of the value alphabet"),
                           .integer("queries", 1...4096, default: 4, "queried keys after the pairs")]) {
            AssociativeRecallTask(keys: $0.int("keys"), values: $0.int("values"), queries: $0.int("queries"))
        },
        Entry(kind: SelectiveCopyTask.kind, summary: SelectiveCopyTask.summary, sizeName: SelectiveCopyTask.sizeName,
              parameters: [symbols, .integer("marked", 1...SelectiveCopyTask.maximumLength, default: 4, "data tokens among the noise")]) {
            SelectiveCopyTask(symbols: $0.int("symbols"), marked: $0.int("marked"))
        },
        Entry(kind: DelayedRecallTask.kind, summary: DelayedRecallTask.summary, sizeName: DelayedRecallTask.sizeName,
              parameters: [symbols, .integer("lead", 0...4096, default: 8, "at most this many fillers before the marker")]) {
            DelayedRecallTask(symbols: $0.int("symbols"), lead: $0.int("lead"))
        },
        Entry(kind: DyckTask.kind, summary: DyckTask.summary, sizeName: DyckTask.sizeName,
              parameters: [.integer("types", 1...DyckTask.maximumTypes, default: 2, "bracket types"),
                           .integer("max_depth", 1...DyckTask.maximumLength, default: 4, "deepest nesting"),
                           .text("mode", DyckTask.Mode.allCases.map(\.rawValue), default: "classify",
                                 "classify: balanced or not; complete: output the closing brackets")]) {
            DyckTask(types: $0.int("types"), maxDepth: $0.int("max_depth"), mode: DyckTask.Mode(rawValue: $0.text("mode"))!)
        },
        Entry(kind: ParityTask.kind, summary: ParityTask.summary, sizeName: ParityTask.sizeName, parameters: []) { _ in
            ParityTask()
        },
        Entry(kind: MajorityTask.kind, summary: MajorityTask.summary, sizeName: MajorityTask.sizeName,
              parameters: [.integer("symbols", 2...4096, default: 2, "size of the symbol alphabet (= classes)")]) {
            MajorityTask(symbols: $0.int("symbols"))
        },
        Entry(kind: AdditionTask.kind, summary: AdditionTask.summary, sizeName: AdditionTask.sizeName, parameters: []) { _ in
            AdditionTask()
        },
    ]

    /// A name a user gave, as a message quotes it: whole when short, else its start and its length.
    static func shown(_ name: String) -> String {
        name.count > 64 ? "\"\(name.prefix(48))\"... (\(name.count) characters)" : "\"\(name)\""
    }

    /// The entry of a task kind, or nil.
    public static func entry(kind: String) -> Entry? { entries.first { $0.kind == kind } }

    /// Builds a task from its kind and parameters (missing ones take their defaults). Throws a
    /// `TaskConfigError` naming the key for an unknown kind or parameter, a wrong type or a value out of range.
    public static func make(kind: String, parameters: [String: TaskParameter] = [:]) throws -> any SyntheticTask {
        guard let entry = entry(kind: kind) else {
            let kinds = entries.map(\.kind)
            var message = "unknown task \(shown(kind))"
            if let suggestion = closest(kind, among: kinds) { message += " (did you mean \"\(suggestion)\"?)" }
            throw TaskConfigError(key: "task.kind", message: message + "; tasks: \(kinds.joined(separator: ", "))")
        }
        var values: [String: TaskParameter] = [:]
        for parameter in entry.parameters { values[parameter.name] = parameter.defaultValue }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let parameter = entry.parameters.first(where: { $0.name == name }) else {
                let known = entry.parameters.map(\.name)
                var message = "task \(kind) has no parameter \(shown(name))"
                if let suggestion = closest(name, among: known) { message += " (did you mean \"\(suggestion)\"?)" }
                message += known.isEmpty ? "; it takes none" : "; it takes \(known.joined(separator: ", "))"
                throw TaskConfigError(key: "task.\(name)", message: message)
            }
            switch (value, parameter.range) {
            case (.integer(let number), let range?) where range.contains(number):
                values[name] = value
            case (.text(let text), nil) where parameter.choices.contains(text):
                values[name] = value
            default:
                throw TaskConfigError(key: "task.\(name)", message: "expected \(parameter.allowed), got \(value)")
            }
        }
        return entry.make(Values(values: values))
    }

    /// The candidate within edit distance 2 of `word`, if one is closest.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
