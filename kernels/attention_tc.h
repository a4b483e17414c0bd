// Prefill attention on tensor cores, at f32 accuracy: the same operation as attention.h
// (causal, sliding window, contiguous GQA, the f16 ring cache) for batches of many queries.
// K and V are f16 in the cache, so they enter the f16 tensor cores exactly; q and the
// probabilities are split into f16 hi + lo (about 22 bits), each product taken twice
// (hi·K + lo·K), f32 accumulation. The softmax takes two passes over the keys (row maximum and
// sum first, then the normalised probabilities times V), so the output never needs rescaling.
// Internal to kernels/: attention() (attention.cu) calls it for eligible batches.
#pragma once

#include "kernels/attention.h"
#include "kernels/status.h"

namespace coderx::kernels {

constexpr int kAttnTcMinQueries = 16;  // smaller batches (decode) take the split-K kernel

// Whether attention_tc serves p: tensor_cores set, at least kAttnTcMinQueries queries and
// tc_min_rows (query, head) rows, one split (n_splits 0 or 1) and keys planned from the host
// positions (plan_keys 0).
bool attention_tc_eligible(const AttentionParams& p);

// Reference: model/ops_ref attention. Launch geometry: grid (⌈n_q · G / 16⌉, n_kv) for GQA
// group G; 128 threads = 4 warps; a block takes 16 rows (query, head) of one KV head, rows
// ordered query-major so the G heads of a query share the key tiles; keys in tiles of 64
// staged in shared memory (K, then V in the same buffer); each warp computes 16 of a tile's
// scores over the whole head and 1/4 of the head's output dims. Dynamic shared memory
// (opt-in): 16 × 2 q rows, 64 key rows, scores and probabilities (about 108 KB at head_dim 512).
// Assumes check(p) in attention.cu passed.
Status attention_tc(const AttentionParams& p, void* stream);

}  // namespace coderx::kernels
