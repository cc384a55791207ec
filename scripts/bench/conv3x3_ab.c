// Interleaved single-thread timing of two versions of the direct 3×3 convolution in one process:
// `old_ck_conv3x3` (an earlier commit's conv3x3.c with its symbols renamed, see
// scripts/bench-conv3x3-ab.sh) against this tree's ck_conv3x3, with the fused GroupNorm affine +
// SiLU, on the default prior's layer shapes whose width leaves row tails (fastMRI's 368 and
// 320). Each of 15 rounds times both versions back to back; the best of each is printed, so the
// host's drift hits both alike.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ckernels.h"
void old_ck_conv3x3(const float *x, int cin, int height, int width, const float *packed, const float *bias, int cout,
                float *y, int row0, int rows, int accumulate, const float *in_scale, const float *in_shift, float *scratch);
size_t old_ck_conv3x3_scratch(int cin, int height, int width);
size_t old_ck_conv3x3_packed_size(int cout, int cin);
void old_ck_conv3x3_pack(const float *w, int cout, int cin, float *packed);
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(void) {
  int shapes[][5]={{48,48,40,46,7},{96,48,40,46,1},{48,48,80,92,2},{96,48,80,92,1},{24,48,80,92,1},{24,24,160,184,2},{72,24,160,184,1},{12,24,160,184,1},{48,48,40,40,7},{96,48,40,40,1},{12,12,320,368,3},{36,12,320,368,1}};
  int ns=sizeof(shapes)/sizeof(shapes[0]); double to=0,tn=0;
  for(int s=0;s<ns;s++){
    int cin=shapes[s][0],cout=shapes[s][1],h=shapes[s][2],w=shapes[s][3],cnt=shapes[s][4];
    float*x=malloc(4L*cin*h*w),*y=malloc(4L*cout*h*w),*wt=malloc(4L*cout*cin*9),*b=calloc(cout,4);
    for(long i=0;i<(long)cin*h*w;i++)x[i]=(i%13)*0.1f-0.5f;
    for(long i=0;i<(long)cout*cin*9;i++)wt[i]=(i%7)*0.01f;
    float*p=malloc(4*ck_conv3x3_packed_size(cout,cin));ck_conv3x3_pack(wt,cout,cin,p);
    float*po=malloc(4*old_ck_conv3x3_packed_size(cout,cin));old_ck_conv3x3_pack(wt,cout,cin,po);
    float*sc=malloc(4*ck_conv3x3_scratch(cin,h,w)),*so=malloc(4*old_ck_conv3x3_scratch(cin,h,w)); float*as=malloc(4*cin),*ah=malloc(4*cin);for(int c=0;c<cin;c++){as[c]=1.1f;ah[c]=0.1f;}
    double fl=2.0*cin*cout*9*h*w; double bo=1e9,bn=1e9; int reps=(int)(2e8/fl)+1;
    for(int r=0;r<15;r++){double t0=now();for(int k=0;k<reps;k++)old_ck_conv3x3(x,cin,h,w,po,b,cout,y,0,h,0,as,ah,so);double t1=now();for(int k=0;k<reps;k++)ck_conv3x3(x,cin,h,w,p,b,cout,y,0,h,0,as,ah,sc);double t2=now();
      if((t1-t0)/reps<bo)bo=(t1-t0)/reps; if((t2-t1)/reps<bn)bn=(t2-t1)/reps;}
    printf("%3d->%3d %dx%d: old %.3f ms %.1f GFLOP/s, new %.3f ms %.1f GFLOP/s (%+.0f%%)\n",cin,cout,h,w,bo*1e3,fl/bo/1e9,bn*1e3,fl/bn/1e9,100*(bn/bo-1));
    if(w!=40){to+=bo*cnt; tn+=bn*cnt;}
  }
  printf("the 320x368 network's shapes above (x their counts): old %.2f ms new %.2f ms (%+.1f%%)\n",to*1e3,tn*1e3,100*(tn/to-1));
}
