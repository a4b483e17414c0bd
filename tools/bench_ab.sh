#!/usr/bin/env bash
# Interleaved A/B of two coderx binaries on one model: `coderx bench --json` with the same
# arguments, A then B, ROUNDS times, then, for each prompt length, the median (and range) of
# each binary's prefill and single-stream decode tokens/s and of its decode share of the
# bandwidth bound. On a machine
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

# "prompt prefill decode percent" of each single-stream row of a bench JSON line, one per line.
single_stream_rows() {
  awk '{
    active = $0; sub(/.*"active_bytes_per_token":/, "", active); sub(/,.*/, "", active)
    rows = $0; sub(/.*"results":\[\{/, "", rows); sub(/\}\]\}.*/, "", rows)
    n_rows = split(rows, row, /\},\{/)
    for (r = 1; r <= n_rows; ++r) {
      delete v
      n = split(row[r], kv, ",")
      for (i = 1; i <= n; ++i) { split(kv[i], p, ":"); gsub(/"/, "", p[1]); v[p[1]] = p[2] }
      if (v["streams"] != 1) continue
      pct = v["read_bandwidth_gbs"] > 0 ? 100 * v["decode_tps"] * active / (v["read_bandwidth_gbs"] * 1e9) : 0
      printf "%s %s %s %.1f\n", v["prompt"], v["prefill_tps"], v["decode_tps"], pct
    }
  }'
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((r = 1; r <= rounds; ++r)); do
  for side in A B; do
    bin=$a_bin
    [ "$side" = B ] && bin=$b_bin
    line=$("$bin" bench --model "$model" --json "${extra[@]}" | tail -1)
    while read -r prompt prefill decode pct; do
      printf "round %d %s: prompt %5s  prefill %8s tok/s  decode %7s tok/s  %5s%% of the bound\n" \
        "$r" "$side" "$prompt" "$prefill" "$decode" "$pct"
      echo "$side $prompt $prefill $decode $pct" >>"$results"
    done <<<"$(echo "$line" | single_stream_rows)"
  done
done

# Median and range per prompt length, side and column.
awk '{ print $2 }' "$results" | sort -nu | while read -r prompt; do
  for side in A B; do
    for col in 3 4 5; do
      awk -v s="$side" -v p="$prompt" -v c="$col" '$1 == s && $2 == p { print $c }' "$results" |
        sort -g | awk -v s="$side" -v p="$prompt" -v c="$col" '{ x[NR] = $1 } END {
          name = c == 3 ? "prefill tok/s" : c == 4 ? "decode tok/s" : "% of bound"
          m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
          printf "prompt %5s %s %-14s median %8.2f  range %.2f-%.2f\n", p, s, name, m, x[1], x[NR]
        }'
    done
  done
done
