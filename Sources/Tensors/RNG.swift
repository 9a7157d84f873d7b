/// The seeded random number generator: Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3", SC 2011), a counter-based generator.
///
/// Philox maps a 128-bit counter and a 64-bit key to 128 random bits through ten rounds of multiply,
/// xor and key bumping. Nothing but the counter changes from one draw to the next, so any position of
/// any stream can be computed directly and the result never depends on what else the process drew.
///
/// How ablate lays out its streams:
/// - key = the 64-bit seed (low word, high word);
/// - counter word 0 and 1 = the block index (64 bits; each block gives four 32-bit outputs);
/// - counter word 2 = the purpose (initialisation, data, dropout, ...);
/// - counter word 3 = a substream number chosen by the caller (a layer, a split, a worker, ...).
/// Two streams that differ in seed, purpose or substream therefore never share a counter: they are
/// independent, and a stream of one purpose is unaffected by how many numbers another one used.
///
/// Derived draws: `uniform()` takes the top 24 bits of one output (exact in Float32), `uniformDouble()`
/// 53 bits of two outputs, `int(below:)` uses Lemire's unbiased multiply-and-reject, and `normal()` uses
/// the Box-Muller transform in Float64 (through the platform's `log`, `cos` and `sin`).
public struct RNG: Sendable {
    /// What a stream is for. Each purpose is its own stream under the same seed.
    public enum Purpose: UInt32, Sendable, CaseIterable {
        case initialization = 1
        case data = 2
        case dropout = 3
        case other = 4
    }

    public let seed: UInt64
    public let purpose: Purpose
    public let substream: UInt32
    /// The next block to compute.
    public private(set) var blockIndex: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4
    private var spareNormal: Double? = nil

    public init(seed: UInt64, purpose: Purpose, substream: UInt32 = 0) {
        self.seed = seed
        self.purpose = purpose
        self.substream = substream
    }

    /// One Philox4x32-10 block: the four outputs for `counter` under `key`.
    public static func philox(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        let m0: UInt32 = 0xD251_1F53, m1: UInt32 = 0xCD9E_8D57
        let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                k0 = k0 &+ w0
                k1 = k1 &+ w1
            }
            let p0 = UInt64(m0) * UInt64(c0)
            let p1 = UInt64(m1) * UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    private mutating func refill() {
        let counter = (UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32),
                       purpose.rawValue, substream)
        let key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        buffer = RNG.philox(counter: counter, key: key)
        blockIndex &+= 1
        used = 0
    }

    /// 32 uniformly distributed random bits.
    public mutating func nextUInt32() -> UInt32 {
        if used == 4 { refill() }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// 64 uniformly distributed random bits (two outputs, the first as the high word).
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// A uniform Float in [0, 1), a multiple of 2^-24.
    public mutating func uniform() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// A uniform Double in [0, 1), a multiple of 2^-53.
    public mutating func uniformDouble() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// A uniform integer in 0..<bound (Lemire's method: no modulo bias).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= Int(UInt32.max), "int(below:) needs 0 < bound <= 2^32-1, got \(bound)")
        let range = UInt32(bound)
        var product = UInt64(nextUInt32()) * UInt64(range)
        var low = UInt32(truncatingIfNeeded: product)
        if low < range {
            let threshold = (0 &- range) % range
            while low < threshold {
                product = UInt64(nextUInt32()) * UInt64(range)
                low = UInt32(truncatingIfNeeded: product)
            }
        }
        return Int(product >> 32)
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// A standard normal draw (Box-Muller; the second value of each pair is kept for the next call).
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = uniformDouble()
        while u1 == 0 { u1 = uniformDouble() }
        let u2 = uniformDouble()
        let radius = (-2 * _log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * _sin(angle)
        return radius * _cos(angle)
    }

    /// Fills `count` values with normal draws of the given mean and standard deviation.
    public mutating func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, standardDeviation: Float = 1) {
        for i in 0..<count { out[i] = mean + standardDeviation * Float(normal()) }
    }

    /// Fills `count` values with uniform draws in [low, high).
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        for i in 0..<count { out[i] = low + (high - low) * uniform() }
    }

    /// Shuffles `array` in place (Fisher-Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(below: i + 1))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }
