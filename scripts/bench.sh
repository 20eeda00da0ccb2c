#!/usr/bin/env bash
# `make bench` / `make bench-quick`: install Google Benchmark, the peers
# (XNNPACK, oneDNN) and matplotlib (scripts/setup.sh bench), build the harness
# in build/bench (Release), run it single-threaded and pinned to CPU 0 (taskset,
# when available), then bench/report prints the side-by-side table and writes
# the report.
#
#   scripts/bench.sh                full suite -> docs/performance.md, docs/perf_*.png,
#                                   README summary (between its bench-summary markers)
#   scripts/bench.sh --quick        issue 3's layers only -> build/bench/quick/performance.md
#   scripts/bench.sh --ratios       issue 3's layers, ours vs oneDNN only, SK_BENCH_RUNS (7) runs
#                                   with the repetitions interleaved -> bench/ratios: the median,
#                                   min and max of ours / peer -> build/bench/ratios/ratios.md
#   scripts/bench.sh ARGS...        ARGS go to simdkern_bench (--network=, --op=, --isa=,
#                                   --layout=, any --benchmark_* flag); a filtered run writes
#                                   build/bench/custom/performance.md, never docs/
#
# Two processes. oneDNN reads ONEDNN_MAX_CPU_ISA once, at its first call, so
# its two sets of rows need two processes: the main one runs with
# ONEDNN_MAX_CPU_ISA=AVX2 (on an AVX2 CPU), so our ISAs, XNNPACK and the
# "onednn_avx2" rows of each layer run back to back under the same machine
# load; the second runs oneDNN alone at its default ISA ("onednn" rows). Both
# write Google Benchmark JSON to the results directory; bench/report merges
# them (medians of the repetitions).
source "$(dirname "$0")/lib.sh"

mode=full
if [ "${1:-}" = "--quick" ] || [ "${1:-}" = "--ratios" ]; then
  mode=${1#--}
  shift
fi
[ "$mode" = full ] && [ $# -gt 0 ] && mode=custom

target=simdkern_bench
sh "$SK_ROOT/scripts/setup.sh" bench
sk_banner "bench: configure + build (Release) in build/bench"
sk_configure bench -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DSIMDKERN_BUILD_BENCH=ON -DSIMDKERN_BUILD_EXAMPLES=OFF -DSIMDKERN_BUILD_TESTS=OFF
sk_build bench --target "$target"

exe="$SK_ROOT/build/bench/bench/$target"
[ -x "$exe" ] || { echo "bench: no executable $exe" >&2; exit 1; }
pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
  pin=(taskset -c 0)
fi

# Three repetitions of 0.03 s of CPU time each (after Google Benchmark's
# iteration-count estimate); the report takes their median. The console shows
# the aggregates (mean, median, stddev, cv), the JSON every repetition.
reps=(--benchmark_min_time=0.03 --benchmark_repetitions=3 --benchmark_display_aggregates_only=true)
case "$mode" in
  # ~0.12 s of CPU time per benchmark keeps the full suite (~800 benchmarks)
  # near 2 minutes of CPU; on this shared machine the wall time is 2-4x that.
  full)   out="$SK_ROOT/build/bench/results"; args=("${reps[@]}") ;;
  quick)  out="$SK_ROOT/build/bench/quick"; args=(--network=issue3 "${reps[@]}" --benchmark_min_time=0.02) ;;
  custom) out="$SK_ROOT/build/bench/custom"; args=() ;;
  # Ours and oneDNN only; random interleaving runs the repetitions of all benchmarks in a
  # shuffled order, so ours and the peer share the machine's fast and slow minutes.
  ratios) out="$SK_ROOT/build/bench/ratios"
          ours=ours
          grep -qw avx2 /proc/cpuinfo 2>/dev/null && ours=avx2
          args=(--network=issue3 --isa="$ours",onednn --layout=nhwc "${reps[@]}"
                --benchmark_enable_random_interleaving=true) ;;
esac
mkdir -p "$out"
rm -f "$out"/*.json

# oneDNN's OpenMP: one thread (the harness also calls omp_set_num_threads(1)).
export OMP_NUM_THREADS=1
unset ONEDNN_MAX_CPU_ISA DNNL_MAX_CPU_ISA

# The AVX2 cap for the main process: only on a CPU with AVX2 (elsewhere the
# main process runs oneDNN at its default ISA and there is no second run).
cap=()
if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
  cap=(env ONEDNN_MAX_CPU_ISA=AVX2)
fi

load0="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
t0=$SECONDS
if [ "$mode" = ratios ]; then
  runs=${SK_BENCH_RUNS:-7}
  for r in $(seq "$runs"); do
    sk_banner "bench: run $r of $runs: ${cap[*]} ${pin[*]} ${exe#"$SK_ROOT"/} ${args[*]} $*"
    "${cap[@]}" "${pin[@]}" "$exe" "${args[@]}" "$@" --benchmark_out="$out/run$r.json" \
      --benchmark_out_format=json >/dev/null
  done
  sk_banner "bench: ratios"
  /usr/bin/python3 "$SK_ROOT/bench/ratios" "$out"/run*.json --out "$out/ratios.md" \
    --command "make bench-ratios"
  echo "bench: wall time $(sk_fmt_time $((SECONDS - t0))), load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') at the end"
  exit 0
fi
sk_banner "bench: ${cap[*]} ${pin[*]} ${exe#"$SK_ROOT"/} ${args[*]} $*"
"${cap[@]}" "${pin[@]}" "$exe" "${args[@]}" "$@" --benchmark_out="$out/main.json" --benchmark_out_format=json
t_main=$((SECONDS - t0))

# The oneDNN-default process: only when oneDNN is built in, capped above, and
# its rows are wanted.
want_onednn=1
for a in "$@"; do
  case "$a" in
    --isa=*) case ",${a#--isa=}," in *,onednn,*|*,peers,*) ;; *) want_onednn=0 ;; esac ;;
  esac
done
t_default=0
if [ "$want_onednn" = 1 ] && [ ${#cap[@]} -gt 0 ] && grep -q '"onednn_version"' "$out/main.json"; then
  t1=$SECONDS
  sk_banner "bench: ${pin[*]} ${exe#"$SK_ROOT"/} ${args[*]} $* --isa=onednn (oneDNN at its default ISA)"
  "${pin[@]}" "$exe" "${args[@]}" "$@" --isa=onednn --no_probes \
    --benchmark_out="$out/onednn_default.json" --benchmark_out_format=json
  t_default=$((SECONDS - t1))
fi
load1="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
wall="$(sk_fmt_time $((SECONDS - t0))) (main process $(sk_fmt_time "$t_main"), oneDNN-default process $(sk_fmt_time "$t_default"))"

command="make bench"
[ "$mode" = quick ] && command="make bench-quick"
[ "$mode" = custom ] && command="make bench ARGS=\"$*\""
report=(/usr/bin/python3 "$SK_ROOT/bench/report" "$out"/*.json --command "$command" --wall "$wall"
  --load "load average $load0 at the start, $load1 at the end (1/5/15 min; $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo ?) CPUs shared with other jobs)")
if [ "$mode" = full ]; then
  report+=(--out "$SK_ROOT/docs/performance.md" --plots-dir "$SK_ROOT/docs"
    --notes "$SK_ROOT/bench/report_notes.md" --readme "$SK_ROOT/README.md")
else
  report+=(--out "$out/performance.md" --prefix "perf")
fi
sk_banner "bench: report"
"${report[@]}"
echo "bench: wall time $wall"
