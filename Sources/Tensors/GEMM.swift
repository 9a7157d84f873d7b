import CBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Row-major GEMM: C = alpha * op(A) * op(B) + beta * C, where op(A) is (M,K), op(B) is (K,N), C is (M,N).
// A is stored (M,K) with row stride lda, or (K,M) when transposeA; B is (K,N) with stride ldb, or (N,K)
// when transposeB. As in BLAS, beta == 0 overwrites C without reading it (NaN in C does not propagate).

/// Which implementation `gemm` runs, for the whole process: every matrix product of training,
/// evaluation and prediction (the sgemm peak of `doctor` and `bench` always measures OpenBLAS).
///
/// - `openblas` (the default): OpenBLAS, with the kernel chosen for the CPU (`BLAS.status`). Its sums
///   are ordered by the kernel, so results are the same bits only on machines that use the same kernel
///   (`blas_kernel` in a run's environment).
/// - `ordered`: ablate's own GEMM (`gemmOrdered`): every element summed in one defined order with fused
///   multiply-adds, so the same bits on every CPU with FMA, AVX-512 or AVX2 or neither; faster than
///   OpenBLAS on the experiment-size products (docs/performance.md).
///
/// Chosen by the environment variable ABLATE_GEMM when the process starts; each run records the path
/// it used (`gemm` in its environment) and `ablate reproduce` retrains a run on the path it recorded.
public enum GEMMPath: String, CaseIterable, Sendable {
    case openBLAS = "openblas"
    case ordered

    /// The environment variable that chooses the path.
    public static let environmentVariable = "ABLATE_GEMM"

    /// ABLATE_GEMM as the process started with it (nil when unset or empty).
    private static let environmentValue: String? = getenv(environmentVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }

    /// ABLATE_GEMM's value when it names no path (the executable refuses to start with it).
    public static var environmentProblem: String? {
        guard let value = environmentValue, GEMMPath(rawValue: value.lowercased()) == nil else { return nil }
        return "\(environmentVariable) must be one of \(allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(value)\""
    }

    // Set once at start or by `select` between runs, never while a GEMM runs.
    @usableFromInline nonisolated(unsafe) static var selected: GEMMPath = environmentValue.flatMap { GEMMPath(rawValue: $0.lowercased()) } ?? .openBLAS

    /// The path `gemm` runs now.
    public static var current: GEMMPath { selected }

    /// Makes `path` the one `gemm` runs (`ablate reproduce` retrains a run on its own).
    public static func select(_ path: GEMMPath) { selected = path }
}

/// GEMM on the selected `GEMMPath`: OpenBLAS (or the built-in kernel if OpenBLAS is missing or failed
/// verification), or the ordered GEMM.
@inlinable
public func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    checkGEMMShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    if m == 0 || n == 0 { return }
    if GEMMPath.selected == .ordered {
        gemmOrdered(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                    a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    if BLAS.useOpenBLAS {
        ablate_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                     a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    } else {
        gemmBuiltin(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// Sizes non-negative and leading dimensions large enough for op(A) (m,k), op(B) (k,n) and C (m,n).
@inlinable @inline(__always)
func checkGEMMShape(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm sizes must be non-negative")
    precondition(lda >= max(1, transposeA ? m : k) && ldb >= max(1, transposeB ? k : n) && ldc >= max(1, n), "gemm leading dimension too small")
}

/// The reference GEMM: one dot product per element of C, accumulated in Float32 in order of p.
/// It is the naive twin every fast GEMM is tested against, and the fallback when OpenBLAS is unusable.
public func gemmNaive(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += x * y
            }
            let old = c[i * ldc + j]
            c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * old
        }
    }
}

/// `batch` independent GEMMs of the same shape, the i-th reading A + i*strideA and B + i*strideB and
/// writing C + i*strideC: attention's per-(example, head) products.
///
/// Products of one row (m == 1: a vector times a matrix, as an RNN attention's context per example) and
/// of rank one (k == 1: an outer product) run as vector loops here (`gemmVectorLoops`): a BLAS call per
/// item would cost more than its arithmetic.
@inlinable
public func gemmBatched(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, strideA: Int,
    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    batch: Int
) {
    if m == 1 || k == 1 {
        checkGEMMShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        for i in 0..<batch {
            gemmVectorLoops(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta, c: c + i * strideC, ldc: ldc)
        }
        return
    }
    for i in 0..<batch {
        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
             a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta, c: c + i * strideC, ldc: ldc)
    }
}

