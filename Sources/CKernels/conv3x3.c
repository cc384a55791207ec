// Direct 3×3 convolution with AVX2 / FMA (see ckernels.h).
//
// Convolution: the input rows a band of output rows needs are copied into a zero-padded band
// [cin][band rows + 2][padded width] (left pad 1, right pad ≥ 9, so every 8-wide load of a tile
// stays inside the row and no branch handles the borders); then for each block of 6 output
// channels and each output row, tiles of 16 pixels (2 vectors × 6 channels = 12 accumulators)
// and 8 pixels (the tail, stored under a mask) accumulate Σ_c Σ_u Σ_v w[o,c,u,v]·x[c,y+u−1,x+v−1]
// with the weights broadcast from the packed layout [block][c][u·3+v][6]. With an input affine
// (in_scale, in_shift) each copied row becomes SiLU(scale·x + shift) on its way into the band
// (the padding stays zero, as PyTorch pads the activation), so GroupNorm + SiLU before a
// convolution costs no pass of its own over memory. Consecutive bands of one call share two rows:
// they are moved, not activated again. A block of only 2 output channels (the network's last
// convolution) runs tiles of 2 channels × 48 pixels, which use every FMA.
//
// With AVX-512 (F) the same band and packed weights feed tiles of 6 output channels × up to 64
// pixels (4 vectors × 6 channels = 24 accumulators); the row's last tile loads and stores under
// a lane mask. Every output pixel is the same chain of single-rounded FMAs in the same order
// (input channel, kernel row, kernel column), then + bias (+ y), in both variants, so AVX2 and
// AVX-512 give the same bits (tested).
#include "ck_internal.h"

#include <string.h>

#define OCB 6
// Padded input per band: ≈ 128 KB with AVX2 (a quarter of a Zen 3 core's L2: against 256 KB the
// 48- and 96-channel layers ran 5–10 % faster, the others within ±2 %; docs/performance.md),
// ≈ 512 KB with AVX-512 (server cores with ≥ 1 MB of L2: fewer bands, so fewer halo rows copied).
#define BAND_TARGET_FLOATS 32768
#define BAND_TARGET_FLOATS_AVX512 131072

static int padded_width(int width) { return ((width + 2 + 7) / 8) * 8 + 8; }

static int band_rows_for(int cin, int height, int width, long target) {
    long per = (long)cin * padded_width(width);
    long b = target / (per > 0 ? per : 1) - 2;
    if (b < 1) b = 1;
    if (b > height) b = height;
    return (int)b;
}

size_t ck_conv3x3_packed_size(int cout, int cin) {
    return (size_t)((cout + OCB - 1) / OCB) * (size_t)cin * 9 * OCB;
}

void ck_conv3x3_pack(const float *w, int cout, int cin, float *packed) {
    int blocks = (cout + OCB - 1) / OCB;
    for (int ob = 0; ob < blocks; ob++)
        for (int c = 0; c < cin; c++)
            for (int t = 0; t < 9; t++)
                for (int i = 0; i < OCB; i++) {
                    int o = ob * OCB + i;
                    packed[(((size_t)ob * cin + c) * 9 + t) * OCB + i] = o < cout ? w[((size_t)o * cin + c) * 9 + t] : 0.0f;
                }
}

size_t ck_conv3x3_scratch(int cin, int height, int width) {
    // Enough for either variant's bands.
    return (size_t)cin * (size_t)(band_rows_for(cin, height, width, BAND_TARGET_FLOATS_AVX512) + 2) *
           (size_t)padded_width(width);
}

#ifdef CK_X86

// Stores acc + bias (+ y when accumulating) for output channel o of the block, `n` ≤ 8 lanes.
CK_TARGET static inline void store8(float *dst, __m256 acc, float bias, int accumulate, int n, __m256i mask) {
    __m256 v = _mm256_add_ps(acc, _mm256_set1_ps(bias));
    if (n == 8) {
        if (accumulate) v = _mm256_add_ps(v, _mm256_loadu_ps(dst));
        _mm256_storeu_ps(dst, v);
    } else {
        if (accumulate) v = _mm256_add_ps(v, _mm256_maskload_ps(dst, mask));
        _mm256_maskstore_ps(dst, mask, v);
    }
}

