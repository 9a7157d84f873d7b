// Row kernels compiled for AVX-512, AVX2 and baseline x86-64, chosen at load (see ablate_kernels.h).
#include "ablate_kernels.h"
#include "ablate_blas.h"

#include <math.h>
#include <string.h>

// No fused multiply-add: the three builds must round alike (see ablate_kernels.h).
#pragma clang fp contract(off)
// The 16-lane helpers are always inlined into the functions of each instruction set, so the
// calling-convention differences clang warns about never apply.
#pragma clang diagnostic ignored "-Wpsabi"

#define LANES 16
typedef float vf __attribute__((vector_size(64)));
typedef int32_t vi __attribute__((vector_size(64)));

#define INLINE static inline __attribute__((always_inline))

INLINE vf splat(float x) { return (vf){} + x; }
INLINE vf load(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
INLINE void store(float *p, vf v) { memcpy(p, &v, sizeof v); }
/// The first `count` (0...16) values, `fill` in the other lanes.
INLINE vf load_partial(const float *p, int64_t count, float fill) {
    float lanes[LANES];
    for (int i = 0; i < LANES; i++) lanes[i] = i < count ? p[i] : fill;
    return load(lanes);
}
INLINE void store_partial(float *p, vf v, int64_t count) {
    float lanes[LANES];
    store(lanes, v);
    for (int64_t i = 0; i < count; i++) p[i] = lanes[i];
}
/// A whole vector when count is 16, else the first count values and zeros.
INLINE vf load_partial_or_whole(const float *p, int64_t count) { return count == LANES ? load(p) : load_partial(p, count, 0); }
INLINE void store_partial_or_whole(float *p, vf v, int64_t count) {
    if (count == LANES) store(p, v); else store_partial(p, v, count);
}
/// Lanes where mask is set take a, the others b.
INLINE vf select(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }
/// Lanes at or after `count`.
INLINE vi lanes_from(int64_t count) {
    const vi index = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return index >= (int32_t)count;
}
/// a where b is not larger, else b (a NaN in a is kept), as Swift's lanewiseMax.
INLINE vf lanewise_max(vf a, vf b) { return select(b > a, b, a); }
/// The sum of the lanes, halves first: the same order whatever the instruction set.
INLINE float horizontal_sum(vf x) {
    typedef float v8 __attribute__((vector_size(32)));
    typedef float v4 __attribute__((vector_size(16)));
    v8 a = __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15);
    v4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}
INLINE float horizontal_max(vf x) {
    typedef float v8 __attribute__((vector_size(32)));
    typedef int32_t i8 __attribute__((vector_size(32)));
    v8 lo = __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7), hi = __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15);
    i8 take = hi > lo;
    v8 a = (v8)(((i8)hi & take) | ((i8)lo & ~take));
    float m = a[0];
    for (int i = 1; i < 8; i++) m = a[i] > m ? a[i] : m;
    return m;
}

/// e^x per lane: Swift's vectorExp operation for operation (Cephes expf; 2^n as two factors so that
/// results below the smallest normal number underflow gradually; 0 below -104; e^88.3 above 88.3).
INLINE vf exp16(vf x) {
    vi too_small = x < -104.0f;
    vf clamped = select(too_small, splat(-104.0f), x);
    clamped = select(x > 88.3f, splat(88.3f), clamped);
    const float magic = 12582912.0f;
    vf shifted = clamped * 1.44269504f + magic;
    vf n = shifted - magic;
    vf r = clamped - n * 0.693359375f + n * 2.1219444e-4f;
    vf p = splat(1.98756915e-4f);
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    p = p * (r * r) + r + 1.0f;
    vi n_bits = (vi)shifted - (vi)splat(magic);
    vi half = n_bits >> 1;
    vf scale1 = (vf)((half + 127) << 23);
    vf scale2 = (vf)((n_bits - half + 127) << 23);
    return select(too_small, splat(0.0f), p * scale1 * scale2);
}

INLINE void exp_body(float *out, const float *inp, int64_t count) {
    int64_t i = 0;
    for (; i + LANES <= count; i += LANES) store(out + i, exp16(load(inp + i)));
    if (i < count) store_partial(out + i, exp16(load_partial(inp + i, count - i, 0)), count - i);
}

/// The last, partial vector of a row (count < 16 values at p). `whole` says that 16 values from p lie
/// inside the buffer (the rest of the row and the next rows): they are then read as one vector (the
/// caller masks the lanes past count), else only count values, with `fill` after them.
INLINE vf load_tail(const float *p, int64_t count, int whole, float fill) {
    return whole ? load(p) : load_partial(p, count, fill);
}

