import Tensors

// Arithmetic and counting tasks: addition (a sequence task), parity and majority (classifications).
//
// Chance, as for every task in this module: a predictor that ignores the input and emits uniformly
// random output symbols (the ten digits for addition) or classes.
//
// Classification targets are class ids, not tokens: `target == [c]` with c in 0..<classes. A
// generative layout that must emit the class as a token uses token c + 1 (see Training's
// `Formatting`); for parity and majority that token is the source token of the same bit or symbol.

/// Addition: two d-digit numbers in, the d+1 digits of their sum out.
///
/// Both numbers are uniform in 0..<10^d and written with exactly d digits, most significant first;
/// leading zeros are allowed (so every digit is uniform and the input space is 10^(2d)). The sum is
/// written with exactly d+1 digits, zero-padded: its first digit is the final carry (0 or 1), so the
/// target length is d+1 whatever the numbers.
///
/// Tokens: digit k (0...9) is token k+1, '+' is token 11, 0 is reserved: vocabulary 12.
///
///     d = 3:  a = 475, b = 068
///     source: 4 7 5 + 0 6 8      tokens [5, 8, 6, 11, 1, 7, 9]
///     target: 0 5 4 3            tokens [1, 6, 5, 4]
///     slices: ["length": 7, "digits": 3]      (length = 2d + 1, the source length)
///
/// The first target digit depends on every carry, i.e. on all 2d input digits.
public struct AdditionTask: SyntheticTask {
    public static let kind = "addition"
    public static let summary = "add two d-digit numbers; output the d+1 digits of the sum"
    public static let sizeName = "digits"

    /// The token of the '+' between the two numbers.
    public static let plusToken: Int32 = 11
    /// The token of decimal digit `digit` (0...9).
    public static func token(digit: Int) -> Int32 { Int32(digit + 1) }

    public init() {}

    public var parameters: [(name: String, value: String)] { [] }
    public var output: TaskOutput { .sequence }
    public var vocabulary: Int { 12 }
    /// Digits per number. Schoolbook addition has no integer limit; 1024 bounds the sequence at 2049 tokens.
    public var sizeLimits: ClosedRange<Int> { 1...1024 }
    /// Two numbers of `size` digits and the '+'; the sum's `size` + 1 digits.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: 2 * size + 1, target: size + 1) }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        let sequence = SymbolTasks.meanPower(0.1, over: (size.lowerBound + 1)...(size.upperBound + 1))
        return ChanceLevel(
            tokenAccuracy: 0.1, sequenceAccuracy: sequence,
            explanation: "a predictor that emits uniformly random digits: 1/10 per token; "
                + "(1/10)^(d+1) per sum, averaged over d in \(size.lowerBound)...\(size.upperBound) digits")
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "addition: digits \(size.lowerBound)...\(size.upperBound) is outside \(sizeLimits.lowerBound)...\(sizeLimits.upperBound)")
        let digits = rng.int(in: size)
        // Most significant digit first.
        let a = (0..<digits).map { _ in rng.int(below: 10) }
        let b = (0..<digits).map { _ in rng.int(below: 10) }
        // Schoolbook addition from the least significant digit; sum[0] is the final carry.
        var sum = [Int](repeating: 0, count: digits + 1)
        var carry = 0
        for i in stride(from: digits - 1, through: 0, by: -1) {
            let column = a[i] + b[i] + carry
            sum[i + 1] = column % 10
            carry = column / 10
        }
        sum[0] = carry
        let source = a.map(Self.token(digit:)) + [Self.plusToken] + b.map(Self.token(digit:))
        return Example(source: source, target: sum.map(Self.token(digit:)),
                       slices: ["length": source.count, "digits": digits])
    }

    /// Digits "0"..."9", "+", and "<s>" for the reserved token.
    public func describe(_ token: Int32) -> String {
        switch token {
        case 0: return "<s>"
        case 1...10: return String(token - 1)
        case Self.plusToken: return "+"
        default: return String(token)
        }
    }
}

/// Parity: is the number of 1 bits in the source odd?
///
/// Bits 0 and 1 are tokens 1 and 2 (vocabulary 3), each bit uniform. The target is one class:
/// 0 if the number of 1 bits is even, 1 if it is odd (the XOR of all bits). A generative layout
/// emits class c as token c + 1, the token of bit c.
///
///     length 6
///     source: 1 0 1 1 0 0      tokens [2, 1, 2, 2, 1, 1]
///     target: class 1 (three 1 bits)      [1]
///     slices: ["length": 6]
///
/// Every input bit matters and no subset of them carries any information about the answer.
public struct ParityTask: SyntheticTask {
    public static let kind = "parity"
    public static let summary = "classify whether the source has an odd number of 1 bits"
    public static let sizeName = "length"

