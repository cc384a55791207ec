// Element-wise complex kernels of the SENSE operator's row loops (ColumnSENSEKernel,
// RowFourierMultiplier, RowDFT), AVX-512 (see ckernels.h). Complex values are interleaved
// (re, im) floats. Each result is the same sequence of single-rounded products and sums as the
// Swift loops they replace (ComplexFloat's `*`; no fused multiply-add), so the bits do not
// depend on which path ran.
#pragma STDC FP_CONTRACT OFF
#include "ck_internal.h"

#ifdef CK_X86

// Lanes 0, 2, 4, … (real parts) of a vector of 8 complex values.
#define EVEN_LANES ((__mmask16)0x5555)
#define ODD_LANES ((__mmask16)0xAAAA)

CK_TARGET512 static void complex_multiply_avx512(const float *a, const float *b, float *out, size_t n) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t i = 0; i < 2 * n; i += 16) {
        __mmask16 m = 2 * n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (2 * n - i)) - 1u);
        __m512 va = _mm512_maskz_loadu_ps(m, a + i), vb = _mm512_maskz_loadu_ps(m, b + i);
        __m512 t1 = _mm512_mul_ps(va, _mm512_moveldup_ps(vb));                         // (ar·br, ai·br)
        __m512 t2 = _mm512_mul_ps(_mm512_permute_ps(va, 0xB1), _mm512_movehdup_ps(vb));  // (ai·bi, ar·bi)
        t2 = _mm512_mask_sub_ps(t2, EVEN_LANES, zero, t2);                               // (−ai·bi, ar·bi)
        _mm512_mask_storeu_ps(out + i, m, _mm512_add_ps(t1, t2));
    }
}

CK_TARGET512 static void conjugate_multiply_add_avx512(const float *s, const float *v, float *acc, size_t n) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t i = 0; i < 2 * n; i += 16) {
        __mmask16 m = 2 * n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (2 * n - i)) - 1u);
        __m512 vs = _mm512_maskz_loadu_ps(m, s + i), vv = _mm512_maskz_loadu_ps(m, v + i);
        __m512 r = _mm512_add_ps(_mm512_maskz_loadu_ps(m, acc + i), _mm512_mul_ps(vv, _mm512_moveldup_ps(vs)));
        __m512 t = _mm512_mul_ps(_mm512_permute_ps(vv, 0xB1), _mm512_movehdup_ps(vs));  // (si·vi, si·vr)
        t = _mm512_mask_sub_ps(t, ODD_LANES, zero, t);                                  // (si·vi, −si·vr)
        _mm512_mask_storeu_ps(acc + i, m, _mm512_add_ps(r, t));
    }
}

#endif  // CK_X86

void ck_complex_multiply(const float *a, const float *b, float *out, size_t n) {
#ifdef CK_X86
    complex_multiply_avx512(a, b, out, n);
#else
    (void)a; (void)b; (void)out; (void)n;
    __builtin_trap();  // callers check ck_has_avx512() first
#endif
}

void ck_conjugate_multiply_add(const float *s, const float *v, float *acc, size_t n) {
#ifdef CK_X86
    conjugate_multiply_add_avx512(s, v, acc, n);
#else
    (void)s; (void)v; (void)acc; (void)n;
    __builtin_trap();
#endif
}
