// The ordered GEMM (see ablate_kernels.h): C = alpha op(A) op(B) + beta C with one fused multiply-add
// accumulator per element of C, run over p in order, so that every instruction set gives the same bits.
//
// The vector variants are register-blocked outer products: a tile of C (8 rows x 32 columns on AVX-512,
// 6 x 16 on AVX2) lives in accumulators, and each step p broadcasts op(A)[i, p] for the tile's rows and
// loads op(B)[p, j...] for its columns. Each lane of an accumulator is one element of C and sees the
// products in the order p = 0, 1, ..., k - 1, as the scalar twin does: the vector width decides how many
// elements advance together, never how one element's sum is formed. Nothing is packed: op(A) is read in
// place (a row or, transposed, a column), op(B) is read in place as rows of a (k, n) matrix; only a
// transposed B is first copied into that layout (see ablate_gemm_transpose).
#include "ablate_kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Every multiply-add below is written as one (fmaf or an FMA intrinsic); nothing else may be fused.
#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))
#define TARGET_AVX2 __attribute__((target("avx2,fma")))

/// One call's operands after op(B) has been made a (k, n) row-major matrix: a(i, p) is a[i * lda + p], or
/// a[p * lda + i] with transpose_a; b(p, j) is b[p * ldb + j].
///
/// A call split over k (see k_block) runs as several problems over consecutive ranges of p: `from`
/// (when not NULL) holds the sums of the earlier ranges, which the accumulators start from, and `partial`
/// (when not NULL) receives the sums instead of C, for the next range to continue. A float stored and
/// loaded back is the same float, so each element's chain of multiply-adds is the one of an unsplit call.
typedef struct {
    int64_t m, n, k;
    float alpha, beta;
    const float *a;
    int64_t lda;
    int transpose_a;
    const float *b;
    int64_t ldb;
    float *c;
    int64_t ldc;
    const float *from;
    int64_t ldf;
    float *partial;
    int64_t ldp;
} gemm_problem;

// MARK: - Scratch

// Per-thread buffers kept between calls: the copy of a transposed B and the partial sums of a call
// split over k. Each grows to the largest size asked for on its thread and is freed when the thread ends.
enum { SCRATCH_TRANSPOSED_B = 0, SCRATCH_PARTIAL_SUMS = 1, SCRATCH_SLOTS = 2 };
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
typedef struct { float *data[SCRATCH_SLOTS]; size_t capacity[SCRATCH_SLOTS]; } scratch_buffers;

static void scratch_free(void *p) {
    scratch_buffers *s = p;
    for (int i = 0; i < SCRATCH_SLOTS; i++) free(s->data[i]);
    free(s);
}
static void scratch_make_key(void) { pthread_key_create(&scratch_key, scratch_free); }

/// The thread's buffer `slot`, at least `count` floats, 64-byte aligned; NULL when memory is short.
static float *scratch(int slot, size_t count) {
    pthread_once(&scratch_once, scratch_make_key);
    scratch_buffers *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || pthread_setspecific(scratch_key, s) != 0) { free(s); return NULL; }
    }
    if (s->capacity[slot] < count) {
        free(s->data[slot]);
        size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
        s->data[slot] = aligned_alloc(64, bytes);
        s->capacity[slot] = s->data[slot] ? bytes / sizeof(float) : 0;
    }
    return s->data[slot];
}

// MARK: - Transposition (a copy: it changes no value, so any instruction set may do it)

/// out[p * ldo + j] = b[j * ldb + p] for j < n, p < k, in 8 x 8 blocks that stay in cache.
static void transpose_scalar(float *out, int64_t ldo, const float *b, int64_t ldb, int64_t n, int64_t k) {
    for (int64_t j0 = 0; j0 < n; j0 += 8) {
        int64_t j1 = j0 + 8 < n ? j0 + 8 : n;
        for (int64_t p0 = 0; p0 < k; p0 += 8) {
            int64_t p1 = p0 + 8 < k ? p0 + 8 : k;
            for (int64_t j = j0; j < j1; j++)
                for (int64_t p = p0; p < p1; p++) out[p * ldo + j] = b[j * ldb + p];
        }
    }
}

