// Single-thread throughput of the direct 3×3 convolution kernel (Sources/CKernels) on one layer
// shape: `conv3x3_driver CIN COUT H W` prints ms per call and GFLOP/s (2·Cin·Cout·9·H·W per
// call, mean of 20 calls after one warm-up) of the AVX2 kernel and, where the CPU has it, the
// AVX-512 one, each plain and with the fused input GroupNorm affine + SiLU ("+SiLU"). Built and
// run by scripts/bench-conv3x3.sh.
#include "ckernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s CIN COUT H W\n", argv[0]);
        return 2;
    }
    int cin = atoi(argv[1]), cout = atoi(argv[2]), h = atoi(argv[3]), w = atoi(argv[4]);
    if (cin < 1 || cout < 1 || h < 1 || w < 1) {
        fprintf(stderr, "%s: CIN, COUT, H, W must be positive\n", argv[0]);
        return 2;
    }
    if (!ck_has_avx2_fma()) {
        fprintf(stderr, "%s: this CPU has no AVX2 + FMA; the direct kernel is not used here\n", argv[0]);
        return 1;
    }
    float *x = malloc(sizeof(float) * (size_t)cin * h * w), *y = malloc(sizeof(float) * (size_t)cout * h * w);
    float *wt = malloc(sizeof(float) * (size_t)cout * cin * 9), *b = calloc((size_t)cout, sizeof(float));
    float *packed = malloc(sizeof(float) * ck_conv3x3_packed_size(cout, cin));
    float *scratch = malloc(sizeof(float) * ck_conv3x3_scratch(cin, h, w));
    if (!x || !y || !wt || !b || !packed || !scratch) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    srand(1);
    for (size_t i = 0; i < (size_t)cin * h * w; i++) x[i] = rand() / (float)RAND_MAX;
    for (size_t i = 0; i < (size_t)cout * cin * 9; i++) wt[i] = rand() / (float)RAND_MAX;
    ck_conv3x3_pack(wt, cout, cin, packed);
    printf("cin %d cout %d %dx%d:", cin, cout, h, w);
    // Per-channel GroupNorm-like scale and shift for the fused input (SiLU(scale·x + shift)).
    float *scale = malloc(sizeof(float) * (size_t)cin), *shift = malloc(sizeof(float) * (size_t)cin);
    for (int c = 0; c < cin; c++) { scale[c] = 1.1f; shift[c] = 0.1f; }
    for (int variant = 1; variant <= (ck_has_avx512() ? 2 : 1); variant++) {
        for (int fused = 0; fused <= 1; fused++) {
            const float *sc = fused ? scale : NULL, *sh = fused ? shift : NULL;
            ck_conv3x3_variant(variant, x, cin, h, w, packed, b, cout, y, 0, h, 0, sc, sh, scratch);
            const int reps = 20;
            double t0 = now();
            for (int r = 0; r < reps; r++) ck_conv3x3_variant(variant, x, cin, h, w, packed, b, cout, y, 0, h, 0, sc, sh, scratch);
            double t = (now() - t0) / reps;
            printf("  %s%s %.2f ms, %.1f GFLOP/s", variant == 1 ? "AVX2" : "AVX-512", fused ? "+SiLU" : "", t * 1e3,
                   2.0 * cin * cout * 9 * h * w / t / 1e9);
        }
    }
    free(scale); free(shift);
    printf("\n");
    free(x); free(y); free(wt); free(b); free(packed); free(scratch);
    return 0;
}
