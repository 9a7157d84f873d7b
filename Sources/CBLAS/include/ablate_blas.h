// The OpenBLAS C interface as ablate uses it.
//
// OpenBLAS chooses its compute kernel once, when the library is loaded, from the CPU it detects
// or from the OPENBLAS_CORETYPE environment variable. Debian's OpenBLAS 0.3.21 does not know recent
// Xeons and falls back to a generic kernel several times slower. Linking the library would load it
// before any of our code runs, so it is opened here with dlopen after the kernel has been chosen
// from the CPU's features (CPUID and the state the OS saves, XGETBV).
#ifndef ABLATE_BLAS_H
#define ABLATE_BLAS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Loads OpenBLAS. `coretype` is the kernel to force through OPENBLAS_CORETYPE, or NULL to let
/// OpenBLAS decide (or to honour a value the user has set in the environment). `threads` is set
/// through OPENBLAS_NUM_THREADS before loading and openblas_set_num_threads after.
/// Returns 0 on success; on failure writes a message into `error` and returns -1.
/// Calling it again after a success does nothing and returns 0.
int ablate_blas_load(const char *coretype, int threads, char *error, size_t error_length);

/// 1 when the library is loaded.
int ablate_blas_is_loaded(void);

/// 1 when OpenBLAS was already in the process before ablate_blas_load ran (linked by something else),
/// in which case the kernel could not be chosen.
int ablate_blas_was_preloaded(void);

/// The path of the shared object that was opened.
const char *ablate_blas_path(void);

/// openblas_get_corename(): the kernel in use, e.g. "SkylakeX", "Haswell", "Prescott".
const char *ablate_blas_corename(void);

/// openblas_get_config(): version and build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ...".
const char *ablate_blas_config(void);

void ablate_blas_set_threads(int threads);
int ablate_blas_get_threads(void);

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C,
/// op(A) is (M,K), op(B) is (K,N), C is (M,N). transpose_* are 0 or 1.
void ablate_sgemm(int transpose_a, int transpose_b, int M, int N, int K,
                  float alpha, const float *A, int lda, const float *B, int ldb,
                  float beta, float *C, int ldc);

/// SIMD features of an x86-64 CPU, each 1 only when the CPU has it AND the OS saves the registers it
/// needs (XGETBV): an AVX-512 CPU under an OS that does not enable ZMM state reports no AVX-512.
typedef struct {
    int sse3, ssse3, sse41, sse42, popcnt, avx, avx2, fma;
    int avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512bf16;
    int amd;  // AuthenticAMD or HygonGenuine
} ablate_cpu_features_t;

/// Reads this CPU's features (all zero off x86-64).
ablate_cpu_features_t ablate_cpu_detect(void);

/// The best OpenBLAS x86-64 kernel a CPU with these features can run (never one it cannot):
/// SkylakeX needs AVX-512 F, DQ, CD, BW and VL; Haswell (Zen on AMD) AVX2 and FMA; Sandybridge AVX;
/// Nehalem SSE4.2 and POPCNT; Core2 SSSE3; Prescott anything else.
const char *ablate_coretype_for(ablate_cpu_features_t features);

/// The best OpenBLAS x86-64 kernel this CPU and OS can run, from CPUID and XGETBV:
/// "Cooperlake", "SkylakeX", "Haswell", "Zen", "Sandybridge", "Nehalem", "Core2", "Prescott".
/// NULL on other architectures (where OpenBLAS's own detection is trusted).
const char *ablate_cpu_best_coretype(void);

/// A space-separated list of the SIMD features CPUID and XGETBV report as usable, e.g. "sse4.2 avx avx2 fma avx512f".
void ablate_cpu_features(char *buffer, size_t length);

#ifdef __cplusplus
}
#endif

#endif
