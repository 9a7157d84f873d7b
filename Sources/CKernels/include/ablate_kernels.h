// Row kernels written in C so that one binary can run them with the widest vectors the CPU has.
//
// Swift has no per-function target features: the Swift kernels are compiled for baseline x86-64 (SSE2)
// unless the whole build is made for a newer CPU. The kernels here are compiled three times (AVX-512,
// AVX2, baseline) and one set is chosen when the library loads, from the CPU's features and the state the
// OS saves (ablate_cpu_detect). All three perform the same operations in the same order on 16-lane
// vectors without fused multiply-add, so they give the same bits: the choice changes speed, not results.
// The ordered GEMM at the end follows the same level and the same promise by another route: every
// multiply-add fused, one accumulator per element of C, in a fixed order (see "Ordered GEMM").
#ifndef ABLATE_KERNELS_H
#define ABLATE_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets, in increasing order.
enum { ABLATE_KERNELS_BASELINE = 0, ABLATE_KERNELS_AVX2 = 1, ABLATE_KERNELS_AVX512 = 2 };

/// The instruction set in use (one of the values above).
int ablate_kernels_level(void);

/// The widest instruction set this CPU and OS can run.
int ablate_kernels_best_level(void);

/// Uses `level` from now on (for tests and benchmarks). Returns 0, or -1 (changing nothing) when the
/// CPU cannot run it. Not thread-safe: call it before starting work.
int ablate_kernels_select(int level);

/// "avx512", "avx2" or "baseline".
const char *ablate_kernels_level_name(int level);

/// out[i] = e^inp[i], the same function as Swift's `vectorExp` lane by lane (Cephes expf, no FMA).
void ablate_exp(float *out, const float *inp, int64_t count);

/// out[i] = tanh(inp[i]), Swift's `vectorTanh` lane by lane (a rational approximation, no FMA). out may be inp.
void ablate_tanh(float *out, const float *inp, int64_t count);

/// out[i] = 1 / (1 + e^-inp[i]), Swift's `vectorSigmoid` lane by lane. out may be inp.
void ablate_sigmoid(float *out, const float *inp, int64_t count);

/// Additive attention's scores for j < key_lengths[b] (key_lengths may be NULL: all keys), the rest
/// untouched: hidden[b, j, :] = tanh(projected_state[b, :] + projected_keys[b, j, :]),
/// scores[b, j] = v . hidden[b, j, :], the dot product summed in 8 lanes as Swift's vector loop sums it.
/// Shapes: hidden, projected_keys (batch, keys, size); scores (batch, keys); projected_state (batch, size).
void ablate_additive_scores_forward(float *hidden, float *scores, const float *projected_state, const float *projected_keys,
                                    const float *v, const int32_t *key_lengths, int64_t batch, int64_t keys, int64_t size);

/// The backward of ablate_additive_scores_forward, accumulating (+=) into d_state (batch, size), d_keys
/// (batch, keys, size) and dv (size): dv += dscore hidden; dpre = dscore v (1 - hidden^2) to both rows.
void ablate_additive_scores_backward(float *d_state, float *d_keys, float *dv, const float *d_scores, const float *hidden,
                                     const float *v, const int32_t *key_lengths, int64_t batch, int64_t keys, int64_t size);

/// One GRU row from its projections [r | z | n] (3 hidden values each, biases included): writes r, z, n
/// into gates (which may be input_projection) and h' = (1 - z) n + z h into new_state (hidden values).
void ablate_gru_forward(float *gates, float *new_state, const float *input_projection, const float *hidden_projection,
                        const float *state, int64_t hidden);

/// The backward of ablate_gru_forward for one row: writes (=) both projections' gradients (3 hidden
/// values each) and adds z dh' into d_state.
void ablate_gru_backward(float *d_input_projection, float *d_hidden_projection, float *d_state, const float *d_new_state,
                         const float *gates, const float *hidden_projection, const float *state, int64_t hidden);

/// Row softmax of scale * inp + mask over each row's first n columns, zeros after; a row whose kept
/// entries are all -infinity is all zeros. Row r keeps n = kept[r % kept_rows] columns (kept may be
/// NULL: n = cols) and adds mask row r % mask_rows (mask may be NULL). Values of kept must lie in
/// 0...cols (the caller checks). out may be inp. Shapes: inp and out (rows, cols).
void ablate_softmax_forward(float *out, const float *inp, const float *mask, int64_t mask_rows,
                            const int32_t *kept, int64_t kept_rows, float scale, int64_t rows, int64_t cols);

/// ablate_softmax_forward with every row taken one at a time through the general loop, whatever its width:
/// rows of up to 32 columns otherwise take a path that keeps each row in registers (the same bits;
/// the tests compare the two).
void ablate_softmax_forward_rows(float *out, const float *inp, const float *mask, int64_t mask_rows,
                                 const int32_t *kept, int64_t kept_rows, float scale, int64_t rows, int64_t cols);

/// Backward of the softmax over each row's first n columns (n as above):
/// dinp[r, c] += scale * out[r, c] * (dout[r, c] - sum_{k < n} dout[r, k] * out[r, k]) for c < n, the
/// other columns left as they are; without `accumulate`, written (=) for c < n and 0 after.
void ablate_softmax_backward(float *dinp, const float *dout, const float *out, const int32_t *kept,
                             int64_t kept_rows, float scale, int64_t rows, int64_t cols, int accumulate);

