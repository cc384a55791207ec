// Runtime detection of the instruction sets the kernels use (see ckernels.h).
#include "ck_internal.h"

int ck_has_avx2_fma(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int ck_has_avx512(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    return ck_has_avx2_fma() && __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

void ck_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
