#!/usr/bin/env bash
# Compares two bench_kernels logs row by row: microseconds before and now, and the speed-up
# (before / now), for every row both logs have. A row's key is its kernel name and shape (the
# text before the last four columns, without a "model step" row's ": N tok/s" estimate); the
# n-th row of a repeated key matches the n-th in the other log. Rows only one log has are
# listed at the end. Used by tests/gpu/run.sh against the last GPU run in docs/gpu-runs/.
# Usage: tests/gpu/compare_bench.sh BEFORE.txt NOW.txt
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BEFORE.txt NOW.txt" >&2; exit 2; }

awk '
  function key(   k, i) {
    k = $1
    for (i = 2; i <= NF - 4; ++i) k = k " " $i
    sub(/: .*$/, "", k)
    return k
  }
  # Rows end in: us GB/s %copy TFLOP/s (the percentage ends in %).
  NF < 5 || $(NF - 1) !~ /%$/ || $1 == "kernel" || $1 == "per" { next }
  {
    k = key()
    file = NR == FNR ? 1 : 2
    n = ++seen[file, k]
    k = n > 1 ? k " #" n : k
    if (file == 1) { before[k] = $(NF - 3); order_b[++nb] = k }
    else { now[k] = $(NF - 3); order_n[++nn] = k }
  }
  END {
    printf "%-62s %10s %10s %8s\n", "kernel and shape", "before us", "now us", "speed-up"
    for (i = 1; i <= nn; ++i) {
      k = order_n[i]
      if (!(k in before)) continue
      speedup = (now[k] > 0) ? before[k] / now[k] : 0
      printf "%-62s %10.1f %10.1f %7.2fx\n", k, before[k], now[k], speedup
    }
    for (i = 1; i <= nn; ++i) if (!(order_n[i] in before)) print "new:     " order_n[i]
    for (i = 1; i <= nb; ++i) if (!(order_b[i] in now)) print "missing: " order_b[i]
  }
' "$1" "$2"