// 6 output channels × 2 vectors of 8 pixels (12 accumulators + 2 input vectors + 1 weight: 15 of
// the 16 registers, so nothing spills). `in` points at the padded band at (channel 0, the output
// row's first input row, column x0); channel stride cs, row stride wp. The second vector's input
// starts `off1` floats after the first's and its outputs at out1: 8 pixels further along the row
// (16 pixels; its last n1 < 8 lanes stored for a row's tail of 9–15 pixels), or the next output
// row (two rows' last n0 = n1 ≤ 8 pixels at once, instead of one vector each: a narrow tile reads
// as many weights per multiply-add as it does inputs).
CK_TARGET static inline __attribute__((always_inline)) void tile16_any(
    const float *in, int cin, long cs, int wp, long off1, const float *w, float *const out[OCB],
    float *const out1[OCB], const float *bias, int nout, int accumulate, int n0, int n1) {
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
    __m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
    for (int c = 0; c < cin; c++) {
        const float *p = in + c * cs;
        for (int u = 0; u < 3; u++) {
            const float *q = p + u * wp;
            for (int v = 0; v < 3; v++) {
                __m256 x0 = _mm256_loadu_ps(q + v), x1 = _mm256_loadu_ps(q + v + off1);
                __m256 k = _mm256_broadcast_ss(w);
                a00 = _mm256_fmadd_ps(x0, k, a00); a01 = _mm256_fmadd_ps(x1, k, a01);
                k = _mm256_broadcast_ss(w + 1);
                a10 = _mm256_fmadd_ps(x0, k, a10); a11 = _mm256_fmadd_ps(x1, k, a11);
                k = _mm256_broadcast_ss(w + 2);
                a20 = _mm256_fmadd_ps(x0, k, a20); a21 = _mm256_fmadd_ps(x1, k, a21);
                k = _mm256_broadcast_ss(w + 3);
                a30 = _mm256_fmadd_ps(x0, k, a30); a31 = _mm256_fmadd_ps(x1, k, a31);
                k = _mm256_broadcast_ss(w + 4);
                a40 = _mm256_fmadd_ps(x0, k, a40); a41 = _mm256_fmadd_ps(x1, k, a41);
                k = _mm256_broadcast_ss(w + 5);
                a50 = _mm256_fmadd_ps(x0, k, a50); a51 = _mm256_fmadd_ps(x1, k, a51);
                w += OCB;
            }
        }
    }
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(n0), lane), m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(n1), lane);
    __m256 acc[OCB][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}, {a40, a41}, {a50, a51}};
    for (int i = 0; i < nout; i++) {
        store8(out[i], acc[i][0], bias[i], accumulate, n0, m0);
        store8(out1[i], acc[i][1], bias[i], accumulate, n1, m1);
    }
}

// 16 pixels of one row: tile16_any with the constant offset, which keeps the loop's address
// arithmetic out of the registers the accumulators need.
CK_TARGET static void tile16(const float *in, int cin, long cs, int wp, const float *w, float *const out[OCB],
                             const float *bias, int nout, int accumulate) {
    float *const o1[OCB] = {out[0] + 8, out[1] + 8, out[2] + 8, out[3] + 8, out[4] + 8, out[5] + 8};
    tile16_any(in, cin, cs, wp, 8, w, out, o1, bias, nout, accumulate, 8, 8);
}

