import Tensors

// Recall tasks: the answer is a token seen earlier, found by content (a key, a marker) or by
// filtering out noise. Chance levels all assume a predictor that emits, at each target position, a
// uniformly random symbol of the target alphabet; every target token then matches with probability
// 1 / (alphabet size), independently of the others.

/// Multi-query associative recall (as in HazyResearch/zoology's MQAR): read key-value pairs, then
/// answer each queried key with the value it was paired with.
///
/// Token ids: keys are 1...keys (shown as letters a, b, c, ...), values are keys+1...keys+values
/// (shown as the numbers 0, 1, 2, ...). The size is the number of pairs k, at most `keys`.
/// The source is k pairs `key value` with distinct keys (values drawn independently, so they may
/// repeat), then `queries` keys drawn with replacement from the k paired keys; no separator, so the
/// queries start at position 2k. The target is the value of each queried key, in order.
///
///     keys = 16, values = 16, queries = 4, k = 3
///     source   c 7  a 12  f 7  f c f a       tokens 3 24  1 29  6 24  6 3 6 1
///     target   7 7 7 12                      tokens 24 24 24 29
///     slices   length = 2k + queries = 10, pairs = 3
public struct AssociativeRecallTask: SyntheticTask {
    public static let kind = "associative-recall"
    public static let summary = "read key-value pairs, then output the value paired with each queried key"
    public static let sizeName = "pairs"

    /// Size of the key alphabet, and the largest number of pairs (keys are distinct within an example).
    public let keys: Int
    /// Size of the value alphabet; the chance level is 1 / values per target token.
    public let values: Int
    /// Queries per example: the length of the target.
    public let queries: Int

    /// - Parameters:
    ///   - keys: key alphabet size (default 16); examples hold up to `keys` pairs.
    ///   - values: value alphabet size (default 16).
    ///   - queries: keys asked about after the pairs (default 4).
    public init(keys: Int = 16, values: Int = 16, queries: Int = 4) {
        precondition(keys >= 1, "associative-recall needs at least one key, got \(keys)")
        precondition(values >= 2, "associative-recall needs at least two values, got \(values)")
        precondition(queries >= 1, "associative-recall needs at least one query, got \(queries)")
        self.keys = keys
        self.values = values
        self.queries = queries
    }

    public var parameters: [(name: String, value: String)] {
        [("keys", String(keys)), ("values", String(values)), ("queries", String(queries))]
    }
    public var output: TaskOutput { .sequence }
    public var vocabulary: Int { 1 + keys + values }
    public var sizeLimits: ClosedRange<Int> { 1...keys }
    /// `size` pairs of two tokens, then the queries; one value per query.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: 2 * size + queries, target: queries) }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "associative-recall pairs \(size) outside \(sizeLimits)")
        let p = 1 / Double(values)
        return ChanceLevel(tokenAccuracy: p, sequenceAccuracy: recallPower(p, queries),
                           explanation: "a uniformly random value (1 of \(values)) for each of the \(queries) queries")
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "associative-recall pairs \(size) outside \(sizeLimits)")
        let pairs = rng.int(in: size)
        // Distinct keys: the first `pairs` entries of a partial Fisher-Yates shuffle.
        var keyOrder = Array(0..<keys)
        for i in 0..<pairs { keyOrder.swapAt(i, i + rng.int(below: keys - i)) }
        var source: [Int32] = []
        source.reserveCapacity(2 * pairs + queries)
        var valueOf: [Int32] = []
        for i in 0..<pairs {
            let value = Int32(1 + keys + rng.int(below: values))
            source.append(Int32(1 + keyOrder[i]))
            source.append(value)
            valueOf.append(value)
        }
        var target: [Int32] = []
        for _ in 0..<queries {
            let pair = rng.int(below: pairs)
            source.append(Int32(1 + keyOrder[pair]))
            target.append(valueOf[pair])
        }
        return Example(source: source, target: target, slices: ["length": source.count, "pairs": pairs])
    }

    public func describe(_ token: Int32) -> String {
        let t = Int(token)
        if (1...keys).contains(t) { return recallSymbolName(t - 1, fallbackPrefix: "k") }
        if (keys + 1...keys + values).contains(t) { return String(t - keys - 1) }
        return t == 0 ? "<s>" : String(t)
    }
}

