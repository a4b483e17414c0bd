#include "model/active_weights_read.h"

#include <algorithm>
#include <numeric>

namespace coderx::model {

namespace {

std::span<const std::byte> span_of(const Matrix& m) {
  return {m.data, m.valid() ? m.row_bytes * static_cast<std::size_t>(m.rows) : 0};
}

void add_expert(const ExpertWeights& w, std::int32_t e,
                std::vector<std::span<const std::byte>>& out) {
  if (w.fused()) {
    out.push_back(span_of(w.gate_up.expert(e)));
  } else {
    out.push_back(span_of(w.gate.expert(e)));
    out.push_back(span_of(w.up.expert(e)));
  }
  out.push_back(span_of(w.down.expert(e)));
}

}  // namespace

std::vector<std::span<const std::byte>> active_weight_spans(const ModelView& model,
                                                            std::mt19937& rng) {
  std::vector<std::span<const std::byte>> out;
  std::vector<std::int32_t> ids;
  for (const LayerView& l : model.layers) {
    for (const Matrix* m :
         {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down, &l.router})
      if (m->valid()) out.push_back(span_of(*m));
    ids.resize(static_cast<std::size_t>(l.experts.down.n_expert));
    std::iota(ids.begin(), ids.end(), 0);
    std::shuffle(ids.begin(), ids.end(), rng);
    const auto k = static_cast<std::size_t>(
        std::min<std::int64_t>(model.dims.n_expert_used, l.experts.down.n_expert));
    for (std::size_t s = 0; s < k; ++s) add_expert(l.experts, ids[s], out);
  }
  const Matrix& embd = model.token_embd;
  out.push_back({embd.row(std::uniform_int_distribution<std::int64_t>(0, embd.rows - 1)(rng)),
                 embd.row_bytes});
  out.push_back(span_of(model.lm_head()));
  return out;
}

}  // namespace coderx::model
