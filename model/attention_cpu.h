// Causal attention of the fast CPU op set (CpuOps::attention, spec gemma4-moe.md §2.3): scores,
// softmax, weighted sum of values, for every query head, with the sliding window and the K = V
// full layers (keys derived from the cached values).
// Work goes to the pool in blocks of up to 8 consecutive tokens of one sequence times one kv
// head; a block walks the keys in tiles of 32, so each tile (32 KiB at head dim 256) is read from
// memory once for all the block's queries and then served from L1. Each (query, key) score and
// each value sum uses the same kernels in the same order as a one-token step, so prefill and
// token-by-token decode agree bit for bit. Rows of an f16 cache are converted to f32 a tile at
// a time.
#pragma once

#include "model/op_args.h"
#include "model/thread_pool.h"

namespace coderx::model {

void attention_cpu(ThreadPool& pool, const AttentionArgs& args);

}  // namespace coderx::model
