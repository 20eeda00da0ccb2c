/*
 * NEON entries of the kernel table for direct KxK and pointwise convolution.
 * Compiled like every *_neon.c file (see table_neon.c); each NEON kernel
 * overrides its scalar entry here.
 */
#include "sk_dispatch.h"

void sk_functable_neon_conv(sk_functable *t) {
  (void)t; /* no NEON direct KxK and pointwise convolution kernels yet: scalar entries stay */
}
