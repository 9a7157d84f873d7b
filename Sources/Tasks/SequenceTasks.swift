import Tensors

// Sequence-transduction tasks over a random string of symbols: copy, reverse, sort.
//
// All three draw the source the same way: a length n uniform in the requested size range, then n
// symbols, each uniform in 1...symbols (token ids; 0 is reserved). They differ only in the target.
//
// Chance (the same definition for every task in this module): a predictor that ignores the input
// and emits a uniformly random symbol at each target position. Its token accuracy is 1/symbols;
// its sequence accuracy is (1/symbols)^n, averaged over n uniform in the size range.

/// Copy: the target is the source, token for token.
///
///     symbols = 4, length 5 (letters a...d are tokens 1...4)
///     source: c a d d b      tokens [3, 1, 4, 4, 2]
///     target: c a d d b      tokens [3, 1, 4, 4, 2]
///     slices: ["length": 5]
///
/// Tests the ability to carry every position of the input to the output (an encoder-decoder needs
/// aligned cross-attention; an RNN must hold the whole string in its state).
public struct CopyTask: SymbolStringTask {
    public static let kind = "copy"
    public static let summary = "output the source sequence unchanged"
    public static let sizeName = "length"

    /// How many distinct symbols the sequences use (tokens 1...symbols). Default 8.
    public var symbols: Int

    /// - Parameter symbols: the alphabet size, in `SymbolTasks.symbolLimits` (2...4096). Default 8.
    public init(symbols: Int = 8) {
        SymbolTasks.checkSymbols(symbols, kind: Self.kind)
        self.symbols = symbols
    }

    /// The target for a source.
    public func target(for source: [Int32]) -> [Int32] { source }
}

/// Reverse: the target is the source read backwards.
///
///     symbols = 4, length 5 (letters a...d are tokens 1...4)
///     source: c a d d b      tokens [3, 1, 4, 4, 2]
///     target: b d d a c      tokens [2, 4, 4, 1, 3]
///     slices: ["length": 5]
///
/// The first output token depends on the last input token: the dependency distance runs from 1 to
/// 2n-1, and without positional information a Transformer cannot tell which token comes next.
public struct ReverseTask: SymbolStringTask {
    public static let kind = "reverse"
    public static let summary = "output the source sequence in reverse order"
    public static let sizeName = "length"

    /// How many distinct symbols the sequences use (tokens 1...symbols). Default 8.
    public var symbols: Int

    /// - Parameter symbols: the alphabet size, in `SymbolTasks.symbolLimits` (2...4096). Default 8.
    public init(symbols: Int = 8) {
        SymbolTasks.checkSymbols(symbols, kind: Self.kind)
        self.symbols = symbols
    }

    /// The target for a source.
    public func target(for source: [Int32]) -> [Int32] { Array(source.reversed()) }
}

/// Sort: the target is the source's symbols in ascending order (repeats kept).
///
///     symbols = 4, length 5 (letters a...d are tokens 1...4)
///     source: c a d d b      tokens [3, 1, 4, 4, 2]
///     target: a b c d d      tokens [1, 2, 3, 4, 4]
///     slices: ["length": 5]
///
/// Each output position depends on counts over the whole input rather than on one aligned position.
///
/// Chance is the uniform random predictor (1/symbols per token), as for every task here. Sorted
/// targets are skewed (early positions favour small symbols), so an input-blind predictor that
/// guesses the most likely symbol at each position scores higher than that; reports compare against
/// the uniform predictor.
public struct SortTask: SymbolStringTask {
    public static let kind = "sort"
    public static let summary = "output the source symbols sorted in ascending order"
    public static let sizeName = "length"

    /// How many distinct symbols the sequences use (tokens 1...symbols). Default 8.
    public var symbols: Int

