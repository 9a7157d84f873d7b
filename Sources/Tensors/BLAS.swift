import CBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS, loaded on the kernel chosen for this CPU and verified before it is trusted.
///
/// Loading happens once, on the first GEMM or on the first call to `BLAS.status`:
/// 1. The best kernel the CPU and OS can run is read from CPUID and XGETBV (x86-64). If the user
///    has set `OPENBLAS_CORETYPE`, that choice is respected instead.
/// 2. OpenBLAS is opened with that kernel and one thread (`BLAS.setThreads` changes it later).
/// 3. Its `sgemm` is compared with the naive GEMM on random shapes, both transposes, alpha and beta.
///    If they disagree, every GEMM falls back to the built-in kernel and `status.verified` is false.
public enum BLAS {
    /// Where the kernel choice came from.
    public enum KernelChoice: String, Sendable {
        /// ablate chose it from the CPU's features.
        case cpuFeatures = "chosen from CPU features"
        /// The user's `OPENBLAS_CORETYPE`.
        case environment = "OPENBLAS_CORETYPE from the environment"
        /// OpenBLAS's own detection (architectures other than x86-64).
        case library = "detected by OpenBLAS"
        /// OpenBLAS was already loaded by something else; its kernel could not be chosen.
        case preloaded = "OpenBLAS was loaded before ablate could choose"
    }

    /// What was loaded and whether it can be trusted.
    public struct Status: Sendable {
        /// True when OpenBLAS was opened.
        public var loaded: Bool
        /// Why it could not be opened, when it was not.
        public var loadError: String?
        /// The shared object that was opened.
        public var libraryPath: String
        /// `openblas_get_config()`: version and build options.
        public var config: String
        /// The version number, e.g. "0.3.21".
        public var version: String
        /// The kernel OpenBLAS runs, e.g. "SkylakeX".
        public var kernel: String
        /// The kernel ablate asked for (nil when it did not ask).
        public var requestedKernel: String?
        /// The best kernel the CPU supports, by ablate's reading of CPUID (nil off x86-64).
        public var bestKernel: String?
        public var kernelChoice: KernelChoice
        /// The SIMD features usable on this CPU and OS.
        public var cpuFeatures: String
        /// True when OpenBLAS's sgemm matched the naive GEMM.
        public var verified: Bool
        /// The largest relative difference seen in verification.
        public var verificationError: Double
        /// The first failed verification case, when there was one.
        public var verificationFailure: String?

        /// True when GEMM runs on OpenBLAS (loaded and verified); false when on the built-in fallback.
        public var usingOpenBLAS: Bool { loaded && verified }

        /// The kernels OpenBLAS uses when it cannot identify a CPU: correct but several times slower.
        public static let genericKernels: Set<String> = ["prescott", "core2", "katmai", "coppermine", "northwood", "banias", "atom", "nano", "generic", "armv8"]

        /// True when the kernel is a generic fallback although the CPU supports a better one.
        public var kernelIsGeneric: Bool {
            guard loaded else { return false }
            let generic = Status.genericKernels.contains(kernel.lowercased())
            guard let best = bestKernel else { return generic }
            return generic && !Status.genericKernels.contains(best.lowercased())
        }
    }

    private static let loadedStatus: Status = load()

    /// Loads OpenBLAS if needed and returns what was loaded.
    public static var status: Status { loadedStatus }

    /// The number of threads OpenBLAS uses for one GEMM.
    public static var threads: Int {
        _ = loadedStatus
        return Int(ablate_blas_get_threads())
    }

    /// Sets the number of threads OpenBLAS uses for one GEMM (1 by default, so that parallel worker
    /// processes do not oversubscribe the cores).
    public static func setThreads(_ count: Int) {
        precondition(count >= 1, "BLAS threads must be at least 1")
        _ = loadedStatus
        ablate_blas_set_threads(Int32(count))
    }

    /// True when GEMM calls go to OpenBLAS.
    @usableFromInline static var useOpenBLAS: Bool { loadedStatus.usingOpenBLAS }

