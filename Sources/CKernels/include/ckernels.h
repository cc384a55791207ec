// Hand-written CPU kernels for the neural prior (NeuralPrior) and the SENSE operator's row loops
// (MRICore), runtime-dispatched: the AVX2 + FMA and AVX-512 code paths are compiled with a
// function-level target attribute and used only when ck_has_avx2_fma() / ck_has_avx512() report
// the instructions, so the package still builds and runs for baseline x86-64 and on other
// architectures (the Swift fallbacks then run).
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs the AVX2 + FMA kernels below, else 0 (always 0 off x86-64).
int ck_has_avx2_fma(void);

/// 1 when this CPU (and OS) also runs the AVX-512 F variant of ck_conv3x3, else 0.
int ck_has_avx512(void);

/// A spin-wait hint to the CPU (PAUSE on x86, YIELD on ARM, nothing elsewhere).
void ck_cpu_relax(void);

/// Floats of the packed weights of a 3×3 convolution with `cout` outputs and `cin` inputs.
size_t ck_conv3x3_packed_size(int cout, int cin);

/// Packs PyTorch OIHW weights `w` [cout][cin][3][3] into the kernel layout
/// [ceil(cout/6)][cin][9][6] (output channels beyond cout are zero).
void ck_conv3x3_pack(const float *w, int cout, int cin, float *packed);

/// Scratch floats one ck_conv3x3 call needs for a `cin × height × width` input.
size_t ck_conv3x3_scratch(int cin, int height, int width);

/// Direct 3×3 convolution (stride 1, zero padding 1, PyTorch Conv2d) of the output rows
/// [row0, row0 + rows) of one image: x [cin][height][width], y [cout][height][width],
/// y = conv(x) + bias, or y += conv(x) + bias when `accumulate` is non-zero. With `in_scale` and
/// `in_shift` (per input channel; both NULL for none) the convolution's input is
/// SiLU(in_scale[c]·x + in_shift[c]) instead of x — computed exactly as ck_affine_silu — with
/// zero padding around it. Needs
/// ck_has_avx2_fma(); `scratch` holds ck_conv3x3_scratch(cin, height, width) floats. The sum for
/// each output pixel runs in the same order (input channel, kernel row, kernel column) whatever
/// the row range, so splitting rows over threads does not change the result.
void ck_conv3x3(const float *x, int cin, int height, int width, const float *packed, const float *bias, int cout,
                float *y, int row0, int rows, int accumulate, const float *in_scale, const float *in_shift,
                float *scratch);

/// ck_conv3x3 with the instruction set chosen: 0 the best this CPU has (as ck_conv3x3), 1 AVX2 +
/// FMA, 2 AVX-512 (needs ck_has_avx512()). Both give the same bits.
void ck_conv3x3_variant(int variant, const float *x, int cin, int height, int width, const float *packed,
                        const float *bias, int cout, float *y, int row0, int rows, int accumulate,
                        const float *in_scale, const float *in_shift, float *scratch);

/// out[j] = a[j]·b[j] for j < n complex values (interleaved re, im; `out` may be `a` or `b`):
/// re = a.re·b.re − a.im·b.im, im = a.re·b.im + a.im·b.re, each product and sum rounded on its
/// own (the bits of MRICore's ComplexFloat `*`). `variant`: 0 the best this CPU has, 1 AVX2,
/// 2 AVX-512 (needs ck_has_avx512()); the same bits. Needs ck_has_avx2_fma().
void ck_complex_multiply(const float *a, const float *b, float *out, size_t n, int variant);

/// acc[j] += conj(s[j])·v[j] for j < n complex values, evaluated as
/// (acc.re + s.re·v.re) + s.im·v.im and (acc.im + s.re·v.im) − s.im·v.re, each operation rounded
/// on its own. `variant` as ck_complex_multiply. Needs ck_has_avx2_fma().
void ck_conjugate_multiply_add(const float *s, const float *v, float *acc, size_t n, int variant);

/// The largest p and q ck_dft_pq takes.
#define CK_DFT_PQ_MAX 64

/// Floats of the tables ck_dft_pq needs for n = p·q (0 when p, q are not supported: p odd,
/// 3 ≤ p ≤ CK_DFT_PQ_MAX; q a multiple of 4, 4 ≤ q ≤ CK_DFT_PQ_MAX).
size_t ck_dft_pq_tables_size(int p, int q);

/// Fills the tables (cosines and sines of the short transforms, twiddles) in double precision,
/// rounded to float.
void ck_dft_pq_tables(int p, int q, float *tables);

/// In-place unnormalised DFT of length n = p·q (interleaved complex) by one Cooley–Tukey split
/// into direct p-, q/4- and 4-point transforms (dft_factored.c). Forward (`backward` = 0):
/// x in natural order → X_k = Σ_j x_j e^{−2πijk/n}, frequency k at ck_dft_pq_position(p, q, k).
/// Backward: a spectrum in that order → x_j = Σ_k X_k e^{+2πijk/n} in natural order. Needs
/// ck_has_avx2_fma().
void ck_dft_pq(float *line, int p, int q, int backward, const float *tables);

/// Where ck_dft_pq's forward transform puts frequency k (0 ≤ k < p·q).
int ck_dft_pq_position(int p, int q, int k);

/// glibc's allocator (no-op elsewhere): freed blocks up to 64 MB stay in the heap (mmap
/// threshold 64 MB, trim threshold 256 MB) and no fast bins, whose consolidation every free of a
/// large block triggers. Call once, early; see MRICore's Allocator.
void ck_tune_allocator(void);

/// y[i] = SiLU(a·x[i] + b) = v / (1 + exp(−v)) with v = a·x[i] + b, for i < n (in place allowed).
/// Needs ck_has_avx2_fma().
void ck_affine_silu(const float *x, float *y, size_t n, float a, float b);

/// GroupNorm statistics' block sums, four blocks at once: sums[i] = Σ p_i[0..<n_i] with the
/// arithmetic of NeuralPrior's TensorOps.blockSums (8 Float lanes over the whole vectors, the
/// lanes added in lane order, then the tail in Double), so the same bits. Needs ck_has_avx2_fma().
void ck_block_sums4(const float *p0, long n0, const float *p1, long n1, const float *p2, long n2, const float *p3,
                    long n3, double sums[4]);

/// sums[i] = Σ (x − m_i)² over block i as TensorOps.blockSquaredDeviations: Float(m_i) in the
/// vector part, then a·a and the add rounded separately; the tail in Double. Needs
/// ck_has_avx2_fma().
void ck_block_squared_deviations4(const float *p0, long n0, const float *p1, long n1, const float *p2, long n2,
                                  const float *p3, long n3, double m0, double m1, double m2, double m3,
                                  double sums[4]);

#ifdef __cplusplus
}
#endif

#endif
