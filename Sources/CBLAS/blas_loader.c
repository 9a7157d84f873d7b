// Loads OpenBLAS at run time so that its kernel can be chosen first (see ablate_blas.h).
#define _GNU_SOURCE
#include "ablate_blas.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define ABLATE_X86 1
#endif

// CBLAS constants (cblas.h): row-major order and the transpose flags.
enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };

typedef void (*sgemm_fn)(int order, int transA, int transB, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
typedef char *(*string_fn)(void);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);

static void *library_handle = NULL;
static int preloaded = 0;
static char library_path[1024] = "";
static sgemm_fn p_sgemm = NULL;
static string_fn p_corename = NULL;
static string_fn p_config = NULL;
static set_threads_fn p_set_threads = NULL;
static get_threads_fn p_get_threads = NULL;

static const char *candidate_names[] = {
    "libopenblas.so.0",
    "libopenblas.so",
    "libopenblasp-r0.3.21.so",
    "libopenblas.dylib",
    NULL,
};

static void write_error(char *error, size_t length, const char *message, const char *detail) {
    if (error && length > 0) snprintf(error, length, "%s%s%s", message, detail ? ": " : "", detail ? detail : "");
}

static int set_env_unless_present(const char *name, const char *value) {
    if (getenv(name) != NULL) return 0;
    setenv(name, value, 1);
    return 1;
}

int ablate_blas_load(const char *coretype, int threads, char *error, size_t error_length) {
    if (library_handle) return 0;
    const char *override_path = getenv("ABLATE_OPENBLAS");

    // Is OpenBLAS already in the process (linked by another library)? Then its kernel is fixed.
    void *existing = NULL;
    for (int i = 0; candidate_names[i] && !existing; i++) existing = dlopen(candidate_names[i], RTLD_NOW | RTLD_NOLOAD);
    if (!existing && override_path) existing = dlopen(override_path, RTLD_NOW | RTLD_NOLOAD);
    preloaded = existing != NULL;
    if (existing) dlclose(existing);

    char thread_text[32];
    snprintf(thread_text, sizeof thread_text, "%d", threads > 0 ? threads : 1);
    int set_core = coretype ? set_env_unless_present("OPENBLAS_CORETYPE", coretype) : 0;
    int set_threads = set_env_unless_present("OPENBLAS_NUM_THREADS", thread_text);

    void *handle = NULL;
    const char *opened = NULL;
    if (override_path) {
        handle = dlopen(override_path, RTLD_NOW | RTLD_LOCAL);
        opened = override_path;
    } else {
        for (int i = 0; candidate_names[i] && !handle; i++) {
            handle = dlopen(candidate_names[i], RTLD_NOW | RTLD_LOCAL);
            opened = candidate_names[i];
        }
    }
    // What we set was for OpenBLAS's initialisation only: child processes choose for themselves.
    if (set_core) unsetenv("OPENBLAS_CORETYPE");
    if (set_threads) unsetenv("OPENBLAS_NUM_THREADS");

    if (!handle) {
        write_error(error, error_length, "cannot open OpenBLAS (install libopenblas0, e.g. `apt-get install libopenblas-dev`)", dlerror());
        return -1;
    }
    p_sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    p_corename = (string_fn)dlsym(handle, "openblas_get_corename");
    p_config = (string_fn)dlsym(handle, "openblas_get_config");
    p_set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    if (!p_sgemm || !p_corename || !p_config || !p_set_threads || !p_get_threads) {
        write_error(error, error_length, "the library opened is not OpenBLAS (cblas_sgemm or openblas_get_corename missing)", opened);
        dlclose(handle);
        p_sgemm = NULL;
        return -1;
    }
    Dl_info info;
    if (dladdr((void *)p_sgemm, &info) && info.dli_fname) {
        snprintf(library_path, sizeof library_path, "%s", info.dli_fname);
    } else {
        snprintf(library_path, sizeof library_path, "%s", opened);
    }
    library_handle = handle;
    p_set_threads(threads > 0 ? threads : 1);
    return 0;
}

int ablate_blas_is_loaded(void) { return library_handle != NULL; }
int ablate_blas_was_preloaded(void) { return preloaded; }
const char *ablate_blas_path(void) { return library_path; }
const char *ablate_blas_corename(void) { return p_corename ? p_corename() : ""; }
const char *ablate_blas_config(void) { return p_config ? p_config() : ""; }
void ablate_blas_set_threads(int threads) { if (p_set_threads) p_set_threads(threads > 0 ? threads : 1); }
int ablate_blas_get_threads(void) { return p_get_threads ? p_get_threads() : 0; }

