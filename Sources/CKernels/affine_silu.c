// y = SiLU(a·x + b) with AVX2 / FMA (see ckernels.h).
// The vector code (affine_silu_avx2) lives in ck_internal.h: ck_conv3x3 uses the same
// definition for its fused input.
#include "ck_internal.h"

void ck_affine_silu(const float *x, float *y, size_t n, float a, float b) {
#ifdef CK_X86
    affine_silu_avx2(x, y, n, a, b);
#else
    (void)x; (void)y; (void)n; (void)a; (void)b;
    __builtin_trap();
#endif
}
