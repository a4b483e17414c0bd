// Where the expert weights of one MoE layer live on the device, shared by the decode
// (moe_gemv) and prefill (moe_gemm) launchers. Both GGUF forms are covered:
//   fused ffn_gate_up_exps [n_expert][2·n_ff][n_embd]: gate = base, up = base + n_ff rows,
//                                                       expert_stride = 2·n_ff rows
//   split ffn_gate_exps / ffn_up_exps [n_expert][n_ff][n_embd]: expert_stride = n_ff rows
// Plain data; the pointers are owned by the backend's weight arena.
#pragma once

#include <cstdint>

#include "kernels/weight_type.h"

namespace coderx::kernels {

struct MoeExpertWeights {
  const void* gate = nullptr;           // expert e's [n_ff, n_embd] gate rows at gate + e·gate_up_expert_stride
  const void* up = nullptr;             // same for up
  WeightType gate_up_type = WeightType::F32;
  std::int64_t gate_up_expert_stride = 0;  // bytes between experts in gate / up
  const void* down = nullptr;           // expert e's [n_embd, n_ff] rows at down + e·down_expert_stride
  WeightType down_type = WeightType::F32;
  std::int64_t down_expert_stride = 0;  // bytes
  const float* gate_scale = nullptr;    // [n_expert] f32 second-level scales (NVFP4 files) or null
  const float* up_scale = nullptr;      // [n_expert] f32 or null
  const float* down_scale = nullptr;    // [n_expert] f32 or null (per-expert output scale)
};

}  // namespace coderx::kernels
