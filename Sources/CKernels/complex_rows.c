// Element-wise complex kernels of the SENSE operator's row loops (ColumnSENSEKernel,
// RowFourierMultiplier, RowDFT), AVX-512 or AVX2 (see ckernels.h). Complex values are interleaved
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

// The same operations on 4 complex values per vector: the real lanes subtract, the imaginary
// lanes add (addsub), or a sign flip of the odd lanes before the add; each exact. The last
// values (fewer than 4) run as scalar code with the same operations (masked stores are slow on
// AMD's cores).
CK_TARGET static void complex_multiply_avx2(const float *a, const float *b, float *out, size_t n) {
    size_t i = 0;
    for (; i + 8 <= 2 * n; i += 8) {
        __m256 va = _mm256_loadu_ps(a + i), vb = _mm256_loadu_ps(b + i);
        __m256 t1 = _mm256_mul_ps(va, _mm256_moveldup_ps(vb));                         // (ar·br, ai·br)
        __m256 t2 = _mm256_mul_ps(_mm256_permute_ps(va, 0xB1), _mm256_movehdup_ps(vb));  // (ai·bi, ar·bi)
        _mm256_storeu_ps(out + i, _mm256_addsub_ps(t1, t2));
    }
    for (; i < 2 * n; i += 2) {
        float ar = a[i], ai = a[i + 1], br = b[i], bi = b[i + 1];
        out[i] = ar * br - ai * bi;
        out[i + 1] = ai * br + ar * bi;
    }
}

CK_TARGET static void conjugate_multiply_add_avx2(const float *s, const float *v, float *acc, size_t n) {
    const __m256 odd = _mm256_setr_ps(0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f);
    size_t i = 0;
    for (; i + 8 <= 2 * n; i += 8) {
        __m256 vs = _mm256_loadu_ps(s + i), vv = _mm256_loadu_ps(v + i);
        __m256 r = _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_mul_ps(vv, _mm256_moveldup_ps(vs)));
        __m256 t = _mm256_mul_ps(_mm256_permute_ps(vv, 0xB1), _mm256_movehdup_ps(vs));  // (si·vi, si·vr)
        _mm256_storeu_ps(acc + i, _mm256_add_ps(r, _mm256_xor_ps(t, odd)));            // + (si·vi, −si·vr)
    }
    for (; i < 2 * n; i += 2) {
        float sr = s[i], si = s[i + 1], vr = v[i], vi = v[i + 1];
        acc[i] = (acc[i] + vr * sr) + vi * si;
        acc[i + 1] = (acc[i + 1] + vi * sr) - vr * si;
    }
}

static int complex_rows_variant(int variant) {
    return variant != 0 ? variant : ck_has_avx512() ? 2 : 1;
}

#endif  // CK_X86

void ck_complex_multiply(const float *a, const float *b, float *out, size_t n, int variant) {
#ifdef CK_X86
    if (complex_rows_variant(variant) == 2) complex_multiply_avx512(a, b, out, n);
    else complex_multiply_avx2(a, b, out, n);
#else
    (void)a; (void)b; (void)out; (void)n; (void)variant;
    __builtin_trap();  // callers check ck_has_avx2_fma() first
#endif
}

void ck_conjugate_multiply_add(const float *s, const float *v, float *acc, size_t n, int variant) {
#ifdef CK_X86
    if (complex_rows_variant(variant) == 2) conjugate_multiply_add_avx512(s, v, acc, n);
    else conjugate_multiply_add_avx2(s, v, acc, n);
#else
    (void)s; (void)v; (void)acc; (void)n; (void)variant;
    __builtin_trap();
#endif
}
