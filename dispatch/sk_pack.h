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

/*
 * Zero padding is zeros that are multiplied, as in PyTorch: a NaN or infinite
 * weight makes NaN (0 * NaN, 0 * inf) every output whose tap at that weight
 * falls in the padding. Kernels skip padded taps or multiply zeros, whichever
 * is faster, so conv ops whose weights are not all finite fix those outputs
 * after the kernel (a broken model's cost only).
 *
 * sk_conv_nonfinite_any: whether any of the n weights is NaN or infinite.
 * sk_conv_nonfinite_taps: taps[oc * kernel_h * kernel_w + ky * kernel_w + kx]
 * = 1 if a weight of filter oc at tap (ky, kx) (any input channel) is not
 * finite, else 0.
 * sk_conv_pad_nan: sets to NaN, in one image's output (layout l, geometry p,
 * in_c_g/out_c_g as in the user's groups), every output whose non-finite tap
 * lies in the padding.
 */
int sk_conv_nonfinite_any(const float *weights, size_t n);
void sk_conv_nonfinite_taps(const float *weights, sk_weights_layout wl, size_t out_c,
                            size_t in_c_g, size_t kernel_h, size_t kernel_w, unsigned char *taps);
struct sk_conv_params;
void sk_conv_pad_nan(const unsigned char *taps, const struct sk_conv_params *p, sk_layout l,
                     float *output);

#endif /* SK_PACK_H */
