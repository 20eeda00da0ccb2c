#!/usr/bin/env python3
"""Writes the hand-made seeds of the committed corpus (fuzz/corpus/<target>/seed-*).

The byte layout is the one the targets decode (fuzz/fuzz_common.h, fuzz_conv.c, fuzz_pool.c):
a size byte < 0xF0 is taken modulo (its maximum + 1); 0xF0..0xFF select hostile values
(0xF2 = UINT32_MAX, 0xF4 = 2^31, 0xF6 = 65536, 0xFB = raw 32-bit value follows...). Enum
bytes < 0xF8 are taken modulo the count; 0xF8..0xFF give unknown values. Float bytes index
a table (0: -1, 1: 0, 2: 0.5, 3: 6, 6: NaN, 7: -inf, 8: inf, ...). Inputs found by `make fuzz`
worth keeping are added next to these as plain files (crash-*/min-*).

Usage: /usr/bin/python3 fuzz/make_seeds.py   (rewrites the seed-* files only)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

U32MAX, U32MAX_1, P31, P31_1, P16, P16_1 = 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7

# float table indices
F_M1, F_0, F_HALF, F_6, F_NAN, F_MINF, F_INF, F_1E30 = 0, 1, 2, 3, 6, 7, 8, 10


def fill(seed=1, specials=()):
    """A fill block: raw32 seed, count, then (raw32 position, selector) per special.
    selectors: 0 NaN, 1 +inf, 2 -inf, 3 denormal, 4 -0, 5 -denormal, 6 3.0, 7 -3.0"""
    b = struct.pack("<I", seed) + bytes([len(specials)])
    for pos, sel in specials:
        b += struct.pack("<I", pos) + bytes([sel])
    return b


def conv(mode=0, layout=0, wl=0, in_c=4, out_c=4, groups=1, kh=3, kw=3, sh=1, sw=1, dh=1, dw=1,
         pads=(1, 1, 1, 1), flags=0, act=0, amin=F_M1, amax=F_6, isa=0, batch=1, h=5, w=6,
         extra=b"", specials=()):
    b = bytes([mode, layout, wl, in_c, out_c, groups, kh, kw, sh, sw, dh, dw, *pads, flags, act,
               amin, amax, isa, batch, h, w])
    return b + extra + fill(11) + fill(22) + fill(33, specials)


def pool(mode=0, kind=0, layout=0, ch=8, kh=3, kw=3, sh=2, sw=2, dh=1, dw=1, pads=(1, 1, 1, 1),
         flags=0, act=0, amin=F_M1, amax=F_6, isa=0, batch=1, h=7, w=8, specials=()):
    b = bytes([mode, kind, layout, ch, kh, kw, sh, sw, dh, dw, *pads, flags, act, amin, amax, isa,
               batch, h, w])
    return b + fill(44, specials)


CONV = {
    "direct3x3_nhwc_bias": conv(mode=8, in_c=8, out_c=16),
    "direct3x3_nchw_ohwi": conv(layout=1, wl=1, in_c=5, out_c=17, h=7, w=9),
    "direct5x5_s2_relu": conv(in_c=3, out_c=9, kh=5, kw=5, sh=2, sw=2, pads=(2, 2, 2, 2), act=1,
                              h=9, w=11),
    "direct1x3_asym_dil": conv(in_c=2, out_c=3, kh=1, kw=3, dw=2, pads=(0, 2, 1, 0), h=4, w=8),
    "depthwise3x3_s2": conv(mode=1, in_c=9, out_c=9, sh=2, sw=2, h=8, w=9),
    "depthwise5x5_mult2_nchw": conv(mode=3, layout=1, in_c=6, out_c=1, kh=5, kw=5,
                                    pads=(2, 2, 2, 2), h=6, w=7),
    "depthwise_dil2_generic": conv(mode=1, in_c=17, out_c=17, dh=2, dw=2, pads=(2, 2, 2, 2)),
    "grouped3x3": conv(mode=4, in_c=3, out_c=1, groups=2, h=6, w=5),
    "pointwise_s2": conv(in_c=17, out_c=9, kh=1, kw=1, sh=2, sw=2, pads=(0, 0, 0, 0), h=7, w=7),
    "pointwise_pads_nchw": conv(layout=1, in_c=4, out_c=24, kh=1, kw=1, h=3, w=25),
    "same_s2_relu6": conv(in_c=4, out_c=8, sh=2, sw=2, pads=(0, 0, 0, 0), flags=1, act=2, h=7,
                          w=8),
    "clamp": conv(in_c=4, out_c=8, act=3, amin=F_M1, amax=F_HALF),
    "batch3": conv(in_c=3, out_c=5, batch=3, h=4, w=4),
    "nan_inf_inputs": conv(in_c=4, out_c=5, specials=((3, 0), (17, 1), (40, 2), (41, 3))),
    # hostile
    "clamp_nan_bound": conv(act=3, amin=F_NAN, amax=F_6),
    "clamp_min_gt_max": conv(act=3, amin=F_6, amax=F_M1),
    "unknown_flag": conv(flags=0xC5),
    "unknown_layout": conv(layout=0xFA),
    "unknown_weights_layout": conv(wl=0xFC),
    "unknown_activation": conv(act=0xF9),
    "unknown_isa": conv(isa=0xFB),
    "isa_avx2": conv(isa=2),
    "isa_neon": conv(isa=3),
    "groups_not_dividing": conv(in_c=6, out_c=4, groups=3),
    "zero_channels": conv(in_c=0),
    "zero_kernel": conv(kh=0),
    "same_with_pads": conv(flags=1),
    "pads_larger_than_input": conv(in_c=2, out_c=3, pads=(3, 3, 3, 3), h=1, w=1),
    "input_smaller_than_kernel": conv(kh=5, kw=5, pads=(0, 0, 0, 0), h=4, w=4),
    "batch0": conv(batch=0),
    "null_weights": conv(mode=0x30),
    "channels_u32max": conv(in_c=U32MAX, out_c=U32MAX, kh=U32MAX, kw=U32MAX),
    "pointwise_u32max_channels": conv(in_c=U32MAX, out_c=U32MAX, kh=1, kw=1),
    "dilation_2p31": conv(dh=P31, kh=3),
    "dilation_u32max": conv(dw=U32MAX, kw=2),
    "image_u32max": conv(h=U32MAX, w=U32MAX),
    "image_u32max_minus1_pads": conv(h=U32MAX_1, w=4),
    "image_65536_valid_huge": conv(in_c=1, out_c=1, kh=1, kw=1, pads=(0, 0, 0, 0), h=P16, w=P16),
    "batch_u32max": conv(batch=U32MAX, h=P16, w=P16),
    "pads_u32max": conv(pads=(U32MAX, 0, 0, 0)),
    "stride_u32max": conv(sh=U32MAX, sw=P31, h=P16, w=9),
    "weights_2p32": conv(in_c=P16, out_c=P16, kh=1, kw=1),
}

POOL = {
    "max3x3_s2_nhwc": pool(ch=32),
    "max3x3_s2_nchw_relu": pool(layout=1, ch=5, act=1, h=9, w=17),
    "avg3x3_s1_cip": pool(kind=1, ch=9, sh=1, sw=1, flags=4, h=6, w=7),
    "avg2x2_ceil": pool(kind=1, ch=65, kh=2, kw=2, pads=(0, 0, 0, 0), flags=2, h=7, w=7),
    "avg3x3_s2_ceil_nocip_nchw": pool(kind=1, layout=1, ch=3, flags=2, h=8, w=9),
    "max2x2_ceil_empty_windows": pool(ch=4, kh=2, kw=2, pads=(1, 1, 1, 1), flags=2, h=3, w=3),
    "max_dil2": pool(ch=7, dh=2, dw=2, pads=(2, 2, 2, 2), h=9, w=9),
    "max_same_s2": pool(ch=33, pads=(0, 0, 0, 0), flags=1, h=7, w=10),
    "avg_same_clamp": pool(kind=1, ch=16, pads=(0, 0, 0, 0), flags=1, act=3, amin=F_M1,
                           amax=F_HALF),
    "global_max": pool(mode=1, ch=64, h=5, w=6),
    "global_avg_nchw": pool(mode=1, kind=1, layout=1, ch=9, h=9, w=9),
    "max_129ch": pool(ch=129, h=5, w=5),
    "nan_inf_inputs": pool(ch=5, specials=((0, 0), (9, 1), (30, 2), (31, 0), (50, 3))),
    "batch2_nchw": pool(layout=1, ch=3, batch=2, h=5, w=4),
    # hostile
    "global_with_kernel": pool(flags=8),
    "global_with_ceil": pool(mode=1, flags=2),
    "avg_dilation": pool(kind=1, dh=2),
    "pad_eq_extent": pool(pads=(3, 0, 0, 0)),
    "clamp_nan": pool(act=3, amin=F_MINF, amax=F_NAN),
    "unknown_kind": pool(kind=0xF8),
    "unknown_flags": pool(flags=0xD3),
    "unknown_isa": pool(isa=0xFE),
    "zero_channels": pool(ch=0),
    "channels_u32max": pool(ch=U32MAX),
    "kernel_u32max": pool(kh=U32MAX, sh=1, pads=(0, 0, 0, 0)),
    "dilation_overflow": pool(kh=3, dh=P31, pads=(0, 0, 0, 0)),
    "image_u32max": pool(h=U32MAX, w=5),
    "image_65536": pool(ch=1, h=P16, w=P16),
    "batch0": pool(batch=0),
    "input_smaller_than_kernel": pool(kh=5, kw=5, pads=(0, 0, 0, 0), h=3, w=3),
}


def write(target, cases):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.startswith("seed-"):
            os.remove(os.path.join(d, name))
    for name, data in cases.items():
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("conv", CONV)
    write("pool", POOL)
    print(f"wrote {len(CONV)} conv and {len(POOL)} pool seeds")
