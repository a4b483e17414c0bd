#!/usr/bin/env bash
# Builds the GPU tests, bench_kernels and the coderx CLI here (CUDA build in build/, for the
# archs of CODERX_CUDA_ARCHS, default sm_90a) and packs them, stripped, with the few shared
# libraries a bare CUDA machine lacks (Boost.JSON, spdlog, fmt, OpenSSL, cudart) into gpu-pack/,
# and that folder into gpu-pack.tgz (both git-ignored; the archive is what travels: the fat
# binaries hold every kernel for sm_90a plus PTX). A GPU machine without Boost/spdlog/GoogleTest
# then runs them with
#   tar xzf gpu-pack.tgz && tests/gpu/run.sh --prebuilt gpu-pack
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
# Every shared library but the C/C++ runtimes (newer on the GPU machine) and cuBLAS.
ldd "$pack"/coderx* "$pack/bench_kernels" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
  grep -vE '/(libc|libm|libdl|librt|libpthread|libgcc_s|libstdc\+\+|ld-linux[^/]*|libcublas[^/]*)\.so' |
  while read -r path; do cp -L "$path" "$pack/lib/"; done
ldd "$pack/coderx_model_gpu_tests" | grep -q libcudart ||
  { echo "pack.sh: $build is not a CUDA build (no nvcc at configure time?)" >&2; exit 1; }
echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes)" >"$pack/REVISION"
tar czf "$pack.tgz" "$pack"
du -sh "$pack" "$pack.tgz"
