#!/usr/bin/python3
"""Writes the PyTorch golden cases for tests/test_golden.c.

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_golden.py
It rewrites tests/golden/cases/*.txt and tests/golden/cases/index.txt. The
output is deterministic (fixed seeds, CPU float32), and checked in so CI needs
no PyTorch.

File format (whitespace-separated tokens, one "key value..." per line):
  simdkern-golden 1
  name <id>          op conv2d|maxpool|avgpool
  in_c out_c groups  (conv; pooling uses in_c = out_c = channels, groups 1)
  kernel H W  stride H W  dilation H W  pads TOP LEFT BOTTOM RIGHT
  same 0|1  ceil 0|1  count_include_pad 0|1  global 0|1
  act none|relu|relu6|clamp  act_min F  act_max F  has_bias 0|1
  batch N  in_hw H W  out_hw H W
  input N <floats NCHW>  weights N <floats OIHW>  bias N <floats>
  output N <floats NCHW>
Floats are written with 9 significant digits (exact for float32).

Semantics follow DESIGN.md section 1. Where torch.nn.functional has no
direct form (asymmetric pads, TensorFlow SAME), the input is padded
explicitly with F.pad (zeros for convolution, -inf for max pooling) and, for
average pooling without count_include_pad, the divisor is computed by pooling
a mask of real elements the same way.
"""
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases")


def same_pads(n, k, s, d):
    out = (n + s - 1) // s
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2  # odd element at the end


def activate(y, act, lo, hi):
    if act == "relu":
        return F.relu(y)
    if act == "relu6":
        return F.relu6(y)
    if act == "clamp":
        return torch.clamp(y, lo, hi)
    return y


def fmt(t):
    vals = t.detach().contiguous().view(-1).tolist()
    lines = []
    for i in range(0, len(vals), 8):
        lines.append(" ".join("%.9g" % v for v in vals[i:i + 8]))
    return "%d\n%s\n" % (len(vals), "\n".join(lines))


def write_case(name, op, x, y, c, w=None, b=None):
    path = os.path.join(OUT, name + ".txt")
    n, ci, h, wd = x.shape
    _, co, oh, ow = y.shape
    with open(path, "w") as f:
        f.write("simdkern-golden 1\n")
        f.write("name %s\nop %s\n" % (name, op))
        f.write("in_c %d\nout_c %d\ngroups %d\n" % (ci, co, c.get("groups", 1)))
        f.write("kernel %d %d\n" % c.get("kernel", (0, 0)))
        f.write("stride %d %d\n" % c.get("stride", (1, 1)))
        f.write("dilation %d %d\n" % c.get("dilation", (1, 1)))
        f.write("pads %d %d %d %d\n" % c.get("pads", (0, 0, 0, 0)))
        f.write("same %d\nceil %d\ncount_include_pad %d\nglobal %d\n" % (
            int(c.get("same", False)), int(c.get("ceil", False)),
            int(c.get("cip", False)), int(c.get("global", False))))
        f.write("act %s\nact_min %.9g\nact_max %.9g\n" % (
            c.get("act", "none"), c.get("lo", 0.0), c.get("hi", 0.0)))
        f.write("has_bias %d\n" % int(b is not None))
        f.write("batch %d\nin_hw %d %d\nout_hw %d %d\n" % (n, h, wd, oh, ow))
        f.write("input " + fmt(x))
        if w is not None:
            f.write("weights " + fmt(w))
        if b is not None:
            f.write("bias " + fmt(b))
        f.write("output " + fmt(y))
    return name


