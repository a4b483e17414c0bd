#include "model/ops_cpu.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "model/attention_cpu.h"
#include "model/ops_cpu_vec.h"
#include "model/ops_ref.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"
#include "model/softcap.h"

namespace coderx::model {

namespace {

constexpr std::int64_t kRowChunk = 16;  // weight rows per parallel work item (decode)
// Multiply-adds below which a parallel job costs more than it saves (waking a thread is
// microseconds on an idle machine, much more on a busy one).
constexpr std::int64_t kMinParallelWork = 1 << 17;

constexpr std::int64_t kMaxStreamingTokens = 4;  // beyond this, products are compute-bound

// Weight rows per work item and per call of the column kernels: batches pack the rows and
// prepare the activations once per call (quant::dot_rows_cols), so larger calls amortise the
// preparation; 64 packed rows stay within L2.
std::int64_t rows_per_item(std::int64_t n_tokens) {
  return n_tokens <= kMaxStreamingTokens ? kRowChunk : 64;
}

// Work items per parallel chunk so each chunk carries at least kMinParallelWork.
std::int64_t grain_for(std::int64_t item_work, std::int64_t min_items = 1) {
  return std::max(min_items, kMinParallelWork / std::max<std::int64_t>(item_work, 1));
}

// Runs fn over the `items` of a weight product over `n_tokens` tokens (item_work multiply-adds
// each). Matrix-vector products (decode) are bound by memory reads: the threads take guided
// stretches (a share of what is left, at least min_items), long and contiguous so the
// prefetchers keep streaming, short at the end so both threads finish together. A decode step
// runs about 300 such products of 1-10 MB, where a ragged end cost up to a quarter of the time
// (tools/bench_gemv --split). Larger batches are compute-bound and go in fixed grains.
template <class Fn>
void for_each_product_chunk(ThreadPool& pool, std::int64_t n_tokens, std::int64_t items,
                            std::int64_t item_work, std::int64_t min_items, Fn&& fn) {
  if (n_tokens <= kMaxStreamingTokens) {
    pool.parallel_for_guided(items, min_items, fn);
  } else {
    pool.parallel_for(items, grain_for(item_work, min_items), fn);
  }
}

// The work items [begin, end) of an expert product, `chunks` items of `rows` rows per active
// expert (`limit` rows each), as one run of rows per expert: fn(active index, r0, r1), so that
// the kernels see each expert's rows of the stretch in one call.
template <class Fn>
void for_each_expert_run(std::int64_t begin, std::int64_t end, std::int64_t chunks,
                         std::int64_t rows, std::int64_t limit, Fn&& fn) {
  for (std::int64_t item = begin; item < end;) {
    const std::int64_t i = item / chunks, stop = std::min(end, (i + 1) * chunks);
    fn(i, (item - i * chunks) * rows, std::min(limit, (stop - i * chunks) * rows));
    item = stop;
  }
}

// out[a·out_stride + r] = scale · dot(row r, activation a) for r < n_rows, a < n_act.
// act_index maps a to the activation row (null: identity). With several activations, rows go in
// chunks small enough to stay in L1 while every activation passes over them (quant::dot_rows_cols
// decodes each row once per four activations); one activation takes all the rows in one call
// (each row's result is the same either way).
void dot_rows(quant::Type type, const std::byte* rows, std::size_t row_bytes, std::int64_t n_rows,
              std::int64_t cols, const std::byte* act, std::size_t act_bytes,
              const std::int32_t* act_index, std::int64_t n_act, float scale, float* out,
              std::int64_t out_stride) {
  thread_local std::vector<const void*> acts;
  acts.resize(static_cast<std::size_t>(n_act));
  for (std::int64_t a = 0; a < n_act; ++a)
    acts[a] = act + static_cast<std::size_t>(act_index ? act_index[a] : a) * act_bytes;
  const std::int64_t chunk = n_act == 1 ? n_rows : rows_per_item(n_act);
  for (std::int64_t r0 = 0; r0 < n_rows; r0 += chunk) {
    const std::int64_t nr = std::min(chunk, n_rows - r0);
    quant::dot_rows_cols(type, rows + static_cast<std::size_t>(r0) * row_bytes, row_bytes, nr,
                         acts.data(), n_act, cols, out + r0, out_stride);
    if (scale != 1.0f)
      for (std::int64_t a = 0; a < n_act; ++a)
        for (float& o : std::span(out + a * out_stride + r0, static_cast<std::size_t>(nr)))
          o *= scale;
  }
}

// GELU as llama.cpp's CPU backend computes it (spec §7.13): a 65 536-entry table indexed by
// the fp16 rounding of x, holding fp16(gelu(x)), for −10 < x < 10; 0 below, x above. Matching
// it keeps the fast path's quantised activations on llama.cpp's side of every rounding tie.
const float* gelu_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (std::uint32_t h = 0; h < 65536; ++h) {
      const float x = quant::f16_to_f32(static_cast<std::uint16_t>(h));
      const float g = 0.5f * x * (1.0f + std::tanh(0.79788456080286535587989211986876f * x *
                                                   (1.0f + 0.044715f * x * x)));
      t[h] = quant::f16_to_f32(quant::f32_to_f16(g));
    }
    return t;
  }();
  return table.data();
}

