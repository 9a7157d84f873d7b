import CKernels

// The ordered GEMM: the same arguments and row-major conventions as `gemm` (C = alpha op(A) op(B) + beta C),
// with each element of C computed in one defined order so that the result does not depend on the CPU:
//
//     s = 0;  for p in 0..<k { s = fma(op(A)[i, p], op(B)[p, j], s) }     one accumulator, p in order
//     t = alpha * s                                                       (alpha == 1: t is s)
//     C[i, j] = beta == 0 ? t : fma(beta, C[i, j], t)                     (beta == 0 never reads C)
//
// and alpha == 0 reads neither A nor B (s = 0). The C kernels (AVX-512, AVX2, scalar; ablate_kernels.h has
// the full contract) and `gemmOrderedNaive` below give identical bits. Not wired into the layers: they
// still call `gemm` (OpenBLAS).

/// C = alpha op(A) op(B) + beta C in the ordered GEMM's order, on the instruction set in use
/// (`VectorKernels.level`). Shapes and leading dimensions as `gemm`.
///
/// The kernel reads op(B) as a (k, n) row-major matrix: with `transposeB` it first copies B into that
/// layout (n * k values). A caller multiplying many times by the same W^T (W stored (out, in)) can make the
/// copy once with `gemmOrderedTranspose` and pass it with `transposeB: false`, for the same bits.
@inlinable
public func gemmOrdered(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    checkGEMMShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    let result = ablate_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(n), Int64(k), alpha,
                             a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    precondition(result == 0, "gemmOrdered: out of memory for a work buffer (\(m) x \(n) x \(k))")
}

/// `gemmOrdered` on a given instruction set, whatever level is selected (tests and benchmarks compare
/// them). Returns false, computing nothing, when this CPU cannot run `level`.
@discardableResult
public func gemmOrdered(
    level: VectorKernels.Level,
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) -> Bool {
    checkGEMMShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    let result = ablate_gemm_at_level(Int32(level.rawValue), transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(n), Int64(k),
                                      alpha, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    precondition(result != -2, "gemmOrdered: out of memory for a work buffer (\(m) x \(n) x \(k))")
    return result == 0
}

/// out[p, j] = b[j, p] for j < n, p < k: B stored (n, k) with row stride ldb written as B^T, (k, n) with
/// row stride ldo >= n, the layout `gemmOrdered` takes with `transposeB: false` in place of B with
/// `transposeB: true` (the same bits). A copy: no value changes.
public func gemmOrderedTranspose(out: UnsafeMutablePointer<Float>, ldo: Int, b: UnsafePointer<Float>, ldb: Int, n: Int, k: Int) {
    precondition(n >= 0 && k >= 0 && ldo >= max(1, n) && ldb >= max(1, k), "gemmOrderedTranspose: bad sizes")
    ablate_gemm_transpose(out, Int64(ldo), b, Int64(ldb), Int64(n), Int64(k))
}

/// The scalar twin of `gemmOrdered`: the contract written as loops, one element at a time, with Swift's
/// fused multiply-add (`addingProduct`, rounded once). Every level of the C kernel must give its bits.
public func gemmOrderedNaive(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    checkGEMMShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    for i in 0..<m {
        for j in 0..<n {
            var s: Float = 0
            if alpha != 0 {
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    s = s.addingProduct(x, y)  // s + x * y, rounded once
                }
            }
            let t = alpha == 1 ? s : alpha * s
            c[i * ldc + j] = beta == 0 ? t : t.addingProduct(beta, c[i * ldc + j])
        }
    }
}
