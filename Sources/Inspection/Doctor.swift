import Foundation
import Runner
import Store
import Tensors

/// `ablate doctor`: what the numeric core runs on, measured, with a one-line fix for every problem.
public struct DoctorReport: Codable, Sendable {
    /// One line of the report.
    public struct Check: Codable, Sendable {
        public var name: String
        public var value: String
        /// False when this check is a problem.
        public var ok: Bool
        /// What to do about it, when it is a problem.
        public var fix: String?
        /// Something worth knowing although the check passed (a slower choice than the best one, ...).
        public var note: String?
    }

    public var checks: [Check]
    public var openBLASVersion: String
    public var kernel: String
    public var kernelChoice: String
    public var bestKernel: String?
    public var verified: Bool
    public var threads: Int
    public var cores: Int
    /// Measured sgemm throughput at `gemmSize`^3, one BLAS thread.
    public var gflopsOneThread: Double
    /// Measured sgemm throughput at `gemmSize`^3, one BLAS thread per core.
    public var gflopsAllCores: Double
    public var gemmSize: Int
    public var gnuplot: String?
    public var sqlite: String?
    public var swift: String
    public var cpu: String
    public var operatingSystem: String

    /// True when every check passed.
    public var ok: Bool { checks.allSatisfy(\.ok) }
}

public enum Doctor {
    /// Below this single-thread sgemm rate something is badly wrong (a generic kernel, a debug
    /// library, an overloaded machine): every current x86-64 or ARM core does several times better.
    public static let slowGFLOPS = 5.0

