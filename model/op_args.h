// Plain argument types shared by the op sets (ops_ref, ops_cpu) and the forward pass: weight
// matrices as they sit in the GGUF mapping, RoPE parameters, expert choices, attention and MoE
// argument bundles. No behaviour beyond trivial accessors.
// Lifetime: every pointer is borrowed (weights from the mapped file, activations from the
// forward pass's workspace); nothing here owns memory. Thread-safe as plain values.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/kv_type.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"
#include "model/quant/types.h"

namespace coderx::model {

// One 2-D weight as stored in GGUF: `rows` rows (ggml ne[1], output features) of `cols`
// contiguous elements (ne[0], input features) of `type`; row r starts at data + r·row_bytes.
// y_j = out_scale · Σ_i W[j][i]·x_i (spec §2.1; out_scale is an optional `.scale` tensor).
struct Matrix {
  quant::Type type = quant::Type::F32;
  const std::byte* data = nullptr;
  std::int64_t cols = 0;
  std::int64_t rows = 0;
  std::size_t row_bytes = 0;
  float out_scale = 1.0f;

  const std::byte* row(std::int64_t r) const { return data + static_cast<std::size_t>(r) * row_bytes; }
  bool valid() const { return data != nullptr; }
};

// One projection of a group that shares its input: y = W · x (see Ops::matmul_group).
struct Projection {
  const Matrix* w = nullptr;
  float* y = nullptr;  // [n_tokens, w->rows]
};

// A stack of expert matrices, ggml shape {cols, rows, n_expert}: expert e is the Matrix of
// `rows` rows starting at data + e·rows·row_bytes. out_scale: [n_expert] f32 or null.
struct ExpertMatrices {
  quant::Type type = quant::Type::F32;
  const std::byte* data = nullptr;
  std::int64_t cols = 0;
  std::int64_t rows = 0;
  std::int64_t n_expert = 0;
  std::size_t row_bytes = 0;
  const float* out_scale = nullptr;

  bool valid() const { return data != nullptr; }
  Matrix expert(std::int64_t e) const {
    return Matrix{type, data + static_cast<std::size_t>(e * rows) * row_bytes, cols, rows,
                  row_bytes, out_scale ? out_scale[e] : 1.0f};
  }
};

// The experts of one layer: either fused gate_up (rows = 2·n_ff_exp, gate rows first) or split
// gate and up (rows = n_ff_exp each); down has rows = n_embd, cols = n_ff_exp. down.out_scale
// carries `ffn_down_exps.scale` (the router's per-expert scale, spec §2.3 step 11).
struct ExpertWeights {
  ExpertMatrices gate_up;  // valid() when fused
  ExpertMatrices gate;     // valid() when split
  ExpertMatrices up;
  ExpertMatrices down;
  bool fused() const { return gate_up.valid(); }
  std::int64_t n_ff() const { return fused() ? gate_up.rows / 2 : gate.rows; }
};

// NEOX RoPE (spec §2.4): pairs (i, i + n_dims/2), θ_i = p·base^(−2i/n_dims) / freq_factors[i].
struct RopeSpec {
  std::int64_t n_dims = 0;
  float base = 10000.0f;
  const float* freq_factors = nullptr;  // [n_dims/2] f32 or null
};

// One selected expert of one token, in top-k order (spec §2.3 step 10).
struct ExpertChoice {
  std::int32_t expert = 0;
  float weight = 0.0f;  // renormalised probability
};

// How attention reads the cached keys and values of one layer of one sequence.
// Position j lives in slot (ring ? j % capacity : j). The row of kv head g at a slot is head_dim
// values: slot-major ([capacity, n_kv_head, head_dim], the default) or head-major ([n_kv_head,
// capacity, head_dim], what KvCache stores: one head's keys are contiguous, so attention
// streams them). An interleaved view (KvCache's f16 caches) goes one step further: within a
// head, each run of four slots 4s … 4s+3 stores its rows chunk by chunk, eight elements of each
// row in turn ([n_kv_head, capacity/4, head_dim/8, 4, 8]; capacity and head_dim multiples of 4
// and 8), so decode's four-key kernels read one sequential stream. Reading four rows side by
// side from memory ran at half the speed of one stream here (Zen 4), and one row at a time
// left the kernels bound by one multiply-add chain.
// Shared layers (K = V, spec §2.3 step 3): only `v` (the unweighted RMSNorm of the raw K
// projection) is stored; the key is derived as RoPE_j(v ⊙ k_norm) — bit-identical to the
// key the layer would have stored, at half the memory.
// Rows are f32 (k, v) or, in an f16 cache, IEEE half (k16, v16: half the memory and the bytes
// decode reads), or in a q8_0 cache Q8_0 blocks (k8, v8: 34 bytes per 32 values, head-major,
// not interleaved; the row at element offset o starts at byte o / 32 · 34); load_k / load_v give
// a row as f32 either way.
struct KvLayerView {
  const float* k = nullptr;  // [capacity, n_kv_head, head_dim]; null on shared layers
  const float* v = nullptr;  // [capacity, n_kv_head, head_dim]
  std::int64_t capacity = 0;
  bool ring = false;
  const float* k_norm = nullptr;  // [head_dim], shared layers only
  RopeSpec rope;                  // shared layers only
  // Shared layers: cos/sin of each slot's position for the first rot_pairs pairs,
  // [capacity, rot_pairs] f32, the angles of ref::rope_angles (so the fast path need not
  // recompute them per key). Pairs ≥ rot_pairs have frequency factors ≥ 1e20: their angle is
  // below 2^-30, cos rounds to 1 and the sine term is below f32 resolution (identity).
  const float* key_cos = nullptr;
  const float* key_sin = nullptr;
  std::int64_t rot_pairs = 0;

