// Interleaved single-thread timing of two versions of the direct 3×3 convolution in one process:
// `old_ck_conv3x3` (an earlier commit's conv3x3.c with its symbols renamed, see
// scripts/bench-conv3x3-ab.sh) against this tree's ck_conv3x3, with the fused GroupNorm affine +
// SiLU, on the default prior's layer shapes whose width leaves row tails (fastMRI's 368 and
// 320). Each of 15 rounds times both versions back to back; the best of each is printed, so the
// host's drift hits both alike.
#include "ckernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void old_ck_conv3x3(const float *x, int cin, int height, int width, const float *packed, const float *bias, int cout,
                    float *y, int row0, int rows, int accumulate, const float *in_scale, const float *in_shift,
                    float *scratch);
size_t old_ck_conv3x3_scratch(int cin, int height, int width);
size_t old_ck_conv3x3_packed_size(int cout, int cin);
void old_ck_conv3x3_pack(const float *w, int cout, int cin, float *packed);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    // cin, cout, height, width, convolutions of this shape in the network
    static const int shapes[][5] = {{48, 48, 40, 46, 7},   {96, 48, 40, 46, 1},   {48, 48, 80, 92, 2},
                                    {96, 48, 80, 92, 1},   {24, 48, 80, 92, 1},   {24, 24, 160, 184, 2},
                                    {72, 24, 160, 184, 1}, {12, 24, 160, 184, 1}, {48, 48, 40, 40, 7},
                                    {96, 48, 40, 40, 1},   {12, 12, 320, 368, 3}, {36, 12, 320, 368, 1}};
    double totalOld = 0, totalNew = 0;
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        const int cin = shapes[s][0], cout = shapes[s][1], h = shapes[s][2], w = shapes[s][3], count = shapes[s][4];
        float *x = malloc(sizeof(float) * (size_t)cin * h * w), *y = malloc(sizeof(float) * (size_t)cout * h * w);
        float *weight = malloc(sizeof(float) * (size_t)cout * cin * 9), *bias = calloc((size_t)cout, sizeof(float));
        float *scale = malloc(sizeof(float) * (size_t)cin), *shift = malloc(sizeof(float) * (size_t)cin);
        for (long i = 0; i < (long)cin * h * w; i++) x[i] = (float)(i % 13) * 0.1f - 0.5f;
        for (long i = 0; i < (long)cout * cin * 9; i++) weight[i] = (float)(i % 7) * 0.01f;
        for (int c = 0; c < cin; c++) {
            scale[c] = 1.1f;
            shift[c] = 0.1f;
        }
        float *packedNew = malloc(sizeof(float) * ck_conv3x3_packed_size(cout, cin));
        float *packedOld = malloc(sizeof(float) * old_ck_conv3x3_packed_size(cout, cin));
        ck_conv3x3_pack(weight, cout, cin, packedNew);
        old_ck_conv3x3_pack(weight, cout, cin, packedOld);
        float *scratchNew = malloc(sizeof(float) * ck_conv3x3_scratch(cin, h, w));
        float *scratchOld = malloc(sizeof(float) * old_ck_conv3x3_scratch(cin, h, w));
        const double flops = 2.0 * cin * cout * 9 * h * w;
        const int reps = (int)(2e8 / flops) + 1;
        double bestOld = 1e9, bestNew = 1e9;
        for (int r = 0; r < 15; r++) {
            double t0 = now();
            for (int k = 0; k < reps; k++)
                old_ck_conv3x3(x, cin, h, w, packedOld, bias, cout, y, 0, h, 0, scale, shift, scratchOld);
            double t1 = now();
            for (int k = 0; k < reps; k++)
                ck_conv3x3(x, cin, h, w, packedNew, bias, cout, y, 0, h, 0, scale, shift, scratchNew);
            double t2 = now();
            if ((t1 - t0) / reps < bestOld) bestOld = (t1 - t0) / reps;
            if ((t2 - t1) / reps < bestNew) bestNew = (t2 - t1) / reps;
        }
        printf("%3d->%3d %dx%d: old %.3f ms %.1f GFLOP/s, new %.3f ms %.1f GFLOP/s (%+.0f%%)\n", cin, cout, h, w,
               bestOld * 1e3, flops / bestOld / 1e9, bestNew * 1e3, flops / bestNew / 1e9, 100 * (bestNew / bestOld - 1));
        if (w != 40) {  // the 320×368 network's shapes
            totalOld += bestOld * count;
            totalNew += bestNew * count;
        }
        free(x), free(y), free(weight), free(bias), free(scale), free(shift);
        free(packedNew), free(packedOld), free(scratchNew), free(scratchOld);
    }
    printf("the 320x368 network's shapes above (x their counts): old %.2f ms new %.2f ms (%+.1f%%)\n", totalOld * 1e3,
           totalNew * 1e3, 100 * (totalNew / totalOld - 1));
    return 0;
}