def conv_case(name, seed, n, ci, co, h, w, kernel, stride=(1, 1), dilation=(1, 1),
              pads=(0, 0, 0, 0), groups=1, bias=True, same=False, act="none", lo=0.0, hi=0.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, ci, h, w, generator=g) * 2 - 1
    fan_in = (ci // groups) * kernel[0] * kernel[1]
    a = 3.0 / math.sqrt(fan_in)
    wt = (torch.rand(co, ci // groups, kernel[0], kernel[1], generator=g) * 2 - 1) * a
    b = (torch.rand(co, generator=g) * 2 - 1) if bias else None
    if same:
        pt, pb = same_pads(h, kernel[0], stride[0], dilation[0])
        pl, pr = same_pads(w, kernel[1], stride[1], dilation[1])
    else:
        pt, pl, pb, pr = pads
    xp = F.pad(x, (pl, pr, pt, pb))  # zeros
    y = F.conv2d(xp, wt, b, stride=stride, padding=0, dilation=dilation, groups=groups)
    if not same and pt == pb and pl == pr:  # cross-check torch's own padding
        y2 = F.conv2d(x, wt, b, stride=stride, padding=(pt, pl), dilation=dilation, groups=groups)
        assert torch.allclose(y, y2, atol=1e-5)
    y = activate(y, act, lo, hi)
    c = dict(groups=groups, kernel=kernel, stride=stride, dilation=dilation,
             pads=(0, 0, 0, 0) if same else pads, same=same, act=act, lo=lo, hi=hi)
    return write_case(name, "conv2d", x, y, c, wt, b)


def pool_case(name, seed, kind, n, ch, h, w, kernel=(0, 0), stride=None, dilation=(1, 1),
              pads=(0, 0, 0, 0), ceil=False, cip=False, same=False, glob=False,
              act="none", lo=0.0, hi=0.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, ch, h, w, generator=g) * 2 - 1
    if act != "none":
        x = x * 8
    if stride is None:
        stride = kernel
    if glob:
        y = F.adaptive_max_pool2d(x, 1) if kind == "max" else F.adaptive_avg_pool2d(x, 1)
        kernel, stride, dilation, pads = (0, 0), (0, 0), (0, 0), (0, 0, 0, 0)
    else:
        if same:
            pt, pb = same_pads(h, kernel[0], stride[0], dilation[0])
            pl, pr = same_pads(w, kernel[1], stride[1], dilation[1])
        else:
            pt, pl, pb, pr = pads
        symmetric = pt == pb and pl == pr and not same
        if kind == "max":
            if symmetric:
                y = F.max_pool2d(x, kernel, stride, (pt, pl), dilation, ceil_mode=ceil)
            else:
                assert not ceil
                xp = F.pad(x, (pl, pr, pt, pb), value=-math.inf)
                y = F.max_pool2d(xp, kernel, stride, 0, dilation)
        else:
            if symmetric:
                y = F.avg_pool2d(x, kernel, stride, (pt, pl), ceil_mode=ceil,
                                 count_include_pad=cip)
            else:
                assert not ceil
                xp = F.pad(x, (pl, pr, pt, pb))
                k = kernel[0] * kernel[1]
                s = F.avg_pool2d(xp, kernel, stride, 0) * k  # window sums
                if cip:
                    y = s / k
                else:
                    m = F.pad(torch.ones(1, 1, h, w), (pl, pr, pt, pb))
                    cnt = F.avg_pool2d(m, kernel, stride, 0) * k
                    y = s / cnt
        if same:
            pads = (0, 0, 0, 0)
    y = activate(y, act, lo, hi)
    c = dict(kernel=kernel, stride=stride, dilation=dilation, pads=pads, ceil=ceil, cip=cip,
             same=same, act=act, lo=lo, hi=hi)
    c["global"] = glob
    return write_case(name, "maxpool" if kind == "max" else "avgpool", x, y, c)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".txt"):
            os.remove(os.path.join(OUT, f))
    torch.set_num_threads(1)
    names = []
    s = iter(range(1000, 2000))
    # convolution
    names.append(conv_case("conv3x3_pad1_bias", next(s), 1, 3, 8, 10, 9, (3, 3), pads=(1, 1, 1, 1)))
    names.append(conv_case("conv3x3_stride2_nobias", next(s), 1, 4, 6, 11, 12, (3, 3), stride=(2, 2),
                           pads=(1, 1, 1, 1), bias=False))
    names.append(conv_case("conv5x5_pad2", next(s), 1, 8, 12, 9, 9, (5, 5), pads=(2, 2, 2, 2)))
    names.append(conv_case("conv3x3_dilation2", next(s), 1, 5, 4, 12, 10, (3, 3), dilation=(2, 2),
                           pads=(2, 2, 2, 2)))
    names.append(conv_case("conv1x3_asym", next(s), 1, 3, 5, 8, 9, (1, 3), stride=(2, 1),
                           pads=(0, 1, 2, 1)))
    names.append(conv_case("conv5x2_asym_dil", next(s), 1, 4, 3, 13, 9, (5, 2), stride=(1, 2),
                           dilation=(2, 3), pads=(3, 0, 1, 2)))
    names.append(conv_case("conv_groups2", next(s), 1, 8, 6, 7, 8, (3, 3), pads=(1, 1, 1, 1),
                           groups=2))
    names.append(conv_case("conv_groups4_s2_d2", next(s), 1, 8, 12, 11, 11, (3, 3), stride=(2, 2),
                           dilation=(2, 2), pads=(2, 2, 2, 2), groups=4))
    names.append(conv_case("depthwise3x3", next(s), 1, 16, 16, 9, 8, (3, 3), pads=(1, 1, 1, 1),
                           groups=16))
    names.append(conv_case("depthwise_mult2_s2", next(s), 1, 6, 12, 9, 10, (5, 5), stride=(2, 2),
                           pads=(2, 2, 2, 2), groups=6))
    names.append(conv_case("depthwise_s2_dil2", next(s), 1, 7, 7, 12, 11, (3, 3), stride=(2, 2),
                           dilation=(2, 2), pads=(1, 2, 1, 0), groups=7))
    names.append(conv_case("depthwise1x1_mult2", next(s), 1, 8, 16, 5, 6, (1, 1), groups=8))
    names.append(conv_case("pointwise_17_9", next(s), 1, 17, 9, 6, 7, (1, 1)))
    names.append(conv_case("pointwise_stride2", next(s), 1, 32, 20, 9, 8, (1, 1), stride=(2, 2)))
    names.append(conv_case("pointwise_pad1", next(s), 1, 5, 3, 4, 5, (1, 1), pads=(1, 1, 1, 1)))
    names.append(conv_case("conv7x7_s2_p3", next(s), 1, 3, 8, 16, 16, (7, 7), stride=(2, 2),
                           pads=(3, 3, 3, 3)))
    names.append(conv_case("conv_same_3x3_s2", next(s), 1, 4, 5, 9, 10, (3, 3), stride=(2, 2),
                           same=True))
    names.append(conv_case("conv_same_4x4", next(s), 1, 3, 4, 7, 6, (4, 4), same=True))
    names.append(conv_case("depthwise_same_5x5_s2", next(s), 1, 8, 8, 9, 12, (5, 5), stride=(2, 2),
                           groups=8, same=True))
    names.append(conv_case("conv_batch2", next(s), 2, 5, 7, 6, 7, (3, 3), pads=(1, 1, 1, 1)))
    names.append(conv_case("conv_relu", next(s), 1, 6, 9, 7, 7, (3, 3), pads=(1, 1, 1, 1),
                           act="relu"))
    names.append(conv_case("conv_relu6", next(s), 1, 6, 9, 7, 7, (3, 3), pads=(1, 1, 1, 1),
                           act="relu6"))
    names.append(conv_case("conv_clamp", next(s), 1, 6, 9, 7, 7, (3, 3), pads=(1, 1, 1, 1),
                           act="clamp", lo=-0.5, hi=0.7))
    names.append(conv_case("conv_33_17", next(s), 1, 33, 17, 5, 6, (3, 3), pads=(1, 1, 1, 1)))
    names.append(conv_case("pointwise_relu6_batch3", next(s), 3, 12, 24, 3, 5, (1, 1),
                           act="relu6"))
    # max pooling
    names.append(pool_case("maxpool2x2", next(s), "max", 1, 5, 8, 10, (2, 2)))
    names.append(pool_case("maxpool3x3_s2_p1", next(s), "max", 1, 8, 11, 12, (3, 3), (2, 2),
                           pads=(1, 1, 1, 1)))
    names.append(pool_case("maxpool3x3_s2_p1_ceil", next(s), "max", 1, 8, 10, 9, (3, 3), (2, 2),
                           pads=(1, 1, 1, 1), ceil=True))
    names.append(pool_case("maxpool2x2_s2_p1_ceil_drop", next(s), "max", 1, 3, 5, 5, (2, 2),
                           (2, 2), pads=(1, 1, 1, 1), ceil=True))
    names.append(pool_case("maxpool3x3_d2_p1", next(s), "max", 1, 6, 10, 11, (3, 3), (1, 1),
                           dilation=(2, 2), pads=(1, 1, 1, 1)))
    names.append(pool_case("maxpool2x3_d12_ceil", next(s), "max", 1, 4, 9, 10, (2, 3), (2, 1),
                           dilation=(1, 2), ceil=True))
    names.append(pool_case("maxpool_asym_pads", next(s), "max", 1, 7, 8, 9, (3, 3), (2, 2),
                           pads=(0, 1, 2, 1)))
    names.append(pool_case("maxpool_same_3x3_s2", next(s), "max", 1, 5, 9, 8, (3, 3), (2, 2),
                           same=True))
    names.append(pool_case("maxpool_relu_batch2", next(s), "max", 2, 9, 6, 6, (2, 2), act="relu"))
    # average pooling
    names.append(pool_case("avgpool2x2", next(s), "avg", 1, 5, 8, 10, (2, 2)))
    names.append(pool_case("avgpool3x3_s2_p1_cip", next(s), "avg", 1, 8, 11, 10, (3, 3), (2, 2),
                           pads=(1, 1, 1, 1), cip=True))
    names.append(pool_case("avgpool3x3_s2_p1_nocip", next(s), "avg", 1, 8, 11, 10, (3, 3), (2, 2),
                           pads=(1, 1, 1, 1), cip=False))
    names.append(pool_case("avgpool3x3_s2_p1_ceil_cip", next(s), "avg", 1, 6, 10, 9, (3, 3), (2, 2),
                           pads=(1, 1, 1, 1), ceil=True, cip=True))
    names.append(pool_case("avgpool3x3_s2_p1_ceil_nocip", next(s), "avg", 1, 6, 10, 9, (3, 3),
                           (2, 2), pads=(1, 1, 1, 1), ceil=True, cip=False))
    names.append(pool_case("avgpool2x2_s1_p1_ceil_nocip", next(s), "avg", 1, 3, 5, 6, (2, 2), (1, 1),
                           pads=(1, 1, 1, 1), ceil=True))
    names.append(pool_case("avgpool2x2_s2_p1_ceil_drop_cip", next(s), "avg", 1, 3, 5, 5, (2, 2),
                           (2, 2), pads=(1, 1, 1, 1), ceil=True, cip=True))
    names.append(pool_case("avgpool3x2_s3x2_ceil", next(s), "avg", 1, 4, 10, 7, (3, 2), (3, 2),
                           ceil=True))
    names.append(pool_case("avgpool_same_3x3_s2", next(s), "avg", 1, 5, 9, 8, (3, 3), (2, 2),
                           same=True))
    names.append(pool_case("avgpool_asym_pads_nocip", next(s), "avg", 1, 6, 7, 8, (3, 3), (2, 2),
                           pads=(2, 0, 1, 2)))
    names.append(pool_case("avgpool_asym_pads_cip", next(s), "avg", 1, 6, 7, 8, (3, 3), (2, 2),
                           pads=(2, 0, 1, 2), cip=True))
    names.append(pool_case("avgpool_relu6", next(s), "avg", 1, 10, 6, 6, (2, 2), act="relu6"))
    names.append(pool_case("avgpool_clamp", next(s), "avg", 1, 10, 6, 6, (3, 3), (1, 1),
                           pads=(1, 1, 1, 1), act="clamp", lo=-0.5, hi=0.7))
    # global
    names.append(pool_case("global_avg_17x7x7", next(s), "avg", 1, 17, 7, 7, glob=True))
    names.append(pool_case("global_avg_batch2", next(s), "avg", 2, 8, 5, 9, glob=True))
    names.append(pool_case("global_max_9x6x5", next(s), "max", 1, 9, 6, 5, glob=True))
    names.append(pool_case("global_avg_33x1x1", next(s), "avg", 1, 33, 1, 1, glob=True))
    with open(os.path.join(OUT, "index.txt"), "w") as f:
        for n in names:
            f.write(n + ".txt\n")
    total = sum(os.path.getsize(os.path.join(OUT, n + ".txt")) for n in names)
    print("wrote %d cases, %d bytes, to %s" % (len(names), total, OUT))


if __name__ == "__main__":
    main()
