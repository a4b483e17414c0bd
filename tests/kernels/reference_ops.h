// Naive float64 reference ops for the GPU kernel tests, written from spec gemma4-moe.md §2.
// They cover shapes and variants beyond model/ops_ref's signatures (pre-add, residual, scale,
// batched windows); ops_ref_gpu_test.cpp checks the kernels against model/ops_ref itself.
// Header-only, plain C++; pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace coderx::kernels::testing {

inline double gelu_tanh_ref(double x) {
  return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}

// y = RMSNorm(x [+ add]; w) [+ residual] [· scale], rows of n (spec §2.1).
struct RmsRefArgs {
  const std::vector<float>* x;
  const std::vector<float>* add = nullptr;
  const std::vector<float>* w = nullptr;
  const std::vector<float>* residual = nullptr;
  double scale = 1.0;
  double eps = 1e-6;
};
inline std::vector<double> rms_norm_ref(const RmsRefArgs& a, std::int64_t rows, std::int64_t n) {
  std::vector<double> y(rows * n);
  for (std::int64_t r = 0; r < rows; ++r) {
    double ss = 0.0;
    auto in = [&](std::int64_t i) { return double((*a.x)[r * n + i]) + (a.add ? double((*a.add)[r * n + i]) : 0.0); };
    for (std::int64_t i = 0; i < n; ++i) ss += in(i) * in(i);
    const double inv = 1.0 / std::sqrt(ss / double(n) + a.eps);
    for (std::int64_t i = 0; i < n; ++i) {
      double v = in(i) * inv * (a.w ? double((*a.w)[i]) : 1.0);
      if (a.residual) v += (*a.residual)[r * n + i];
      y[r * n + i] = v * a.scale;
    }
  }
  return y;
}

// NEOX RoPE (spec §2.4) in double: theta_i = p · base^(-2i/n_dims) / ff_i.
inline std::vector<double> rope_ref(const std::vector<float>& x, const std::vector<std::int32_t>& pos, int n_heads,
                                    int head_dim, int n_dims, double base, const std::vector<float>* ff) {
  std::vector<double> y(x.begin(), x.end());
  const int half = n_dims / 2;
  for (std::size_t t = 0; t < pos.size(); ++t) {
    for (int h = 0; h < n_heads; ++h) {
      const std::size_t o = (t * n_heads + h) * head_dim;
      for (int i = 0; i < half; ++i) {
        double theta = pos[t] * std::pow(base, -2.0 * i / n_dims);
        if (ff) theta /= (*ff)[i];
        const double a = x[o + i], b = x[o + i + half];
        y[o + i] = a * std::cos(theta) - b * std::sin(theta);
        y[o + i + half] = a * std::sin(theta) + b * std::cos(theta);
      }
    }
  }
  return y;
}

// Attention of one query (spec §2.3 step 6) over keys 0..p with an optional window;
// k, v: [n_pos, n_kv, hd] (already rounded as the cache stores them).
inline std::vector<double> attention_ref(const std::vector<float>& q, const std::vector<std::int32_t>& q_pos,
                                         const std::vector<float>& k, const std::vector<float>& v, int n_head,
                                         int n_kv, int hd, std::int64_t window, double scale) {
  const int group = n_head / n_kv;
  std::vector<double> out(q.size());
  for (std::size_t t = 0; t < q_pos.size(); ++t) {
    const std::int64_t p = q_pos[t];
    for (int h = 0; h < n_head; ++h) {
      const int g = h / group;
      const float* qh = &q[(t * n_head + h) * hd];
      std::vector<double> s;
      std::vector<std::int64_t> js;
      for (std::int64_t j = 0; j <= p; ++j) {
        if (window > 0 && p - j >= window) continue;
        const float* kj = &k[(j * n_kv + g) * hd];
        double dot = 0.0;
        for (int d = 0; d < hd; ++d) dot += double(qh[d]) * kj[d];
        s.push_back(dot * scale);
        js.push_back(j);
      }
      const double m = *std::max_element(s.begin(), s.end());
      double sum = 0.0;
      for (double& e : s) sum += (e = std::exp(e - m));
      for (int d = 0; d < hd; ++d) {
        double acc = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) acc += s[i] * v[(js[i] * n_kv + g) * hd + d];
        out[(t * n_head + h) * hd + d] = acc / sum;
      }
    }
  }
  return out;
}

// Router probabilities of one token (spec §2.3 step 10): softmax(W · (RMSNorm(h) · mult ⊙ s)).
inline std::vector<double> router_probs_ref(const float* h, const std::vector<float>& in_scale,
                                            const std::vector<float>& w, int n_embd, int n_expert, double mult,
                                            double eps) {
  double ss = 0.0;
  for (int i = 0; i < n_embd; ++i) ss += double(h[i]) * h[i];
  const double inv = 1.0 / std::sqrt(ss / n_embd + eps);
  std::vector<double> logits(n_expert);
  for (int e = 0; e < n_expert; ++e) {
    double acc = 0.0;
    for (int i = 0; i < n_embd; ++i) acc += double(w[std::size_t(e) * n_embd + i]) * (h[i] * inv * mult * in_scale[i]);
    logits[e] = acc;
  }
  const double m = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (double& l : logits) sum += (l = std::exp(l - m));
  for (double& l : logits) l /= sum;
  return logits;
}

// Dequantised expert weights for the MoE reference: gate/up [n_expert][n_ff][n_embd],
// down [n_expert][n_embd][n_ff].
struct ExpertRef {
  std::vector<float> gate, up, down;
  std::vector<float> down_scale;  // [n_expert], empty = 1
  int n_embd = 0, n_ff = 0;
};

// y[t] = Σ_j w[t][j] · down_scale[e] · W_down[e] · geglu(W_gate[e]·x[t], W_up[e]·x[t]).
inline std::vector<double> moe_ref(const ExpertRef& ex, const std::vector<float>& x, const std::vector<std::int32_t>& ids,
                                   const std::vector<float>& wts, int n_tokens, int k) {
  const int n_embd = ex.n_embd, n_ff = ex.n_ff;
  std::vector<double> y(std::size_t(n_tokens) * n_embd, 0.0);
  std::vector<double> act(n_ff);
  for (int t = 0; t < n_tokens; ++t) {
    const float* xt = &x[std::size_t(t) * n_embd];
    for (int j = 0; j < k; ++j) {
      const int e = ids[t * k + j];
      for (int r = 0; r < n_ff; ++r) {
        const float* g = &ex.gate[(std::size_t(e) * n_ff + r) * n_embd];
        const float* u = &ex.up[(std::size_t(e) * n_ff + r) * n_embd];
        double gs = 0.0, us = 0.0;
        for (int i = 0; i < n_embd; ++i) {
          gs += double(g[i]) * xt[i];
          us += double(u[i]) * xt[i];
        }
        act[r] = gelu_tanh_ref(gs) * us;
      }
      const double scale = ex.down_scale.empty() ? 1.0 : ex.down_scale[e];
      for (int r = 0; r < n_embd; ++r) {
        const float* d = &ex.down[(std::size_t(e) * n_embd + r) * n_ff];
        double s = 0.0;
        for (int i = 0; i < n_ff; ++i) s += double(d[i]) * act[i];
        y[std::size_t(t) * n_embd + r] += wts[t * k + j] * scale * s;
      }
    }
  }
  return y;
}

}  // namespace coderx::kernels::testing