/// Selective copy (Gu and Dao's Mamba paper): copy the data tokens scattered among noise, in order,
/// dropping the noise.
///
/// Token ids: data symbols are 1...symbols (shown as letters a, b, c, ...), the noise token is
/// symbols+1 (shown as "."). The size is the source length n >= marked. `marked` data symbols
/// (drawn independently, so they may repeat) sit at `marked` distinct positions chosen uniformly
/// among the n; every other position is noise. The target is the data symbols in source order.
///
///     symbols = 8, marked = 4, n = 12
///     source   . c . . a . . f . b . .       tokens 9 3 9 9 1 9 9 6 9 2 9 9
///     target   c a f b                       tokens 3 1 6 2
///     slices   length = 12
public struct SelectiveCopyTask: SyntheticTask {
    public static let kind = "selective-copy"
    public static let summary = "copy the data tokens scattered among noise tokens, in order"
    public static let sizeName = "length"
    /// The longest source this task generates.
    public static let maximumLength = 4096

    /// Size of the data alphabet; the chance level is 1 / symbols per target token.
    public let symbols: Int
    /// Data tokens per example: the length of the target.
    public let marked: Int

    /// - Parameters:
    ///   - symbols: data alphabet size (default 8).
    ///   - marked: data tokens per source, the rest being noise (default 4).
    public init(symbols: Int = 8, marked: Int = 4) {
        precondition(symbols >= 2, "selective-copy needs at least two symbols, got \(symbols)")
        precondition((1...Self.maximumLength).contains(marked), "selective-copy needs 1...\(Self.maximumLength) marked tokens, got \(marked)")
        self.symbols = symbols
        self.marked = marked
    }

    /// The noise token id.
    public var noise: Int32 { Int32(symbols + 1) }

    public var parameters: [(name: String, value: String)] {
        [("symbols", String(symbols)), ("marked", String(marked))]
    }
    public var output: TaskOutput { .sequence }
    public var vocabulary: Int { symbols + 2 }
    /// The source is `size` tokens; the target its `marked` data tokens.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: size, target: marked) }
    public var sizeLimits: ClosedRange<Int> { marked...Self.maximumLength }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "selective-copy length \(size) outside \(sizeLimits)")
        let p = 1 / Double(symbols)
        return ChanceLevel(tokenAccuracy: p, sequenceAccuracy: recallPower(p, marked),
                           explanation: "a uniformly random symbol (1 of \(symbols)) for each of the \(marked) data tokens")
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "selective-copy length \(size) outside \(sizeLimits)")
        let n = rng.int(in: size)
        var source = [Int32](repeating: noise, count: n)
        var target: [Int32] = []
        target.reserveCapacity(marked)
        // Selection sampling (Knuth's algorithm S): every set of `marked` positions is equally likely.
        var needed = marked
        for position in 0..<n where needed > 0 {
            if rng.int(below: n - position) < needed {
                let symbol = Int32(1 + rng.int(below: symbols))
                source[position] = symbol
                target.append(symbol)
                needed -= 1
            }
        }
        return Example(source: source, target: target, slices: ["length": n])
    }

    public func describe(_ token: Int32) -> String {
        let t = Int(token)
        if (1...symbols).contains(t) { return recallSymbolName(t - 1, fallbackPrefix: "s") }
        if token == noise { return "." }
        return t == 0 ? "<s>" : String(t)
    }
}

