// Unnormalised 1-D DFT of length n = p·q for a line whose largest prime factor p is one FFTW has
// no codelet for (> 13), with AVX2 + FMA (see ckernels.h). fastMRI's knee width 368 = 23·16 is
// the case that matters: FFTW's O(p²) generic step makes it slower than a 768-point transform,
// and Bluestein's algorithm needs two of those.
//
// One Cooley–Tukey split, n = q·n₂ + n₁, k = k₁ + p·k₂ (W_m = e^{∓2πi/m}):
//
//   X[k₁ + p·k₂] = Σ_{n₁} W_q^{n₁k₂} · W_n^{n₁k₁} · Σ_{n₂} W_p^{n₂k₁} x[q·n₂ + n₁].
//
// The line is a p × q matrix (row n₂ or k₁, column n₁). Pass A: the p-point transforms down the
// columns, 4 columns (4 complex values, one AVX vector) at a time, then the twiddles W_n^{n₁k₁}.
// Pass B: the q-point transform of each row, whose q values are r = q/4 vectors, split again as
// n₁ = 4m + l, k₂ = k_m + r·k_l: an r-point transform across the vectors (lane by lane), the
// twiddles W_q^{l·k_m}, and a 4-point transform inside each vector (two radix-2 stages of
// shuffles), which leaves its lanes in the order k_l = 0, 2, 1, 3.
//
// For q = 16 (r = 4, the 368-point case) each row is one 4 × 4 block of complex values held in
// registers: after the twiddles the block is transposed and the 4-point transforms run across
// its vectors (the same operations on each value as the in-vector version, without its
// shuffles), which leaves the row in natural order.
//
// Pass A transforms two groups of 4 columns at once (dft_direct2), so that each cos / sin value
// loaded from the tables feeds two multiply-adds; the twiddles are stored with their real and
// imaginary parts already spread over the lanes, so a complex product needs no shuffle of them.
// None of this changes an operation on any value: every path gives the bits of the plain one.
//
// Both passes work in place on the line and the spectrum stays in that order: frequency k lives
// at position k₁·q + 4·k_m + σ(k_l) (ck_dft_pq_position, σ = 0, 2, 1, 3), or k₁·q + k₂ for
// q = 16. The backward
// transform takes the spectrum in that order and runs the passes in reverse (4-point transforms
// inside the vectors, conjugate twiddles, r-point across, conjugate twiddles, p-point down the
// columns), so a multiplier F⁻¹(w ⊙ F x) needs only w in that order and no reordering at all.
//
// The p-, r- and 4-point transforms are direct: for a length L and the pairs (j, L − j),
// a_j = v_j + v_{L−j}, b_j = v_j − v_{L−j}, X_k = C_k ∓ i·S_k and X_{L−k} = C_k ± i·S_k with
// C_k = v₀ (+ (−1)^k v_{L/2} for even L) + Σ_j cos(2πjk/L)·a_j and S_k = Σ_j sin(2πjk/L)·b_j.
// Every value goes through the same operations whatever the line, so lines can be split over
// threads freely.
#include "ck_internal.h"
#include <math.h>

static int dft_pq_supported(int p, int q) {
    return p >= 3 && (p & 1) && q >= 4 && q % 4 == 0 && p <= CK_DFT_PQ_MAX && q <= CK_DFT_PQ_MAX;
}

// Pairs of a direct transform of length L.
static int dft_pairs(int l) { return (l - 1) / 2; }

// Rows of the cos and sin tables of a direct transform of length L: the pairs, padded to a
// multiple of 4 with zero rows (the transform computes 4 rows at a time).
static int dft_rows(int l) { return (dft_pairs(l) + 3) / 4 * 4; }

// Floats of the cos and sin tables of a direct transform of length L.
static size_t dft_direct_size(int l) { return (size_t)2 * dft_rows(l) * dft_pairs(l); }

size_t ck_dft_pq_tables_size(int p, int q) {
    if (!dft_pq_supported(p, q)) return 0;
    int r = q / 4;
    return dft_direct_size(p) + dft_direct_size(r) + (size_t)8 * p * q + (size_t)32 * r;
}