    /// - Parameter symbols: the alphabet size, in `SymbolTasks.symbolLimits` (2...4096). Default 8.
    public init(symbols: Int = 8) {
        SymbolTasks.checkSymbols(symbols, kind: Self.kind)
        self.symbols = symbols
    }


    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        SymbolTasks.uniformChance(symbols: symbols, size: size,
                                  note: " (sorted targets are skewed, so a position-aware input-blind guess does better)")
    }

    /// The target for a source.
    public func target(for source: [Int32]) -> [Int32] { source.sorted() }
}

/// A task over a random string of symbols whose target is a function of the source: copy, reverse, sort.
public protocol SymbolStringTask: SyntheticTask {
    /// How many distinct symbols the sequences use (tokens 1...symbols).
    var symbols: Int { get }
    /// The target for a source.
    func target(for source: [Int32]) -> [Int32]
}

extension SymbolStringTask {
    public var parameters: [(name: String, value: String)] { [("symbols", String(symbols))] }
    public var output: TaskOutput { .sequence }
    public var vocabulary: Int { symbols + 1 }
    public var sizeLimits: ClosedRange<Int> { SymbolTasks.lengthLimits }
    /// The target has the source's length.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: size, target: size) }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        SymbolTasks.uniformChance(symbols: symbols, size: size)
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        let source = SymbolTasks.drawSource(symbols: symbols, size: size, limits: sizeLimits, kind: Self.kind, rng: &rng)
        return Example(source: source, target: target(for: source), slices: ["length": source.count])
    }

    public func describe(_ token: Int32) -> String { SymbolTasks.describe(token, symbols: symbols) }
}

/// What the symbol-string tasks (copy, reverse, sort) share: limits, the source draw, chance, rendering.
public enum SymbolTasks {
    /// The alphabet sizes the symbol-string tasks accept.
    public static let symbolLimits: ClosedRange<Int> = 2...4096
    /// The source lengths they can generate.
    public static let lengthLimits: ClosedRange<Int> = 1...4096

    static func checkSymbols(_ symbols: Int, kind: String) {
        precondition(symbolLimits.contains(symbols),
                     "\(kind): symbols must be in \(symbolLimits.lowerBound)...\(symbolLimits.upperBound), got \(symbols)")
    }

    /// n = uniform in `size`, then n symbols uniform in 1...symbols.
    static func drawSource(symbols: Int, size: ClosedRange<Int>, limits: ClosedRange<Int>, kind: String,
                           rng: inout RNG) -> [Int32] {
        precondition(limits.contains(size.lowerBound) && limits.contains(size.upperBound),
                     "\(kind): size \(size.lowerBound)...\(size.upperBound) is outside \(limits.lowerBound)...\(limits.upperBound)")
        let length = rng.int(in: size)
        return (0..<length).map { _ in Int32(1 + rng.int(below: symbols)) }
    }

    /// The uniform random predictor on targets of n symbols, n uniform in `size`.
    static func uniformChance(symbols: Int, size: ClosedRange<Int>, note: String = "") -> ChanceLevel {
        let p = 1 / Double(symbols)
        let sequence = meanPower(p, over: size)
        return ChanceLevel(
            tokenAccuracy: p, sequenceAccuracy: sequence,
            explanation: "a predictor that emits uniformly random symbols: 1/\(symbols) per token\(note); "
                + "(1/\(symbols))^n per sequence, averaged over lengths n in \(size.lowerBound)...\(size.upperBound)")
    }

    /// The mean of p^n over n in `range` (what an exact-match rate of p per token averages to).
    static func meanPower(_ p: Double, over range: ClosedRange<Int>) -> Double {
        var power = 1.0
        for _ in 0..<range.lowerBound { power *= p }
        var sum = 0.0
        for _ in range {
            sum += power
            power *= p
        }
        return sum / Double(range.count)
    }

    /// Letters a...z for alphabets of up to 26 symbols, numbers otherwise; "<s>" for the reserved token.
    static func describe(_ token: Int32, symbols: Int) -> String {
        if token == 0 { return "<s>" }
        if symbols <= 26, (1...26).contains(token) {
            return String(UnicodeScalar(UInt8(96 + token)))
        }
        return String(token)
    }
}
