// Shared by the kernel files: architecture detection and the AVX2 + FMA function attribute.
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#include "ckernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CK_X86 1
#define CK_TARGET __attribute__((target("avx2,fma")))

// eˣ for 8 lanes (Cephes expf, as TensorOps.exp8 on the Swift side).
CK_TARGET static inline __m256 ck_exp8(__m256 v) {
    __m256 x0 = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 t = _mm256_fmadd_ps(x0, _mm256_set1_ps(1.44269504f), magic);
    __m256 fx = _mm256_sub_ps(t, magic);
    __m256 x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x0);
    x = _mm256_fmadd_ps(fx, _mm256_set1_ps(2.12194440e-4f), x);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_add_ps(_mm256_fmadd_ps(y, z, x), _mm256_set1_ps(1.0f));
    __m256i n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(y, scale);
}

// y[i] = SiLU(a·x[i] + b) for i < n: the one definition both kernels use, so the fused input of
// ck_conv3x3 gives the same bits as ck_affine_silu followed by the convolution.
CK_TARGET static inline void affine_silu_avx2(const float *x, float *y, size_t n, float a, float b) {
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), one = _mm256_set1_ps(1.0f);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    // Four vectors at a time: each one's exp is a chain of ~20 dependent operations, and with
    // one vector per iteration the out-of-order core overlaps too few chains (≈ 17 cycles per
    // vector on Zen 3, ≈ 12 four at a time). Same operations per lane, so the same bits.
    for (; i + 32 <= n; i += 32) {
        __m256 v0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), va, vb);
        __m256 v1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), va, vb);
        __m256 v2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), va, vb);
        __m256 v3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), va, vb);
        __m256 e0 = ck_exp8(_mm256_xor_ps(v0, sign)), e1 = ck_exp8(_mm256_xor_ps(v1, sign));
        __m256 e2 = ck_exp8(_mm256_xor_ps(v2, sign)), e3 = ck_exp8(_mm256_xor_ps(v3, sign));
        _mm256_storeu_ps(y + i, _mm256_div_ps(v0, _mm256_add_ps(one, e0)));
        _mm256_storeu_ps(y + i + 8, _mm256_div_ps(v1, _mm256_add_ps(one, e1)));
        _mm256_storeu_ps(y + i + 16, _mm256_div_ps(v2, _mm256_add_ps(one, e2)));
        _mm256_storeu_ps(y + i + 24, _mm256_div_ps(v3, _mm256_add_ps(one, e3)));
    }
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), va, vb);
        __m256 e = ck_exp8(_mm256_xor_ps(v, sign));
        _mm256_storeu_ps(y + i, _mm256_div_ps(v, _mm256_add_ps(one, e)));
    }
    if (i < n) {
        int m = (int)(n - i);
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 v = _mm256_fmadd_ps(_mm256_maskload_ps(x + i, mask), va, vb);
        __m256 e = ck_exp8(_mm256_xor_ps(v, sign));
        _mm256_maskstore_ps(y + i, mask, _mm256_div_ps(v, _mm256_add_ps(one, e)));
    }
}

#define CK_TARGET512 __attribute__((target("avx512f,avx2,fma")))

// ck_exp8 on 16 lanes: the same operations in the same order, so the same bits per lane.
CK_TARGET512 static inline __m512 ck_exp16(__m512 v) {
    __m512 x0 = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 t = _mm512_fmadd_ps(x0, _mm512_set1_ps(1.44269504f), magic);
    __m512 fx = _mm512_sub_ps(t, magic);
    __m512 x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(0.693359375f), x0);
    x = _mm512_fmadd_ps(fx, _mm512_set1_ps(2.12194440e-4f), x);
    __m512 z = _mm512_mul_ps(x, x);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_add_ps(_mm512_fmadd_ps(y, z, x), _mm512_set1_ps(1.0f));
    __m512i n = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_castps_si512(magic));
    __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(y, scale);
}

// affine_silu_avx2 on 16 lanes (same bits).
CK_TARGET512 static inline void affine_silu_avx512(const float *x, float *y, size_t n, float a, float b) {
    const __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b), one = _mm512_set1_ps(1.0f);
    const __m512 sign = _mm512_set1_ps(-0.0f);
    size_t i = 0;
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), va, vb);
        __m512 e = ck_exp16(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_castps_si512(sign))));
        _mm512_mask_storeu_ps(y + i, m, _mm512_div_ps(v, _mm512_add_ps(one, e)));
    }
}
#endif

#endif
