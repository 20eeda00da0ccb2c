/* Weight packing for the conv kernels (format in kernels/sk_kernels.h). */
#ifndef SK_PACK_H
#define SK_PACK_H

#include <stddef.h>

#include "simdkern.h"

/* Number of floats the packed weights take; 0 on size_t overflow. */
size_t sk_packed_size(size_t groups, size_t out_c_g, size_t in_c_g, size_t kernel_h,
                      size_t kernel_w, size_t nr);

/* Packs weights (in layout wl, out_c = groups*out_c_g filters of in_c_g x
 * kernel_h x kernel_w) and bias (NULL: zeros) into packed, zero-padding each
 * group's last block of nr output channels. */
void sk_pack_conv_weights(const float *weights, sk_weights_layout wl, const float *bias,
                          size_t groups, size_t out_c_g, size_t in_c_g, size_t kernel_h,
                          size_t kernel_w, size_t nr, float *packed);

#endif /* SK_PACK_H */
