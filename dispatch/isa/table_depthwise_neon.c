/*
 * NEON entries of the kernel table for depthwise convolution.
 * Compiled like every *_neon.c file (see table_neon.c); each NEON kernel
 * overrides its scalar entry here.
 */
#include "sk_dispatch.h"

void sk_functable_neon_depthwise(sk_functable *t) {
  (void)t; /* no NEON depthwise convolution kernels yet: scalar entries stay */
}