// cos and sin of 2πjk/L for k, j = 1…pairs (row k; rows past the pairs are zero).
static float *dft_direct_tables(int l, float *t) {
    const int h = dft_pairs(l), rows = dft_rows(l);
    for (int k = 1; k <= rows; k++)
        for (int j = 1; j <= h; j++) {
            double a = 2 * M_PI * (double)((k * j) % l) / l;
            t[(k - 1) * h + j - 1] = k <= h ? (float)cos(a) : 0.0f;
            t[rows * h + (k - 1) * h + j - 1] = k <= h ? (float)sin(a) : 0.0f;
        }
    return t + 2 * rows * h;
}

// Stores the twiddle w = c + i·s of lane l of a 4-lane group as one vector multiplication
// needs it: (c, c) at g[2l, 2l + 1] and (s, s) at g[8 + 2l, 8 + 2l + 1].
static void dft_twiddle_store(float *g, int l, double c, double s) {
    g[2 * l] = g[2 * l + 1] = (float)c;
    g[8 + 2 * l] = g[8 + 2 * l + 1] = (float)s;
}

// Layout: the direct tables of p and r; pass A's twiddles e^{∓2πi·n₁k₁/n} for [k₁][n₁], forward
// (−) then backward (+); pass B's lane twiddles e^{∓2πi·l·k_m/q} for [k_m][l], forward then
// backward. Twiddles come in groups of 4 lanes (consecutive n₁, or l = 0…3) of 16 floats,
// real parts then imaginary parts, each repeated for the two floats of its complex lane.
void ck_dft_pq_tables(int p, int q, float *t) {
    if (!dft_pq_supported(p, q)) return;
    const int n = p * q, r = q / 4;
    t = dft_direct_tables(p, t);
    t = dft_direct_tables(r, t);
    for (int k1 = 0; k1 < p; k1++)
        for (int n1 = 0; n1 < q; n1++) {
            double a = 2 * M_PI * (double)((n1 * k1) % n) / n;
            float *g = t + 4 * (size_t)(q * k1 + (n1 & ~3));
            dft_twiddle_store(g, n1 & 3, cos(a), -sin(a));
            dft_twiddle_store(g + 4 * (size_t)n, n1 & 3, cos(a), sin(a));
        }
    t += 8 * (size_t)n;
    for (int km = 0; km < r; km++)
        for (int l = 0; l < 4; l++) {
            double a = 2 * M_PI * (double)((l * km) % q) / q;
            dft_twiddle_store(t + 16 * km, l, cos(a), -sin(a));
            dft_twiddle_store(t + 16 * r + 16 * km, l, cos(a), sin(a));
        }
}

int ck_dft_pq_position(int p, int q, int k) {
    static const int sigma[4] = {0, 2, 1, 3};
    const int r = q / 4, k1 = k % p, k2 = k / p;
    if (r == 4) return k1 * q + k2;  // the 4 × 4 transposed rows: k₂ = k_m + 4·k_l at 4·k_l + k_m
    return k1 * q + 4 * (k2 % r) + sigma[k2 / r];
}

#ifdef CK_X86

// C − i·S and C + i·S of interleaved complex vectors.
CK_TARGET static inline void dft_pm_i(__m256 c, __m256 s, __m256 *minus, __m256 *plus) {
    __m256 sw = _mm256_permute_ps(s, 0xB1);                                  // (S.im, S.re)
    *plus = _mm256_addsub_ps(c, sw);                                          // (C.re − S.im, C.im + S.re)
    *minus = _mm256_sub_ps(c, _mm256_addsub_ps(_mm256_setzero_ps(), sw));     // (C.re + S.im, C.im − S.re)
}

// x·t for interleaved complex vectors, t a twiddle group of the tables (16 floats: the real
// parts, then the imaginary parts, each twice): (x.re·t.re − x.im·t.im, x.im·t.re + x.re·t.im).
CK_TARGET static inline __m256 dft_cmul(__m256 x, const float *t) {
    return _mm256_fmaddsub_ps(x, _mm256_loadu_ps(t), _mm256_mul_ps(_mm256_permute_ps(x, 0xB1), _mm256_loadu_ps(t + 8)));
}

// The 4-point transform of v[0…3] across vectors (lane by lane), out in natural order.
CK_TARGET static inline void dft_radix4(const __m256 *v, __m256 *out, int backward) {
    const __m256 e = _mm256_add_ps(v[0], v[2]), o = _mm256_sub_ps(v[0], v[2]);
    const __m256 a = _mm256_add_ps(v[1], v[3]), b = _mm256_sub_ps(v[1], v[3]);
    __m256 m, pl;
    dft_pm_i(o, b, &m, &pl);
    out[0] = _mm256_add_ps(e, a);
    out[2] = _mm256_sub_ps(e, a);
    out[1] = backward ? pl : m;
    out[3] = backward ? m : pl;
}

