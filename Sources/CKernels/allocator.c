// glibc allocator settings for the sampler's allocation pattern (see ckernels.h).
#include "ckernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void ck_tune_allocator(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MXFAST, 0);
#endif
}
