#!/usr/bin/env bash
# GPU check in one command, for a machine with an NVIDIA GPU (target: an H200, under 8 minutes):
#   1. configure with CUDA in build-gpu (architecture from nvidia-smi, sm_90a on Hopper),
#   2. build the kernel tests, the CUDA backend's end-to-end test and tools/bench_kernels,
#   3. run the kernels' CPU unit tests and every test labelled `gpu` (ctest -L gpu),
#   4. run bench_kernels,
#   5. print a short summary table (build/test/bench times, test counts, the benchmark table).
# Usage: tests/gpu/run.sh [--quick-bench]   (JOBS=N to change build parallelism)
# Needs the build dependencies of scripts/setup.sh and node_modules (tree-sitter sources are
# configured by the top-level CMakeLists even though this builds only kernel targets).
# Exit code: 0 when every test passed and the benchmark ran; 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."

bench_args=()
[ "${1:-}" = "--quick-bench" ] && bench_args=(--quick)
jobs=${JOBS:-$(nproc)}
log_dir=build-gpu/logs
mkdir -p "$log_dir"
status=0

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "run.sh: nvidia-smi not found: this script needs a machine with an NVIDIA GPU" >&2
  exit 1
fi
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)
case "$cc" in
  90) archs="90a-real" ;;
  "") echo "run.sh: could not read the GPU's compute capability" >&2; exit 1 ;;
  *) archs="${cc}-real" ;;
esac
if [ ! -f node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c ]; then
  echo "run.sh: node_modules missing (tree-sitter sources); run scripts/setup.sh --no-build or carry node_modules" >&2
  exit 1
fi

t0=$(date +%s)
cmake -S . -B build-gpu -G Ninja -DCODERX_CUDA=ON -DCODERX_CUDA_ARCHS="$archs" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >"$log_dir/configure.log" 2>&1 || { cat "$log_dir/configure.log"; exit 1; }
grep "coderx CUDA:" "$log_dir/configure.log"
cmake --build build-gpu -j "$jobs" --target coderx_kernels_unit_tests coderx_kernels_gpu_tests coderx_model_gpu_tests bench_kernels \
  >"$log_dir/build.log" 2>&1 || { tail -50 "$log_dir/build.log"; exit 1; }
t1=$(date +%s)

ctest --test-dir build-gpu -R '^(BlockDecode|WeightType|MoeRouting|SplitK|AttentionBlocks|UploadLayout|LaunchShape)\.' \
  --output-on-failure -j "$jobs" >"$log_dir/unit.log" 2>&1 || status=1
ctest --test-dir build-gpu -L gpu --output-on-failure -j 4 --timeout 300 >"$log_dir/gpu.log" 2>&1 || status=1
t2=$(date +%s)

build-gpu/tools/bench_kernels "${bench_args[@]}" >"$log_dir/bench.log" 2>&1 || status=1
t3=$(date +%s)

skipped=$(grep -c "(Skipped)" "$log_dir/gpu.log" || true)
echo
echo "==================== coderx GPU check ===================="
echo "GPU:            $gpu (archs $archs)"
echo "build:          $((t1 - t0)) s"
echo "tests:          $((t2 - t1)) s"
echo "bench:          $((t3 - t2)) s"
echo "unit (CPU):     $(grep -E 'tests passed|tests failed' "$log_dir/unit.log" | tail -1)"
echo "gpu tests:      $(grep -E 'tests passed|tests failed' "$log_dir/gpu.log" | tail -1) (skipped: $skipped)"
grep -E "^\s+[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Exception|Subprocess)" "$log_dir/gpu.log" "$log_dir/unit.log" || true
echo "-------------------- bench_kernels --------------------"
cat "$log_dir/bench.log"
echo "logs: $log_dir/{configure,build,unit,gpu,bench}.log"
exit $status