// out[k] = Σ_j v[j]·e^{∓2πijk/L} for k < L (− forward, + backward), the direct form of the file
// comment; `tab` from dft_direct_tables(L). Rows k are computed four at a time so that each
// loaded pair feeds eight multiply-adds.
CK_TARGET static inline void dft_direct(const __m256 *v, __m256 *out, int l, int backward, const float *tab) {
    const int h = dft_pairs(l), even = !(l & 1);
    const float *cs = tab, *sn = tab + dft_rows(l) * h;
    __m256 a[CK_DFT_PQ_MAX / 2 + 1], b[CK_DFT_PQ_MAX / 2 + 1];
    const __m256 v0 = v[0];
    __m256 sum = v0, alt = v0;  // X₀ and, for even L, X_{L/2}
    for (int j = 1; j <= h; j++) {
        a[j] = _mm256_add_ps(v[j], v[l - j]);
        b[j] = _mm256_sub_ps(v[j], v[l - j]);
        sum = _mm256_add_ps(sum, a[j]);
        alt = (j & 1) ? _mm256_sub_ps(alt, a[j]) : _mm256_add_ps(alt, a[j]);
    }
    __m256 evenStart = v0, oddStart = v0;  // C_k's start for even and odd k
    if (even) {
        const __m256 vm = v[l / 2];
        sum = _mm256_add_ps(sum, vm);
        alt = ((l / 2) & 1) ? _mm256_sub_ps(alt, vm) : _mm256_add_ps(alt, vm);
        evenStart = _mm256_add_ps(v0, vm);
        oddStart = _mm256_sub_ps(v0, vm);
        out[l / 2] = alt;
    }
    out[0] = sum;
    // Rows k … k + 3 together (8 independent chains); the table's zero rows pad the last block.
    for (int k = 1; k <= h; k += 4) {
        const float *ck = cs + (k - 1) * h, *sk = sn + (k - 1) * h;
        __m256 c0 = oddStart, c1 = evenStart, c2 = oddStart, c3 = evenStart;  // k is odd
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        for (int j = 1; j <= h; j++) {
            const __m256 aj = a[j], bj = b[j];
            c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(ck + j - 1), aj, c0);
            c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(ck + h + j - 1), aj, c1);
            c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(ck + 2 * h + j - 1), aj, c2);
            c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(ck + 3 * h + j - 1), aj, c3);
            s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(sk + j - 1), bj, s0);
            s1 = _mm256_fmadd_ps(_mm256_broadcast_ss(sk + h + j - 1), bj, s1);
            s2 = _mm256_fmadd_ps(_mm256_broadcast_ss(sk + 2 * h + j - 1), bj, s2);
            s3 = _mm256_fmadd_ps(_mm256_broadcast_ss(sk + 3 * h + j - 1), bj, s3);
        }
        const __m256 cc[4] = {c0, c1, c2, c3}, ss[4] = {s0, s1, s2, s3};
        for (int i = 0; i < 4 && k + i <= h; i++) {
            __m256 m, pl;
            dft_pm_i(cc[i], ss[i], &m, &pl);
            out[k + i] = backward ? pl : m;
            out[l - k - i] = backward ? m : pl;
        }
    }
}

