#!/usr/bin/env bash
# Interleaved A/B of two coderx binaries on one model: `coderx bench --json` with the same
# arguments, A then B, ROUNDS times, then the median (and range) of each binary's prefill and
# single-stream decode tokens/s and of its decode share of the bandwidth bound. On a machine
# whose read bandwidth drifts by 20-30 % from minute to minute (shared hosts), only runs taken
# back to back and compared by their medians say whether a change helped.
#   tools/bench_ab.sh A_BIN B_BIN MODEL [--rounds 3] [-- more coderx bench arguments]
# The bench arguments default to --lengths 512 --streams 1 --decode 16 --device cpu.
set -euo pipefail

usage() {
  echo "usage: tools/bench_ab.sh A_BIN B_BIN MODEL [--rounds N] [-- coderx bench arguments]" >&2
  exit 2
}
[ $# -ge 3 ] || usage
a_bin=$1 b_bin=$2 model=$3
shift 3
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(--lengths 512 --streams 1 --decode 16 --device cpu)
for bin in "$a_bin" "$b_bin"; do
  [ -x "$bin" ] || { echo "bench_ab.sh: $bin is not an executable" >&2; exit 2; }
done

# "prefill decode percent" of the first single-stream row of a bench JSON line.
first_row() {
  awk '{
    active = $0; sub(/.*"active_bytes_per_token":/, "", active); sub(/,.*/, "", active)
    row = $0; sub(/.*"results":\[\{/, "", row); sub(/\}.*/, "", row)
    n = split(row, kv, ",")
    for (i = 1; i <= n; ++i) { split(kv[i], p, ":"); gsub(/"/, "", p[1]); v[p[1]] = p[2] }
    pct = v["read_bandwidth_gbs"] > 0 ? 100 * v["decode_tps"] * active / (v["read_bandwidth_gbs"] * 1e9) : 0
    printf "%s %s %.1f\n", v["prefill_tps"], v["decode_tps"], pct
  }'
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((r = 1; r <= rounds; ++r)); do
  for side in A B; do
    bin=$a_bin
    [ "$side" = B ] && bin=$b_bin
    line=$("$bin" bench --model "$model" --json "${extra[@]}" | tail -1)
    read -r prefill decode pct <<<"$(echo "$line" | first_row)"
    printf "round %d %s: prefill %8s tok/s  decode %7s tok/s  %5s%% of the bound\n" "$r" "$side" \
      "$prefill" "$decode" "$pct"
    echo "$side $prefill $decode $pct" >>"$results"
  done
done

# Median and range per side and column.
for side in A B; do
  for col in 2 3 4; do
    awk -v s="$side" -v c="$col" '$1 == s { print $c }' "$results" | sort -g |
      awk -v s="$side" -v c="$col" '{ x[NR] = $1 } END {
        name = c == 2 ? "prefill tok/s" : c == 3 ? "decode tok/s" : "% of bound"
        m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
        printf "%s %-14s median %8.2f  range %.2f-%.2f\n", s, name, m, x[1], x[NR]
      }'
  done
done
