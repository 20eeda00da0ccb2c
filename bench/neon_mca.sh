#!/usr/bin/env bash
# Speed on paper for the NEON kernels: compiles each kernels/*/*_neon.c to
# assembly for AArch64 (gcc -O3 -mcpu=cortex-a72, and -mcpu=cortex-a76) and
# ARMv7 (arm-linux-gnueabihf-gcc -O3 -mcpu=cortex-a72 -mfpu=neon-vfpv4
# -mfloat-abi=hard, Thumb-2 as Debian builds it), finds each function's hot
# inner loop (the innermost backward-branch loop with the most multiply-adds,
# the shortest of equals: edge variants with TBL or lane loads are longer;
# files with none, e.g. pooling: the innermost loop with the most vector
# instructions), runs llvm-mca on it, and prints a table:
#
#   FMA/it    128-bit multiply-adds per iteration (fmla/vfma/vmla .4s/q = 1,
#             64-bit forms 1/2, scalar 1/4)
#   cyc/it    llvm-mca Total Cycles / Iterations (throughput and latency)
#   FMA/cyc   their ratio
#   %2x128    FMA/cyc against 2 x 128-bit FMA per cycle (the Cortex-A76
#             hardware limit the issue quotes; "-" when the loop has none)
#   %model    FMA/cyc against the peak of llvm-mca's own model of the core,
#             measured on a loop of independent 128-bit FMAs (see the header)
#
# Machine models. llvm-mca (14 and 19 alike) has no Cortex-A72 or Cortex-A76
# model of its own: -mcpu=cortex-a72 and -mcpu=cortex-a76 both use its
# Cortex-A57 model, where an AArch64 FMLA .4s holds one of the two FP pipes
# for two cycles (peak 1 q-FMA/cycle) and an AArch32 VFMA/VMLA q holds it for
# one (peak 2/cycle). So:
#   - the a76 figures come from llvm-mca -mcpu=neoverse-n1: Neoverse N1 is
#     the infrastructure derivative of Cortex-A76 (same core pipeline, 2 x
#     128-bit FMA per cycle); llvm-mca 19 models it (peak 2 q-FMA/cycle). The
#     code is still compiled with gcc -mcpu=cortex-a76.
#   - the a72 figures keep -mcpu=cortex-a72 (the A57 model, peak 1 q-FMA per
#     cycle on AArch64, like the A72 hardware: two 64-bit FP pipes), so there
#     %model is the meaningful column and %2x128 is at most 50% by
#     construction.
# llvm-mca 14 (Debian 12's default) models neoverse-n1 with the A57 model
# too; the script therefore uses llvm-19's llvm-mca (apt-get install -y
# llvm-19), installing it when run as root, else it prints the command and
# falls back to the default llvm-mca, saying so in the header.
#
# Usage: bench/neon_mca.sh [-a] [-k] [file.c ...]
#   (default: every kernels/*/*_neon.c)
#   -a  every function with a loop, not only those whose hot loop has at
#       least half the file's most multiply-adds per iteration (remainder
#       and edge variants are hidden by default)
#   -k  keep the work directory (assembly, extracted loops) and print it
# Needs: gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf, llvm-19 (llvm-mca;
# older llvm-mca as a fallback), python3. LLVM_MCA=path overrides the choice.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
all=0
keep=0
while getopts "ak" opt; do
  case "$opt" in
    a) all=1 ;;
    k) keep=1 ;;
    *) sed -n '2,49p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

MCA19=/usr/lib/llvm-19/bin/llvm-mca
mca_note=""
if [ -n "${LLVM_MCA:-}" ]; then
  MCA="$LLVM_MCA"
  mca_note="LLVM_MCA set by the caller"
