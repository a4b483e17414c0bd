#!/usr/bin/env bash
# Throughput of the headless commands on a generated model (random weights: the texts are
# noise, the work per token is real): refactor files/s and review hunks/s with --jobs 1 and
# --jobs 4. Makes a temporary git repository with FILES C files (3 functions each), a model
# with `coderx model make-test`, then times
#   coderx refactor -m ... --jobs J --model M *.c     (check mode: diffs only, nothing written)
#   coderx review --jobs J --model M                   (working tree vs HEAD: one hunk per function)
# and prints a table with each command's exit code (refactor: 1 = diffs proposed; 2 = some
# edits rejected, the usual result with random weights, whose edits rarely parse — the work
# was done all the same). Random weights also make answer lengths vary from run to run, and
# the numbers depend on the machine's load: run it twice on a quiet machine.
#   tools/bench_headless.sh [--bin build/bin/coderx] [--files 6] [--model F]
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/bin/coderx
files=6
model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift ;;
    --files) files="$2"; shift ;;
    --model) model="$2"; shift ;;
    *) echo "bench_headless.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$bin" ] || { echo "bench_headless.sh: no coderx binary at $bin (build the coderx target)" >&2; exit 2; }
bin=$(realpath "$bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$model" ]; then
  model="$work/model.gguf"
  "$bin" model make-test --seed 7 --out "$model" >/dev/null
fi
model=$(realpath "$model")

repo="$work/repo"
mkdir -p "$repo"
git -C "$repo" init -q
for i in $(seq 1 "$files"); do
  {
    for f in a b c; do
      printf 'int %s%d(int x) {\n  int y = x * %d;\n  return y + 1;\n}\n\n' "$f" "$i" "$i"
    done
  } > "$repo/f$i.c"
done
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -qm base
# The reviewed change: every function's body edited (one hunk per function).
for i in $(seq 1 "$files"); do sed -i 's/return y + 1;/return y - 1;  \/\/ changed/' "$repo/f$i.c"; done
hunks=$(git -C "$repo" diff -U0 | grep -c '^@@')

seconds() {  # runs "$@" quietly; prints "SECONDS EXIT_CODE"
  local start end rc=0
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/err" || rc=$?
  end=$(date +%s.%N)
  [ "$rc" -lt 3 ] || echo "bench_headless.sh: '$2' exited $rc: $(tail -n 1 "$work/err")" >&2
  awk -v a="$start" -v b="$end" -v rc="$rc" 'BEGIN { printf "%.3f %d\n", b - a, rc }'
}

printf '%-9s %-5s %10s %8s %10s %5s\n' command jobs items seconds "items/s" exit
for jobs in 1 4; do
  read -r t rc < <(cd "$repo" && seconds "$bin" refactor -m "add a comment above each function" --jobs "$jobs" --model "$model" ./*.c)
  printf '%-9s %-5s %10s %8.2f %10.3f %5s\n' refactor "$jobs" "$files files" "$t" "$(awk -v n="$files" -v t="$t" 'BEGIN { print n / t }')" "$rc"
done
for jobs in 1 4; do
  read -r t rc < <(seconds "$bin" review --repo "$repo" --jobs "$jobs" --model "$model" --format markdown)
  printf '%-9s %-5s %10s %8.2f %10.3f %5s\n' review "$jobs" "$hunks hunks" "$t" "$(awk -v n="$hunks" -v t="$t" 'BEGIN { print n / t }')" "$rc"
done
echo "(model: $model; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"