    private static func load() -> Status {
        let best = ablate_cpu_best_coretype().map { String(cString: $0) }
        var featureBuffer = [CChar](repeating: 0, count: 256)
        ablate_cpu_features(&featureBuffer, featureBuffer.count)
        let features = featureBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let userChoice = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }

        var errorBuffer = [CChar](repeating: 0, count: 512)
        let result = ablate_blas_load(best, 1, &errorBuffer, errorBuffer.count)
        var status = Status(
            loaded: result == 0, loadError: nil, libraryPath: "", config: "", version: "", kernel: "",
            requestedKernel: userChoice ?? best, bestKernel: best,
            kernelChoice: userChoice != nil ? .environment : (best != nil ? .cpuFeatures : .library),
            cpuFeatures: features, verified: false, verificationError: 0, verificationFailure: nil)
        guard result == 0 else {
            status.loadError = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return status
        }
        if ablate_blas_was_preloaded() != 0 { status.kernelChoice = .preloaded }
        status.libraryPath = String(cString: ablate_blas_path())
        status.config = String(cString: ablate_blas_config())
        status.kernel = String(cString: ablate_blas_corename())
        let words = status.config.split(separator: " ")
        if let index = words.firstIndex(of: "OpenBLAS"), index + 1 < words.count {
            status.version = String(words[index + 1])
        }
        let check = verifyOpenBLAS()
        status.verified = check.failure == nil
        status.verificationError = check.maxRelativeError
        status.verificationFailure = check.failure
        return status
    }

    /// Compares OpenBLAS's sgemm with a Float64 reference on shapes that reach its small-matrix and
    /// blocked paths, both transposes, alpha and beta.
    static func verifyOpenBLAS() -> (maxRelativeError: Double, failure: String?) {
        var rng = RNG(seed: 0x0AB1_A7E0, purpose: .other, substream: 0xB1A5)
        let shapes: [(Int, Int, Int)] = [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 64, 64), (67, 129, 257), (200, 31, 300), (5, 300, 2)]
        var worst = 0.0
        for (m, n, k) in shapes {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let alpha: Float = rng.uniform() < 0.5 ? 1 : 0.75
                let beta: Float = rng.uniform() < 0.5 ? 0 : -0.5
                let lda = (transposeA ? m : k) + 1, ldb = (transposeB ? k : n) + 2, ldc = n + 3
                let a = Tensor(shape: [(transposeA ? k : m) * lda])
                let b = Tensor(shape: [(transposeB ? n : k) * ldb])
                let c = Tensor(shape: [m * ldc])
                rng.fillUniform(a.data, count: a.count, low: -1, high: 1)
                rng.fillUniform(b.data, count: b.count, low: -1, high: 1)
                rng.fillUniform(c.data, count: c.count, low: -1, high: 1)
                let reference = c.clone()
                ablate_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                             a.data, Int32(lda), b.data, Int32(ldb), beta, c.data, Int32(ldc))
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            let x = Double(transposeA ? a.data[p * lda + i] : a.data[i * lda + p])
                            let y = Double(transposeB ? b.data[j * ldb + p] : b.data[p * ldb + j])
                            sum += x * y
                            magnitude += abs(x * y)
                        }
                        let old = Double(reference.data[i * ldc + j])
                        let expected = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * old)
                        let scale = Double(alpha) * magnitude + abs(Double(beta) * old) + 1e-30
                        let error = abs(Double(c.data[i * ldc + j]) - expected) / scale
                        worst = max(worst, error)
                        // Float32 accumulation over k terms: errors grow like k * 2^-24 at worst.
                        if !(error <= 1e-5 * Double(max(k, 16))) {
                            return (worst, "sgemm(\(m)x\(n)x\(k), transposeA \(transposeA), transposeB \(transposeB), alpha \(alpha), beta \(beta)) at [\(i),\(j)]: got \(c.data[i * ldc + j]), expected \(expected)")
                        }
                    }
                }
                // Elements of C outside the (M, N) block must be untouched.
                for i in 0..<m {
                    for j in n..<ldc where c.data[i * ldc + j] != reference.data[i * ldc + j] {
                        return (worst, "sgemm(\(m)x\(n)x\(k)) wrote outside C at [\(i),\(j)]")
                    }
                }
            }
        }
        return (worst, nil)
    }
}