template <class Vector>
auto* grow(Vector& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

std::size_t CpuOps::quantize_rows(quant::Type type, const float* x, std::int64_t n_rows,
                                  std::int64_t cols, AlignedVector<std::byte>& buf) {
  const std::size_t bytes = quant::activation_bytes(type, cols);
  std::byte* dst = grow(buf, bytes * static_cast<std::size_t>(n_rows));
  pool_.parallel_for(n_rows, 8, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r)
      quant::quantize_activation(type, x + r * cols, dst + static_cast<std::size_t>(r) * bytes, cols);
  });
  return bytes;
}

void CpuOps::rms_norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n,
                      float eps) {
  const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(n, 1));
  pool_.parallel_for(rows, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r) {
      const float mean = static_cast<float>(vec::sum_squares(x + r * n, n) / static_cast<double>(n));
      const float scale = 1.0f / std::sqrt(mean + eps);
      if (w) {
        vec::scale_mul(x + r * n, scale, w, y + r * n, n);
      } else {
        vec::scale(x + r * n, scale, y + r * n, n);
      }
    }
  });
}

void CpuOps::matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) {
  const std::size_t act_bytes = quantize_rows(w.type, x, n_tokens, w.cols, act_);
  for_each_product_chunk(pool_, n_tokens, w.rows, w.cols * n_tokens, rows_per_item(n_tokens),
                         [&](std::int64_t b, std::int64_t e) {
                           dot_rows(w.type, w.row(b), w.row_bytes, e - b, w.cols, act_.data(),
                                    act_bytes, nullptr, n_tokens, w.out_scale, y + b, w.rows);
                         });
}

// A decode step's projections of one input in one pass: the rows of all the matrices, each
// padded to whole chunks, form one index space that the threads take in guided stretches (one
// start and one ragged end instead of one per matrix). Each row is computed as matmul would,
// by the same kernels from the same chunk offsets. Larger batches run the matmuls one by one.
void CpuOps::matmul_group(std::span<const Projection> ps, const float* x, std::int64_t n_tokens) {
  const quant::Type act =
      ps.empty() ? quant::Type::F32 : quant::info(ps[0].w->type).activation_type;
  const bool shared_input = std::all_of(ps.begin(), ps.end(), [&](const Projection& p) {
    return quant::info(p.w->type).activation_type == act && p.w->cols == ps[0].w->cols;
  });
  if (n_tokens > kMaxStreamingTokens || ps.size() < 2 || !shared_input)
    return Ops::matmul_group(ps, x, n_tokens);
  const std::size_t act_bytes = quantize_rows(ps[0].w->type, x, n_tokens, ps[0].w->cols, act_);
  std::vector<std::int64_t>& start = group_start_;  // first padded index of each projection
  start.assign(1, 0);
  for (const Projection& p : ps)
    start.push_back(start.back() + (p.w->rows + kRowChunk - 1) / kRowChunk * kRowChunk);
  pool_.parallel_for_guided(start.back(), kRowChunk, [&](std::int64_t b, std::int64_t e) {
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const Matrix& w = *ps[i].w;
      const std::int64_t r0 = std::max(b, start[i]) - start[i],
                         r1 = std::min(e, start[i + 1]) - start[i];
      const std::int64_t end = std::min(r1, w.rows);
      if (r0 < end)
        dot_rows(w.type, w.row(r0), w.row_bytes, end - r0, w.cols, act_.data(), act_bytes, nullptr,
                 n_tokens, w.out_scale, ps[i].y + r0, w.rows);
    }
  });
}

