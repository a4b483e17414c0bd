// RMSNorm launcher: every variant a Gemma 4 layer needs in one kernel (spec §2.1, §2.3):
//   y = RMSNorm(x [+ x_add]; weight)            weighted (weight may be null: unweighted)
//   y = residual + RMSNorm(...)                 fused residual add (step 8, step 13)
//   y *= *out_scale                             fused layer output scale (step 13)
// Rows are independent; per-head norms (q/k/v norms) are rows of head_dim.
// Called by the CUDA backend. Thread-safety: one stream per call. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

struct RmsNormParams {
  const float* x = nullptr;         // [rows, n] f32, device
  const float* x_add = nullptr;     // [rows, n] f32 or null: normalise x + x_add
  const float* weight = nullptr;    // [n] f32 or null (unweighted norm)
  const float* residual = nullptr;  // [rows, n] f32 or null: y = residual + norm
  const float* out_scale = nullptr; // [1] f32 (device) or null: y *= out_scale[0]
  float* y = nullptr;               // [rows, n] f32; may alias x, x_add or residual
  std::int64_t rows = 0;
  std::int64_t n = 0;
  float eps = 1e-6f;
};

// Reference: model/ops_ref rms_norm (+ add, + scale). One block of 256 threads per row.
Status rms_norm(const RmsNormParams& p, void* stream);

}  // namespace coderx::kernels