/// Stores the first count lanes of v at p. `in_row`: the 16 lanes lie inside the row (whatever follows
/// count is the caller's to overwrite); else `whole`: they lie inside the buffer, and the lanes past
/// count are written back as they were (the next row's values); else lane by lane.
INLINE void store_tail(float *p, vf v, int64_t count, int in_row, int whole) {
    if (in_row) store(p, v);
    else if (whole) store(p, select(lanes_from(count), load(p), v));
    else store_partial(p, v, count);
}

/// One row: z = scale * x + m over the first n columns, softmax, zeros after. room and mask_room are
/// the values from the row's start (of x and y, and of m) to the end of their buffers.
INLINE void softmax_row(float *y, const float *x, const float *m, float scale, int64_t n, int64_t cols,
                        int64_t room, int64_t mask_room) {
    int64_t full = n - n % LANES, tail = n - full, c;
    vf maxima = splat(-INFINITY);
    for (c = 0; c < full; c += LANES) {
        vf z = scale * load(x + c);
        if (m) z = z + load(m + c);
        store(y + c, z);
        maxima = lanewise_max(maxima, z);
    }
    // the last, partial vector: lanes past n are -infinity (and become 0); when it lies inside the row
    // it is stored whole, and the row's zeros start after it
    int in_row = c + LANES <= cols, whole = c + LANES <= room;
    vi past = lanes_from(tail);
    if (tail > 0) {
        vf z = scale * load_tail(x + c, tail, whole, 0);
        if (m) z = z + load_tail(m + c, tail, c + LANES <= mask_room, 0);
        z = select(past, splat(-INFINITY), z);
        store_tail(y + c, z, tail, in_row, whole);
        maxima = lanewise_max(maxima, z);
    }
    int64_t written = tail > 0 && in_row ? c + LANES : n;
    float max_value = horizontal_max(maxima);
    if (max_value == -INFINITY) {
        memset(y, 0, (size_t)cols * sizeof(float));
        return;
    }
    vf top = splat(max_value), sums = splat(0);
    for (c = 0; c < full; c += LANES) {
        vf e = exp16(load(y + c) - top);
        store(y + c, e);
        sums = sums + e;
    }
    if (tail > 0) {
        vf e = exp16(select(past, splat(-INFINITY), load_tail(y + c, tail, whole, 0) - top));
        store_tail(y + c, e, tail, in_row, whole);
        sums = sums + e;
    }
    vf inverse = splat(1.0f / horizontal_sum(sums));  // >= 1: the maximum contributes exp(0) = 1
    for (c = 0; c < full; c += LANES) store(y + c, load(y + c) * inverse);
    if (tail > 0) store_tail(y + c, load_tail(y + c, tail, whole, 0) * inverse, tail, in_row, whole);
    if (written < cols) memset(y + written, 0, (size_t)(cols - written) * sizeof(float));
}

/// Rows of at most 32 columns (attention's scores at experiment size): softmax_row's operations on at most
/// two vectors held in registers, so the same bits (the first 16 columns, then the rest; a vector is
/// whole when the row keeps all of its columns, else its lanes past the kept count are -infinity, as
/// softmax_row's whole and partial vectors). The results of up to 64 rows are staged in an aligned buffer
/// and then copied out: a row's store never overlaps the next row's load (rows of 12 or 26 values are not
/// 64 bytes apart, and a store that overlaps a later load stalls it), and out may still be inp.
INLINE void softmax_short_rows(float *out, const float *inp, const float *mask, int64_t mask_rows, const int32_t *kept,
                               int64_t kept_rows, float scale, int64_t rows, int64_t cols) {
    enum { CHUNK = 64 };
    float staged[CHUNK * 2 * LANES] __attribute__((aligned(64)));
    for (int64_t r0 = 0; r0 < rows; r0 += CHUNK) {
        int64_t count = rows - r0 < CHUNK ? rows - r0 : CHUNK;
        for (int64_t i = 0; i < count; i++) {
            int64_t r = r0 + i;
            int64_t n = kept ? kept[r % kept_rows] : cols;
            int64_t first = n < LANES ? n : LANES, second = n - first;  // kept columns in each vector
            const float *x = inp + r * cols;
            int64_t room = (rows - r) * cols;  // values from x to the end of the buffer
            vf z0 = scale * (room >= LANES ? load(x) : load_partial(x, cols, 0)), z1 = splat(0);
            if (second > 0) z1 = scale * (room >= 2 * LANES ? load(x + LANES) : load_partial(x + LANES, cols - LANES, 0));
            if (mask) {
                const float *m = mask + (r % mask_rows) * cols;
                int64_t mask_room = (mask_rows - r % mask_rows) * cols;
                z0 = z0 + (mask_room >= LANES ? load(m) : load_partial(m, cols, 0));
                if (second > 0) z1 = z1 + (mask_room >= 2 * LANES ? load(m + LANES) : load_partial(m + LANES, cols - LANES, 0));
            }
            vi past0 = lanes_from(first), past1 = lanes_from(second);
            z0 = select(past0, splat(-INFINITY), z0);
            vf maxima = lanewise_max(splat(-INFINITY), z0);
            if (second > 0) {
                z1 = select(past1, splat(-INFINITY), z1);
                maxima = lanewise_max(maxima, z1);
            }
            float max_value = horizontal_max(maxima);
            vf y0 = splat(0), y1 = splat(0);
            if (max_value != -INFINITY) {
                vf top = splat(max_value);
                vf e0 = exp16(select(past0, splat(-INFINITY), z0 - top)), e1 = splat(0);
                vf sums = splat(0) + e0;
                if (second > 0) {
                    e1 = exp16(select(past1, splat(-INFINITY), z1 - top));
                    sums = sums + e1;
                }
                vf inverse = splat(1.0f / horizontal_sum(sums));
                y0 = e0 * inverse;  // lanes past n are exp16(-inf) * inverse = 0
                if (second > 0) y1 = e1 * inverse;
            }
            store(staged + i * 2 * LANES, y0);
            store(staged + i * 2 * LANES + LANES, y1);
        }
        for (int64_t i = 0; i < count; i++) memcpy(out + (r0 + i) * cols, staged + i * 2 * LANES, (size_t)cols * sizeof(float));
    }
}