// dft_direct of two sets of vectors at once (v → out, w → outw; l odd, > 4), rows k, k + 1
// together: each table value loaded feeds two multiply-adds instead of one, and each chain is
// the one dft_direct computes, so the results are the same bits.
CK_TARGET static void dft_direct2(const __m256 *v, const __m256 *w, __m256 *out, __m256 *outw, int l, int backward,
                                  const float *tab) {
    const int h = dft_pairs(l);
    const float *cs = tab, *sn = tab + dft_rows(l) * h;
    __m256 a[CK_DFT_PQ_MAX / 2 + 1], b[CK_DFT_PQ_MAX / 2 + 1], aw[CK_DFT_PQ_MAX / 2 + 1], bw[CK_DFT_PQ_MAX / 2 + 1];
    __m256 sum = v[0], sumw = w[0];
    for (int j = 1; j <= h; j++) {
        a[j] = _mm256_add_ps(v[j], v[l - j]);
        b[j] = _mm256_sub_ps(v[j], v[l - j]);
        aw[j] = _mm256_add_ps(w[j], w[l - j]);
        bw[j] = _mm256_sub_ps(w[j], w[l - j]);
        sum = _mm256_add_ps(sum, a[j]);
        sumw = _mm256_add_ps(sumw, aw[j]);
    }
    out[0] = sum;
    outw[0] = sumw;
    for (int k = 1; k <= h; k += 2) {
        const float *ck = cs + (k - 1) * h, *sk = sn + (k - 1) * h;
        __m256 c0 = v[0], c1 = v[0], d0 = w[0], d1 = w[0];
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, t0 = s0, t1 = s0;
        for (int j = 1; j <= h; j++) {
            __m256 f = _mm256_broadcast_ss(ck + j - 1);
            c0 = _mm256_fmadd_ps(f, a[j], c0);
            d0 = _mm256_fmadd_ps(f, aw[j], d0);
            f = _mm256_broadcast_ss(ck + h + j - 1);
            c1 = _mm256_fmadd_ps(f, a[j], c1);
            d1 = _mm256_fmadd_ps(f, aw[j], d1);
            f = _mm256_broadcast_ss(sk + j - 1);
            s0 = _mm256_fmadd_ps(f, b[j], s0);
            t0 = _mm256_fmadd_ps(f, bw[j], t0);
            f = _mm256_broadcast_ss(sk + h + j - 1);
            s1 = _mm256_fmadd_ps(f, b[j], s1);
            t1 = _mm256_fmadd_ps(f, bw[j], t1);
        }
        __m256 m, pl;
        dft_pm_i(c0, s0, &m, &pl);
        out[k] = backward ? pl : m;
        out[l - k] = backward ? m : pl;
        dft_pm_i(d0, t0, &m, &pl);
        outw[k] = backward ? pl : m;
        outw[l - k] = backward ? m : pl;
        if (k + 1 <= h) {
            dft_pm_i(c1, s1, &m, &pl);
            out[k + 1] = backward ? pl : m;
            out[l - k - 1] = backward ? m : pl;
            dft_pm_i(d1, t1, &m, &pl);
            outw[k + 1] = backward ? pl : m;
            outw[l - k - 1] = backward ? m : pl;
        }
    }
}

// v·(∓i) on every lane: forward −i·(x + iy) = y − ix, backward +i·(x + iy) = −y + ix.
CK_TARGET static inline __m256 dft_rotate(__m256 v, int backward) {
    const __m256 flip = backward ? _mm256_setr_ps(-0.0f, 0, -0.0f, 0, -0.0f, 0, -0.0f, 0)
                                 : _mm256_setr_ps(0, -0.0f, 0, -0.0f, 0, -0.0f, 0, -0.0f);
    return _mm256_xor_ps(_mm256_permute_ps(v, 0xB1), flip);
}

// v·(∓i) on lane 3 (floats 6, 7) only.
CK_TARGET static inline __m256 dft_rotate_lane3(__m256 v, int backward) {
    return _mm256_blend_ps(v, dft_rotate(v, backward), 0xC0);
}

// 4-point DFT of the 4 complex lanes (natural order in), lanes out in the order k = 0, 2, 1, 3.
CK_TARGET static inline __m256 dft4_dit(__m256 v, int backward) {
    __m256 s = _mm256_permute2f128_ps(v, v, 0x01);                                   // (u2, u3 | u0, u1)
    __m256 w = _mm256_blend_ps(_mm256_add_ps(v, s), _mm256_sub_ps(s, v), 0xF0);       // (A0, A1 | B0, B1)
    w = dft_rotate_lane3(w, backward);                                               // (A0, A1 | B0, ∓iB1)
    __m256 sw = _mm256_permute_ps(w, 0x4E);                                          // swap within halves
    return _mm256_blend_ps(_mm256_add_ps(w, sw), _mm256_sub_ps(sw, w), 0xCC);         // (X0, X2 | X1, X3)
}

// The inverse arrangement: lanes in the order k = 0, 2, 1, 3, 4-point DFT out in natural order.
CK_TARGET static inline __m256 dft4_dif(__m256 v, int backward) {
    __m256 sw = _mm256_permute_ps(v, 0x4E);                                          // (Z2, Z0 | Z3, Z1)
    __m256 w = _mm256_blend_ps(_mm256_add_ps(v, sw), _mm256_sub_ps(sw, v), 0xCC);     // (P0, P1 | Q0, Q1)
    w = dft_rotate_lane3(w, backward);                                               // (P0, P1 | Q0, ±iQ1)
    __m256 s = _mm256_permute2f128_ps(w, w, 0x01);
    return _mm256_blend_ps(_mm256_add_ps(w, s), _mm256_sub_ps(s, w), 0xF0);           // (y0, y1 | y2, y3)
}

