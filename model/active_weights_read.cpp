#include "model/active_weights_read.h"

#include <algorithm>
#include <numeric>

namespace coderx::model {

std::span<const std::byte> matrix_span(const Matrix& m) {
  return {m.data, m.valid() ? m.row_bytes * static_cast<std::size_t>(m.rows) : 0};
}

void add_expert_spans(const ExpertWeights& w, std::int32_t e,
                      std::vector<std::span<const std::byte>>& out) {
  if (w.fused()) {
    out.push_back(matrix_span(w.gate_up.expert(e)));
  } else {
    out.push_back(matrix_span(w.gate.expert(e)));
    out.push_back(matrix_span(w.up.expert(e)));
  }
  out.push_back(matrix_span(w.down.expert(e)));
}

std::vector<std::int32_t> pick_experts(std::int64_t n_expert, std::int64_t k, std::mt19937& rng) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(n_expert));
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), rng);
  ids.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(k, 0, n_expert)));
  return ids;
}

std::vector<std::span<const std::byte>> active_weight_spans(const ModelView& model,
                                                            std::mt19937& rng) {
  std::vector<std::span<const std::byte>> out;
  for (const LayerView& l : model.layers) {
    for (const Matrix* m :
         {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down, &l.router})
      if (m->valid()) out.push_back(matrix_span(*m));
    for (std::int32_t e : pick_experts(l.experts.down.n_expert, model.dims.n_expert_used, rng))
      add_expert_spans(l.experts, e, out);
  }
  const Matrix& embd = model.token_embd;
  out.push_back({embd.row(std::uniform_int_distribution<std::int64_t>(0, embd.rows - 1)(rng)),
                 embd.row_bytes});
  out.push_back(matrix_span(model.lm_head()));
  return out;
}

}  // namespace coderx::model