/// Delayed recall: output the symbol that followed the marker, a controlled distance before the query.
///
/// Token ids: symbols are 1...symbols (shown as letters a, b, c, ...), the marker is symbols+1
/// (shown as "*"), the query symbols+2 (shown as "?"). The size is the distance d >= 1.
/// The source is: a number of leading filler symbols drawn uniformly from 0...lead, the marker, the
/// remembered symbol s, d-1 filler symbols, the query (always last). Fillers and s are drawn from
/// the same alphabet, so s is recognisable only by following the marker. The target is [s].
///
/// Distance is measured in positions: index(query) - index(s) = d, i.e. exactly d-1 tokens lie
/// strictly between the remembered symbol and the query (d = 1: the query follows s directly).
///
///     symbols = 8, lead = 8, d = 4 (two leading fillers drawn)
///     source   g b * e h a c ?               tokens 7 2 9 5 8 1 3 10
///     target   e                             tokens 5
///     slices   distance = 4 (7 - 3), length = leading + d + 2 = 8
public struct DelayedRecallTask: SyntheticTask {
    public static let kind = "delayed-recall"
    public static let summary = "output the symbol that followed the marker, a given distance before the query"
    public static let sizeName = "distance"
    /// The longest distance this task generates.
    public static let maximumDistance = 4096

    /// Size of the symbol alphabet (remembered symbol and fillers); the chance level is 1 / symbols.
    public let symbols: Int
    /// The most filler symbols placed before the marker, so the remembered symbol's absolute position
    /// varies and only its distance to the query is fixed. 0 puts the marker first.
    public let lead: Int

    /// - Parameters:
    ///   - symbols: alphabet size (default 8).
    ///   - lead: leading fillers drawn uniformly from 0...lead (default 8).
    public init(symbols: Int = 8, lead: Int = 8) {
        precondition(symbols >= 2, "delayed-recall needs at least two symbols, got \(symbols)")
        precondition(lead >= 0, "delayed-recall lead must be >= 0, got \(lead)")
        self.symbols = symbols
        self.lead = lead
    }

    public var marker: Int32 { Int32(symbols + 1) }
    public var query: Int32 { Int32(symbols + 2) }

    public var parameters: [(name: String, value: String)] {
        [("symbols", String(symbols)), ("lead", String(lead))]
    }
    public var output: TaskOutput { .sequence }
    public var vocabulary: Int { symbols + 3 }
    public var sizeLimits: ClosedRange<Int> { 1...Self.maximumDistance }
    /// Up to `lead` fillers, the marker, the remembered symbol, distance - 1 fillers, the query; one target token.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: lead + size + 2, target: 1) }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "delayed-recall distance \(size) outside \(sizeLimits)")
        let p = 1 / Double(symbols)
        return ChanceLevel(tokenAccuracy: p, sequenceAccuracy: p,
                           explanation: "a uniformly random symbol (1 of \(symbols)) for the one target token")
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "delayed-recall distance \(size) outside \(sizeLimits)")
        let distance = rng.int(in: size)
        let leading = rng.int(in: 0...lead)
        var source: [Int32] = []
        source.reserveCapacity(leading + distance + 2)
        for _ in 0..<leading { source.append(Int32(1 + rng.int(below: symbols))) }
        source.append(marker)
        let remembered = Int32(1 + rng.int(below: symbols))
        source.append(remembered)
        for _ in 0..<(distance - 1) { source.append(Int32(1 + rng.int(below: symbols))) }
        source.append(query)
        return Example(source: source, target: [remembered], slices: ["distance": distance, "length": source.count])
    }

    public func describe(_ token: Int32) -> String {
        let t = Int(token)
        if (1...symbols).contains(t) { return recallSymbolName(t - 1, fallbackPrefix: "s") }
        if token == marker { return "*" }
        if token == query { return "?" }
        return t == 0 ? "<s>" : String(t)
    }
}

/// "a" ... "z" for 0..<26, then the prefix and the index ("k26", ...).
private func recallSymbolName(_ index: Int, fallbackPrefix: String) -> String {
    index < 26 ? String(UnicodeScalar(UInt8(97 + index))) : fallbackPrefix + String(index)
}

/// p^n for a non-negative integer n, by repeated multiplication (exact to rounding, no libm).
private func recallPower(_ p: Double, _ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<n { result *= p }
    return result
}
