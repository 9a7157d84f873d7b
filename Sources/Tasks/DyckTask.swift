import Tensors

/// Dyck languages: balanced brackets of up to four kinds with bounded nesting depth.
///
/// Token ids: the opening bracket of kind t (t = 0..<types) is 2t+1 and its closing bracket 2t+2,
/// shown as ( ) [ ] { } < >. The size is the source length. Sequences are drawn uniformly among
/// all bracket sequences of the chosen length whose nesting depth (open brackets not yet closed)
/// stays within 0...maxDepth, by counting continuations (see `continuations`).
///
/// Mode "classify" (the default): is the source balanced? `target` = [class], a class id and not a
/// token: 1 = balanced, 0 = not. Lengths are even (odd lengths in the range are never drawn).
/// Each example is balanced with probability 1/2; an unbalanced one is a balanced sequence with one
/// near-miss corruption, drawn with equal probability (when types > 1) among
/// - swap: two different brackets trade places (every bracket count is kept, so counting cannot
///   tell; the nesting depth may go below zero, but never above maxDepth);
/// - retype: one bracket changes kind (the depth profile is kept, so only matching kinds tells).
/// Every label is checked with a stack.
///
///     types = 2, maxDepth = 4, classify, length 6
///     source   ( [ ] ( ) )     tokens 1 3 4 1 2 2     target [1]   slices length = 6, depth = 2
///     source   ( ( ] [ ) )     tokens 1 1 4 3 2 2     target [0]   slices length = 6, depth = 2
///
/// Mode "complete": the source is a prefix of a balanced sequence with at least one bracket left
/// open (depth within 0...maxDepth throughout); the target is the closing brackets that complete
/// it, innermost first. Any length >= 1 is drawn (only odd lengths when maxDepth = 1).
///
///     types = 2, maxDepth = 4, complete, length 5
///     source   ( [ ( ) [       tokens 1 3 1 2 3
///     target   ] ] )           tokens 4 4 2
///     slices   length = 5, depth = 3
///
/// The "depth" slice is the largest nesting depth over the source's prefixes (opening minus closing
/// brackets; for a corrupted source this count ignores kinds).
public struct DyckTask: SyntheticTask {
    /// What the model is asked.
    public enum Mode: String, Sendable, CaseIterable {
        /// Balanced or not (classification, 2 classes).
        case classify
        /// The closing brackets of a prefix (sequence output).
        case complete
    }

    public static let kind = "dyck"
    public static let summary = "decide whether brackets are balanced, or output the brackets that close a prefix"
    public static let sizeName = "length"
    /// The longest source this task generates.
    public static let maximumLength = 4096
    /// The most bracket kinds (one per pair of ( ) [ ] { } < >).
    public static let maximumTypes = 4

    /// Bracket kinds, 1...4.
    public let types: Int
    /// The deepest nesting a generated sequence reaches, >= 1.
    public let maxDepth: Int
    public let mode: Mode

    /// - Parameters:
    ///   - types: bracket kinds, 1...4 (default 2: ( ) and [ ]).
    ///   - maxDepth: largest nesting depth (default 4).
    ///   - mode: `.classify` (default) or `.complete`.
    public init(types: Int = 2, maxDepth: Int = 4, mode: Mode = .classify) {
        precondition((1...Self.maximumTypes).contains(types), "dyck needs 1...\(Self.maximumTypes) bracket types, got \(types)")
        precondition((1...Self.maximumLength).contains(maxDepth), "dyck maxDepth must be in 1...\(Self.maximumLength), got \(maxDepth)")
        self.types = types
        self.maxDepth = maxDepth
        self.mode = mode
    }

    public var parameters: [(name: String, value: String)] {
        [("types", String(types)), ("maxDepth", String(maxDepth)), ("mode", mode.rawValue)]
    }
    public var output: TaskOutput {
        mode == .classify ? .classification(classes: 2) : .sequence
    }
    public var vocabulary: Int { 2 * types + 1 }
    public var sizeLimits: ClosedRange<Int> {
        mode == .classify ? 2...Self.maximumLength : 1...Self.maximumLength
    }

    /// Whether sources of length `n` can be drawn in this mode (the parity rules above).
    func isDrawable(length n: Int) -> Bool {
        switch mode {
        case .classify: return n % 2 == 0
        case .complete: return maxDepth >= 2 || n % 2 == 1
        }
    }