void ablate_sgemm(int transpose_a, int transpose_b, int M, int N, int K,
                  float alpha, const float *A, int lda, const float *B, int ldb,
                  float beta, float *C, int ldc) {
    p_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
            M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#ifdef ABLATE_X86
typedef ablate_cpu_features_t cpu_features;

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

ablate_cpu_features_t ablate_cpu_detect(void) {
    cpu_features f;
    memset(&f, 0, sizeof f);
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return f;
    unsigned int max_leaf = eax;
    char vendor[13];
    memcpy(vendor, &ebx, 4); memcpy(vendor + 4, &edx, 4); memcpy(vendor + 8, &ecx, 4); vendor[12] = 0;
    f.amd = strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0;

    __cpuid(1, eax, ebx, ecx, edx);
    f.sse3 = (ecx >> 0) & 1;
    f.ssse3 = (ecx >> 9) & 1;
    f.sse41 = (ecx >> 19) & 1;
    f.sse42 = (ecx >> 20) & 1;
    f.popcnt = (ecx >> 23) & 1;
    int fma = (ecx >> 12) & 1;
    int osxsave = (ecx >> 27) & 1;
    int avx = (ecx >> 28) & 1;
    // The OS must save the YMM (bits 1-2) and, for AVX-512, the opmask and ZMM state (bits 5-7).
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = ymm_ok && (xcr0 & 0xE0) == 0xE0;
    f.avx = avx && ymm_ok;
    f.fma = fma && f.avx;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        unsigned int max_sub = eax;
        f.avx2 = ((ebx >> 5) & 1) && f.avx;
        f.avx512f = ((ebx >> 16) & 1) && zmm_ok;
        f.avx512dq = ((ebx >> 17) & 1) && zmm_ok;
        f.avx512cd = ((ebx >> 28) & 1) && zmm_ok;
        f.avx512bw = ((ebx >> 30) & 1) && zmm_ok;
        f.avx512vl = ((ebx >> 31) & 1) && zmm_ok;
        if (max_sub >= 1) {
            __cpuid_count(7, 1, eax, ebx, ecx, edx);
            f.avx512bf16 = ((eax >> 5) & 1) && zmm_ok;
        }
    }
    return f;
}

const char *ablate_cpu_best_coretype(void) { return ablate_coretype_for(ablate_cpu_detect()); }

const char *ablate_coretype_for(ablate_cpu_features_t f) {
    if (f.avx512f && f.avx512dq && f.avx512cd && f.avx512bw && f.avx512vl) return "SkylakeX";
    if (f.avx2 && f.fma) return f.amd ? "Zen" : "Haswell";
    if (f.avx) return "Sandybridge";
    if (f.sse42 && f.popcnt) return "Nehalem";
    if (f.ssse3) return "Core2";
    return "Prescott";
}

void ablate_cpu_features(char *buffer, size_t length) {
    if (!buffer || length == 0) return;
    cpu_features f = ablate_cpu_detect();
    buffer[0] = 0;
    struct { int on; const char *name; } list[] = {
        {f.sse3, "sse3"}, {f.ssse3, "ssse3"}, {f.sse41, "sse4.1"}, {f.sse42, "sse4.2"}, {f.popcnt, "popcnt"},
        {f.avx, "avx"}, {f.avx2, "avx2"}, {f.fma, "fma"}, {f.avx512f, "avx512f"}, {f.avx512dq, "avx512dq"},
        {f.avx512cd, "avx512cd"}, {f.avx512bw, "avx512bw"}, {f.avx512vl, "avx512vl"}, {f.avx512bf16, "avx512_bf16"},
    };
    size_t used = 0;
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        if (!list[i].on) continue;
        int n = snprintf(buffer + used, length - used, "%s%s", used ? " " : "", list[i].name);
        if (n < 0 || (size_t)n >= length - used) break;
        used += (size_t)n;
    }
}
#else
ablate_cpu_features_t ablate_cpu_detect(void) { ablate_cpu_features_t f; memset(&f, 0, sizeof f); return f; }
const char *ablate_coretype_for(ablate_cpu_features_t f) { (void)f; return NULL; }
const char *ablate_cpu_best_coretype(void) { return NULL; }
void ablate_cpu_features(char *buffer, size_t length) { if (buffer && length) buffer[0] = 0; }
#endif
