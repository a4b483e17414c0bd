// Attention over the device KV cache, for decode and prefill (spec §2.3 steps 5–6):
//   s_j = scale · q_h · k_{g,j},  g = h / (n_head / n_kv)   (contiguous GQA grouping)
//   allowed iff j <= p and (window == 0 or p - j < window);  o_h = softmax(s) · v
// The cache is a ring of n_slots positions per layer (slot = position % n_slots), f16, so
// sliding layers keep window + slack positions and full layers keep every position. On full
// layers (K = V) the backend appends the raw K projection as V (spec §2.3 step 3): the kernel
// itself always reads separate K and V.
// Split-K (flash-decoding): the visible key range is cut into splits (kernels/split_k.h); each
// block computes a partial softmax over one split, a second kernel combines them. Large prefill
// batches (attention_tc_eligible) run on tensor cores instead (attention_tc.h).
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/split_k.h"
#include "kernels/status.h"

namespace coderx::kernels {

struct AttentionParams {
  const float* q = nullptr;              // [n_q, n_head, head_dim] f32 (normed, rotated)
  const void* k_cache = nullptr;         // [n_slots, n_kv, head_dim] f16
  const void* v_cache = nullptr;         // [n_slots, n_kv, head_dim] f16
  const std::int32_t* q_pos = nullptr;   // [n_q] i32 device: each query's position
  float* out = nullptr;                  // [n_q, n_head, head_dim] f32
  float* workspace = nullptr;            // attention_workspace_floats(...) floats, device
  int n_q = 0;
  int n_head = 0;
  int n_kv = 0;                          // divides n_head; group = n_head / n_kv is <= 8 or a multiple of 8
  int head_dim = 0;                      // 64, 128, 256 or 512
  std::int64_t n_slots = 0;              // ring size of the cache
  std::int64_t pos_min = 0;              // host copies of min / max of q_pos (key range and splits)
  std::int64_t pos_max = 0;
  std::int64_t window = 0;               // 0: full causal; else sliding window length
  float scale = 1.0f;                    // Gemma 4: 1.0
  int n_splits = 0;                      // 0: choose from the SM count; > 0: force (tests)
  std::int64_t plan_keys = 0;            // > 0: plan the splits for this many keys (an upper
                                         // bound such as n_slots) and find the batch's key range
                                         // from q_pos on the device, so the launch does not
                                         // depend on the positions (CUDA graph replay); n_q <= 8.
                                         // 0: plan from pos_min / pos_max
  int max_splits = kAttnMaxSplits;       // what the workspace was sized for (1 … kAttnMaxSplits)
  bool tensor_cores = true;              // prefill batches on the tensor-core kernel
                                         // (attention_tc.h); false: the split-K kernel always
  std::int64_t tc_min_rows = 4096;       // … from this many (query, head) rows: the tensor-core
                                         // kernel has no split-K, so a short batch over a long
                                         // cache fills too few SMs (4096 rows = 256 blocks;
                                         // not yet tuned on a GPU). Tests set 0.
};

// Floats of workspace for a batch when at most max_splits splits are used.
std::size_t attention_workspace_floats(int n_q, int n_head, int head_dim, int max_splits = kAttnMaxSplits);

// Reference: model/ops_ref attention. Launch geometry: partial kernel grid (n_splits,
// n_kv · head_blocks, query tiles), 256 threads serving 8 (query, head) items of one KV head,
// keys staged in shared memory 32 at a time (cp.async ring), every item's scores of a tile
// computed together; with one split it writes out directly, else the combine kernel (grid
// n_q · n_head × head_dim / 32, 128 threads) merges the splits. Splits are chosen so that the
// blocks fill one wave of the device (attention.cu).
Status attention(const AttentionParams& p, void* stream);

struct KvAppendParams {
  const float* k = nullptr;              // [n_new, n_kv, head_dim] f32
  const float* v = nullptr;              // [n_new, n_kv, head_dim] f32
  void* k_cache = nullptr;               // [n_slots, n_kv, head_dim] f16
  void* v_cache = nullptr;               // [n_slots, n_kv, head_dim] f16
  const std::int32_t* pos = nullptr;     // [n_new] i32 device
  int n_new = 0;
  int n_kv = 0;
  int head_dim = 0;
  std::int64_t n_slots = 0;
};

// Writes row i of k/v (rounded to f16) into slot pos[i] % n_slots. One thread per element.
Status kv_append(const KvAppendParams& p, void* stream);

}  // namespace coderx::kernels