/// Every row through softmax_row, whatever its width (the tests compare softmax_short_rows with it).
INLINE void softmax_forward_rows_body(float *out, const float *inp, const float *mask, int64_t mask_rows,
                                      const int32_t *kept, int64_t kept_rows, float scale, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; r++) {
        int64_t n = kept ? kept[r % kept_rows] : cols;
        const float *m = mask ? mask + (r % mask_rows) * cols : NULL;
        softmax_row(out + r * cols, inp + r * cols, m, scale, n, cols, (rows - r) * cols,
                    mask ? (mask_rows - r % mask_rows) * cols : 0);
    }
}

INLINE void softmax_forward_body(float *out, const float *inp, const float *mask, int64_t mask_rows,
                                 const int32_t *kept, int64_t kept_rows, float scale, int64_t rows, int64_t cols) {
    if (cols <= 2 * LANES) softmax_short_rows(out, inp, mask, mask_rows, kept, kept_rows, scale, rows, cols);
    else softmax_forward_rows_body(out, inp, mask, mask_rows, kept, kept_rows, scale, rows, cols);
}

INLINE void softmax_backward_body(float *dinp, const float *dout, const float *out, const int32_t *kept,
                                  int64_t kept_rows, float scale, int64_t rows, int64_t cols, int accumulate) {
    for (int64_t r = 0; r < rows; r++) {
        int64_t n = kept ? kept[r % kept_rows] : cols;
        const float *p = out + r * cols, *g = dout + r * cols;
        float *d = dinp + r * cols;
        int64_t full = n - n % LANES, tail = n - full, c;
        vi past = lanes_from(tail);
        vf dots = splat(0);
        for (c = 0; c < full; c += LANES) dots = dots + load(g + c) * load(p + c);
        int in_row = c + LANES <= cols, whole = c + LANES <= (rows - r) * cols;
        if (tail > 0) dots = dots + select(past, splat(0), load_tail(g + c, tail, whole, 0) * load_tail(p + c, tail, whole, 0));
        float dot = horizontal_sum(dots);
        for (c = 0; c < full; c += LANES) {
            vf dc = scale * load(p + c) * (load(g + c) - dot);
            store(d + c, accumulate ? load(d + c) + dc : dc);
        }
        if (tail > 0) {
            vf dc = scale * load_tail(p + c, tail, whole, 0) * (load_tail(g + c, tail, whole, 0) - dot);
            vf kept_part = accumulate ? load_tail(d + c, tail, whole, 0) : splat(0);
            // accumulating, the lanes past n keep dinp's values even inside the row
            store_tail(d + c, select(past, kept_part, accumulate ? kept_part + dc : dc), tail, in_row && !accumulate, whole);
        }
        int64_t written = tail > 0 && in_row && !accumulate ? c + LANES : n;
        if (!accumulate && written < cols) memset(d + written, 0, (size_t)(cols - written) * sizeof(float));
    }
}

