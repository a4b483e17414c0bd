#!/usr/bin/env bash
# GPU check in one command, for a machine with an NVIDIA GPU (target: an H200, under 8 minutes):
#   1. configure with CUDA in build-gpu (architecture from nvidia-smi, sm_90a on Hopper) and build
#      the kernel tests, the CUDA backend's tests, tools/bench_kernels and coderx;
#      or, with --prebuilt DIR, take those binaries from DIR (made by tests/gpu/pack.sh on a
#      machine with the build dependencies) and build nothing;
#   2. run the kernels' CPU unit tests (build mode only) and every GPU test binary;
#   3. run bench_kernels, then the whole engine on a generated model: `coderx bench --device cuda`
#      against `--device cpu`, and `coderx generate --device cuda` (greedy) against the CPU's text;
#      with --real-shape also the engine on 6 layers of the real 26B-A4B shape at Q4_K_M;
#   4. print a short summary table, and the bench rows against the last run in docs/gpu-runs/.
# Usage: tests/gpu/run.sh [--quick-bench] [--prebuilt DIR] [--real-shape]   (JOBS=N: build parallelism;
#        GPU_LOGS=DIR: where the logs go, default build-gpu/logs; GPU_TEST_TIMEOUT=S per test binary)
# Exit code: 0 when every test passed and the benchmarks ran; 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."

bench_args=()
prebuilt=""
real_shape=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick-bench) bench_args=(--quick) ;;
    --prebuilt) prebuilt=$2; shift ;;
    --real-shape) real_shape=1 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
jobs=${JOBS:-$(nproc)}
log_dir=${GPU_LOGS:-build-gpu/logs}
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