    public func whyNotGenerate(size: Int) -> String? {
        guard sizeLimits.contains(size) else {
            return "dyck in \(mode.rawValue) mode takes length in \(sizeLimits.lowerBound)...\(sizeLimits.upperBound)"
        }
        if isDrawable(length: size) { return nil }
        switch mode {
        case .classify: return "dyck in classify mode draws only even lengths (balanced sequences)"
        case .complete: return "dyck in complete mode with max_depth 1 draws only odd lengths"
        }
    }

    /// The source is `size` brackets. A completion closes the brackets left open: at most maxDepth, at
    /// most `size`, and as many as `size` modulo 2 (each closed pair takes two), so one fewer when that
    /// bound has the other parity.
    public func longest(size: Int) -> ExampleLengths {
        guard mode == .complete else { return ExampleLengths(source: size, target: 1) }
        let bound = min(size, maxDepth)
        return ExampleLengths(source: size, target: bound % 2 == size % 2 ? bound : max(1, bound - 1))
    }

    private func drawableLengths(_ size: ClosedRange<Int>) -> [Int] {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "dyck length \(size) outside \(sizeLimits)")
        let lengths = size.filter { isDrawable(length: $0) }
        precondition(!lengths.isEmpty, "dyck \(mode.rawValue) with maxDepth \(maxDepth) has no drawable length in \(size)")
        return lengths
    }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        let lengths = drawableLengths(size)
        switch mode {
        case .classify:
            return ChanceLevel(tokenAccuracy: 0.5, sequenceAccuracy: 0.5,
                               explanation: "a uniformly random class (balanced or not)")
        case .complete:
            // Sequence accuracy: E[(1/types)^h] for the number h of open brackets at the end of the
            // prefix, from the exact distribution of h at each length (lengths equally likely).
            let p = 1 / Double(types)
            let counts = prefixCounts(upTo: lengths.last!)
            var sum = 0.0
            for n in lengths {
                var total = 0.0, weighted = 0.0, power = 1.0
                for h in 1...maxDepth {
                    power *= p
                    total += counts[n * (maxDepth + 1) + h]
                    weighted += counts[n * (maxDepth + 1) + h] * power
                }
                sum += weighted / total
            }
            return ChanceLevel(tokenAccuracy: p, sequenceAccuracy: sum / Double(lengths.count),
                               explanation: "a uniformly random closing bracket (1 of \(types)) at each target position")
        }
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        let lengths = drawableLengths(size)
        let n = lengths[rng.int(below: lengths.count)]
        switch mode {
        case .classify:
            let balanced = rng.int(below: 2) == 1
            var (source, _) = walk(length: n, accept: { $0 == 0 }, rng: &rng)
            if !balanced { corrupt(&source, rng: &rng) }
            precondition(Self.isBalanced(source) == balanced, "dyck: label check failed for \(source)")
            return Example(source: source, target: [balanced ? 1 : 0],
                           slices: ["length": n, "depth": Self.deepestPrefix(source)])
        case .complete:
            let (source, open) = walk(length: n, accept: { $0 >= 1 }, rng: &rng)
            let target = open.reversed().map { Int32(2 * $0 + 2) }
            return Example(source: source, target: target, slices: ["length": n, "depth": Self.deepestPrefix(source)])
        }
    }

    public func describe(_ token: Int32) -> String {
        let names = ["(", ")", "[", "]", "{", "}", "<", ">"]
        return (1...2 * types).contains(Int(token)) ? names[Int(token) - 1] : (token == 0 ? "<s>" : String(token))
    }

    // MARK: Drawing

    /// weights[r * (maxDepth+1) + h], proportional within each r to the number of bracket sequences
    /// of r more steps from depth h that stay within 0...maxDepth and end at a depth `accept`s.
    /// An opening step counts `types` times (one per kind), a closing step once (its kind is forced).
    /// Each row is rescaled to a maximum of 1, which keeps long lengths finite and leaves the ratios
    /// a draw needs unchanged.
    func continuations(steps: Int, accept: (Int) -> Bool) -> [Double] {
        let D = maxDepth, width = maxDepth + 1
        var weights = [Double](repeating: 0, count: (steps + 1) * width)
        for h in 0...D where accept(h) { weights[h] = 1 }
        if steps == 0 { return weights }
        for r in 1...steps {
            var largest = 0.0
            for h in 0...D {
                var w = 0.0
                if h < D { w += Double(types) * weights[(r - 1) * width + h + 1] }
                if h > 0 { w += weights[(r - 1) * width + h - 1] }
                weights[r * width + h] = w
                largest = max(largest, w)
            }
            if largest > 0 { for h in 0...D { weights[r * width + h] /= largest } }
        }
        return weights
    }

    /// counts[n * (maxDepth+1) + h], proportional within each n to the number of bracket sequences of
    /// length n from depth 0 that stay within 0...maxDepth and end at depth h (rows rescaled as above).
    func prefixCounts(upTo length: Int) -> [Double] {
        let D = maxDepth, width = maxDepth + 1
        var counts = [Double](repeating: 0, count: (length + 1) * width)
        counts[0] = 1
        if length == 0 { return counts }
        for n in 1...length {
            var largest = 0.0
            for h in 0...D {
                var c = 0.0
                if h > 0 { c += Double(types) * counts[(n - 1) * width + h - 1] }
                if h < D { c += counts[(n - 1) * width + h + 1] }
                counts[n * width + h] = c
                largest = max(largest, c)
            }
            if largest > 0 { for h in 0...D { counts[n * width + h] /= largest } }
        }
        return counts
    }

    /// A uniformly random bracket sequence of `length` within the depth bound that ends at a depth
    /// `accept`s, and the kinds still open at its end (outermost first).
    private func walk(length: Int, accept: (Int) -> Bool, rng: inout RNG) -> (tokens: [Int32], open: [Int]) {
        let width = maxDepth + 1
        let weights = continuations(steps: length, accept: accept)
        var tokens: [Int32] = []
        tokens.reserveCapacity(length)
        var open: [Int] = []
        for i in 0..<length {
            let r = length - i - 1, h = open.count
            let opening = h < maxDepth ? Double(types) * weights[r * width + h + 1] : 0
            let closing = h > 0 ? weights[r * width + h - 1] : 0
            precondition(opening + closing > 0, "dyck: no sequence of length \(length) from depth \(h)")
            if rng.uniformDouble() * (opening + closing) < opening {
                let kind = rng.int(below: types)
                open.append(kind)
                tokens.append(Int32(2 * kind + 1))
            } else {
                tokens.append(Int32(2 * open.removeLast() + 2))
            }
        }
        return (tokens, open)
    }

    /// Makes a balanced sequence unbalanced with one near-miss change (see the type's comment).
    private func corrupt(_ tokens: inout [Int32], rng: inout RNG) {
        let n = tokens.count
        for _ in 0..<100 {
            if types > 1 && rng.int(below: 2) == 1 {
                // Retype: the bracket's partner no longer matches, so this is always unbalanced.
                let i = rng.int(below: n)
                let kind = Int(tokens[i] - 1) / 2, closing = tokens[i] % 2 == 0
                var other = rng.int(below: types - 1)
                if other >= kind { other += 1 }
                tokens[i] = Int32(2 * other + (closing ? 2 : 1))
                return
            }
            let i = rng.int(below: n)
            var j = rng.int(below: n - 1)
            if j >= i { j += 1 }
            if tokens[i] == tokens[j] { continue }
            tokens.swapAt(i, j)
            if !Self.isBalanced(tokens) && Self.deepestPrefix(tokens) <= maxDepth { return }
            tokens.swapAt(i, j)
        }
        // Always works: the sequence then starts with a closing bracket, and every depth drops.
        tokens.swapAt(0, n - 1)
    }

    /// Whether `tokens` is a balanced bracket sequence (each closing bracket matches the kind of the
    /// innermost open one; nothing left open).
    static func isBalanced(_ tokens: [Int32]) -> Bool {
        var open: [Int32] = []
        for token in tokens {
            if token % 2 == 1 {
                open.append(token)
            } else if open.last == token - 1 {
                open.removeLast()
            } else {
                return false
            }
        }
        return open.isEmpty
    }

    /// The largest count of opening minus closing brackets over the prefixes of `tokens` (>= 0).
    static func deepestPrefix(_ tokens: [Int32]) -> Int {
        var depth = 0, deepest = 0
        for token in tokens {
            depth += token % 2 == 1 ? 1 : -1
            deepest = max(deepest, depth)
        }
        return deepest
    }
}