// Transpose of a 4 × 4 block of complex values (vector i's lane j ↔ vector j's lane i).
CK_TARGET static inline void dft_transpose4(__m256 *t) {
    const __m256d a0 = _mm256_unpacklo_pd(_mm256_castps_pd(t[0]), _mm256_castps_pd(t[1]));
    const __m256d a1 = _mm256_unpackhi_pd(_mm256_castps_pd(t[0]), _mm256_castps_pd(t[1]));
    const __m256d a2 = _mm256_unpacklo_pd(_mm256_castps_pd(t[2]), _mm256_castps_pd(t[3]));
    const __m256d a3 = _mm256_unpackhi_pd(_mm256_castps_pd(t[2]), _mm256_castps_pd(t[3]));
    t[0] = _mm256_castpd_ps(_mm256_permute2f128_pd(a0, a2, 0x20));
    t[1] = _mm256_castpd_ps(_mm256_permute2f128_pd(a1, a3, 0x20));
    t[2] = _mm256_castpd_ps(_mm256_permute2f128_pd(a0, a2, 0x31));
    t[3] = _mm256_castpd_ps(_mm256_permute2f128_pd(a1, a3, 0x31));
}

// The 4-point transform across four vectors (lane by lane), natural order in and out: the
// operations dft4_dit and dft4_dif apply to each value inside a vector (both are this radix-2²
// butterfly, in different lane orders), so the same bits.
CK_TARGET static inline void dft4_across(__m256 *t, int backward) {
    const __m256 a0 = _mm256_add_ps(t[0], t[2]), a1 = _mm256_add_ps(t[1], t[3]);
    const __m256 b0 = _mm256_sub_ps(t[0], t[2]), b1 = dft_rotate(_mm256_sub_ps(t[1], t[3]), backward);
    t[0] = _mm256_add_ps(a0, a1);
    t[1] = _mm256_add_ps(b0, b1);
    t[2] = _mm256_sub_ps(a0, a1);
    t[3] = _mm256_sub_ps(b0, b1);
}

