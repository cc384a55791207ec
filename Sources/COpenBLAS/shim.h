#include <cblas.h>
#include <lapacke.h>

// OpenBLAS built for many CPUs (DYNAMIC_ARCH, as Debian's is) chooses its kernels once, by CPU
// model, when it loads. These let mri-daps choose again before the first BLAS call (see
// BLAS.selectKernels); weak, so an OpenBLAS without them still links (the functions are then NULL).
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

/// The OpenBLAS core type whose kernels this CPU runs by instruction set ("SkylakeX" with
/// AVX-512 F/CD/BW/DQ/VL, "Haswell" with AVX2 + FMA, enabled by the OS), else NULL.
static inline const char *mri_openblas_core_for_cpu(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return 0;
}

/// Whether this OpenBLAS can change its kernels at run time (built with DYNAMIC_ARCH).
static inline int mri_openblas_can_select_core(void) {
    return gotoblas_dynamic_init != 0 && gotoblas_dynamic_quit != 0;
}

/// Re-runs OpenBLAS's kernel choice (which reads OPENBLAS_CORETYPE). Only before any BLAS call.
static inline void mri_openblas_reselect_core(void) {
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
}