/// Row layer norm, optionally of x + f (the residual sum, written to `summed`): out = (s - mean) * rstd
/// [* weight] [+ bias], with mean and rstd kept per row.
INLINE void layer_norm_forward_body(float *out, float *summed, float *mean, float *rstd, const float *x, const float *f,
                                    const float *weight, const float *bias, int64_t rows, int64_t cols, float epsilon) {
    int64_t full = cols - cols % LANES, tail = cols - full, c;
    float n = (float)cols;
    vi past = lanes_from(tail);
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *y = out + r * cols;
        if (f) {
            // s = x + f, stored, and then normalised like any input
            const float *fr = f + r * cols;
            float *sr = summed + r * cols;
            for (c = 0; c < full; c += LANES) store(sr + c, load(xr + c) + load(fr + c));
            for (; c < cols; c++) sr[c] = xr[c] + fr[c];
            xr = sr;
        }
        vf sums = splat(0);
        for (c = 0; c < full; c += LANES) sums = sums + load(xr + c);
        if (tail) sums = sums + load_partial(xr + c, tail, 0);
        float m = horizontal_sum(sums) / n;
        vf squares = splat(0);
        for (c = 0; c < full; c += LANES) { vf d = load(xr + c) - m; squares = squares + d * d; }
        if (tail) { vf d = select(past, splat(0), load_partial(xr + c, tail, 0) - m); squares = squares + d * d; }
        float scale = 1.0f / sqrtf(horizontal_sum(squares) / n + epsilon);
        for (c = 0; c < cols; c += LANES) {
            int64_t count = cols - c < LANES ? cols - c : LANES;
            vf v = (load_partial_or_whole(xr + c, count) - m) * scale;
            if (weight) v = v * load_partial_or_whole(weight + c, count);
            if (bias) v = v + load_partial_or_whole(bias + c, count);
            store_partial_or_whole(y + c, v, count);
        }
        mean[r] = m;
        rstd[r] = scale;
    }
}

/// Backward of the row layer norm: dinp (+)= rstd * (dnorm - mean(dnorm) - norm * mean(dnorm * norm)),
/// dnorm = dout [* weight]; dweight += dout * norm, dbias += dout (each may be NULL).
INLINE void layer_norm_backward_body(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                     const float *weight, const float *mean, const float *rstd, int64_t rows, int64_t cols,
                                     int accumulate) {
    int64_t c;
    float n = (float)cols;
    for (int64_t r = 0; r < rows; r++) {
        const float *x = inp + r * cols, *g = dout + r * cols;
        float *d = dinp + r * cols;
        float m = mean[r], scale = rstd[r];
        vf dnorm_sums = splat(0), dnorm_norm_sums = splat(0);
        for (c = 0; c < cols; c += LANES) {
            int64_t count = cols - c < LANES ? cols - c : LANES;
            vi past = lanes_from(count);
            vf norm = select(past, splat(0), (load_partial_or_whole(x + c, count) - m) * scale);
            vf dnorm = load_partial_or_whole(g + c, count);
            if (weight) dnorm = dnorm * load_partial_or_whole(weight + c, count);
            dnorm = select(past, splat(0), dnorm);
            dnorm_sums = dnorm_sums + dnorm;
            dnorm_norm_sums = dnorm_norm_sums + dnorm * norm;
        }
        float dnorm_mean = horizontal_sum(dnorm_sums) / n, dnorm_norm_mean = horizontal_sum(dnorm_norm_sums) / n;
        for (c = 0; c < cols; c += LANES) {
            int64_t count = cols - c < LANES ? cols - c : LANES;
            vf gc = load_partial_or_whole(g + c, count);
            vf norm = (load_partial_or_whole(x + c, count) - m) * scale;
            if (dbias) store_partial_or_whole(dbias + c, load_partial_or_whole(dbias + c, count) + gc, count);
            if (dweight) store_partial_or_whole(dweight + c, load_partial_or_whole(dweight + c, count) + gc * norm, count);
            vf dnorm = weight ? gc * load_partial_or_whole(weight + c, count) : gc;
            vf dc = scale * (dnorm - dnorm_mean - norm * dnorm_norm_mean);
            store_partial_or_whole(d + c, accumulate ? load_partial_or_whole(d + c, count) + dc : dc, count);
        }
    }
}

/// dbias[c] += sum over rows of dout[r, c], each column summed in row order.
INLINE void add_bias_backward_body(float *dbias, const float *dout, int64_t rows, int64_t cols) {
    int64_t c = 0;
    for (; c + 4 * LANES <= cols; c += 4 * LANES) {
        vf a0 = load(dbias + c), a1 = load(dbias + c + LANES), a2 = load(dbias + c + 2 * LANES), a3 = load(dbias + c + 3 * LANES);
        for (int64_t r = 0; r < rows; r++) {
            const float *g = dout + r * cols + c;
            a0 = a0 + load(g); a1 = a1 + load(g + LANES); a2 = a2 + load(g + 2 * LANES); a3 = a3 + load(g + 3 * LANES);
        }
        store(dbias + c, a0); store(dbias + c + LANES, a1); store(dbias + c + 2 * LANES, a2); store(dbias + c + 3 * LANES, a3);
    }
    for (; c < cols; c += LANES) {
        int64_t count = cols - c < LANES ? cols - c : LANES;
        vf a = load_partial_or_whole(dbias + c, count);
        for (int64_t r = 0; r < rows; r++) a = a + load_partial_or_whole(dout + r * cols + c, count);
        store_partial_or_whole(dbias + c, a, count);
    }
}