// A row's tail: 9–15 pixels of one row (off1 = 8) or ≤ 8 pixels of two rows (off1 = the row stride).
CK_TARGET static void tile16_tail(const float *in, int cin, long cs, int wp, long off1, const float *w,
                                  float *const out[OCB], float *const out1[OCB], const float *bias, int nout,
                                  int accumulate, int n0, int n1) {
    tile16_any(in, cin, cs, wp, off1, w, out, out1, bias, nout, accumulate, n0, n1);
}

// 6 output channels × n ≤ 8 pixels.
CK_TARGET static void tile8(const float *in, int cin, long cs, int wp, const float *w, float *const out[OCB],
                            const float *bias, int nout, int accumulate, int n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (int c = 0; c < cin; c++) {
        const float *p = in + c * cs;
        for (int u = 0; u < 3; u++) {
            const float *q = p + u * wp;
            for (int v = 0; v < 3; v++) {
                __m256 x0 = _mm256_loadu_ps(q + v);
                a0 = _mm256_fmadd_ps(x0, _mm256_broadcast_ss(w), a0);
                a1 = _mm256_fmadd_ps(x0, _mm256_broadcast_ss(w + 1), a1);
                a2 = _mm256_fmadd_ps(x0, _mm256_broadcast_ss(w + 2), a2);
                a3 = _mm256_fmadd_ps(x0, _mm256_broadcast_ss(w + 3), a3);
                a4 = _mm256_fmadd_ps(x0, _mm256_broadcast_ss(w + 4), a4);
                a5 = _mm256_fmadd_ps(x0, _mm256_broadcast_ss(w + 5), a5);
                w += OCB;
            }
        }
    }
    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256 acc[OCB] = {a0, a1, a2, a3, a4, a5};
    for (int i = 0; i < nout; i++) store8(out[i], acc[i], bias[i], accumulate, n, mask);
}

// 2 output channels × 48 pixels (the network's last convolution has 2 outputs, which the 6-channel
// tiles would run at a third of their FMAs): 12 accumulators + 1 input + 2 weights. Each pixel's
// chain is the same as in tile16 / tile8 (and the AVX-512 tiles), so the bits are the same.
CK_TARGET static void tile2x48(const float *in, int cin, long cs, int wp, const float *w, float *const out[OCB],
                               const float *bias, int accumulate) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
    for (int c = 0; c < cin; c++) {
        const float *p = in + c * cs;
        for (int u = 0; u < 3; u++) {
            const float *q = p + u * wp;
            for (int v = 0; v < 3; v++) {
                const float *r = q + v;
                __m256 k0 = _mm256_broadcast_ss(w), k1 = _mm256_broadcast_ss(w + 1);
                __m256 x = _mm256_loadu_ps(r);
                a0 = _mm256_fmadd_ps(x, k0, a0); b0 = _mm256_fmadd_ps(x, k1, b0);
                x = _mm256_loadu_ps(r + 8);
                a1 = _mm256_fmadd_ps(x, k0, a1); b1 = _mm256_fmadd_ps(x, k1, b1);
                x = _mm256_loadu_ps(r + 16);
                a2 = _mm256_fmadd_ps(x, k0, a2); b2 = _mm256_fmadd_ps(x, k1, b2);
                x = _mm256_loadu_ps(r + 24);
                a3 = _mm256_fmadd_ps(x, k0, a3); b3 = _mm256_fmadd_ps(x, k1, b3);
                x = _mm256_loadu_ps(r + 32);
                a4 = _mm256_fmadd_ps(x, k0, a4); b4 = _mm256_fmadd_ps(x, k1, b4);
                x = _mm256_loadu_ps(r + 40);
                a5 = _mm256_fmadd_ps(x, k0, a5); b5 = _mm256_fmadd_ps(x, k1, b5);
                w += OCB;
            }
        }
    }
    __m256i full = _mm256_set1_epi32(-1);
    __m256 acc[2][6] = {{a0, a1, a2, a3, a4, a5}, {b0, b1, b2, b3, b4, b5}};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 6; j++) store8(out[i] + 8 * j, acc[i][j], bias[i], accumulate, 8, full);
}