CK_TARGET static void dft_pq_avx2(float *line, int p, int q, int backward, const float *tables) {
    const int n = p * q, r = q / 4;
    const float *tabP = tables, *tabR = tabP + dft_direct_size(p);
    const float *twA = tabR + dft_direct_size(r) + (backward ? 4 * (size_t)n : 0);
    const float *twB = tabR + dft_direct_size(r) + 8 * (size_t)n + (backward ? 16 * (size_t)r : 0);
    __m256 v[CK_DFT_PQ_MAX], u[CK_DFT_PQ_MAX];

    if (!backward) {
        // Pass A: columns, p-point, then the twiddles.
        int c = 0;
        for (; c + 8 <= q; c += 8) {  // two groups of 4 columns at a time
            __m256 v2[CK_DFT_PQ_MAX], u2[CK_DFT_PQ_MAX];
            for (int j = 0; j < p; j++) {
                v[j] = _mm256_loadu_ps(line + 2 * (q * j + c));
                v2[j] = _mm256_loadu_ps(line + 2 * (q * j + c + 4));
            }
            dft_direct2(v, v2, u, u2, p, 0, tabP);
            _mm256_storeu_ps(line + 2 * c, u[0]);
            _mm256_storeu_ps(line + 2 * (c + 4), u2[0]);
            for (int k = 1; k < p; k++) {
                _mm256_storeu_ps(line + 2 * (q * k + c), dft_cmul(u[k], twA + 4 * (q * k + c)));
                _mm256_storeu_ps(line + 2 * (q * k + c + 4), dft_cmul(u2[k], twA + 4 * (q * k + c + 4)));
            }
        }
        for (; c < q; c += 4) {
            for (int j = 0; j < p; j++) v[j] = _mm256_loadu_ps(line + 2 * (q * j + c));
            dft_direct(v, u, p, 0, tabP);
            _mm256_storeu_ps(line + 2 * c, u[0]);
            for (int k = 1; k < p; k++)
                _mm256_storeu_ps(line + 2 * (q * k + c), dft_cmul(u[k], twA + 4 * (q * k + c)));
        }
        // Pass B: rows; r-point across the vectors, lane twiddles, 4-point inside.
        for (int k1 = 0; k1 < p; k1++) {
            float *row = line + 2 * (size_t)q * k1;
            if (r == 4) {
                // 368 = 23·16: every row, in registers. The 4-point transforms over the lanes
                // run across the vectors of the transposed 4 × 4 block instead of by shuffles
                // inside each vector, which leaves the row in natural order (k₂ = k_m + 4·k_l at
                // 4·k_l + k_m).
                __m256 w[4], x[4];
                for (int m = 0; m < 4; m++) w[m] = _mm256_loadu_ps(row + 8 * m);
                dft_radix4(w, x, 0);
                for (int km = 1; km < 4; km++) x[km] = dft_cmul(x[km], twB + 16 * km);
                dft_transpose4(x);
                dft4_across(x, 0);
                for (int kl = 0; kl < 4; kl++) _mm256_storeu_ps(row + 8 * kl, x[kl]);
                continue;
            }
            for (int m = 0; m < r; m++) v[m] = _mm256_loadu_ps(row + 8 * m);
            if (r > 1) dft_direct(v, u, r, 0, tabR); else u[0] = v[0];
            for (int km = 0; km < r; km++) {
                __m256 t = km ? dft_cmul(u[km], twB + 16 * km) : u[km];
                _mm256_storeu_ps(row + 8 * km, dft4_dit(t, 0));
            }
        }
    } else {
        for (int k1 = 0; k1 < p; k1++) {
            float *row = line + 2 * (size_t)q * k1;
            if (r == 4) {  // in registers, the forward pass reversed
                __m256 w[4], x[4];
                for (int kl = 0; kl < 4; kl++) w[kl] = _mm256_loadu_ps(row + 8 * kl);
                dft4_across(w, 1);
                dft_transpose4(w);
                for (int km = 1; km < 4; km++) w[km] = dft_cmul(w[km], twB + 16 * km);
                dft_radix4(w, x, 1);
                for (int m = 0; m < 4; m++) _mm256_storeu_ps(row + 8 * m, x[m]);
                continue;
            }
            for (int km = 0; km < r; km++) {
                __m256 t = dft4_dif(_mm256_loadu_ps(row + 8 * km), 1);
                v[km] = km ? dft_cmul(t, twB + 16 * km) : t;
            }
            if (r > 1) dft_direct(v, u, r, 1, tabR); else u[0] = v[0];
            for (int m = 0; m < r; m++) _mm256_storeu_ps(row + 8 * m, u[m]);
        }
        int c = 0;
        for (; c + 8 <= q; c += 8) {
            __m256 v2[CK_DFT_PQ_MAX], u2[CK_DFT_PQ_MAX];
            v[0] = _mm256_loadu_ps(line + 2 * c);
            v2[0] = _mm256_loadu_ps(line + 2 * (c + 4));
            for (int k = 1; k < p; k++) {
                v[k] = dft_cmul(_mm256_loadu_ps(line + 2 * (q * k + c)), twA + 4 * (q * k + c));
                v2[k] = dft_cmul(_mm256_loadu_ps(line + 2 * (q * k + c + 4)), twA + 4 * (q * k + c + 4));
            }
            dft_direct2(v, v2, u, u2, p, 1, tabP);
            for (int j = 0; j < p; j++) {
                _mm256_storeu_ps(line + 2 * (q * j + c), u[j]);
                _mm256_storeu_ps(line + 2 * (q * j + c + 4), u2[j]);
            }
        }
        for (; c < q; c += 4) {
            v[0] = _mm256_loadu_ps(line + 2 * c);
            for (int k = 1; k < p; k++)
                v[k] = dft_cmul(_mm256_loadu_ps(line + 2 * (q * k + c)), twA + 4 * (q * k + c));
            dft_direct(v, u, p, 1, tabP);
            for (int j = 0; j < p; j++) _mm256_storeu_ps(line + 2 * (q * j + c), u[j]);
        }
    }
}

#endif  // CK_X86

void ck_dft_pq(float *line, int p, int q, int backward, const float *tables) {
#ifdef CK_X86
    dft_pq_avx2(line, p, q, backward, tables);
#else
    (void)line; (void)p; (void)q; (void)backward; (void)tables;
    __builtin_trap();  // callers check ck_has_avx2_fma() first
#endif
}