/// Row layer norm of x, or of x + f when f is given (the sum is then written to `summed`, which the
/// backward reads): out = (s - mean) / sqrt(var + epsilon) [* weight] [+ bias], mean and rstd per row.
/// weight and bias may be NULL. Shapes: x, f, summed, out (rows, cols); mean, rstd (rows).
void ablate_layer_norm_forward(float *out, float *summed, float *mean, float *rstd, const float *x, const float *f,
                               const float *weight, const float *bias, int64_t rows, int64_t cols, float epsilon);

/// Backward of the row layer norm: dinp = (or += with accumulate) rstd * (dnorm - mean(dnorm) - norm *
/// mean(dnorm * norm)), dnorm = dout [* weight]; dweight += dout * norm and dbias += dout when given.
void ablate_layer_norm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                const float *weight, const float *mean, const float *rstd, int64_t rows, int64_t cols,
                                int accumulate);

/// dbias[c] += sum_r dout[r, c], each column summed in row order. Shapes: dout (rows, cols), dbias (cols).
void ablate_add_bias_backward(float *dbias, const float *dout, int64_t rows, int64_t cols);

/// out = inp > 0 ? inp : 0. out may be inp.
void ablate_relu_forward(float *out, const float *inp, int64_t count);

/// dinp = (or += with accumulate) dout * [inp > 0]; dinp may be dout when not accumulating.
void ablate_relu_backward(float *dinp, const float *dout, const float *inp, int64_t count, int accumulate);

/// One Adam step per element (Training's adamUpdate has the definition and computes the scalars):
/// grad = g [+ l2 * p]; p *= shrink; m = b1 m + (1 - b1) grad; v = b2 v + (1 - b2) grad^2;
/// p -= step_size * m / (sqrt(v) / bias_correction2_root + eps). The same Float32 operations in the same
/// order as the scalar loop, so the same bits.
void ablate_adam(float *p, const float *g, float *m, float *v, int64_t count, float step_size, float b1,
                 float one_minus_b1, float b2, float one_minus_b2, float bias_correction2_root, float eps, float l2,
                 float shrink);

// MARK: Ordered GEMM
//
// A row-major GEMM whose every element of C is computed in one defined order, so that the AVX-512, the
// AVX2 and the scalar variant give identical bits on any CPU (unlike OpenBLAS, whose kernels split and
// reorder sums by CPU and by shape):
//
//     op(A) is (m, k): a(i, p) = A[i * lda + p], or A[p * lda + i] with transpose_a
//     op(B) is (k, n): b(p, j) = B[p * ldb + j], or B[j * ldb + p] with transpose_b
//     for each i < m, j < n:
//         s = 0;  for p = 0, 1, ..., k - 1 in order:  s = fmaf(a(i, p), b(p, j), s)
//         t = alpha * s                      (alpha == 1 gives s exactly)
//         C[i * ldc + j] = beta == 0 ? t : fmaf(beta, C[i * ldc + j], t)
//
// One accumulator per element, never split into partial sums that are added up afterwards (a long k is
// run in ranges, but the accumulator is stored between them and continued: the same chain of operations),
// every multiply-add fused (rounded once), alpha and beta applied once at the end. beta == 0 never reads
// C (NaN or garbage in C is overwritten); alpha == 0 reads neither A nor B (s is 0, as with k == 0).
// Elements of C past column n of a row (up to ldc) are neither read nor written. C must not overlap A or B.
// The bits are those of IEEE 754 single precision in the default environment (round to nearest, subnormals
// kept: no flush-to-zero), which is what the fused multiply-add instructions and libm's fmaf both give.
//
// The kernels read op(B) as a (k, n) row-major matrix. With transpose_b, B is first copied into that
// layout (cost n * k, into a per-thread buffer kept between calls); a caller that multiplies by the same
// transposed matrix many times (x W^T with W stored (out, in), the Linear layers' forward) can make the
// copy once with ablate_gemm_transpose and pass it with transpose_b = 0: the results are the same bits.

/// C = alpha op(A) op(B) + beta C as above, on the instruction set in use (ablate_kernels_level).
/// Sizes must be non-negative and lda >= (transpose_a ? m : k), ldb >= (transpose_b ? k : n), ldc >= n
/// (the caller checks). Returns 0, or -2 when a work buffer (for a transposed B, or for the partial sums
/// of a long k with beta != 0) could not be allocated; C is then unchanged.
int ablate_gemm(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/// ablate_gemm on a given level (tests and benchmarks compare them directly, whatever level is selected).
/// Returns -1, computing nothing, when this CPU cannot run the level.
int ablate_gemm_at_level(int level, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/// out[p * ldo + j] = b[j * ldb + p] for j < n, p < k: an (n, k) matrix B as the (k, n) matrix B^T, which
/// ablate_gemm takes with transpose_b = 0 in place of B with transpose_b = 1. ldo >= n.
void ablate_gemm_transpose(float *out, int64_t ldo, const float *b, int64_t ldb, int64_t n, int64_t k);

#ifdef __cplusplus
}
#endif

#endif
