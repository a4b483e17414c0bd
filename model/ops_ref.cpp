#include "model/ops_ref.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

#include "model/quant/rows.h"

namespace coderx::model::ref {

void rms_norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n,
              float eps) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    double sum = 0;
    for (std::int64_t i = 0; i < n; ++i) sum += static_cast<double>(xr[i]) * xr[i];
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (std::int64_t i = 0; i < n; ++i) {
      float v = xr[i] * scale;
      yr[i] = w ? v * w[i] : v;
    }
  }
}

float gelu_tanh(float x) {
  const double v = x;
  const double sqrt_2_over_pi = 0.79788456080286535588;
  return static_cast<float>(0.5 * v * (1.0 + std::tanh(sqrt_2_over_pi * (v + 0.044715 * v * v * v))));
}

void geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
           std::int64_t in_stride, std::int64_t out_stride) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < n; ++i)
      y[r * out_stride + i] = static_cast<float>(static_cast<double>(gelu_tanh(g[r * in_stride + i])) *
                                                 u[r * in_stride + i]);
}

void matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) {
  std::vector<float> row(static_cast<std::size_t>(w.cols));
  for (std::int64_t j = 0; j < w.rows; ++j) {
    quant::dequantize_row_ref(w.type, w.row(j), row.data(), w.cols);
    for (std::int64_t t = 0; t < n_tokens; ++t) {
      const float* xt = x + t * w.cols;
      double sum = 0;
      for (std::int64_t i = 0; i < w.cols; ++i) sum += static_cast<double>(row[i]) * xt[i];
      y[t * w.rows + j] = static_cast<float>(sum) * w.out_scale;
    }
  }
}

void rope_angles(std::int64_t pos, const RopeSpec& spec, float* cos_out, float* sin_out) {
  const float theta_scale = std::pow(spec.base, -2.0f / static_cast<float>(spec.n_dims));
  float theta = static_cast<float>(pos);
  for (std::int64_t i = 0; i < spec.n_dims / 2; ++i) {
    const float ff = spec.freq_factors ? spec.freq_factors[i] : 1.0f;
    const float angle = theta / ff;
    cos_out[i] = static_cast<float>(std::cos(static_cast<double>(angle)));
    sin_out[i] = static_cast<float>(std::sin(static_cast<double>(angle)));
    theta *= theta_scale;
  }
}

std::int64_t rope_rotating_pairs(const RopeSpec& spec) {
  std::int64_t n = spec.n_dims / 2;
  if (!spec.freq_factors) return n;
  while (n > 0 && spec.freq_factors[n - 1] >= 1e20f) --n;
  return n;
}

void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
          const std::int32_t* positions, const RopeSpec& spec) {
  assert(spec.n_dims <= head_dim && spec.n_dims % 2 == 0);
  const std::int64_t half = spec.n_dims / 2;
  std::vector<float> c(static_cast<std::size_t>(half)), s(static_cast<std::size_t>(half));
  for (std::int64_t t = 0; t < n_tokens; ++t) {
    rope_angles(positions[t], spec, c.data(), s.data());
    for (std::int64_t h = 0; h < n_heads; ++h) {
      float* v = x + (t * n_heads + h) * head_dim;
      for (std::int64_t i = 0; i < half; ++i) {
        const double a = v[i], b = v[i + half];
        v[i] = static_cast<float>(a * c[i] - b * s[i]);
        v[i + half] = static_cast<float>(a * s[i] + b * c[i]);
      }
    }
  }
}

void load_key(const KvLayerView& cache, std::int64_t pos, std::int64_t g, std::int64_t n_kv_head,
              std::int64_t head_dim, float* out) {
  const std::int64_t offset = cache.row_offset(cache.slot(pos), g, n_kv_head, head_dim);
  if (!cache.shared()) {
    cache.load_k(offset, head_dim, out);
    return;
  }
  cache.load_v(offset, head_dim, out);
  for (std::int64_t i = 0; i < head_dim; ++i) out[i] = out[i] * cache.k_norm[i];
  const std::int32_t p = static_cast<std::int32_t>(pos);
  rope(out, 1, 1, head_dim, &p, cache.rope);
}