#if defined(__x86_64__)
/// The same in 16 x 16 blocks of registers; a partial block at the edges loads and stores masked lanes.
static TARGET_AVX512 void transpose_avx512(float *out, int64_t ldo, const float *b, int64_t ldb, int64_t n, int64_t k) {
    for (int64_t j0 = 0; j0 < n; j0 += 16) {
        int64_t rows = n - j0 < 16 ? n - j0 : 16;
        __mmask16 row_lanes = (__mmask16)((1u << rows) - 1);
        for (int64_t p0 = 0; p0 < k; p0 += 16) {
            int64_t cols = k - p0 < 16 ? k - p0 : 16;
            __mmask16 col_lanes = (__mmask16)((1u << cols) - 1);
            __m512 r[16], t[16];
            for (int i = 0; i < 16; i++)
                r[i] = i < rows ? _mm512_maskz_loadu_ps(col_lanes, b + (j0 + i) * ldb + p0) : _mm512_setzero_ps();
            // pairs of rows interleaved, then quadruples, then 128-bit lanes in two rounds
            for (int i = 0; i < 16; i += 2) {
                t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
                t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
            }
            for (int i = 0; i < 16; i += 4) {
                r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
                r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
                r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
            }
            for (int h = 0; h < 16; h += 8) {
                for (int i = 0; i < 4; i++) {
                    t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
                    t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xDD);
                }
            }
            for (int i = 0; i < 8; i++) {
                r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
                r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
            }
            for (int i = 0; i < 16; i++)
                if (i < cols) _mm512_mask_storeu_ps(out + (p0 + i) * ldo + j0, row_lanes, r[i]);
        }
    }
}

