// Block sums of GroupNorm statistics with AVX2 (see ckernels.h): the arithmetic of
// TensorOps.blockSums / blockSquaredDeviations on the Swift side, which the Swift compiler
// builds for SSE (two 4-lane halves per 8-lane vector, and half the loads per cycle).
//
// Per block, as the Swift code: 8 Float lanes accumulate the whole vectors (four blocks as four
// interleaved chains up to the shortest one's vectors, then each on its own); the lanes are
// added in lane order, starting from −0 (`SIMD.sum()`); the tail values are added in Double.
// Squared deviations: a = x − Float(mean), a·a, then the add — two roundings, never a fused
// multiply-add (contraction is off in this file).
#include "ck_internal.h"

#pragma STDC FP_CONTRACT OFF

#ifdef CK_X86

// The lanes of s in lane order from −0, as Swift's SIMD8<Float>.sum().
static double lane_sum(const float lanes[8]) {
    float r = -0.0f;
    for (int i = 0; i < 8; i++) r += lanes[i];
    return (double)r;
}

CK_TARGET static double finish_sum(__m256 s, const float *p, long j, long n) {
    for (; j + 8 <= n; j += 8) s = _mm256_add_ps(s, _mm256_loadu_ps(p + j));
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    double t = lane_sum(lanes);
    for (; j < n; j++) t += (double)p[j];
    return t;
}

CK_TARGET static double finish_squares(__m256 q, const float *p, long j, long n, float f, double m) {
    const __m256 vf = _mm256_set1_ps(f);
    for (; j + 8 <= n; j += 8) {
        __m256 a = _mm256_sub_ps(_mm256_loadu_ps(p + j), vf);
        q = _mm256_add_ps(q, _mm256_mul_ps(a, a));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, q);
    double t = lane_sum(lanes);
    for (; j < n; j++) {
        double a = (double)p[j] - m;
        double a2 = a * a;
        t += a2;
    }
    return t;
}

CK_TARGET static void sums4(const float *const p[4], const long n[4], double out[4]) {
    long v = n[0];
    for (int i = 1; i < 4; i++) v = n[i] < v ? n[i] : v;
    v &= ~7L;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (long j = 0; j < v; j += 8) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p[0] + j));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p[1] + j));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p[2] + j));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p[3] + j));
    }
    out[0] = finish_sum(s0, p[0], v, n[0]);
    out[1] = finish_sum(s1, p[1], v, n[1]);
    out[2] = finish_sum(s2, p[2], v, n[2]);
    out[3] = finish_sum(s3, p[3], v, n[3]);
}

CK_TARGET static void squares4(const float *const p[4], const long n[4], const double mean[4], double out[4]) {
    long v = n[0];
    for (int i = 1; i < 4; i++) v = n[i] < v ? n[i] : v;
    v &= ~7L;
    const float f0 = (float)mean[0], f1 = (float)mean[1], f2 = (float)mean[2], f3 = (float)mean[3];
    const __m256 m0 = _mm256_set1_ps(f0), m1 = _mm256_set1_ps(f1), m2 = _mm256_set1_ps(f2), m3 = _mm256_set1_ps(f3);
    __m256 q0 = _mm256_setzero_ps(), q1 = q0, q2 = q0, q3 = q0;
    for (long j = 0; j < v; j += 8) {
        __m256 a0 = _mm256_sub_ps(_mm256_loadu_ps(p[0] + j), m0);
        __m256 a1 = _mm256_sub_ps(_mm256_loadu_ps(p[1] + j), m1);
        __m256 a2 = _mm256_sub_ps(_mm256_loadu_ps(p[2] + j), m2);
        __m256 a3 = _mm256_sub_ps(_mm256_loadu_ps(p[3] + j), m3);
        q0 = _mm256_add_ps(q0, _mm256_mul_ps(a0, a0));
        q1 = _mm256_add_ps(q1, _mm256_mul_ps(a1, a1));
        q2 = _mm256_add_ps(q2, _mm256_mul_ps(a2, a2));
        q3 = _mm256_add_ps(q3, _mm256_mul_ps(a3, a3));
    }
    out[0] = finish_squares(q0, p[0], v, n[0], f0, mean[0]);
    out[1] = finish_squares(q1, p[1], v, n[1], f1, mean[1]);
    out[2] = finish_squares(q2, p[2], v, n[2], f2, mean[2]);
    out[3] = finish_squares(q3, p[3], v, n[3], f3, mean[3]);
}

#endif  // CK_X86

void ck_block_sums4(const float *p0, long n0, const float *p1, long n1, const float *p2, long n2, const float *p3,
                    long n3, double sums[4]) {
#ifdef CK_X86
    const float *const p[4] = {p0, p1, p2, p3};
    const long n[4] = {n0, n1, n2, n3};
    sums4(p, n, sums);
#else
    (void)p0; (void)n0; (void)p1; (void)n1; (void)p2; (void)n2; (void)p3; (void)n3; (void)sums;
    __builtin_trap();
#endif
}

void ck_block_squared_deviations4(const float *p0, long n0, const float *p1, long n1, const float *p2, long n2,
                                  const float *p3, long n3, double m0, double m1, double m2, double m3,
                                  double sums[4]) {
#ifdef CK_X86
    const float *const p[4] = {p0, p1, p2, p3};
    const long n[4] = {n0, n1, n2, n3};
    const double mean[4] = {m0, m1, m2, m3};
    squares4(p, n, mean, sums);
#else
    (void)p0; (void)n0; (void)p1; (void)n1; (void)p2; (void)n2; (void)p3; (void)n3;
    (void)m0; (void)m1; (void)m2; (void)m3; (void)sums;
    __builtin_trap();
#endif
}