/// out = inp > 0 ? inp : 0 (NaN gives 0).
INLINE void relu_forward_body(float *out, const float *inp, int64_t count) {
    for (int64_t i = 0; i < count; i += LANES) {
        int64_t k = count - i < LANES ? count - i : LANES;
        vf x = load_partial_or_whole(inp + i, k);
        store_partial_or_whole(out + i, select(x > 0.0f, x, splat(0)), k);
    }
}

/// dinp (+)= dout * [inp > 0]; dinp may be dout when not accumulating.
INLINE void relu_backward_body(float *dinp, const float *dout, const float *inp, int64_t count, int accumulate) {
    for (int64_t i = 0; i < count; i += LANES) {
        int64_t k = count - i < LANES ? count - i : LANES;
        vf g = select(load_partial_or_whole(inp + i, k) > 0.0f, load_partial_or_whole(dout + i, k), splat(0));
        store_partial_or_whole(dinp + i, accumulate ? load_partial_or_whole(dinp + i, k) + g : g, k);
    }
}

/// One Adam / AdamW step per element, the same Float32 operations in the same order as the scalar loop
/// it replaces (so the same bits): see Training's `adamUpdate`.
INLINE void adam_body(float *p, const float *g, float *m, float *v, int64_t count, float step_size, float b1,
                      float one_minus_b1, float b2, float one_minus_b2, float bias_correction2_root, float eps,
                      float l2, float shrink) {
    for (int64_t i = 0; i < count; i += LANES) {
        int64_t k = count - i < LANES ? count - i : LANES;
        vf grad = load_partial_or_whole(g + i, k), value = load_partial_or_whole(p + i, k);
        if (l2 != 0) grad = grad + l2 * value;
        if (shrink != 1) value = value * shrink;
        vf mi = b1 * load_partial_or_whole(m + i, k) + one_minus_b1 * grad;
        vf vi = b2 * load_partial_or_whole(v + i, k) + one_minus_b2 * grad * grad;
        store_partial_or_whole(m + i, mi, k);
        store_partial_or_whole(v + i, vi, k);
        vf denominator = __builtin_elementwise_sqrt(vi) / bias_correction2_root + eps;
        store_partial_or_whole(p + i, value - step_size * mi / denominator, k);
    }
}

/// The float whose bits are `bits` (the constants below are Swift's Float literals, bit for bit).
INLINE float from_bits(uint32_t bits) { float f; memcpy(&f, &bits, sizeof f); return f; }

/// tanh per lane: Swift's vectorTanh operation for operation (Eigen's rational x P(x^2) / Q(x^2) on x
/// clamped to +-7.9053, x itself for |x| < 0.0004).
INLINE vf tanh16(vf x) {
    const float bound = from_bits(0x40fcf84fu);
    vf clamped = select(x > bound, splat(bound), x);
    clamped = select(x < -bound, splat(-bound), clamped);
    vf z = clamped * clamped;
    vf p = splat(from_bits(0xa59f25c0u));
    p = p * z + from_bits(0x2a61337eu);
    p = p * z - from_bits(0x2ebd37ffu);
    p = p * z + from_bits(0x335c0041u);
    p = p * z + from_bits(0x3779434au);
    p = p * z + from_bits(0x3a270dedu);
    p = p * z + from_bits(0x3ba059dcu);
    p = p * clamped;
    vf q = splat(from_bits(0x35a0d3d8u));
    q = q * z + from_bits(0x38f895d6u);
    q = q * z + from_bits(0x3b14aa05u);
    q = q * z + from_bits(0x3ba059ddu);
    const float small = from_bits(0x39d1b717u);
    vi tiny = (x < small) & (x > -small);
    return select(tiny, x, p / q);
}

/// The logistic sigmoid per lane: Swift's vectorSigmoid, 1 / (1 + e) for x >= 0 and e / (1 + e) below,
/// e = exp(-|x|).
INLINE vf sigmoid16(vf x) {
    vi negative = x < 0.0f;
    vf e = exp16(select(negative, x, -x));
    vf d = 1.0f / (1.0f + e);
    return select(negative, e * d, d);
}

/// out[i] = f(inp[i]): whole vectors, then one partial vector. out may be inp.
#define MAP_BODY(f)                                                                                     \
    int64_t i = 0;                                                                                      \
    for (; i + LANES <= count; i += LANES) store(out + i, f(load(inp + i)));                            \
    if (i < count) store_partial(out + i, f(load_partial(inp + i, count - i, 0)), count - i);

