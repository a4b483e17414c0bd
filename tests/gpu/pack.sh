#!/usr/bin/env bash
# Builds the GPU tests, bench_kernels and the coderx CLI here (CUDA build in build/, for the
# archs of CODERX_CUDA_ARCHS, default sm_90a) and packs them, stripped, with the few shared
# libraries a bare CUDA machine lacks (spdlog, fmt, cudart) into gpu-pack/ (git-ignored).
# A GPU machine without Boost/spdlog/GoogleTest then runs them with
#   tests/gpu/run.sh --prebuilt gpu-pack
# cuBLAS is not packed (hundreds of MB): the GPU machine's CUDA 13 install provides it.
# Usage: tests/gpu/pack.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
pack=gpu-pack
targets=(coderx_kernels_gpu_tests coderx_model_gpu_tests bench_kernels coderx)

cmake -S . -B "$build" -G Ninja -DCODERX_CUDA=ON >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${targets[@]}"

rm -rf "$pack"
mkdir -p "$pack/lib"
for t in "${targets[@]}"; do
  bin=$(find "$build" -type f -name "$t" -perm -u+x | head -1)
  [ -n "$bin" ] || { echo "pack.sh: $t not built" >&2; exit 1; }
  strip -o "$pack/$t" "$bin"
done
for lib in libspdlog.so.1.10 libfmt.so.9 libcudart.so.13; do
  path=$(ldd "$pack/coderx_model_gpu_tests" "$pack/coderx" | awk -v l="$lib" '$1 == l { print $3; exit }')
  [ -n "$path" ] && cp -L "$path" "$pack/lib/"
done
ldd "$pack/coderx_model_gpu_tests" | grep -q libcudart ||
  { echo "pack.sh: $build is not a CUDA build (no nvcc at configure time?)" >&2; exit 1; }
git rev-parse --short HEAD >"$pack/REVISION"
du -sh "$pack"