/// The naive twin of `gemmBatched`.
public func gemmBatchedNaive(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, strideA: Int,
    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    batch: Int
) {
    for i in 0..<batch {
        gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                  a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta, c: c + i * strideC, ldc: ldc)
    }
}

/// The built-in GEMM used when OpenBLAS is missing or fails verification: the naive loops reordered so
/// that the innermost loop runs along contiguous rows of B and C (vectorisable), about ten times faster
/// than `gemmNaive` and far slower than OpenBLAS. Tested against `gemmNaive`.
public func gemmBuiltin(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if transposeB {
        // Each C[i, j] is a dot product of two contiguous rows.
        gemmNaive(transposeA: transposeA, transposeB: true, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else if beta != 1 {
            for j in 0..<n { row[j] *= beta }
        }
        for p in 0..<k {
            // C[i, :] += alpha * A[i, p] * B[p, :]
            let factor = alpha * (transposeA ? a[p * lda + i] : a[i * lda + p])
            let source = b + p * ldb
            for j in 0..<n { row[j] += factor * source[j] }
        }
    }
}

/// A GEMM with m == 1 or k == 1 as vector loops (`gemmBatched`'s fast path); tested against `gemmNaive`.
///
///     m == 1, B not transposed:  C[0, :] = alpha * sum_p A[0, p] * B[p, :] + beta * C    (vectors along n)
///     m == 1, B transposed:      C[0, j] = alpha * B[j, :] . A[0, :] + beta * C          (vectors along k)
///     k == 1:                    C[i, :] = alpha * A[i, 0] * B[0, :] + beta * C          (vectors along n)
public func gemmVectorLoops(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(m == 1 || k == 1, "gemmVectorLoops: m or k must be 1, got m \(m), k \(k)")
    let width = FloatVector.scalarCount
    // op(A)[i, p] and op(B)[p, j]
    @inline(__always) func elementA(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * lda + i] : a[i * lda + p] }
    @inline(__always) func elementB(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * ldb + p] : b[p * ldb + j] }
    // C row = beta * C row (beta == 0 overwrites, as BLAS)
    @inline(__always) func scaleRow(_ row: UnsafeMutablePointer<Float>) {
        if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
    }
    if m == 1 && transposeB {
        // each C[0, j] is a dot product of contiguous A and B rows (when A is not transposed)
        let full = k - k % width
        for j in 0..<n {
            let row = b + j * ldb
            var sum: Float
            if transposeA {
                sum = 0
                for p in 0..<k { sum += a[p * lda] * row[p] }
            } else {
                var sums = FloatVector()
                var p = 0
                while p < full { sums += loadVector(a + p) * loadVector(row + p); p += width }
                sum = horizontalSum(sums)
                while p < k { sum += a[p] * row[p]; p += 1 }
            }
            c[j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[j]
        }
        return
    }
    // C[i, :] (+)= factor * B row p, B rows contiguous along j when B is not transposed
    let full = n - n % width
    for i in 0..<m {
        let row = c + i * ldc
        scaleRow(row)
        for p in 0..<k {
            let factor = alpha * elementA(i, p)
            if transposeB {
                for j in 0..<n { row[j] += factor * elementB(p, j) }
                continue
            }
            let source = b + p * ldb, factors = FloatVector(repeating: factor)
            var j = 0
            while j < full { storeVector(loadVector(row + j) + factors * loadVector(source + j), row + j); j += width }
            while j < n { row[j] += factor * source[j]; j += 1 }
        }
    }
}