INLINE void tanh_body(float *out, const float *inp, int64_t count) { MAP_BODY(tanh16) }
INLINE void sigmoid_body(float *out, const float *inp, int64_t count) { MAP_BODY(sigmoid16) }

typedef float vf8 __attribute__((vector_size(32)));
INLINE vf8 low8(vf x) { return __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7); }
INLINE vf8 high8(vf x) { return __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15); }
/// The sum of 8 lanes in Swift's horizontalSum order: ((0+4)+(2+6)) + ((1+5)+(3+7)).
INLINE float horizontal_sum8(vf8 x) {
    typedef float v4 __attribute__((vector_size(16)));
    v4 a = __builtin_shufflevector(x, x, 0, 1, 2, 3) + __builtin_shufflevector(x, x, 4, 5, 6, 7);
    return (a[0] + a[2]) + (a[1] + a[3]);
}

/// The number of real keys of row b (key_lengths NULL: all).
INLINE int64_t valid_keys(const int32_t *key_lengths, int64_t b, int64_t keys) {
    return key_lengths ? key_lengths[b] : keys;
}

/// Additive attention's scores (Layers' additiveScoresForward): hidden = tanh(state row + key row),
/// score = v . hidden, the dot product summed as Swift's 8-lane loop sums it (lane l of an 8-lane
/// accumulator takes elements l, l + 8, ... in order, then horizontal_sum8), so the bits are the same.
INLINE void additive_scores_forward_body(float *hidden, float *scores, const float *projected_state,
                                         const float *projected_keys, const float *v, const int32_t *key_lengths,
                                         int64_t batch, int64_t keys, int64_t size) {
    const int64_t A = size;
    for (int64_t b = 0; b < batch; b++) {
        int64_t valid = valid_keys(key_lengths, b, keys);
        const float *state_row = projected_state + b * A;
        for (int64_t j = 0; j < valid; j++) {
            float *row = hidden + (b * keys + j) * A;
            const float *key_row = projected_keys + (b * keys + j) * A;
            vf8 sums = {0};
            int64_t a = 0;
            for (; a + LANES <= A; a += LANES) {
                vf value = tanh16(load(state_row + a) + load(key_row + a));
                store(row + a, value);
                vf product = load(v + a) * value;
                sums = sums + low8(product);
                sums = sums + high8(product);
            }
            int64_t rest = A - a;
            if (rest > 0) {
                vf value = tanh16(load_partial(state_row + a, rest, 0) + load_partial(key_row + a, rest, 0));
                store_partial(row + a, value, rest);
                vf product = load_partial(v + a, rest, 0) * value;
                sums = sums + low8(product);
                if (rest > 8) sums = sums + high8(product);
            }
            scores[b * keys + j] = horizontal_sum8(sums);
        }
    }
}

/// The backward of additive_scores_forward (Layers' additiveScoresBackward), accumulating into
/// d_state (B,A), d_keys (B,Tk,A) and dv (A): dv += dscore hidden, dpre = dscore v (1 - hidden^2) to both.
INLINE void additive_scores_backward_body(float *d_state, float *d_keys, float *dv, const float *d_scores,
                                          const float *hidden, const float *v, const int32_t *key_lengths,
                                          int64_t batch, int64_t keys, int64_t size) {
    const int64_t A = size;
    for (int64_t b = 0; b < batch; b++) {
        int64_t valid = valid_keys(key_lengths, b, keys);
        float *d_state_row = d_state + b * A;
        for (int64_t j = 0; j < valid; j++) {
            const float *row = hidden + (b * keys + j) * A;
            float *d_key_row = d_keys + (b * keys + j) * A;
            float d_score = d_scores[b * keys + j];
            for (int64_t a = 0; a < A; a += LANES) {
                int64_t k = A - a < LANES ? A - a : LANES;
                vf value = load_partial_or_whole(row + a, k);
                store_partial_or_whole(dv + a, load_partial_or_whole(dv + a, k) + d_score * value, k);
                vf d_pre = d_score * load_partial_or_whole(v + a, k) * (1.0f - value * value);
                store_partial_or_whole(d_state_row + a, load_partial_or_whole(d_state_row + a, k) + d_pre, k);
                store_partial_or_whole(d_key_row + a, load_partial_or_whole(d_key_row + a, k) + d_pre, k);
            }
        }
    }
}

