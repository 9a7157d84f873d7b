import XCTest
@testable import Reports

final class StatisticsTests: XCTestCase {
    func testMeanAndStandardDeviation() {
        XCTAssertNil(Statistics.mean([]))
        XCTAssertNil(Statistics.sampleStandardDeviation([1]))
        XCTAssertEqual(Statistics.mean([1, 2, 3, 4])!, 2.5, accuracy: 1e-15)
        // Sum of squared deviations 32 over n - 1 = 7: s = sqrt(32/7).
        XCTAssertEqual(Statistics.sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])!, (32.0 / 7).squareRoot(), accuracy: 1e-12)
        // Equal values give their value exactly (a naive sum of 0.1s would not).
        XCTAssertEqual(Statistics.mean(Array(repeating: 0.1, count: 7)), 0.1)
    }

    func testTQuantilesAgainstTables() {
        XCTAssertEqual(Statistics.tQuantile975(df: 1), 12.706, accuracy: 5e-4)
        XCTAssertEqual(Statistics.tQuantile975(df: 2), 4.303, accuracy: 5e-4)
        XCTAssertEqual(Statistics.tQuantile975(df: 10), 2.228, accuracy: 5e-4)
        XCTAssertEqual(Statistics.tQuantile975(df: 30), 2.042, accuracy: 5e-4)
    }

    func testTQuantilesBeyondTableUseSeries() {
        // Exact values (R: qt(0.975, df)).
        XCTAssertEqual(Statistics.tQuantile975(df: 31), 2.039513446, accuracy: 1e-6)
        XCTAssertEqual(Statistics.tQuantile975(df: 40), 2.021075390, accuracy: 1e-6)
        XCTAssertEqual(Statistics.tQuantile975(df: 60), 2.000297822, accuracy: 1e-6)
        XCTAssertEqual(Statistics.tQuantile975(df: 120), 1.979930405, accuracy: 1e-6)
        XCTAssertEqual(Statistics.tQuantile975(df: 1_000_000), Statistics.z975, accuracy: 1e-5)
        // Monotone across the table boundary.
        XCTAssertGreaterThan(Statistics.tQuantile975(df: 30), Statistics.tQuantile975(df: 31))
    }

    func testConfidenceIntervalByHand() {
        // Values 1...5: mean 3, s = sqrt(2.5), n = 5, t(4) = 2.776445105,
        // half width = 2.776445105 * sqrt(2.5) / sqrt(5) = 2.776445105 * sqrt(0.5) = 1.963243...
        let ci = Statistics.meanConfidenceInterval95([1, 2, 3, 4, 5])!
        XCTAssertEqual(ci.estimate, 3, accuracy: 1e-15)
        XCTAssertEqual(ci.halfWidth, 1.9632432, accuracy: 1e-6)
        XCTAssertEqual(ci.lower, 1.0367568, accuracy: 1e-6)
        XCTAssertEqual(ci.upper, 4.9632432, accuracy: 1e-6)
        XCTAssertEqual(ci.level, 0.95)
        // Two values 10, 12: mean 11, s = sqrt(2), half = 12.706204736 * sqrt(2) / sqrt(2).
        let two = Statistics.meanConfidenceInterval95([10, 12])!
        XCTAssertEqual(two.lower, 11 - 12.706204736, accuracy: 1e-9)
        XCTAssertEqual(two.upper, 11 + 12.706204736, accuracy: 1e-9)
        XCTAssertNil(Statistics.meanConfidenceInterval95([1]))
    }

    func testQuantileInterpolates() {
        let sorted: [Double] = [0, 10, 20, 30, 40]
        XCTAssertEqual(Statistics.quantile(sorted: sorted, 0), 0)
        XCTAssertEqual(Statistics.quantile(sorted: sorted, 1), 40)
        XCTAssertEqual(Statistics.quantile(sorted: sorted, 0.5), 20)
        XCTAssertEqual(Statistics.quantile(sorted: sorted, 0.125), 5, accuracy: 1e-12)
    }

    func testPairedBootstrapConstantDifference() {
        // Every seed's difference is exactly 0.1 (values chosen so the subtraction is exact).
        let baseline: [Int: Double] = [1: 0.5, 2: 1.5, 3: 2.5, 4: 3.5, 5: 0.25]
        let variant = baseline.mapValues { $0 + 0.1 }
        for seed in baseline.keys { XCTAssertEqual(variant[seed]! - baseline[seed]!, 0.1, accuracy: 1e-15) }
        let effect = Statistics.pairedBootstrapEffect(baseline: baseline, variant: variant)!
        XCTAssertEqual(effect.difference.estimate, 0.1, accuracy: 1e-15)
        XCTAssertEqual(effect.difference.lower, 0.1, accuracy: 1e-15)
        XCTAssertEqual(effect.difference.upper, 0.1, accuracy: 1e-15)
        XCTAssertEqual(effect.pairedCount, 5)
        XCTAssertEqual(effect.resamples, 10_000)
        XCTAssertFalse(effect.droppedUnpairedSeeds)
    }

    func testPairedBootstrapIsDeterministicAndSeedDependent() {
        let baseline: [Int: Double] = [1: 1.00, 2: 1.10, 3: 0.95, 4: 1.05, 5: 1.02, 6: 0.98]
        let variant: [Int: Double] = [1: 0.90, 2: 1.05, 3: 0.80, 4: 1.00, 5: 0.85, 6: 0.97]
        let a = Statistics.pairedBootstrapEffect(baseline: baseline, variant: variant, rngSeed: 42)!
        let b = Statistics.pairedBootstrapEffect(baseline: baseline, variant: variant, rngSeed: 42)!
        XCTAssertEqual(a, b)
        let c = Statistics.pairedBootstrapEffect(baseline: baseline, variant: variant, rngSeed: 43)!
        XCTAssertNotEqual(a.difference.lower, c.difference.lower)
        // Differences -0.10 -0.05 -0.15 -0.05 -0.17 -0.01: mean -0.0883..., all negative,
        // so the interval lies within [min, max] of the differences and excludes 0.
        XCTAssertEqual(a.difference.estimate, -0.53 / 6, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(a.difference.lower, -0.17 - 1e-12)
        XCTAssertLessThanOrEqual(a.difference.upper, -0.01 + 1e-12)
        XCTAssertLessThan(a.difference.lower, a.difference.estimate)
        XCTAssertGreaterThan(a.difference.upper, a.difference.estimate)
        XCTAssertTrue(a.difference.excludes(0))
    }

    func testPairedBootstrapPairsOnCommonSeeds() {
        let baseline: [Int: Double] = [1: 1, 2: 2, 3: 3, 9: 100]
        let variant: [Int: Double] = [2: 2.5, 3: 3.5, 1: 1.5, 7: -50]
        let effect = Statistics.pairedBootstrapEffect(baseline: baseline, variant: variant, resamples: 500)!
        XCTAssertEqual(effect.pairedSeeds, [1, 2, 3])
        XCTAssertEqual(effect.pairedCount, 3)
        XCTAssertEqual(effect.baselineOnlySeeds, [9])
        XCTAssertEqual(effect.variantOnlySeeds, [7])
        XCTAssertTrue(effect.droppedUnpairedSeeds)
        XCTAssertEqual(effect.difference.lower, 0.5, accuracy: 1e-15)
        XCTAssertEqual(effect.difference.upper, 0.5, accuracy: 1e-15)
        XCTAssertNil(Statistics.pairedBootstrapEffect(baseline: [1: 1], variant: [2: 1]))
    }

    func testSplitMix64ReferenceValues() {
        // Reference outputs of Vigna's splitmix64.c seeded with 1234567.
        var rng = SplitMix64(seed: 1234567)
        XCTAssertEqual(rng.next(), 6457827717110365317)
        XCTAssertEqual(rng.next(), 3203168211198807973)
        XCTAssertEqual(rng.next(), 9817491932198370423)
        var bounded = SplitMix64(seed: 7)
        for _ in 0..<1000 { XCTAssert((0..<3).contains(bounded.next(below: 3))) }
    }
}