// Columns [0, done) of a band row with 2 output channels by tile2x48; returns `done`.
CK_TARGET static int narrow_row(const float *in, int cin, long cs, int wp, int width, const float *wb,
                                const float *bb, float *const out[OCB], int accumulate) {
    int x0 = 0;
    for (; x0 + 48 <= width; x0 += 48) {
        float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
        tile2x48(in + x0, cin, cs, wp, wb, o, bb, accumulate);
    }
    return x0;
}

// 6 output channels × NV vectors of 16 pixels; the last vector's lanes are `last`. Named
// accumulators (not an array, which compilers keep in memory here): 24 + 4 inputs + 1 weight of
// the 32 registers.
#define ACC_DECL(i) __m512 a##i##0 = _mm512_setzero_ps(), a##i##1 = a##i##0, a##i##2 = a##i##0, a##i##3 = a##i##0;
#define ACC_FMA(i)                                                   \
    {                                                                \
        __m512 k = _mm512_set1_ps(w[i]);                             \
        a##i##0 = _mm512_fmadd_ps(x0, k, a##i##0);                   \
        if (NV > 1) a##i##1 = _mm512_fmadd_ps(x1, k, a##i##1);       \
        if (NV > 2) a##i##2 = _mm512_fmadd_ps(x2, k, a##i##2);       \
        if (NV > 3) a##i##3 = _mm512_fmadd_ps(x3, k, a##i##3);       \
    }