// Work items of up to kGegluChunk elements of one row, so that a decode step's single row (the
// dense MLP's 2,112) is shared by the threads too. Elementwise: any split gives the same bits.
void CpuOps::geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
                   std::int64_t in_stride, std::int64_t out_stride) {
  constexpr std::int64_t kGegluChunk = 1024;
  const std::int64_t per_row = std::max<std::int64_t>(1, (n + kGegluChunk - 1) / kGegluChunk);
  const float* table = gelu_table();
  pool_.parallel_for(rows * per_row, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const std::int64_t r = i / per_row, c = i % per_row * kGegluChunk;
      vec::geglu_table(table, g + r * in_stride + c, u + r * in_stride + c, y + r * out_stride + c,
                       std::min(kGegluChunk, n - c));
    }
  });
}

void CpuOps::rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
                  const std::int32_t* positions, const RopeSpec& spec) {
  const std::int64_t half = spec.n_dims / 2;
  const std::int64_t n_rot = ref::rope_rotating_pairs(spec);
  const auto rotate = [&](std::int64_t t, RopeAngleCache::Angles a) {
    for (std::int64_t h = 0; h < n_heads; ++h)
      vec::rotate_pairs(x + (t * n_heads + h) * head_dim, half, a.cos, a.sin, n_rot);
  };
  if (n_tokens <= kMaxStreamingTokens) {  // decode: memoised angles, copied for the threads
    float* angles = grow(token_angles_, static_cast<std::size_t>(n_tokens * 2 * half));
    for (std::int64_t t = 0; t < n_tokens; ++t) {
      const RopeAngleCache::Angles a = rope_angles_.get(positions[t], spec);
      std::copy_n(a.cos, half, angles + 2 * t * half);
      std::copy_n(a.sin, half, angles + (2 * t + 1) * half);
    }
    pool_.parallel_for(n_tokens, 4, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t t = b; t < e; ++t)
        rotate(t, {angles + 2 * t * half, angles + (2 * t + 1) * half});
    });
    return;
  }
  pool_.parallel_for(n_tokens, 4, [&](std::int64_t b, std::int64_t e) {
    thread_local std::vector<float> cs, sn;
    grow(cs, static_cast<std::size_t>(half));
    grow(sn, static_cast<std::size_t>(half));
    for (std::int64_t t = b; t < e; ++t) {
      ref::rope_angles(positions[t], spec, cs.data(), sn.data());
      rotate(t, {cs.data(), sn.data()});
    }
  });
}

void CpuOps::attention(const AttentionArgs& a) {
  attention_cpu(pool_, a);
}

void CpuOps::embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens,
                   float scale, float* out) {
  pool_.parallel_for(n_tokens, 8, [&](std::int64_t b, std::int64_t end) {
    for (std::int64_t t = b; t < end; ++t) {
      float* row = out + t * e.cols;
      quant::dequantize_row(e.type, e.row(tokens[t]), row, e.cols);
      vec::scale(row, scale, row, e.cols);
    }
  });
}

void CpuOps::softcap(float* x, std::int64_t n, float cap) {
  pool_.parallel_for(n, 8192,
                     [&](std::int64_t b, std::int64_t e) { model::softcap(x + b, e - b, cap); });
}

void CpuOps::moe(const MoeArgs& a) {
  const ExpertWeights& w = *a.experts;
  const std::int64_t n_expert = w.down.n_expert, n_entries = a.n_tokens * a.k;
  // Group the (token, slot) entries by expert (counting sort keeps token order per expert).
  expert_begin_.assign(static_cast<std::size_t>(n_expert + 1), 0);
  for (std::int64_t i = 0; i < n_entries; ++i) ++expert_begin_[a.choices[i].expert + 1];
  for (std::int64_t e = 0; e < n_expert; ++e) expert_begin_[e + 1] += expert_begin_[e];
  grow(entry_token_, static_cast<std::size_t>(n_entries));
  grow(entry_of_slot_, static_cast<std::size_t>(n_entries));
  active_experts_.clear();
  {
    std::vector<std::int32_t>& fill = active_experts_;  // reused below as the active list
    fill.assign(expert_begin_.begin(), expert_begin_.end() - 1);
    for (std::int64_t i = 0; i < n_entries; ++i) {
      const std::int32_t idx = fill[a.choices[i].expert]++;
      entry_token_[idx] = static_cast<std::int32_t>(i / a.k);
      entry_of_slot_[i] = idx;
    }
    fill.clear();
    for (std::int64_t e = 0; e < n_expert; ++e)
      if (expert_begin_[e + 1] > expert_begin_[e]) fill.push_back(static_cast<std::int32_t>(e));
  }
  const std::int64_t n_ff = w.n_ff();
  moe_gate_up(a, n_ff);
  moe_down(a, n_ff);
  const std::int64_t n_embd = w.down.rows;
  pool_.parallel_for(a.n_tokens, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      float* out = a.out + t * n_embd;
      std::fill_n(out, n_embd, 0.0f);
      for (std::int64_t s = 0; s < a.k; ++s)
        vec::axpy(a.choices[t * a.k + s].weight,
                  expert_out_.data() + entry_of_slot_[t * a.k + s] * n_embd, out, n_embd);
    }
  });
}

