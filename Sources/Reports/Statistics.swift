// Statistics across seeds: means, sample standard deviations, Student's t
// confidence intervals and the paired-by-seed bootstrap effect of a variant
// against the baseline. Plain Doubles in, plain records out: Reports never
// sees tensors, only numbers read from the Store.

/// A two-sided interval around an estimate.
public struct ConfidenceInterval: Equatable, Sendable {
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    /// Coverage, e.g. 0.95.
    public var level: Double

    public init(estimate: Double, lower: Double, upper: Double, level: Double) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Half the width; equal to the "±" part for a symmetric (t) interval.
    public var halfWidth: Double { (upper - lower) / 2 }

    /// Whether the interval excludes `value` (e.g. 0 for "no effect").
    public func excludes(_ value: Double) -> Bool { value < lower || value > upper }
}

/// The effect of a variant against the baseline, paired by seed.
public struct PairedEffect: Equatable, Sendable {
    /// Mean over common seeds of (variant - baseline), with its bootstrap percentile interval.
    public var difference: ConfidenceInterval
    /// Seeds present in both baseline and variant, ascending; the pairs actually used.
    public var pairedSeeds: [Int]
    /// Seeds only in the baseline (dropped), ascending.
    public var baselineOnlySeeds: [Int]
    /// Seeds only in the variant (dropped), ascending.
    public var variantOnlySeeds: [Int]
    /// Number of bootstrap resamples drawn.
    public var resamples: Int

    /// Number of pairs used.
    public var pairedCount: Int { pairedSeeds.count }
    /// True when the two sides had different seed sets and some runs were left out;
    /// a report should say so.
    public var droppedUnpairedSeeds: Bool { !baselineOnlySeeds.isEmpty || !variantOnlySeeds.isEmpty }
}

public enum Statistics {
    /// Arithmetic mean, or nil for an empty sample.
    ///
    /// Computed as `x0 + mean(x_i - x0)`, which is exact when every value is
    /// equal (a plain sum of n copies of 0.1 divided by n is not) and a little
    /// better conditioned for values far from zero.
    public static func mean(_ values: [Double]) -> Double? {
        guard let first = values.first else { return nil }
        var deviation = 0.0
        for value in values { deviation += value - first }
        return first + deviation / Double(values.count)
    }

    /// Sample standard deviation (denominator n - 1), or nil for fewer than 2 values.
    /// Two-pass, so no catastrophic cancellation.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let m = mean(values) else { return nil }
        var sumSquares = 0.0
        for value in values { sumSquares += (value - m) * (value - m) }
        return (sumSquares / Double(values.count - 1)).squareRoot()
    }

    /// Two-sided 97.5% quantiles of Student's t for df 1...30 (index df - 1),
    /// to 9 decimals (standard tables, e.g. R's qt(0.975, df)).
    static let t975Table: [Double] = [
        12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
        2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
        2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
        2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
        2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
        2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
    ]

    /// The 0.975 quantile of the standard normal.
    public static let z975 = 1.959963984540054

    /// The 0.975 quantile of Student's t with `df` degrees of freedom (df >= 1).
    ///
    /// df 1...30 come from a table. Beyond 30 the Cornish-Fisher expansion of t
    /// around the normal quantile z (Abramowitz & Stegun 26.7.5, terms to 1/df^4)
    /// is used; for df > 30 it agrees with the exact quantile to better than
    /// 1e-6, and it tends to z = 1.959964 as df grows.
    public static func tQuantile975(df: Int) -> Double {
        precondition(df >= 1, "degrees of freedom must be at least 1")
        if df <= t975Table.count { return t975Table[df - 1] }
        let z = z975, v = Double(df)
        let z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2
        let g1 = (z3 + z) / 4
        let g2 = (5 * z5 + 16 * z3 + 3 * z) / 96
        let g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384
        let g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160
        return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
    }

    /// 95% confidence interval of the mean with Student's t:
    /// mean ± t(0.975, n-1) * s / sqrt(n). Nil for fewer than 2 values.
    public static func meanConfidenceInterval95(_ values: [Double]) -> ConfidenceInterval? {
        guard let m = mean(values), let s = sampleStandardDeviation(values) else { return nil }
        let half = tQuantile975(df: values.count - 1) * s / Double(values.count).squareRoot()
        return ConfidenceInterval(estimate: m, lower: m - half, upper: m + half, level: 0.95)
    }

    /// Percentile (linear interpolation between order statistics, "type 7")
    /// of an ascending-sorted, non-empty array; p in [0, 1].
    public static func quantile(sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of an empty sample")
        let position = p * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = position - Double(low)
        if fraction == 0 || low == high { return sorted[low] }
        return sorted[low] + fraction * (sorted[high] - sorted[low])
    }

    /// The effect of a variant against the baseline, paired by seed.
    ///
    /// - Parameters:
    ///   - baseline, variant: metric value per training seed (one value per run,
    ///     e.g. final validation loss).
    ///   - resamples: bootstrap resamples B (default 10,000).
    ///   - level: interval coverage (default 0.95 -> 2.5% and 97.5% percentiles).
    ///   - rngSeed: seed of the SplitMix64 generator, so a report is reproducible.
    /// - Returns: nil when no seed is common to both sides. Only common seeds are
    ///   paired; the dropped ones are listed in the result.
    ///
    /// Method: d_s = variant[s] - baseline[s] over common seeds s (ascending).
    /// Each resample draws n seeds with replacement and takes the mean of their
    /// d; the interval is the percentile interval of the B resample means. The
    /// estimate is the mean of all d.
    public static func pairedBootstrapEffect(
        baseline: [Int: Double],
        variant: [Int: Double],
        resamples: Int = 10_000,
        level: Double = 0.95,
        rngSeed: UInt64 = 0x5EED
    ) -> PairedEffect? {
        precondition(resamples >= 1, "at least one resample")
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        let common = Set(baseline.keys).intersection(variant.keys).sorted()
        guard !common.isEmpty else { return nil }
        let differences = common.map { variant[$0]! - baseline[$0]! }
        let estimate = mean(differences)!

        var rng = SplitMix64(seed: rngSeed)
        let n = differences.count
        var means = [Double](repeating: 0, count: resamples)
        var draw = [Double](repeating: 0, count: n)
        for b in 0..<resamples {
            for i in 0..<n { draw[i] = differences[rng.next(below: n)] }
            means[b] = mean(draw)!
        }
        means.sort()
        let tail = (1 - level) / 2
        let interval = ConfidenceInterval(
            estimate: estimate,
            lower: quantile(sorted: means, tail),
            upper: quantile(sorted: means, 1 - tail),
            level: level)
        return PairedEffect(
            difference: interval,
            pairedSeeds: common,
            baselineOnlySeeds: Set(baseline.keys).subtracting(variant.keys).sorted(),
            variantOnlySeeds: Set(variant.keys).subtracting(baseline.keys).sorted(),
            resamples: resamples)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014; constants as in Vigna's reference
/// implementation). Tiny, seeded and deterministic on every platform, so the
/// bootstrap in a report can be rebuilt bit for bit. Not for cryptography.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in 0..<bound without modulo bias (Lemire's multiply-shift
    /// with rejection). Deterministic given the state, unlike the standard
    /// library's `Int.random(in:using:)`, whose algorithm is not specified.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }
}