/// The same in 8 x 8 blocks; the edges go through transpose_scalar (AVX2's masked stores are slow on some CPUs).
static TARGET_AVX2 void transpose_avx2(float *out, int64_t ldo, const float *b, int64_t ldb, int64_t n, int64_t k) {
    int64_t n8 = n - n % 8, k8 = k - k % 8;
    for (int64_t j0 = 0; j0 < n8; j0 += 8) {
        for (int64_t p0 = 0; p0 < k8; p0 += 8) {
            __m256 r[8], t[8];
            for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(b + (j0 + i) * ldb + p0);
            for (int i = 0; i < 8; i += 2) {
                t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
                t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
            }
            for (int i = 0; i < 8; i += 4) {
                r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
                r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
            }
            for (int i = 0; i < 4; i++) {
                _mm256_storeu_ps(out + (p0 + i) * ldo + j0, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
                _mm256_storeu_ps(out + (p0 + i + 4) * ldo + j0, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
            }
        }
    }
    // the last columns of out (rows n8.. of b) for every p, then the last rows of out for the others
    if (n8 < n) transpose_scalar(out + n8, ldo, b + n8 * ldb, ldb, n - n8, k);
    if (k8 < k) transpose_scalar(out + k8 * ldo, ldo, b + k8, ldb, n8, k - k8);
}
#endif

// MARK: - Scalar (baseline x86-64 and any other CPU)

/// The contract written out: one row of C at a time, 64 accumulators along j, p in order. fmaf is
/// correctly rounded everywhere (in software where the CPU has no FMA), so this gives the vector bits.
static void gemm_scalar(const gemm_problem *g) {
    enum { W = 64 };
    float s[W];
    for (int64_t i = 0; i < g->m; i++) {
        for (int64_t j0 = 0; j0 < g->n; j0 += W) {
            int64_t w = g->n - j0 < W ? g->n - j0 : W;
            for (int64_t j = 0; j < w; j++) s[j] = g->from ? g->from[i * g->ldf + j0 + j] : 0;
            for (int64_t p = 0; p < g->k; p++) {
                float x = g->transpose_a ? g->a[p * g->lda + i] : g->a[i * g->lda + p];
                const float *row = g->b + p * g->ldb + j0;
                for (int64_t j = 0; j < w; j++) s[j] = fmaf(x, row[j], s[j]);
            }
            if (g->partial) {
                memcpy(g->partial + i * g->ldp + j0, s, (size_t)w * sizeof(float));
                continue;
            }
            float *c = g->c + i * g->ldc + j0;
            for (int64_t j = 0; j < w; j++) {
                float t = g->alpha == 1 ? s[j] : g->alpha * s[j];
                c[j] = g->beta == 0 ? t : fmaf(g->beta, c[j], t);
            }
        }
    }
}

#if defined(__x86_64__)

// MARK: - AVX-512: tiles of 8 rows x 32 columns

enum { MR512 = 8, NV512 = 2 };

/// The tile of C at rows i0 ..< i0 + MR, columns j0 ..< j0 + 16 NV, its last vector limited to the lanes
/// of `last` (columns past n are neither read nor written).
INLINE TARGET_AVX512 void tile_avx512(const int MR, const int NV, const int TA, const gemm_problem *g, int64_t i0,
                                      int64_t j0, __mmask16 last) {
    // Everything read from g first: the compiler must assume that stores through vector types change it.
    const int64_t k = g->k, lda = g->lda, ldb = g->ldb, ldc = g->ldc, ldf = g->ldf, ldp = g->ldp;
    const float alpha = g->alpha, beta = g->beta;
    const float *a = TA ? g->a + i0 : g->a + i0 * lda, *b = g->b + j0;
    const float *from = g->from ? g->from + i0 * ldf + j0 : NULL;
    float *partial = g->partial ? g->partial + i0 * ldp + j0 : NULL, *c = g->c + i0 * ldc + j0;
    __m512 s[MR512][NV512];
#define EACH for (int r = 0; r < MR; r++) for (int v = 0; v < NV; v++)
#define KEEP (v == NV - 1 ? last : (__mmask16)0xFFFF)
    if (from) EACH s[r][v] = _mm512_maskz_loadu_ps(KEEP, from + r * ldf + 16 * v);
    else EACH s[r][v] = _mm512_setzero_ps();
    for (int64_t p = 0; p < k; p++) {
        const float *row = b + p * ldb;
        __m512 y[NV512];
        for (int v = 0; v < NV; v++) y[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(last, row + 16 * v) : _mm512_loadu_ps(row + 16 * v);
        for (int r = 0; r < MR; r++) {
            __m512 x = _mm512_set1_ps(TA ? a[p * lda + r] : a[r * lda + p]);
            for (int v = 0; v < NV; v++) s[r][v] = _mm512_fmadd_ps(x, y[v], s[r][v]);
        }
    }
    if (partial) {
        EACH _mm512_mask_storeu_ps(partial + r * ldp + 16 * v, KEEP, s[r][v]);
    } else {
        __m512 alphas = _mm512_set1_ps(alpha), betas = _mm512_set1_ps(beta);
        EACH {
            float *out = c + r * ldc + 16 * v;
            __m512 t = alpha == 1 ? s[r][v] : _mm512_mul_ps(alphas, s[r][v]);
            if (beta != 0) t = _mm512_fmadd_ps(betas, _mm512_maskz_loadu_ps(KEEP, out), t);
            _mm512_mask_storeu_ps(out, KEEP, t);
        }
    }
#undef EACH
#undef KEEP
}

/// Rows i0 ..< i0 + MR of C, tile by tile along n.
INLINE TARGET_AVX512 void rows_avx512(const int MR, const int TA, const gemm_problem *g, int64_t i0) {
    int64_t j = 0;
    for (; j + 32 <= g->n; j += 32) tile_avx512(MR, 2, TA, g, i0, j, 0xFFFF);
    int64_t left = g->n - j;
    if (left > 16) tile_avx512(MR, 2, TA, g, i0, j, (__mmask16)((1u << (left - 16)) - 1));
    else if (left > 0) tile_avx512(MR, 1, TA, g, i0, j, (__mmask16)((1u << left) - 1));
}

INLINE TARGET_AVX512 void all_rows_avx512(const int TA, const gemm_problem *g) {
    int64_t i = 0;
    for (; i + MR512 <= g->m; i += MR512) rows_avx512(MR512, TA, g, i);
    switch (g->m - i) {
    case 7: rows_avx512(7, TA, g, i); break;
    case 6: rows_avx512(6, TA, g, i); break;
    case 5: rows_avx512(5, TA, g, i); break;
    case 4: rows_avx512(4, TA, g, i); break;
    case 3: rows_avx512(3, TA, g, i); break;
    case 2: rows_avx512(2, TA, g, i); break;
    case 1: rows_avx512(1, TA, g, i); break;
    default: break;
    }
}

static TARGET_AVX512 void gemm_avx512(const gemm_problem *g) {
    if (g->transpose_a) all_rows_avx512(1, g);
    else all_rows_avx512(0, g);
}

// MARK: - AVX2: tiles of 6 rows x 16 columns

enum { MR256 = 6, NV256 = 2 };

/// The first `count` (0...8) lanes set.
INLINE TARGET_AVX2 __m256i lanes_below(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

INLINE TARGET_AVX2 __m256 load8(const float *p, int masked, __m256i lanes) {
    return masked ? _mm256_maskload_ps(p, lanes) : _mm256_loadu_ps(p);
}

INLINE TARGET_AVX2 void store8(float *p, __m256 v, int masked, __m256i lanes) {
    if (masked) _mm256_maskstore_ps(p, lanes, v);
    else _mm256_storeu_ps(p, v);
}

/// As tile_avx512 with 8-lane vectors; `whole` says the last vector is whole, else `last` masks it.
INLINE TARGET_AVX2 void tile_avx2(const int MR, const int NV, const int TA, const int whole, const gemm_problem *g,
                                  int64_t i0, int64_t j0, __m256i last) {
    const int64_t k = g->k, lda = g->lda, ldb = g->ldb, ldc = g->ldc, ldf = g->ldf, ldp = g->ldp;
    const float alpha = g->alpha, beta = g->beta;
    const float *a = TA ? g->a + i0 : g->a + i0 * lda, *b = g->b + j0;
    const float *from = g->from ? g->from + i0 * ldf + j0 : NULL;
    float *partial = g->partial ? g->partial + i0 * ldp + j0 : NULL, *c = g->c + i0 * ldc + j0;
    __m256 s[MR256][NV256];
#define EACH for (int r = 0; r < MR; r++) for (int v = 0; v < NV; v++)
#define MASKED (v == NV - 1 && !whole)
    if (from) EACH s[r][v] = load8(from + r * ldf + 8 * v, MASKED, last);
    else EACH s[r][v] = _mm256_setzero_ps();
    for (int64_t p = 0; p < k; p++) {
        const float *row = b + p * ldb;
        __m256 y[NV256];
        for (int v = 0; v < NV; v++) y[v] = load8(row + 8 * v, MASKED, last);
        for (int r = 0; r < MR; r++) {
            __m256 x = _mm256_broadcast_ss(TA ? a + p * lda + r : a + r * lda + p);
            for (int v = 0; v < NV; v++) s[r][v] = _mm256_fmadd_ps(x, y[v], s[r][v]);
        }
    }
    if (partial) {
        EACH store8(partial + r * ldp + 8 * v, s[r][v], MASKED, last);
    } else {
        __m256 alphas = _mm256_set1_ps(alpha), betas = _mm256_set1_ps(beta);
        EACH {
            float *out = c + r * ldc + 8 * v;
            __m256 t = alpha == 1 ? s[r][v] : _mm256_mul_ps(alphas, s[r][v]);
            if (beta != 0) t = _mm256_fmadd_ps(betas, load8(out, MASKED, last), t);
            store8(out, t, MASKED, last);
        }
    }
#undef EACH
#undef MASKED
}

INLINE TARGET_AVX2 void rows_avx2(const int MR, const int TA, const gemm_problem *g, int64_t i0) {
    __m256i none = _mm256_setzero_si256();
    int64_t j = 0;
    for (; j + 16 <= g->n; j += 16) tile_avx2(MR, 2, TA, 1, g, i0, j, none);
    int64_t left = g->n - j;
    if (left > 8) tile_avx2(MR, 2, TA, 0, g, i0, j, lanes_below(left - 8));
    else if (left == 8) tile_avx2(MR, 1, TA, 1, g, i0, j, none);
    else if (left > 0) tile_avx2(MR, 1, TA, 0, g, i0, j, lanes_below(left));
}

INLINE TARGET_AVX2 void all_rows_avx2(const int TA, const gemm_problem *g) {
    int64_t i = 0;
    for (; i + MR256 <= g->m; i += MR256) rows_avx2(MR256, TA, g, i);
    switch (g->m - i) {
    case 5: rows_avx2(5, TA, g, i); break;
    case 4: rows_avx2(4, TA, g, i); break;
    case 3: rows_avx2(3, TA, g, i); break;
    case 2: rows_avx2(2, TA, g, i); break;
    case 1: rows_avx2(1, TA, g, i); break;
    default: break;
    }
}

static TARGET_AVX2 void gemm_avx2(const gemm_problem *g) {
    if (g->transpose_a) all_rows_avx2(1, g);
    else all_rows_avx2(0, g);
}

#endif

// MARK: - Entry points

/// The transposition on a level.
static void transpose_at_level(int level, float *out, int64_t ldo, const float *b, int64_t ldb, int64_t n, int64_t k) {
    switch (level) {
#if defined(__x86_64__)
    case ABLATE_KERNELS_AVX512: transpose_avx512(out, ldo, b, ldb, n, k); break;
    case ABLATE_KERNELS_AVX2: transpose_avx2(out, ldo, b, ldb, n, k); break;
#endif
    default: transpose_scalar(out, ldo, b, ldb, n, k); break;
    }
}

void ablate_gemm_transpose(float *out, int64_t ldo, const float *b, int64_t ldb, int64_t n, int64_t k) {
    transpose_at_level(ablate_kernels_level(), out, ldo, b, ldb, n, k);
}

/// The length of the ranges of p a call is split into (k when it is not split). Every tile of C reads
/// all the rows of op(B) of its range (kc x n floats). Up to 512 KB they stay in the level-2 cache from
/// one row of tiles to the next; beyond (the weight gradients' k = rows of 2048 and more), ranges of
/// about 128 KB do, for the price of storing and reloading the partial sums (measured on Zen 4 with
/// 1 MB of L2: 512 x 128 x 2048 went from 0.9 to 1.1 times OpenBLAS's rate).
static int64_t k_block(int64_t n, int64_t k) {
    const int64_t unsplit_bytes = 512 * 1024, range_bytes = 128 * 1024;
    int64_t row_bytes = n * (int64_t)sizeof(float);
    if (k * row_bytes <= unsplit_bytes) return k;
    int64_t kc = range_bytes / row_bytes / 16 * 16;
    return kc < 64 ? 64 : kc;
}

static void run_at_level(int level, const gemm_problem *g) {
    switch (level) {
#if defined(__x86_64__)
    case ABLATE_KERNELS_AVX512: gemm_avx512(g); break;
    case ABLATE_KERNELS_AVX2: gemm_avx2(g); break;
#endif
    default: gemm_scalar(g); break;
    }
}

int ablate_gemm_at_level(int level, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    if (level < ABLATE_KERNELS_BASELINE || level > ablate_kernels_best_level()) return -1;
    if (m <= 0 || n <= 0) return 0;
    // alpha == 0 reads neither A nor B: every sum is taken as 0 (as k == 0).
    if (alpha == 0) k = 0;
    gemm_problem g = {m, n, k, alpha, beta, a, lda, transpose_a != 0, b, ldb, c, ldc, NULL, 0, NULL, 0};
    if (transpose_b && k > 0) {
        float *bt = scratch(SCRATCH_TRANSPOSED_B, (size_t)n * (size_t)k);
        if (!bt) return -2;
        transpose_at_level(level, bt, n, b, ldb, n, k);
        g.b = bt;
        g.ldb = n;
    }
    int64_t kc = k_block(n, k);
    if (kc >= k) {
        run_at_level(level, &g);
        return 0;
    }
    // Split over p: the sums of each range continue from the previous range's, kept in C itself when
    // beta == 0 (its old values are not needed), else in a buffer (C's old values are read at the end).
    float *sums = beta == 0 ? c : scratch(SCRATCH_PARTIAL_SUMS, (size_t)m * (size_t)n);
    if (!sums) return -2;
    int64_t ld_sums = beta == 0 ? ldc : n;
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
        gemm_problem range = g;
        range.k = k - k0 < kc ? k - k0 : kc;
        range.a = transpose_a ? g.a + k0 * lda : g.a + k0;
        range.b = g.b + k0 * g.ldb;
        range.from = k0 == 0 ? NULL : sums;
        range.ldf = ld_sums;
        range.partial = k0 + range.k < k ? sums : NULL;
        range.ldp = ld_sums;
        run_at_level(level, &range);
    }
    return 0;
}

int ablate_gemm(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    return ablate_gemm_at_level(ablate_kernels_level(), transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta,
                                c, ldc);
}