else
  if [ ! -x "$MCA19" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "neon_mca: llvm-mca 19 missing, running: apt-get install -y llvm-19" >&2
    apt-get install -y llvm-19 >&2 || echo "neon_mca: apt-get install -y llvm-19 failed" >&2
  fi
  if [ -x "$MCA19" ]; then
    MCA="$MCA19"
  else
    MCA="$(command -v llvm-mca || command -v llvm-mca-14 || true)"
    mca_note="llvm-mca 19 not found (install it: sudo apt-get install -y llvm-19);"
    mca_note+=" FALLING BACK to ${MCA:-nothing}, whose neoverse-n1 is its A57 model:"
    mca_note+=" the a64-a76 rows then show 1 q-FMA/cycle at most"
    echo "neon_mca: $mca_note" >&2
  fi
fi
for tool in aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc python3; do
  command -v "$tool" >/dev/null || { echo "neon_mca: $tool not found" >&2; exit 1; }
done
[ -n "$MCA" ] || { echo "neon_mca: llvm-mca not found (apt-get install llvm)" >&2; exit 1; }

if [ $# -eq 0 ]; then
  set -- "$root"/kernels/*/*_neon.c
fi

work="$(mktemp -d)"
if [ "$keep" = 0 ]; then trap 'rm -rf "$work"' EXIT; fi

# target name | compiler and flags | llvm-mca triple | llvm-mca cpu
# (a76: code for cortex-a76, timed on llvm-mca's Neoverse N1 model, see above)
targets=(
  "a64-a72|aarch64-linux-gnu-gcc -O3 -mcpu=cortex-a72|aarch64-linux-gnu|cortex-a72"
  "a64-a76|aarch64-linux-gnu-gcc -O3 -mcpu=cortex-a76|aarch64-linux-gnu|neoverse-n1"
  "v7-a72|arm-linux-gnueabihf-gcc -O3 -mcpu=cortex-a72 -mfpu=neon-vfpv4 -mfloat-abi=hard|thumbv7-linux-gnueabihf|cortex-a72"
)

for t in "${targets[@]}"; do
  IFS='|' read -r name cc _ _ <<<"$t"
  mkdir -p "$work/$name"
  for f in "$@"; do
    base="$(basename "$f" .c)"
    # shellcheck disable=SC2086
    if ! $cc -std=c11 -S -I"$root/kernels" -I"$root/dispatch" -I"$root/include" \
      "$f" -o "$work/$name/$base.s" 2>"$work/$name/$base.err"; then
      echo "neon_mca: $name: $f does not compile:" >&2
      cat "$work/$name/$base.err" >&2
      exit 1
    fi
  done
done

python3 - "$work" "$MCA" "$all" "$mca_note" "${targets[@]}" <<'PY'
import os, re, subprocess, sys

work, mca, show_all, mca_note = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
targets = [t.split("|") for t in sys.argv[5:]]

A64_BRANCH = re.compile(r"^(b|b\.?(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)|cbz|cbnz|tbz|tbnz)$")
V7_BRANCH = re.compile(r"^(b|b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)(\.[nw])?|b\.[nw]|cbz|cbnz)$")


def fma_weight(ins, a64):
    """128-bit multiply-adds in one instruction (0 if none)."""
    op = ins.split()[0].lower()
    if a64:
        if op in ("fmla", "fmls"):
            if ".4s" in ins or ".2d" in ins:
                return 1.0
            if ".2s" in ins:
                return 0.5
            return 0.25  # by-element scalar form
        if op in ("fmadd", "fmsub", "fnmadd", "fnmsub"):
            return 0.25
        return 0.0
    if re.match(r"^(vfma|vfms|vmla|vmls)\.f32$", op):
        regs = ins.split(None, 1)[1]
        return 1.0 if re.match(r"\s*q\d", regs) else 0.5
    if re.match(r"^(vfma|vfms|vmla|vmls|vfnma|vfnms)\.f32$", op):
        return 0.25
    return 0.0


def is_vector(ins, a64):
    if a64:
        return re.search(r"\bv\d+\.", ins) is not None or re.search(r"\bq\d+\b", ins) is not None
    return re.search(r"\b[qd]\d+\b", ins) is not None


def parse(path, a64):
    """Functions -> list of lines: ('label', name) or ('ins', text)."""
    funcs, cur, name = {}, None, None
    for raw in open(path):
        line = raw.split("//")[0] if a64 else raw.split("@")[0]
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^\.type\s+([\w.$]+),\s*%function", line)
        if m:
            name = m.group(1)
            continue
        if line.endswith(":") and not line.startswith("."):
            if line[:-1] == name:
                cur = funcs.setdefault(name, [])
            continue
        if cur is None:
            continue
        if line.startswith(".size"):
            cur, name = None, None
            continue
        if line.endswith(":"):
            cur.append(("label", line[:-1]))
        elif not line.startswith("."):
            cur.append(("ins", line))
    return funcs


def loops(body, a64):
    """(start, end) index pairs of backward branches: label at start, branch at end."""
    pos = {v: i for i, (k, v) in enumerate(body) if k == "label"}
    out = []
    br = A64_BRANCH if a64 else V7_BRANCH
    for j, (k, v) in enumerate(body):
        if k != "ins":
            continue
        op = v.split()[0].lower()
        if not br.match(op):
            continue
        target = v.split()[-1].split(",")[-1].strip()
        if target in pos and pos[target] <= j:
            out.append((pos[target], j))
    return out


def innermost(ls):
    res = []
    for a in ls:
        if not any(b != a and a[0] <= b[0] and b[1] <= a[1] for b in ls):
            res.append(a)
    return res


def run_mca(text, triple, cpu, path):
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([mca, "-mtriple=" + triple, "-mcpu=" + cpu, "-iterations=200", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, None
    it = int(re.search(r"Iterations:\s+(\d+)", r.stdout).group(1))
    cyc = int(re.search(r"Total Cycles:\s+(\d+)", r.stdout).group(1))
    rth = float(re.search(r"Block RThroughput:\s+([\d.]+)", r.stdout).group(1))
    return cyc / it, rth


def model_peak(triple, cpu, a64):
    """FMA/cycle of the model's own limit: independent 128-bit FMAs (resource bound)."""
    if a64:
        ins = ["fmla v%d.4s, v30.4s, v31.4s" % i for i in range(24)] + ["subs x0, x0, #1", "b.ne .L0"]
    else:
        ins = ["vfma.f32 q%d, q14, q15" % i for i in range(12)] + ["subs r0, r0, #1", "bne .L0"]
    _, rth = run_mca(".L0:\n" + "\n".join(ins) + "\n", triple, cpu,
                     os.path.join(work, "peak-%s-%s.s" % (triple, cpu)))
    return (24 if a64 else 12) / rth


rows = []
peaks = {}
for name, cc, triple, cpu in targets:
    a64 = triple.startswith("aarch64")
    peaks[name] = model_peak(triple, cpu, a64)
    for fn in sorted(os.listdir(os.path.join(work, name))):
        if not fn.endswith(".s"):
            continue
        kern = fn[:-2]
        funcs = parse(os.path.join(work, name, fn), a64)
        best_in_file = []
        for func, body in funcs.items():
            cands = innermost(loops(body, a64))
            best = None
            for (i, j) in cands:
                ins = [v for k, v in body[i + 1:j + 1] if k == "ins"]
                fma = sum(fma_weight(x, a64) for x in ins)
                vec = sum(1 for x in ins if is_vector(x, a64))
                # most multiply-adds; among equals the shortest loop (an edge
                # variant's TBL/lane loads make it longer, not hotter); loops
                # without any: the most vector instructions
                key = (fma, -len(ins), 0) if fma > 0 else (0, vec, -len(ins))
                if best is None or key > best[0]:
                    best = (key, body[i][1], ins)
            if best is None:
                continue
            _, label, ins = best
            fma = sum(fma_weight(x, a64) for x in ins)
            if fma == 0 and not any(is_vector(x, a64) for x in ins):
                continue
            safe = re.sub(r"[^\w.]", "_", func)
            cyc, rth = run_mca("\n".join(ins) + "\n", triple, cpu,
                               os.path.join(work, name, "%s.%s.%s.loop.s" % (kern, safe, label.lstrip("."))))
            best_in_file.append((kern, func, label, name, fma, len(ins), cyc, rth))
        if not best_in_file:
            continue
        top = max(r[4] for r in best_in_file)
        for r in sorted(best_in_file, key=lambda r: (-r[4], r[1])):
            if show_all or top == 0 or r[4] >= top / 2:
                rows.append(r)

ver = subprocess.run([mca, "--version"], capture_output=True, text=True).stdout
m = re.search(r"LLVM version ([\d.]+)", ver)
print("llvm-mca: %s (LLVM %s)%s" % (mca, m.group(1) if m else "?",
                                    "  [%s]" % mca_note if mca_note else ""))
for name, cc, triple, cpu in targets:
    print("  %-8s %s ; llvm-mca -mtriple=%s -mcpu=%s ; model peak %.2f FMA/cycle"
          % (name, cc, triple, cpu, peaks[name]))
print("  (a64-a76: compiled for cortex-a76, timed with llvm-mca's Neoverse N1 model, the A76's"
      " infrastructure twin: llvm-mca's cortex-a76 is its Cortex-A57 model. a64-a72: the A57"
      " model, 1 q-FMA/cycle like the A72's two 64-bit FP pipes, so %2x128 <= 50% there.)")
print()
hdr = "%-32s %-44s %-8s %4s %7s %7s %7s %7s %7s" % (
    "kernel", "function:loop", "target", "ins", "FMA/it", "cyc/it", "FMA/cyc", "%2x128", "%model")
print(hdr)
print("-" * len(hdr))
order = {t[0]: i for i, t in enumerate(targets)}
rows.sort(key=lambda r: (r[0], order[r[3]], -r[4], r[1]))
for kern, func, label, tname, fma, nins, cyc, rth in rows:
    if cyc is None:
        print("%-32s %-44s %-8s %4d %7s  llvm-mca failed" % (kern, func + ":" + label, tname, nins, fma))
        continue
    if fma > 0:
        rate = fma / cyc
        print("%-32s %-44s %-8s %4d %7.2f %7.2f %7.2f %6.0f%% %6.0f%%" % (
            kern, (func + ":" + label)[:44], tname, nins, fma, cyc, rate, 100 * rate / 2,
            100 * rate / peaks[tname]))
    else:
        print("%-32s %-44s %-8s %4d %7s %7.2f %7s %7s %7s" % (
            kern, (func + ":" + label)[:44], tname, nins, "-", cyc, "-", "-", "-"))
PY
if [ "$keep" = 1 ]; then echo "work directory: $work"; fi
