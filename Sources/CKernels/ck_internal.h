// Shared by the kernel files: architecture detection and the AVX2 + FMA function attribute.
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#include "ckernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CK_X86 1
#define CK_TARGET __attribute__((target("avx2,fma")))
#endif

#endif
