/*
 * NEON entries of the kernel table for max, average and global pooling.
 * Compiled like every *_neon.c file (see table_neon.c); each NEON kernel
 * overrides its scalar entry here.
 */
#include "sk_dispatch.h"

void sk_functable_neon_pool(sk_functable *t) {
  (void)t; /* no NEON max, average and global pooling kernels yet: scalar entries stay */
}
