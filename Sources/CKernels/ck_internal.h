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
#endif

#endif
