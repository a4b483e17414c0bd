// The weight bytes one decode step reads, as byte ranges in the memory the forward pass reads
// them from and in its order: per layer the attention and dense MLP matrices, the router and the
// slices of k experts picked at random (a fresh pick each call), then one embedding row and the
// LM head. Read plainly (read_spans, read_bandwidth.h: summed, no arithmetic), they take what a
// decode step could at best take on this memory in this pattern. read_bandwidth's fresh buffer is
// read hot and in one piece; the experts, slices of 1-2 MB from stacks of 200 MB, each touched
// once every several tokens, read markedly slower on a shared host (tools/bench_layers).
// Who calls it: `coderx bench`, tools/bench_layers. Plain data in and out; no errors.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "model/model_view.h"

namespace coderx::model {

// The bytes of a matrix (empty when it is absent).
std::span<const std::byte> matrix_span(const Matrix& m);
// Appends expert e's matrices: gate_up (or gate and up), then down.
void add_expert_spans(const ExpertWeights& w, std::int32_t e,
                      std::vector<std::span<const std::byte>>& out);
// min(k, n_expert) distinct experts of n_expert, picked at random.
std::vector<std::int32_t> pick_experts(std::int64_t n_expert, std::int64_t k, std::mt19937& rng);

// The byte ranges of one decode step's weight matrices, in the forward pass's order, with
// `rng` picking each layer's n_expert_used distinct experts. Norm and scale vectors (a few KB)
// are left out.
std::vector<std::span<const std::byte>> active_weight_spans(const ModelView& model,
                                                            std::mt19937& rng);

}  // namespace coderx::model