void CpuOps::moe_gate_up(const MoeArgs& a, std::int64_t n_ff) {
  const ExpertWeights& w = *a.experts;
  const quant::Type type = w.fused() ? w.gate_up.type : w.gate.type;
  const std::int64_t n_embd = w.down.rows, width = 2 * n_ff;
  const std::size_t act_bytes = quantize_rows(type, a.x, a.n_tokens, n_embd, act_);
  float* hidden = grow(hidden_, static_cast<std::size_t>(a.n_tokens * a.k * width));
  const std::int64_t rows = rows_per_item(a.n_tokens);
  const std::int64_t chunks = (width + rows - 1) / rows;
  const std::int64_t items = static_cast<std::int64_t>(active_experts_.size()) * chunks;
  const std::int64_t per_item =
      rows * n_embd *
      std::max<std::int64_t>(1, (a.n_tokens * a.k) / std::max<std::int64_t>(1, items / chunks));
  for_each_product_chunk(
      pool_, a.n_tokens, items, per_item, 1, [&](std::int64_t b, std::int64_t end) {
        for_each_expert_run(
            b, end, chunks, rows, width, [&](std::int64_t i, std::int64_t r0, std::int64_t r1) {
              const std::int32_t e = active_experts_[i];
              const std::int64_t first = expert_begin_[e], count = expert_begin_[e + 1] - first;
              // Rows [r0, r1) may straddle gate and up; each part goes on its own.
              for (std::int64_t r = r0; r < r1;) {
                const bool in_gate = r < n_ff;
                const std::int64_t stop = w.fused() || !in_gate ? r1 : std::min(r1, n_ff);
                const Matrix m =
                    w.fused() ? w.gate_up.expert(e) : (in_gate ? w.gate : w.up).expert(e);
                const std::int64_t row = w.fused() || in_gate ? r : r - n_ff;
                dot_rows(m.type, m.row(row), m.row_bytes, stop - r, n_embd, act_.data(), act_bytes,
                         entry_token_.data() + first, count, m.out_scale,
                         hidden + first * width + r, width);
                r = stop;
              }
            });
      });
}

void CpuOps::moe_down(const MoeArgs& a, std::int64_t n_ff) {
  const ExpertWeights& w = *a.experts;
  const std::int64_t n_embd = w.down.rows, width = 2 * n_ff, n_entries = a.n_tokens * a.k;
  const std::size_t act_bytes = quant::activation_bytes(w.down.type, n_ff);
  std::byte* act = grow(act2_, act_bytes * static_cast<std::size_t>(n_entries));
  const float* table = gelu_table();
  // Each entry's GeGLU (in place in its gate half) and then its quantised down input: one pass
  // per entry, the entries shared by the threads (a decode step's eight as well).
  pool_.parallel_for(n_entries, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      float* h = hidden_.data() + i * width;
      vec::geglu_table(table, h, h + n_ff, h, n_ff);
      quant::quantize_activation(w.down.type, h, act + static_cast<std::size_t>(i) * act_bytes,
                                 n_ff);
    }
  });
  float* out = grow(expert_out_, static_cast<std::size_t>(n_entries * n_embd));
  const std::int64_t rows = rows_per_item(a.n_tokens);
  const std::int64_t chunks = (n_embd + rows - 1) / rows;
  const std::int64_t items = static_cast<std::int64_t>(active_experts_.size()) * chunks;
  const std::int64_t per_item =
      rows * n_ff *
      std::max<std::int64_t>(1, n_entries / std::max<std::int64_t>(1, items / chunks));
  for_each_product_chunk(
      pool_, a.n_tokens, items, per_item, 1, [&](std::int64_t b, std::int64_t end) {
        for_each_expert_run(
            b, end, chunks, rows, n_embd, [&](std::int64_t i, std::int64_t r0, std::int64_t r1) {
              const std::int32_t e = active_experts_[i];
              const std::int64_t first = expert_begin_[e], count = expert_begin_[e + 1] - first;
              const Matrix m = w.down.expert(e);
              dot_rows(m.type, m.row(r0), m.row_bytes, r1 - r0, n_ff, act + first * act_bytes,
                       act_bytes, nullptr, count, m.out_scale, out + first * n_embd + r0, n_embd);
            });
      });
}

}  // namespace coderx::model
