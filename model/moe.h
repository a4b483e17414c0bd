// Expert routing shared by every op set (spec §2.3 step 10, §7.7): the router input
// (unweighted RMSNorm of h · 1/√n_embd ⊙ router scale) and the selection (softmax over all
// experts → top-k → renormalise with llama.cpp's clamp). Deterministic: ties go to the lower
// expert id. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "model/op_args.h"

namespace coderx::model {

// out[r][i] = (normed[r][i] · (1/√n)) · scale[i]  (f32, llama.cpp's order of operations).
void scale_router_input(const float* normed, const float* scale, float* out, std::int64_t rows,
                        std::int64_t n);

// logits [n_tokens, n_expert] → out [n_tokens, k] in descending probability order (k ≤ n_expert).
void route_experts(const float* logits, std::int64_t n_tokens, std::int64_t n_expert,
                   std::int64_t k, ExpertChoice* out);

}  // namespace coderx::model