#define ACC_STORE(i)                                                                   \
    if (i < nout) {                                                                    \
        store16(out[i], a##i##0, bias[i], accumulate, NV == 1 ? last : full);          \
        if (NV > 1) store16(out[i] + 16, a##i##1, bias[i], accumulate, NV == 2 ? last : full); \
        if (NV > 2) store16(out[i] + 32, a##i##2, bias[i], accumulate, NV == 3 ? last : full); \
        if (NV > 3) store16(out[i] + 48, a##i##3, bias[i], accumulate, last);          \
    }

CK_TARGET512 static inline __attribute__((always_inline)) void store16(float *dst, __m512 acc, float bias,
                                                                       int accumulate, __mmask16 m) {
    __m512 r = _mm512_add_ps(acc, _mm512_set1_ps(bias));
    if (accumulate) r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(m, dst));
    _mm512_mask_storeu_ps(dst, m, r);
}

CK_TARGET512 static inline __attribute__((always_inline)) void tile512(
    const float *in, int cin, long cs, int wp, const float *w, float *const out[OCB], const float *bias, int nout,
    int accumulate, const int NV, __mmask16 last) {
    const __mmask16 full = (__mmask16)0xFFFF;
    ACC_DECL(0) ACC_DECL(1) ACC_DECL(2) ACC_DECL(3) ACC_DECL(4) ACC_DECL(5)
    for (int c = 0; c < cin; c++) {
        const float *p = in + c * cs;
        for (int u = 0; u < 3; u++) {
            const float *q = p + u * wp;
            for (int v = 0; v < 3; v++) {
                const float *r = q + v;
                __m512 x0 = NV == 1 ? _mm512_maskz_loadu_ps(last, r) : _mm512_loadu_ps(r);
                __m512 x1 = NV > 1 ? (NV == 2 ? _mm512_maskz_loadu_ps(last, r + 16) : _mm512_loadu_ps(r + 16)) : x0;
                __m512 x2 = NV > 2 ? (NV == 3 ? _mm512_maskz_loadu_ps(last, r + 32) : _mm512_loadu_ps(r + 32)) : x0;
                __m512 x3 = NV > 3 ? _mm512_maskz_loadu_ps(last, r + 48) : x0;
                ACC_FMA(0) ACC_FMA(1) ACC_FMA(2) ACC_FMA(3) ACC_FMA(4) ACC_FMA(5)
                w += OCB;
            }
        }
    }
    ACC_STORE(0) ACC_STORE(1) ACC_STORE(2) ACC_STORE(3) ACC_STORE(4) ACC_STORE(5)
}

// tile512 specialised for 1–4 vectors (NV a constant, so the unused accumulators vanish).
#define TILE512(NV_)                                                                                        \
    CK_TARGET512 static void tile512_##NV_(const float *in, int cin, long cs, int wp, const float *w,       \
                                           float *const out[OCB], const float *bias, int nout,             \
                                           int accumulate, __mmask16 last) {                               \
        tile512(in, cin, cs, wp, w, out, bias, nout, accumulate, NV_, last);                               \
    }
TILE512(1)
TILE512(2)
TILE512(3)
TILE512(4)

// Output rows of one band with the AVX-512 tiles (`conv3x3_x86` below fills the band).
CK_TARGET512 static void band_rows_avx512(const float *scratch, int cin, long cs, int wp, int width, const float *wb,
                                          const float *bb, int nout, float *const out[OCB], int accumulate) {
    int x0 = 0;
    for (; x0 + 64 <= width; x0 += 64) {
        float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
        tile512_4(scratch + x0, cin, cs, wp, wb, o, bb, nout, accumulate, (__mmask16)0xFFFF);
    }
    int rem = width - x0;
    if (rem > 0) {
        int nv = (rem + 15) / 16, tail = rem - 16 * (nv - 1);
        __mmask16 last = (__mmask16)((1u << tail) - 1u);
        float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
        switch (nv) {
        case 1: tile512_1(scratch + x0, cin, cs, wp, wb, o, bb, nout, accumulate, last); break;
        case 2: tile512_2(scratch + x0, cin, cs, wp, wb, o, bb, nout, accumulate, last); break;
        case 3: tile512_3(scratch + x0, cin, cs, wp, wb, o, bb, nout, accumulate, last); break;
        default: tile512_4(scratch + x0, cin, cs, wp, wb, o, bb, nout, accumulate, last); break;
        }
    }
}

CK_TARGET static void conv3x3_x86(int avx512, const float *x, int cin, int height, int width, const float *packed,
                                   const float *bias, int cout, float *y, int row0, int rows, int accumulate,
                                   const float *in_scale, const float *in_shift, float *scratch) {
    const int wp = padded_width(width);
    const int band = band_rows_for(cin, height, width, avx512 ? BAND_TARGET_FLOATS_AVX512 : BAND_TARGET_FLOATS);
    const int blocks = (cout + OCB - 1) / OCB;
    const long plane = (long)height * width;
    // One channel stride for every band (the last one may be shorter), so a band's first two
    // rows — the previous band's last two — are moved down instead of being activated again.
    const long cs = (long)(band + 2) * wp;
    for (int b0 = row0; b0 < row0 + rows; b0 += band) {
        int nb = row0 + rows - b0 < band ? row0 + rows - b0 : band;
        int first = 0;
        if (b0 > row0) {
            for (int c = 0; c < cin; c++)
                memmove(scratch + c * cs, scratch + c * cs + (long)band * wp, sizeof(float) * 2 * (size_t)wp);
            first = 2;
        }
        for (int c = 0; c < cin; c++) {
            for (int r = first; r < nb + 2; r++) {
                float *d = scratch + c * cs + (long)r * wp;
                int sy = b0 - 1 + r;
                if (sy < 0 || sy >= height) {
                    memset(d, 0, sizeof(float) * (size_t)wp);
                    continue;
                }
                d[0] = 0;
                if (in_scale && avx512)
                    affine_silu_avx512(x + c * plane + (long)sy * width, d + 1, (size_t)width, in_scale[c], in_shift[c]);
                else if (in_scale)
                    affine_silu_avx2(x + c * plane + (long)sy * width, d + 1, (size_t)width, in_scale[c], in_shift[c]);
                else
                    memcpy(d + 1, x + c * plane + (long)sy * width, sizeof(float) * (size_t)width);
                memset(d + 1 + width, 0, sizeof(float) * (size_t)(wp - 1 - width));
            }
        }
        for (int ob = 0; ob < blocks; ob++) {
            const float *wb = packed + (size_t)ob * cin * 9 * OCB;
            int nout = cout - ob * OCB < OCB ? cout - ob * OCB : OCB;
            const float *bb = bias + ob * OCB;
            for (int r = 0; r < nb; r++) {
                const float *in = scratch + (long)r * wp;
                float *out[OCB];
                long rowOffset = (long)(b0 + r) * width;
                for (int i = 0; i < OCB; i++) out[i] = y + (i < nout ? (ob * OCB + i) * plane + rowOffset : 0);
                int x0 = nout == 2 ? narrow_row(in, cin, cs, wp, width, wb, bb, out, accumulate) : 0;
                if (avx512) {
                    if (x0 < width) {
                        float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
                        band_rows_avx512(in + x0, cin, cs, wp, width - x0, wb, bb, nout, o, accumulate);
                    }
                    continue;
                }
                for (; x0 + 16 <= width; x0 += 16) {
                    float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
                    tile16(in + x0, cin, cs, wp, wb, o, bb, nout, accumulate);
                }
                const int n = width - x0;  // the row's tail, < 16 pixels
                if (n > 8) {
                    // One tile of 16 with the last n − 8 lanes stored (the padding holds the inputs
                    // it reads past the row).
                    float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
                    float *o1[OCB] = {o[0] + 8, o[1] + 8, o[2] + 8, o[3] + 8, o[4] + 8, o[5] + 8};
                    tile16_tail(in + x0, cin, cs, wp, 8, wb, o, o1, bb, nout, accumulate, 8, n - 8);
                } else if (n > 0 && (r & 1) == 0 && r + 1 < nb) {
                    // This row's tail and the next row's in one tile (the next row then skips it).
                    float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
                    float *o1[OCB] = {o[0] + width, o[1] + width, o[2] + width, o[3] + width, o[4] + width,
                                      o[5] + width};
                    tile16_tail(in + x0, cin, cs, wp, wp, wb, o, o1, bb, nout, accumulate, n, n);
                } else if (n > 0 && (r & 1) == 0) {
                    float *o[OCB] = {out[0] + x0, out[1] + x0, out[2] + x0, out[3] + x0, out[4] + x0, out[5] + x0};
                    tile8(in + x0, cin, cs, wp, wb, o, bb, nout, accumulate, n);
                }
            }
        }
    }
}

#endif  // CK_X86

void ck_conv3x3(const float *x, int cin, int height, int width, const float *packed, const float *bias, int cout,
                float *y, int row0, int rows, int accumulate, const float *in_scale, const float *in_shift,
                float *scratch) {
    ck_conv3x3_variant(0, x, cin, height, width, packed, bias, cout, y, row0, rows, accumulate, in_scale, in_shift,
                       scratch);
}

void ck_conv3x3_variant(int variant, const float *x, int cin, int height, int width, const float *packed,
                        const float *bias, int cout, float *y, int row0, int rows, int accumulate,
                        const float *in_scale, const float *in_shift, float *scratch) {
#ifdef CK_X86
    static int best = -1;  // racing first callers store the same value
    if (best < 0) best = ck_has_avx512() ? 2 : 1;
    int avx512 = (variant == 0 ? best : variant) == 2;
    conv3x3_x86(avx512, x, cin, height, width, packed, bias, cout, y, row0, rows, accumulate, in_scale, in_shift,
                 scratch);
#else
    (void)variant;
    (void)x; (void)cin; (void)height; (void)width; (void)packed; (void)bias; (void)cout; (void)y; (void)row0;
    (void)rows; (void)accumulate; (void)in_scale; (void)in_shift; (void)scratch;
    __builtin_trap();  // callers check ck_has_avx2_fma() first
#endif
}