namespace {

// One query head of one token against its visible keys; out = Σ softmax(q·k·scale)_j v_j.
void attend_head(const AttentionArgs& a, const KvLayerView& cache, std::int64_t pos,
                 const float* q, std::int64_t g, float* out) {
  const std::int64_t hd = a.head_dim;
  const std::int64_t lo = a.window > 0 ? std::max<std::int64_t>(0, pos - a.window + 1) : 0;
  std::vector<double> scores;
  std::vector<float> key(static_cast<std::size_t>(hd));
  double max_score = -INFINITY;
  for (std::int64_t j = lo; j <= pos; ++j) {
    load_key(cache, j, g, a.n_kv_head, hd, key.data());
    double s = 0;
    for (std::int64_t i = 0; i < hd; ++i) s += static_cast<double>(q[i]) * key[i];
    scores.push_back(s * a.scale);
    max_score = std::max(max_score, scores.back());
  }
  double total = 0;
  for (double& s : scores) total += (s = std::exp(s - max_score));
  std::vector<double> acc(static_cast<std::size_t>(hd), 0.0);
  std::vector<float> v(static_cast<std::size_t>(hd));
  for (std::int64_t j = lo; j <= pos; ++j) {
    cache.load_v(cache.row_offset(cache.slot(j), g, a.n_kv_head, hd), hd, v.data());
    const double p = scores[static_cast<std::size_t>(j - lo)] / total;
    for (std::int64_t i = 0; i < hd; ++i) acc[i] += p * v[i];
  }
  for (std::int64_t i = 0; i < hd; ++i) out[i] = static_cast<float>(acc[i]);
}

}  // namespace

void attention(const AttentionArgs& a) {
  const std::int64_t group = a.n_head / a.n_kv_head;
  for (std::int64_t t = 0; t < a.n_tokens; ++t) {
    const KvLayerView& cache = a.caches[a.seq ? a.seq[t] : 0];
    for (std::int64_t h = 0; h < a.n_head; ++h) {
      const std::int64_t off = (t * a.n_head + h) * a.head_dim;
      attend_head(a, cache, a.positions[t], a.q + off, h / group, a.out + off);
    }
  }
}

namespace {

// y = down_e(geglu(gate_e·x, up_e·x)) for one token, down's per-expert scale included.
void expert_ffn(const ExpertWeights& w, std::int64_t e, const float* x, float* y) {
  const std::int64_t n_ff = w.n_ff();
  std::vector<float> gu(static_cast<std::size_t>(2 * n_ff));
  if (w.fused()) {
    matmul(w.gate_up.expert(e), x, 1, gu.data());
  } else {
    matmul(w.gate.expert(e), x, 1, gu.data());
    matmul(w.up.expert(e), x, 1, gu.data() + n_ff);
  }
  geglu(gu.data(), gu.data() + n_ff, gu.data(), 1, n_ff, 2 * n_ff, 2 * n_ff);
  matmul(w.down.expert(e), gu.data(), 1, y);
}

}  // namespace

void moe(const MoeArgs& a) {
  const std::int64_t n_embd = a.experts->down.rows;
  std::vector<float> y(static_cast<std::size_t>(n_embd));
  std::vector<double> acc(static_cast<std::size_t>(n_embd));
  for (std::int64_t t = 0; t < a.n_tokens; ++t) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (std::int64_t s = 0; s < a.k; ++s) {
      const ExpertChoice& c = a.choices[t * a.k + s];
      expert_ffn(*a.experts, c.expert, a.x + t * n_embd, y.data());
      for (std::int64_t i = 0; i < n_embd; ++i) acc[i] += static_cast<double>(c.weight) * y[i];
    }
    for (std::int64_t i = 0; i < n_embd; ++i) a.out[t * n_embd + i] = static_cast<float>(acc[i]);
  }
}

void embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens, float scale,
           float* out) {
  for (std::int64_t t = 0; t < n_tokens; ++t) {
    float* row = out + t * e.cols;
    quant::dequantize_row_ref(e.type, e.row(tokens[t]), row, e.cols);
    for (std::int64_t i = 0; i < e.cols; ++i) row[i] *= scale;
  }
}

void softcap(float* x, std::int64_t n, float cap) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] / cap);
}

}  // namespace coderx::model::ref