  bool head_major = false;
  bool interleaved = false;            // head-major with four slots interleaved (above)
  const std::uint16_t* k16 = nullptr;  // f16 cache: K rows (null on shared layers)
  const std::uint16_t* v16 = nullptr;  // f16 cache: V rows
  const std::uint8_t* k8 = nullptr;    // q8_0 cache: K rows (null on shared layers)
  const std::uint8_t* v8 = nullptr;    // q8_0 cache: V rows

  bool f16() const { return v16 != nullptr; }
  bool q8() const { return v8 != nullptr; }
  bool shared() const { return k == nullptr && k16 == nullptr && k8 == nullptr; }
  // The Q8_0 blocks of the row at element offset `offset` (a multiple of 32) of k8 or v8.
  static const std::uint8_t* q8_row(const std::uint8_t* rows, std::int64_t offset) {
    return rows + quant::row_bytes(quant::Type::Q8_0, offset);
  }
  // Elements between the starts of a row's consecutive chunks of eight: element i of the row
  // that starts at row_offset(...) is at that offset + (i / 8)·chunk_stride() + i % 8.
  std::int64_t chunk_stride() const { return interleaved ? 32 : 8; }
  // (In a q8_0 cache n is a whole row, whole blocks: the reference dequantiser reads it.)
  void load_k(std::int64_t offset, std::int64_t n, float* out) const {
    if (k8) return quant::dequantize_row_ref(quant::Type::Q8_0, q8_row(k8, offset), out, n);
    load(k, k16, offset, n, out);
  }
  void load_v(std::int64_t offset, std::int64_t n, float* out) const {
    if (v8) return quant::dequantize_row_ref(quant::Type::Q8_0, q8_row(v8, offset), out, n);
    load(v, v16, offset, n, out);
  }
  void load(const float* f32, const std::uint16_t* half, std::int64_t offset, std::int64_t n,
            float* out) const {
    const std::int64_t stride = chunk_stride();
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t at = offset + i / 8 * stride + i % 8;
      out[i] = half ? quant::f16_to_f32(half[at]) : f32[at];
    }
  }
  std::int64_t slot(std::int64_t pos) const { return ring ? pos % capacity : pos; }
  // Element offset of the start of kv head g's row in `slot` (n_kv_head, head_dim: the layer's
  // shape).
  std::int64_t row_offset(std::int64_t slot, std::int64_t g, std::int64_t n_kv_head,
                          std::int64_t head_dim) const {
    if (interleaved) return (g * capacity + slot / 4 * 4) * head_dim + slot % 4 * 8;
    return (head_major ? g * capacity + slot : slot * n_kv_head + g) * head_dim;
  }
};

// Causal attention for a batch of tokens, each reading the cache of its own sequence.
struct AttentionArgs {
  const float* q = nullptr;          // [n_tokens, n_head, head_dim] f32, normed and rotated
  float* out = nullptr;              // [n_tokens, n_head, head_dim] f32
  std::int64_t n_tokens = 0;
  std::int64_t n_head = 0;
  std::int64_t n_kv_head = 0;
  std::int64_t head_dim = 0;
  const std::int32_t* positions = nullptr;  // [n_tokens]
  const KvLayerView* caches = nullptr;      // [n_seq]
  const std::int32_t* seq = nullptr;        // [n_tokens] index into caches; null = all 0
  std::int64_t window = 0;                  // > 0: key j visible iff p − j < window
  float scale = 1.0f;                       // Gemma 4: 1.0 (spec §7.2)
};

// The routed-expert block for a batch: out_t = Σ_s choice[t][s].weight · down_e(geglu(...)).
struct MoeArgs {
  const float* x = nullptr;            // [n_tokens, n_embd] f32 (pre_ffw_norm_2 output)
  const ExpertChoice* choices = nullptr;  // [n_tokens, k]
  std::int64_t n_tokens = 0;
  std::int64_t k = 0;
  const ExpertWeights* experts = nullptr;
  float* out = nullptr;                // [n_tokens, n_embd] f32
};

}  // namespace coderx::model