    /// Gathers the report. `threads` is the BLAS thread count to leave in place afterwards.
    public static func run(gemmSize: Int = 1024, threads: Int = 1) -> DoctorReport {
        let blas = BLAS.status
        var checks: [DoctorReport.Check] = []
        func add(_ name: String, _ value: String, ok: Bool = true, fix: String? = nil, note: String? = nil) {
            checks.append(.init(name: name, value: value, ok: ok, fix: ok ? nil : fix, note: note))
        }

        let cpu = SystemInfo.cpuModel()
        add("CPU", "\(cpu), \(SystemInfo.cores) cores")
        add("CPU features", blas.cpuFeatures.isEmpty ? "(not read on this architecture)" : blas.cpuFeatures)
        add("OS", SystemInfo.operatingSystem())
        add("Swift", "built with Swift \(SystemInfo.swiftVersion)")

        if blas.loaded {
            add("OpenBLAS", "\(blas.version.isEmpty ? blas.config : blas.version) (\(blas.libraryPath))")
            var kernelLine = "\(blas.kernel), \(blas.kernelChoice.rawValue)"
            if let best = blas.bestKernel, best.lowercased() != blas.kernel.lowercased() { kernelLine += "; best for this CPU: \(best)" }
            let kernelFix: String
            switch blas.kernelChoice {
            case .environment:
                kernelFix = "OPENBLAS_CORETYPE=\(blas.requestedKernel ?? "") forces a generic kernel: unset it (ablate then chooses \(blas.bestKernel ?? "the best kernel") itself)"
            case .preloaded:
                kernelFix = "OpenBLAS was loaded before ablate could choose its kernel: run with OPENBLAS_CORETYPE=\(blas.bestKernel ?? "SkylakeX")"
            default:
                kernelFix = "OpenBLAS did not take the kernel asked for: run with OPENBLAS_CORETYPE=\(blas.bestKernel ?? "Haswell") or install a newer libopenblas0"
            }
            var kernelNote: String? = nil
            if blas.kernelChoice == .environment, let best = blas.bestKernel, best.lowercased() != blas.kernel.lowercased() {
                kernelNote = "OPENBLAS_CORETYPE=\(blas.requestedKernel ?? blas.kernel) keeps OpenBLAS off \(best), which this CPU can run "
                    + "and which is usually faster; if the variable was set on purpose (some OpenBLAS builds misbehave on some CPUs), "
                    + "keep it; else compare with `env -u OPENBLAS_CORETYPE ablate doctor`, which measures \(best) and checks its results"
            }
            add("BLAS kernel", kernelLine, ok: !blas.kernelIsGeneric, fix: kernelFix, note: kernelNote)
            add("GEMM check", blas.verified
                    ? String(format: "OpenBLAS sgemm matches the naive GEMM (worst relative error %.1e)", blas.verificationError)
                    : "FAILED: \(blas.verificationFailure ?? "")",
                ok: blas.verified,
                fix: "this OpenBLAS kernel computes wrong results, ablate falls back to its slow built-in GEMM: try OPENBLAS_CORETYPE=Haswell, or another libopenblas0 build")
        } else {
            add("OpenBLAS", "not loaded: \(blas.loadError ?? "unknown error")", ok: false,
                fix: "install it: sudo apt-get install libopenblas-dev (ablate falls back to its slow built-in GEMM)")
        }

        add("Vector kernels", "\(VectorKernels.level.name) (softmax, layer norm, ReLU, bias gradients, Adam; the same results at every level)")
        switch GEMMPath.current {
        case .openBLAS:
            add("GEMM path", "openblas (results depend on the OpenBLAS kernel; ABLATE_GEMM=ordered gives the same bits on every CPU)")
        case .ordered:
            add("GEMM path", "ordered, ABLATE_GEMM=ordered (ablate's own GEMM on \(VectorKernels.level.name): the same bits on every CPU)")
        }

        let cores = SystemInfo.cores
        BLAS.setThreads(1)
        let one = measureGFLOPS(size: gemmSize)
        BLAS.setThreads(cores)
        let all = measureGFLOPS(size: gemmSize)
        BLAS.setThreads(threads)
        add("BLAS threads", blas.loaded ? "\(BLAS.threads) (set explicitly; \(cores) cores)" : "n/a (built-in GEMM, 1 thread)")
        add("sgemm \(gemmSize)^3, 1 thread", String(format: "%.1f GFLOP/s", one), ok: one >= slowGFLOPS,
            fix: "sgemm is far slower than any current CPU allows: check the BLAS kernel above and whether the machine is busy")
        add("sgemm \(gemmSize)^3, \(cores) threads", String(format: "%.1f GFLOP/s", all))

        let gnuplot = SystemInfo.gnuplotVersion()
        add("gnuplot", gnuplot ?? "not found", ok: gnuplot != nil, fix: "install it: sudo apt-get install gnuplot-nox")
        let sqlite = try? SQLiteInfo.version()
        add("SQLite", sqlite ?? "not usable", ok: sqlite != nil, fix: "install it: sudo apt-get install libsqlite3-dev")

        return DoctorReport(
            checks: checks, openBLASVersion: blas.version, kernel: blas.kernel, kernelChoice: blas.kernelChoice.rawValue,
            bestKernel: blas.bestKernel, verified: blas.verified, threads: BLAS.threads, cores: cores,
            gflopsOneThread: one, gflopsAllCores: all, gemmSize: gemmSize, gnuplot: gnuplot, sqlite: sqlite,
            swift: SystemInfo.swiftVersion, cpu: cpu, operatingSystem: SystemInfo.operatingSystem())
    }

    /// The median sgemm rate over several square products of `size` (after one warm-up product),
    /// with the BLAS threads currently set.
    public static func measureGFLOPS(size: Int, repeats: Int = 7) -> Double {
        let a = Tensor(shape: [size, size]), b = Tensor(shape: [size, size]), c = Tensor(shape: [size, size])
        var rng = RNG(seed: 1, purpose: .other)
        rng.fillUniform(a.data, count: a.count, low: -1, high: 1)
        rng.fillUniform(b.data, count: b.count, low: -1, high: 1)
        func product() {
            gemm(transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1,
                 a: a.data, lda: size, b: b.data, ldb: size, beta: 0, c: c.data, ldc: size)
        }
        product()
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            product()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        seconds.sort()
        let median = seconds[seconds.count / 2]
        return 2 * Double(size) * Double(size) * Double(size) / median / 1e9
    }
}
