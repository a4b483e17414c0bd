// Embedding gather (spec §2.2): y[t] = dequant(E[token[t]]) · scale, scale = √n_embd for
// Gemma 4. E is the token embedding matrix in its GGUF storage type.
// Called by the CUDA backend. Errors: Status (bad shape, unsupported type).
#pragma once

#include <cstdint>

#include "kernels/status.h"
#include "kernels/weight_type.h"

namespace coderx::kernels {

struct EmbedParams {
  const void* table = nullptr;           // [n_vocab, n_embd] of `type`, rows weight_row_bytes apart
  WeightType type = WeightType::F32;
  const std::int32_t* tokens = nullptr;  // [n_tokens] i32, device; each in [0, n_vocab)
  float* y = nullptr;                    // [n_tokens, n_embd] f32
  std::int64_t n_tokens = 0;
  std::int64_t n_embd = 0;
  std::int64_t n_vocab = 0;              // out-of-range ids produce a NaN row (never a read past E)
  float scale = 1.0f;
};

// Reference: model/ops_ref embed. Grid = n_tokens blocks of 128 threads, one 32-element chunk
// per thread per step.
Status embed(const EmbedParams& p, void* stream);

}  // namespace coderx::kernels