/// One GRU row (Layers' gruCellForward): r = σ(xp_r + hp_r), z = σ(xp_z + hp_z), n = tanh(xp_n + r hp_n),
/// h' = (1 - z) n + z h; r, z, n written to gates (which may be input_projection).
INLINE void gru_forward_body(float *gates, float *new_state, const float *input_projection,
                             const float *hidden_projection, const float *state, int64_t hidden) {
    const int64_t H = hidden;
    for (int64_t j = 0; j < H; j += LANES) {
        int64_t k = H - j < LANES ? H - j : LANES;
        vf r = sigmoid16(load_partial_or_whole(input_projection + j, k) + load_partial_or_whole(hidden_projection + j, k));
        vf z = sigmoid16(load_partial_or_whole(input_projection + H + j, k) + load_partial_or_whole(hidden_projection + H + j, k));
        vf n = tanh16(load_partial_or_whole(input_projection + 2 * H + j, k) + r * load_partial_or_whole(hidden_projection + 2 * H + j, k));
        store_partial_or_whole(gates + j, r, k);
        store_partial_or_whole(gates + H + j, z, k);
        store_partial_or_whole(gates + 2 * H + j, n, k);
        store_partial_or_whole(new_state + j, (1.0f - z) * n + z * load_partial_or_whole(state + j, k), k);
    }
}

/// The backward of one GRU row (Layers' gruCellBackward): writes both projections' gradients, adds
/// z dh' into d_state.
INLINE void gru_backward_body(float *d_input_projection, float *d_hidden_projection, float *d_state,
                              const float *d_new_state, const float *gates, const float *hidden_projection,
                              const float *state, int64_t hidden) {
    const int64_t H = hidden;
    for (int64_t j = 0; j < H; j += LANES) {
        int64_t k = H - j < LANES ? H - j : LANES;
        vf r = load_partial_or_whole(gates + j, k), z = load_partial_or_whole(gates + H + j, k);
        vf n = load_partial_or_whole(gates + 2 * H + j, k), dh = load_partial_or_whole(d_new_state + j, k);
        vf dn = dh * (1.0f - z);
        vf dz = dh * (load_partial_or_whole(state + j, k) - n);
        store_partial_or_whole(d_state + j, load_partial_or_whole(d_state + j, k) + dh * z, k);
        vf dn_pre = dn * (1.0f - n * n);
        store_partial_or_whole(d_input_projection + 2 * H + j, dn_pre, k);
        store_partial_or_whole(d_hidden_projection + 2 * H + j, dn_pre * r, k);
        vf dr = dn_pre * load_partial_or_whole(hidden_projection + 2 * H + j, k);
        vf dz_pre = dz * z * (1.0f - z);
        store_partial_or_whole(d_input_projection + H + j, dz_pre, k);
        store_partial_or_whole(d_hidden_projection + H + j, dz_pre, k);
        vf dr_pre = dr * r * (1.0f - r);
        store_partial_or_whole(d_input_projection + j, dr_pre, k);
        store_partial_or_whole(d_hidden_projection + j, dr_pre, k);
    }
}

// One set of entry points per instruction set: the bodies above inlined into functions compiled for it.
#define KERNELS(X)                                                                                                   \
    X(exp, (float *out, const float *inp, int64_t count), (out, inp, count))                                         \
    X(tanh, (float *out, const float *inp, int64_t count), (out, inp, count))                                       \
    X(sigmoid, (float *out, const float *inp, int64_t count), (out, inp, count))                                    \
    X(additive_scores_forward, (float *hidden, float *scores, const float *projected_state, const float *projected_keys, \
                                const float *v, const int32_t *key_lengths, int64_t batch, int64_t keys, int64_t size), \
      (hidden, scores, projected_state, projected_keys, v, key_lengths, batch, keys, size))                          \
    X(additive_scores_backward, (float *d_state, float *d_keys, float *dv, const float *d_scores, const float *hidden, \
                                 const float *v, const int32_t *key_lengths, int64_t batch, int64_t keys, int64_t size), \
      (d_state, d_keys, dv, d_scores, hidden, v, key_lengths, batch, keys, size))                                    \
    X(gru_forward, (float *gates, float *new_state, const float *input_projection, const float *hidden_projection,  \
                    const float *state, int64_t hidden), (gates, new_state, input_projection, hidden_projection, state, hidden)) \
    X(gru_backward, (float *d_input_projection, float *d_hidden_projection, float *d_state, const float *d_new_state, \
                     const float *gates, const float *hidden_projection, const float *state, int64_t hidden),       \
      (d_input_projection, d_hidden_projection, d_state, d_new_state, gates, hidden_projection, state, hidden))      \
    X(softmax_forward, (float *out, const float *inp, const float *mask, int64_t mask_rows, const int32_t *kept,     \
                        int64_t kept_rows, float scale, int64_t rows, int64_t cols),                                 \
      (out, inp, mask, mask_rows, kept, kept_rows, scale, rows, cols))                                               \
    X(softmax_forward_rows, (float *out, const float *inp, const float *mask, int64_t mask_rows, const int32_t *kept, \
                             int64_t kept_rows, float scale, int64_t rows, int64_t cols),                           \
      (out, inp, mask, mask_rows, kept, kept_rows, scale, rows, cols))                                               \
    X(softmax_backward, (float *dinp, const float *dout, const float *out, const int32_t *kept, int64_t kept_rows,   \
                         float scale, int64_t rows, int64_t cols, int accumulate),                                   \
      (dinp, dout, out, kept, kept_rows, scale, rows, cols, accumulate))                                                         \
    X(layer_norm_forward, (float *out, float *summed, float *mean, float *rstd, const float *x, const float *f,      \
                           const float *weight, const float *bias, int64_t rows, int64_t cols, float epsilon),       \
      (out, summed, mean, rstd, x, f, weight, bias, rows, cols, epsilon))                                            \
    X(layer_norm_backward, (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,          \
                            const float *weight, const float *mean, const float *rstd, int64_t rows, int64_t cols,   \
                            int accumulate),                                                                         \
      (dinp, dweight, dbias, dout, inp, weight, mean, rstd, rows, cols, accumulate))                                 \
    X(add_bias_backward, (float *dbias, const float *dout, int64_t rows, int64_t cols), (dbias, dout, rows, cols))   \
    X(relu_forward, (float *out, const float *inp, int64_t count), (out, inp, count))                                \
    X(relu_backward, (float *dinp, const float *dout, const float *inp, int64_t count, int accumulate),              \
      (dinp, dout, inp, count, accumulate))                                                                          \
    X(adam, (float *p, const float *g, float *m, float *v, int64_t count, float step_size, float b1,                 \
             float one_minus_b1, float b2, float one_minus_b2, float bias_correction2_root, float eps, float l2,     \
             float shrink),                                                                                          \
      (p, g, m, v, count, step_size, b1, one_minus_b1, b2, one_minus_b2, bias_correction2_root, eps, l2, shrink))

