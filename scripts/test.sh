#!/usr/bin/env bash
# Sets up, builds and runs the tests; the exit code is the test result.
#   scripts/test.sh            default run: labels unit + integration, plus the fuzzers briefly
#   scripts/test.sh --all      also the `slow` label
#   scripts/test.sh --cpu-only configure with -DCODERX_CUDA=OFF (build dir build-cpu)
#   scripts/test.sh --sanitize everything under ASan+UBSan (build dir build-asan)
#   scripts/test.sh --no-fuzz  skip the libFuzzer build
# GPU tests (label gpu) run from tests/gpu/run.sh on a machine with a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
exclude='slow|gpu|fuzz'
fuzz=1
cmake_extra=()
for arg in "$@"; do
  case "$arg" in
    --all) exclude='gpu|fuzz' ;;
    --cpu-only) build_dir=build-cpu; cmake_extra+=(-DCODERX_CUDA=OFF) ;;
    --sanitize) build_dir=build-asan; cmake_extra+=(-DCODERX_SANITIZE=ON -DCODERX_CUDA=OFF) ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "test.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

start=$(date +%s)
scripts/setup.sh --build-dir "$build_dir" "${cmake_extra[@]}"
echo "test.sh: setup and build took $(( $(date +%s) - start )) s"

status=0
ctest --test-dir "$build_dir" -LE "$exclude" --output-on-failure -j "$(nproc)" --timeout 900 || status=1

if [ "$fuzz" -eq 1 ] && ls tests/fuzz/*_fuzz.cpp >/dev/null 2>&1; then
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCODERX_FUZZ=ON -DCODERX_CUDA=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1 cmake --build build-fuzz --target coderx_fuzzers -j "$(nproc)"
  ctest --test-dir build-fuzz -L fuzz --output-on-failure -j "$(nproc)" || status=1
fi
echo "test.sh: total $(( $(date +%s) - start )) s, result $([ $status -eq 0 ] && echo PASS || echo FAIL)"
exit $status
