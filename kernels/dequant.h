// Dequantise weight rows on the device to f32 or bf16: the exact check of the device block
// decoders (their __CUDA_ARCH__ paths) against the CPU reference dequantiser, and rows for
// tools. The prefill GEMM decodes its weights in split_weight (split_gemm.h) instead.
// Called by tests. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"
#include "kernels/weight_type.h"

namespace coderx::kernels {

struct DequantParams {
  const void* w = nullptr;          // [n_rows, n_cols] of `type`
  WeightType type = WeightType::F32;
  std::int64_t row_stride = 0;      // bytes between rows; 0 = packed
  void* out = nullptr;              // [n_rows, n_cols] f32, or bf16 bits when out_bf16
  bool out_bf16 = false;
  std::int64_t n_rows = 0;
  std::int64_t n_cols = 0;
};

// Reference: model::quant::dequantize_row_ref. Launch geometry: one thread per 32-element
// chunk, 256 threads per block, 1-D grid over n_rows · n_cols / 32 chunks.
Status dequantize(const DequantParams& p, void* stream);

}  // namespace coderx::kernels