#define DEFINE_LEVEL_FUNCTION(suffix, attributes, name, params, args) \
    attributes static void name##_##suffix params { name##_body args; }

#define BASELINE_FUNCTION(name, params, args) DEFINE_LEVEL_FUNCTION(baseline, , name, params, args)
KERNELS(BASELINE_FUNCTION)
#if defined(__x86_64__)
#define AVX2_FUNCTION(name, params, args) DEFINE_LEVEL_FUNCTION(avx2, __attribute__((target("avx2,fma"))), name, params, args)
#define AVX512_FUNCTION(name, params, args) \
    DEFINE_LEVEL_FUNCTION(avx512, __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))), name, params, args)
KERNELS(AVX2_FUNCTION)
KERNELS(AVX512_FUNCTION)
#endif

#define TABLE_FIELD(name, params, args) void (*name) params;
typedef struct { KERNELS(TABLE_FIELD) } kernel_table;

#define BASELINE_ENTRY(name, params, args) name##_baseline,
#define AVX2_ENTRY(name, params, args) name##_avx2,
#define AVX512_ENTRY(name, params, args) name##_avx512,
static const kernel_table tables[] = {
    {KERNELS(BASELINE_ENTRY)},
#if defined(__x86_64__)
    {KERNELS(AVX2_ENTRY)},
    {KERNELS(AVX512_ENTRY)},
#endif
};

static int best_level = ABLATE_KERNELS_BASELINE;
static int current_level = ABLATE_KERNELS_BASELINE;
static const kernel_table *current = &tables[0];

// Chosen before main runs: the kernels are then plain indirect calls, with nothing to synchronise.
__attribute__((constructor)) static void choose_level(void) {
#if defined(__x86_64__)
    ablate_cpu_features_t cpu = ablate_cpu_detect();
    if (cpu.avx512f && cpu.avx512vl && cpu.avx512dq && cpu.avx512bw && cpu.avx2 && cpu.fma) best_level = ABLATE_KERNELS_AVX512;
    else if (cpu.avx2 && cpu.fma) best_level = ABLATE_KERNELS_AVX2;
#endif
    current_level = best_level;
    current = &tables[best_level];
}

int ablate_kernels_level(void) { return current_level; }
int ablate_kernels_best_level(void) { return best_level; }

int ablate_kernels_select(int level) {
    if (level < ABLATE_KERNELS_BASELINE || level > best_level) return -1;
    current_level = level;
    current = &tables[level];
    return 0;
}

const char *ablate_kernels_level_name(int level) {
    switch (level) {
    case ABLATE_KERNELS_AVX512: return "avx512";
    case ABLATE_KERNELS_AVX2: return "avx2";
    default: return "baseline";
    }
}

#define PUBLIC_ENTRY(name, params, args) void ablate_##name params { current->name args; }
KERNELS(PUBLIC_ENTRY)