t0=$(date +%s)
if [ -n "$prebuilt" ]; then
  bin_dir=$(cd "$prebuilt" && pwd)
  archs="prebuilt $(cat "$bin_dir/REVISION" 2>/dev/null)"
  export LD_LIBRARY_PATH="$bin_dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if ! ldconfig -p | grep -q 'libcublas.so.13 '; then
    cublas=$(find /usr/local /opt /usr/lib -name 'libcublas.so.13' 2>/dev/null | head -1)
    [ -n "$cublas" ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$(dirname "$cublas")"
  fi
  tests=("$bin_dir/coderx_kernels_gpu_tests" "$bin_dir/coderx_model_gpu_tests")
  bench="$bin_dir/bench_kernels"
  coderx="$bin_dir/coderx"
else
  if [ ! -f node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c ]; then
    echo "run.sh: node_modules missing (tree-sitter sources); run scripts/setup.sh --no-build" >&2
    exit 1
  fi
  cmake -S . -B build-gpu -G Ninja -DCODERX_CUDA=ON -DCODERX_CUDA_ARCHS="$archs" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >"$log_dir/configure.log" 2>&1 || { cat "$log_dir/configure.log"; exit 1; }
  grep "coderx CUDA:" "$log_dir/configure.log"
  cmake --build build-gpu -j "$jobs" --target coderx_kernels_unit_tests coderx_kernels_gpu_tests \
    coderx_model_gpu_tests bench_kernels coderx >"$log_dir/build.log" 2>&1 || { tail -50 "$log_dir/build.log"; exit 1; }
  ctest --test-dir build-gpu -R '^(BlockDecode|WeightType|MoeRouting|SplitK|AttentionBlocks|UploadLayout|LaunchShape)\.' \
    --output-on-failure -j "$jobs" >"$log_dir/unit.log" 2>&1 || status=1
  tests=(build-gpu/tests/coderx_kernels_gpu_tests build-gpu/tests/coderx_model_gpu_tests)
  bench=build-gpu/tools/bench_kernels
  coderx=build-gpu/bin/coderx
fi
t1=$(date +%s)

# Each GPU test binary, whole, under a time limit (a hung kernel must not eat the machine).
: >"$log_dir/gpu.log"
for t in "${tests[@]}"; do
  echo "=== $(basename "$t")" >>"$log_dir/gpu.log"
  timeout "${GPU_TEST_TIMEOUT:-300}" "$t" --gtest_color=no >>"$log_dir/gpu.log" 2>&1
  rc=$?
  [ $rc -eq 0 ] || { status=1; echo "exit status $rc: $(basename "$t")" >>"$log_dir/gpu.log"; }
done
t2=$(date +%s)

timeout 240 "$bench" "${bench_args[@]}" >"$log_dir/bench.log" 2>&1 || status=1
t3=$(date +%s)

# The whole engine on a generated model (6 layers, 64 experts, top-8, hidden 1024).
e2e="$log_dir/engine.log"
model_dir=$(mktemp -d)
trap 'rm -rf "$model_dir"' EXIT
model="$model_dir/model.gguf"
{
  "$coderx" model make-test --out "$model" --layers 6 --n-embd 1024 --heads 8 --experts 64 --top-k 8 \
    --expert-ffn 512 --ffn 1024 --vocab 8192 --window 512 --preset Q4_K_M &&
  for dev in cuda cpu; do
    echo "--- coderx bench --device $dev"
    timeout 120 "$coderx" bench --model "$model" --device "$dev" --lengths 32,128,512 --streams 1,4 --decode 32
  done &&
  for dev in cuda cpu; do
    echo "--- coderx generate --device $dev (greedy, 48 tokens)"
    timeout 60 "$coderx" generate --model "$model" --device "$dev" --prompt "int main() {" --max-tokens 48 \
      --temp 0 >"$log_dir/generate_$dev.txt"
    cat "$log_dir/generate_$dev.txt"; echo
  done
} >"$e2e" 2>&1 || status=1
# The real 26B-A4B layer shapes at Q4_K_M, 6 of its 30 layers (5 sliding + 1 full, the model's
# ratio) and its full 262,144-token LM head: decode tokens/s of the whole engine on the device.
if [ -n "$real_shape" ]; then
  real="$model_dir/real6.gguf"
  {
    echo "--- real shape, 6 layers, Q4_K_M"
    "$coderx" model make-test --out "$real" --real-size --layers 6 --preset Q4_K_M &&
    timeout 180 "$coderx" bench --model "$real" --device cuda --lengths 32,128,2048 --streams 1,4 --decode 64
  } >>"$e2e" 2>&1 || status=1
fi
same_text=no
cmp -s "$log_dir/generate_cuda.txt" "$log_dir/generate_cpu.txt" && same_text=yes
t4=$(date +%s)

count() { grep -E "$1" "$log_dir/gpu.log" | awk '{ s += $4 } END { print s + 0 }'; }
echo
echo "==================== coderx GPU check ===================="
echo "GPU:            $gpu (archs $archs)"
echo "build:          $((t1 - t0)) s"
echo "gpu tests:      $((t2 - t1)) s: passed $(count '^\[  PASSED  \] [0-9]+ test'), failed $(count '^\[  FAILED  \] [0-9]+ test'), skipped $(count '^\[  SKIPPED \] [0-9]+ test')"
[ -f "$log_dir/unit.log" ] && echo "unit (CPU):     $(grep -E 'tests passed|tests failed' "$log_dir/unit.log" | tail -1)"
grep -E "^\[  FAILED  \] [A-Za-z]|^exit status" "$log_dir/gpu.log" | sort -u
echo "bench:          $((t3 - t2)) s"
echo "engine:         $((t4 - t3)) s, greedy text CUDA == CPU: $same_text"
echo "-------------------- bench_kernels --------------------"
cat "$log_dir/bench.log"
baseline=$(ls docs/gpu-runs/*-bench.txt 2>/dev/null | sort | tail -1)
if [ -n "$baseline" ]; then
  echo "-------------------- bench_kernels against $(basename "$baseline") --------------------"
  tests/gpu/compare_bench.sh "$baseline" "$log_dir/bench.log"
fi
echo "-------------------- engine (coderx bench) --------------------"
grep -vE '^\{' "$e2e" | grep -v '^$' | tail -40
echo "logs: $log_dir"
exit $status
