// The key/value cache of one sequence (spec §2.3 step 5). Full-attention layers keep every
// position (growing on demand up to max_context); sliding-window layers keep a ring of
// window + slack positions, so a batch of up to `slack` tokens can be appended before
// attention reads it and a cached prefix can be truncated by up to `slack` positions (prefix
// reuse). On K = V layers (no attn_v) only V — the unweighted RMSNorm of the raw K projection —
// is stored, plus the RoPE cos/sin of each slot; keys are derived exactly when read.
// Storage is head-major (op_args.h KvLayerView), f32 or, with KvCacheOptions::type f16 (the
// engine's default for quantised weights: half_suits, EngineOptions::kv_type), IEEE half rounded
// to nearest even, four slots interleaved (capacities then round up to multiples of four), or
// with q8_0 Q8_0 blocks (quant::quantize_row: 34 bytes per 32 values, not interleaved; a layer
// whose head dimension is not whole blocks keeps half); rows of
// 2 MiB or more per layer in 2 MiB pages (huge_page_allocator.h: attention on the real-size model
// at 2,048 positions, 4.1 -> 3.7 ms a step on its full layers and 7.0 -> 6.5 on its sliding
// ones, `coderx bench --ops`, alternating runs). Threading:
// owned by one sequence, used by one thread at a time. The CPU backend's KvState
// (model/kv_state.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/huge_page_allocator.h"
#include "model/kv_state.h"
#include "model/model_view.h"
#include "model/op_args.h"
#include "model/rope_angle_cache.h"

namespace coderx::model {

struct KvCacheOptions {
  std::int64_t max_context = 4096;  // positions a sequence may reach
  std::int64_t slack = 512;         // extra ring slots on sliding layers (≥ the batch chunk)
  KvType type = KvType::f32;        // how K and V rows are stored (kv_type.h)
};

class KvCache final : public KvState {
 public:
  // K/V rows: in 2 MiB pages once a layer's rows reach 2 MiB (a decode step streams them).
  template <class T>
  using Rows = std::vector<T, HugePageAllocator<T>>;

  // Layers are described by the model (dims + which layers have V); k_norm and rope of shared
  // layers are borrowed from `model` for deriving keys.
  KvCache(const ModelView& model, KvCacheOptions options);

  // Writes the rows of one token at `pos` for `layer`: k [n_kv, hd] (ignored on shared
  // layers) and v [n_kv, hd]. Grows full layers as needed; pos < max_context.
  void store(std::int64_t layer, std::int64_t pos, const float* k, const float* v);
  KvLayerView view(std::int64_t layer) const;

  std::int64_t n_past() const override { return n_past_; }
  void set_n_past(std::int64_t n) override { n_past_ = n; }
  bool can_truncate_to(std::int64_t n) const override;
  std::int64_t max_batch() const override;
  std::int64_t max_context() const override { return options_.max_context; }
  std::size_t memory_bytes() const override;
  // Bytes one more position costs on the layers that keep every position (memory reports).
  std::size_t bytes_per_full_position() const;
  // The same for a model's full-attention layers, without building a cache.
  static std::size_t full_layer_bytes_per_position(const ModelView& model, KvType type);
  // K/V bytes one decode step reads for one sequence at `context` positions: every row its
  // attention visits (sliding layers at most the window; K = V layers their one row).
  static std::size_t decode_read_bytes(const ModelView& model, std::int64_t context, KvType type);
  // Whether half K/V suits a model by default: every attention projection is quantised (not
  // F32, F16 or BF16). Rounding K/V to half then adds ~1e-6 to a logit NMSE that the weights'
  // and activations' quantisation already puts near 1e-3 (fixtures: Q8_0 7.4e-3 → 5.6e-3,
  // Q4_K_M 3.5e-3 → 2.7e-3, near-tie expert flips either way); on float weights it would be
  // the largest error left (F16 fixture: 7.0e-7 → 1.1e-6).
  static bool half_suits(const ModelView& model);
  // The engine's K/V type when none is asked for: f16 where half_suits, else f32.
  static KvType default_type(const ModelView& model) {
    return half_suits(model) ? KvType::f16 : KvType::f32;
  }

 private:
  struct Layer {
    bool ring = false, shared = false;
    KvType type = KvType::f32;  // the cache's, or f16 where Q8_0 does not fit the head
    std::int64_t n_kv = 0, hd = 0, capacity = 0, rot_pairs = 0;
    const float* k_norm = nullptr;
    RopeSpec rope;
    Rows<float> k, v;              // f32 caches
    Rows<std::uint16_t> k16, v16;  // f16 caches
    Rows<std::uint8_t> k8, v8;     // q8_0 caches
    std::vector<float> cos, sin;
  };
  bool interleaved(const Layer& l) const;
  KvLayerView layout(const Layer& l) const;  // the shape fields of the layer's view
  void ensure_capacity(Layer& l, std::int64_t pos);
  template <class T>
  static Rows<T> regrow_heads(const Rows<T>& old, const Layer& l, std::int64_t row,
                              std::int64_t capacity);
  template <class T>
  void store_rows(const Layer& l, std::int64_t slot, const float* rows, Rows<T>& dst) const;

  KvCacheOptions options_;
  std::int64_t window_ = 0;
  std::int64_t n_past_ = 0;
  std::vector<Layer> layers_;
  RopeAngleCache angles_;  // one position's angles, shared by the K = V layers of a step
};

}  // namespace coderx::model
