// An in-memory random Gemma 4 model (spec §2 structure, small sizes) for forward-pass tests:
// owns its weights and exposes a ModelView. Shape, weight type, fused/split experts and
// window are parameters. Header-only, test code only.
#pragma once

#include <cmath>
#include <deque>
#include <memory>
#include <vector>

#include "model/model_view.h"
#include "test_weights.h"

namespace coderx::model::testing {

struct TinySpec {
  std::int64_t n_embd = 64, n_layer = 3, n_head = 4, n_vocab = 96;
  std::int64_t hd_swa = 16, hd_full = 32, kv_swa = 2, kv_full = 1;
  std::int64_t n_ff = 96, n_expert = 8, n_expert_used = 2, n_ff_exp = 32;
  std::int64_t window = 8;
  int full_every = 3;          // layer l is full when (l + 1) % full_every == 0
  quant::Type type = quant::Type::F16;
  bool fused = true;
  std::uint32_t seed = 1;
};

class TinyModel {
 public:
  explicit TinyModel(const TinySpec& s) : spec_(s) {
    std::uint32_t seed = s.seed * 1000;
    ModelDims& d = view_.dims;
    d.n_embd = s.n_embd, d.n_layer = s.n_layer, d.n_head = s.n_head, d.n_vocab = s.n_vocab;
    d.n_ff_max = s.n_ff, d.n_expert = s.n_expert, d.n_expert_used = s.n_expert_used;
    d.n_ff_exp = s.n_ff_exp, d.window = s.window;
    rope_freqs_ = std::vector<float>(static_cast<std::size_t>(s.hd_full / 2), 1.0f);
    for (std::size_t i = rope_freqs_.size() / 4; i < rope_freqs_.size(); ++i) rope_freqs_[i] = 1e30f;
    view_.token_embd = mat(s.n_vocab, s.n_embd, seed++, 1.0f);
    view_.output_norm = vec(s.n_embd, seed++, true);
    for (std::int64_t l = 0; l < s.n_layer; ++l) {
      const bool swa = (l + 1) % s.full_every != 0;
      const std::int64_t hd = swa ? s.hd_swa : s.hd_full, kv = swa ? s.kv_swa : s.kv_full;
      d.layers.push_back(LayerDims{swa, kv, hd,
                                   swa ? RopeSpec{hd, 10000.0f, nullptr}
                                       : RopeSpec{hd, 1e6f, rope_freqs_.data()},
                                   s.n_ff});
      LayerView w;
      const float in_scale = 1.0f / std::sqrt(static_cast<float>(s.n_embd));
      w.attn_norm = vec(s.n_embd, seed++, true);
      w.wq = mat(s.n_head * hd, s.n_embd, seed++, in_scale);
      w.wk = mat(kv * hd, s.n_embd, seed++, in_scale);
      if (swa) w.wv = mat(kv * hd, s.n_embd, seed++, in_scale);
      w.wo = mat(s.n_embd, s.n_head * hd, seed++, 1.0f / std::sqrt(float(s.n_head * hd)));
      w.q_norm = vec(hd, seed++, true);
      w.k_norm = vec(hd, seed++, true);
      w.post_attn_norm = vec(s.n_embd, seed++, true);
      w.ffn_norm = vec(s.n_embd, seed++, true);
      w.ffn_gate = mat(s.n_ff, s.n_embd, seed++, in_scale);
      w.ffn_up = mat(s.n_ff, s.n_embd, seed++, in_scale);
      w.ffn_down = mat(s.n_embd, s.n_ff, seed++, 1.0f / std::sqrt(float(s.n_ff)));
      w.post_ffw_norm_1 = vec(s.n_embd, seed++, true);
      auto& router = owned_.emplace_back(make_matrix(quant::Type::F32, s.n_expert, s.n_embd, seed++, 1.0f));
      w.router = router.view();
      w.router_scale = vec(s.n_embd, seed++, true);
      w.pre_ffw_norm_2 = vec(s.n_embd, seed++, true);
      const float* down_scale = vec(s.n_expert, seed++, true);
      const float ex_in = in_scale, ex_out = 1.0f / std::sqrt(float(s.n_ff_exp));
      if (s.fused) {
        w.experts.gate_up = experts(2 * s.n_ff_exp, s.n_embd, seed++, ex_in);
      } else {
        w.experts.gate = experts(s.n_ff_exp, s.n_embd, seed++, ex_in);
        w.experts.up = experts(s.n_ff_exp, s.n_embd, seed++, ex_in);
      }
      w.experts.down = experts(s.n_embd, s.n_ff_exp, seed++, ex_out);
      w.experts.down.out_scale = down_scale;
      w.post_ffw_norm_2 = vec(s.n_embd, seed++, true);
      w.post_ffw_norm = vec(s.n_embd, seed++, true);
      w.output_scale = 0.5f + 0.1f * static_cast<float>(l);
      view_.layers.push_back(w);
    }
  }
  TinyModel(const TinyModel&) = delete;

  const ModelView& view() const { return view_; }
  const TinySpec& spec() const { return spec_; }

 private:
  Matrix mat(std::int64_t rows, std::int64_t cols, std::uint32_t seed, float scale) {
    return owned_.emplace_back(make_matrix(spec_.type, rows, cols, seed, scale)).view();
  }
  ExpertMatrices experts(std::int64_t rows, std::int64_t cols, std::uint32_t seed, float scale) {
    return owned_.emplace_back(make_matrix(spec_.type, rows, cols, seed, scale, spec_.n_expert)).experts();
  }
  // Norm-like vectors around 1 (positive); others random.
  const float* vec(std::int64_t n, std::uint32_t seed, bool around_one) {
    auto v = random_floats(static_cast<std::size_t>(n), seed, 0.2f);
    if (around_one)
      for (float& x : v) x = 1.0f + x;
    return vectors_.emplace_back(std::move(v)).data();
  }

  TinySpec spec_;
  ModelView view_;
  std::vector<float> rope_freqs_;
  std::deque<OwnedMatrix> owned_;
  std::deque<std::vector<float>> vectors_;
};

}  // namespace coderx::model::testing
