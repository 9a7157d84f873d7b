import CKernels

/// The instruction set of the C row kernels (softmax, layer norm, ReLU, bias gradients, Adam; see
/// CKernels' header): AVX-512, AVX2 or baseline x86-64, chosen when the program loads from what the CPU
/// and OS support. The three give the same bits (16-lane vectors, the same operations in the same order,
/// no fused multiply-add), so the choice changes speed only; `doctor` shows it and every run records it.
/// The ordered GEMM (`gemmOrdered`) follows the same level and keeps the same promise (its multiply-adds
/// are fused, in one fixed order per element, on every level).
public enum VectorKernels {
    public enum Level: Int, CaseIterable, Sendable, Comparable {
        case baseline = 0, avx2 = 1, avx512 = 2

        /// "avx512", "avx2" or "baseline".
        public var name: String { String(cString: ablate_kernels_level_name(Int32(rawValue))) }

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// The level in use.
    public static var level: Level { Level(rawValue: Int(ablate_kernels_level())) ?? .baseline }

    /// The widest level this CPU and OS can run.
    public static var best: Level { Level(rawValue: Int(ablate_kernels_best_level())) ?? .baseline }

    /// The levels this CPU can run, baseline first.
    public static var available: [Level] { Level.allCases.filter { $0 <= best } }

    /// Uses `level` from now on (tests and benchmarks compare the levels); false when the CPU cannot
    /// run it. Not thread-safe: call it before any kernel runs concurrently.
    @discardableResult
    public static func select(_ level: Level) -> Bool { ablate_kernels_select(Int32(level.rawValue)) == 0 }
}