    public init() {}

    public var parameters: [(name: String, value: String)] { [] }
    public var output: TaskOutput { .classification(classes: 2) }
    public var vocabulary: Int { 3 }
    public var sizeLimits: ClosedRange<Int> { 1...4096 }
    /// `size` tokens in, one class out.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: size, target: 1) }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        ChanceLevel(tokenAccuracy: 0.5, sequenceAccuracy: 0.5,
                    explanation: "a predictor that emits a uniformly random class: 1/2 (both classes are equally likely at every length)")
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "parity: length \(size.lowerBound)...\(size.upperBound) is outside \(sizeLimits.lowerBound)...\(sizeLimits.upperBound)")
        let length = rng.int(in: size)
        var parity = 0
        let source: [Int32] = (0..<length).map { _ in
            let bit = rng.int(below: 2)
            parity ^= bit
            return Int32(bit + 1)
        }
        return Example(source: source, target: [Int32(parity)], slices: ["length": length])
    }

    /// Bits "0" and "1", and "<s>" for the reserved token.
    public func describe(_ token: Int32) -> String {
        switch token {
        case 0: return "<s>"
        case 1, 2: return String(token - 1)
        default: return String(token)
        }
    }
}

/// Majority: which symbol occurs most often in the source?
///
/// Symbols 0..<symbols are tokens 1...symbols (vocabulary symbols + 1), each uniform. The target is
/// one class, the most frequent symbol: class c is symbol c (token c + 1, which is also the token a
/// generative layout emits for it). Ties go to the smallest symbol among those tied. With 2 symbols
/// and odd lengths there are no ties; at even lengths ties make class 0 more frequent than class 1
/// (and smaller symbols more frequent in general), so an input-blind "always 0" beats the uniform
/// chance level.
///
///     symbols = 3, length 7
///     source: 2 0 1 2 0 2 1      tokens [3, 1, 2, 3, 1, 3, 2]
///     target: class 2 (three 2s)      [2]
///     slices: ["length": 7]
public struct MajorityTask: SyntheticTask {
    public static let kind = "majority"
    public static let summary = "classify which symbol occurs most often in the source (ties to the smallest)"
    public static let sizeName = "length"

    /// The alphabet sizes majority accepts.
    public static let symbolLimits: ClosedRange<Int> = 2...4096

    /// How many distinct symbols (and classes) there are. Default 2.
    public var symbols: Int

    /// - Parameter symbols: the alphabet size and number of classes, in 2...4096. Default 2.
    public init(symbols: Int = 2) {
        precondition(Self.symbolLimits.contains(symbols),
                     "majority: symbols must be in \(Self.symbolLimits.lowerBound)...\(Self.symbolLimits.upperBound), got \(symbols)")
        self.symbols = symbols
    }

    public var parameters: [(name: String, value: String)] { [("symbols", String(symbols))] }
    public var output: TaskOutput { .classification(classes: symbols) }
    public var vocabulary: Int { symbols + 1 }
    public var sizeLimits: ClosedRange<Int> { 1...4096 }
    /// `size` tokens in, one class out.
    public func longest(size: Int) -> ExampleLengths { ExampleLengths(source: size, target: 1) }

    public func chance(size: ClosedRange<Int>) -> ChanceLevel {
        ChanceLevel(tokenAccuracy: 1 / Double(symbols), sequenceAccuracy: 1 / Double(symbols),
                    explanation: "a predictor that emits a uniformly random class: 1/\(symbols) "
                        + "(ties go to the smallest symbol, so where ties occur always guessing 0 does better)")
    }

    public func generate(size: ClosedRange<Int>, rng: inout RNG) -> Example {
        precondition(sizeLimits.contains(size.lowerBound) && sizeLimits.contains(size.upperBound),
                     "majority: length \(size.lowerBound)...\(size.upperBound) is outside \(sizeLimits.lowerBound)...\(sizeLimits.upperBound)")
        let length = rng.int(in: size)
        var counts = [Int](repeating: 0, count: symbols)
        let source: [Int32] = (0..<length).map { _ in
            let symbol = rng.int(below: symbols)
            counts[symbol] += 1
            return Int32(symbol + 1)
        }
        // The first index of the largest count: ties go to the smallest symbol.
        var winner = 0
        for symbol in 1..<symbols where counts[symbol] > counts[winner] { winner = symbol }
        return Example(source: source, target: [Int32(winner)], slices: ["length": length])
    }

    /// Symbols as numbers from 0 ("0", "1", ...), matching the class ids; "<s>" for the reserved token.
    public func describe(_ token: Int32) -> String {
        if token == 0 { return "<s>" }
        if (1...Int32(symbols)).contains(token) { return String(token - 1) }
        return String(token)
    }
}
