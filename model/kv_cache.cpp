#include "model/kv_cache.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <type_traits>

#include "model/ops_cpu_vec.h"
#include "model/ops_ref.h"
#include "model/quant/rows.h"

namespace coderx::model {

KvCache::KvCache(const ModelView& model, KvCacheOptions options)
    : options_(options), window_(model.dims.window) {
  for (std::size_t i = 0; i < model.dims.layers.size(); ++i) {
    const LayerDims& d = model.dims.layers[i];
    Layer l;
    l.ring = d.swa && window_ + options_.slack < options_.max_context;
    l.shared = !model.layers[i].wv.valid();
    l.n_kv = d.n_kv_head;
    l.hd = d.head_dim;
    l.type = kv_type_for(options_.type, l.hd);
    l.k_norm = model.layers[i].k_norm;
    l.rope = d.rope;
    l.rot_pairs = l.shared ? ref::rope_rotating_pairs(d.rope) : 0;
    if (l.ring) ensure_capacity(l, window_ + options_.slack - 1);
    layers_.push_back(std::move(l));
  }
}

// Whether a layer's rows are stored interleaved by four slots (op_args.h KvLayerView): the f16
// caches, whenever the head dimension is whole chunks of eight.
bool KvCache::interleaved(const Layer& l) const {
  return l.type == KvType::f16 && l.hd % 8 == 0;
}

// Head-major rows ([n_kv, capacity, hd], interleaved or not): a slot's place within its head's
// block does not depend on the capacity, so growing a full layer moves each head's block to its
// new place. Interleaved capacities are multiples of four.
void KvCache::ensure_capacity(Layer& l, std::int64_t pos) {
  std::int64_t want = l.ring ? window_ + options_.slack : pos + 1;
  if (want <= l.capacity) return;
  if (!l.ring) want = std::min(options_.max_context, std::max(want, 2 * l.capacity + 64));
  if (interleaved(l)) want = (want + 3) / 4 * 4;
  if (l.type == KvType::q8_0) {
    const auto row = static_cast<std::int64_t>(kv_row_bytes(KvType::q8_0, l.hd));
    if (!l.shared) l.k8 = regrow_heads(l.k8, l, row, want);
    l.v8 = regrow_heads(l.v8, l, row, want);
  } else if (l.type == KvType::f16) {
    if (!l.shared) l.k16 = regrow_heads(l.k16, l, l.hd, want);
    l.v16 = regrow_heads(l.v16, l, l.hd, want);
  } else {
    if (!l.shared) l.k = regrow_heads(l.k, l, l.hd, want);
    l.v = regrow_heads(l.v, l, l.hd, want);
  }
  l.cos.resize(static_cast<std::size_t>(l.rot_pairs * want));
  l.sin.resize(static_cast<std::size_t>(l.rot_pairs * want));
  l.capacity = want;
}

// `row`: elements of T per row.
template <class T>
KvCache::Rows<T> KvCache::regrow_heads(const Rows<T>& old, const Layer& l, std::int64_t row,
                                       std::int64_t capacity) {
  Rows<T> grown(static_cast<std::size_t>(l.n_kv * capacity * row));
  const std::size_t used = static_cast<std::size_t>(l.capacity * row);
  for (std::int64_t g = 0; g < l.n_kv && used > 0; ++g)
    std::memcpy(grown.data() + g * capacity * row, old.data() + g * l.capacity * row,
                used * sizeof(T));
  return grown;
}

// The n_kv rows of one token ([n_kv, hd] f32) into `slot` of every head.
template <class T>
void KvCache::store_rows(const Layer& l, std::int64_t slot, const float* rows, Rows<T>& dst) const {
  const KvLayerView shape = layout(l);
  for (std::int64_t g = 0; g < l.n_kv; ++g) {
    const std::int64_t offset = shape.row_offset(slot, g, l.n_kv, l.hd);
    const float* row = rows + g * l.hd;
    if constexpr (std::is_same_v<T, std::uint8_t>) {
      quant::quantize_row(quant::Type::Q8_0, row,
                          dst.data() + quant::row_bytes(quant::Type::Q8_0, offset), l.hd);
    } else if constexpr (std::is_same_v<T, float>) {
      std::memcpy(dst.data() + offset, row, static_cast<std::size_t>(l.hd) * sizeof(float));
    } else if (!shape.interleaved) {
      vec::f32_to_f16(row, dst.data() + offset, l.hd);
    } else {
      for (std::int64_t i = 0; i < l.hd; i += 8)
        vec::f32_to_f16(row + i, dst.data() + offset + i / 8 * 32, 8);
    }
  }
}

void KvCache::store(std::int64_t layer, std::int64_t pos, const float* k, const float* v) {
  assert(pos < options_.max_context);
  Layer& l = layers_[layer];
  ensure_capacity(l, pos);
  const std::int64_t slot = l.ring ? pos % l.capacity : pos;
  if (l.type == KvType::q8_0) {
    if (!l.shared) store_rows(l, slot, k, l.k8);
    store_rows(l, slot, v, l.v8);
  } else if (l.type == KvType::f16) {
    if (!l.shared) store_rows(l, slot, k, l.k16);
    store_rows(l, slot, v, l.v16);
  } else {
    if (!l.shared) store_rows(l, slot, k, l.k);
    store_rows(l, slot, v, l.v);
  }
  if (l.rot_pairs > 0) {
    const RopeAngleCache::Angles a = angles_.get(pos, l.rope);
    std::copy_n(a.cos, l.rot_pairs, l.cos.data() + slot * l.rot_pairs);
    std::copy_n(a.sin, l.rot_pairs, l.sin.data() + slot * l.rot_pairs);
  }
}

KvLayerView KvCache::layout(const Layer& l) const {
  KvLayerView v;
  v.capacity = l.capacity;
  v.ring = l.ring;
  v.head_major = true;
  v.interleaved = interleaved(l);
  return v;
}

KvLayerView KvCache::view(std::int64_t layer) const {
  const Layer& l = layers_[layer];
  KvLayerView v = layout(l);
  if (l.type == KvType::q8_0) {
    v.k8 = l.shared ? nullptr : l.k8.data();
    v.v8 = l.v8.data();
  } else if (l.type == KvType::f16) {
    v.k16 = l.shared ? nullptr : l.k16.data();
    v.v16 = l.v16.data();
  } else {
    v.k = l.shared ? nullptr : l.k.data();
    v.v = l.v.data();
  }
  v.k_norm = l.k_norm;
  v.rope = l.rope;
  v.key_cos = l.cos.data();
  v.key_sin = l.sin.data();
  v.rot_pairs = l.rot_pairs;
  return v;
}

bool KvCache::can_truncate_to(std::int64_t n) const {
  if (n > n_past_ || n < 0) return false;
  for (const Layer& l : layers_)
    if (l.ring && n_past_ - n > options_.slack) return false;
  return true;
}

std::int64_t KvCache::max_batch() const {
  for (const Layer& l : layers_)
    if (l.ring) return options_.slack;
  return options_.max_context;
}

std::size_t KvCache::memory_bytes() const {
  std::size_t total = 0;
  for (const Layer& l : layers_)
    total +=
        (l.k.capacity() + l.v.capacity() + l.cos.capacity() + l.sin.capacity()) * sizeof(float) +
        (l.k16.capacity() + l.v16.capacity()) * sizeof(std::uint16_t) + l.k8.capacity() +
        l.v8.capacity();
  return total;
}

std::size_t KvCache::bytes_per_full_position() const {
  std::size_t total = 0;
  for (const Layer& l : layers_)
    if (!l.ring)
      total += static_cast<std::size_t>((l.shared ? 1 : 2) * l.n_kv) * kv_row_bytes(l.type, l.hd) +
               static_cast<std::size_t>(2 * l.rot_pairs) * sizeof(float);
  return total;
}

bool KvCache::half_suits(const ModelView& model) {
  const auto quantised = [](const Matrix& m) {
    return !m.valid() || (m.type != quant::Type::F32 && m.type != quant::Type::F16 &&
                          m.type != quant::Type::BF16);
  };
  return !model.layers.empty() &&
         std::all_of(model.layers.begin(), model.layers.end(), [&](const LayerView& l) {
           return quantised(l.wq) && quantised(l.wk) && quantised(l.wv) && quantised(l.wo);
         });
}

std::size_t KvCache::decode_read_bytes(const ModelView& model, std::int64_t context, KvType type) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < model.dims.layers.size(); ++i) {
    const LayerDims& d = model.dims.layers[i];
    const std::int64_t positions = d.swa ? std::min(context, model.dims.window) : context;
    const std::int64_t rows = model.layers[i].wv.valid() ? 2 : 1;
    total += static_cast<std::size_t>(positions * rows * d.n_kv_head) *
             kv_row_bytes(kv_type_for(type, d.head_dim), d.head_dim);
  }
  return total;
}

}  // namespace coderx::model

namespace coderx::model {

std::size_t KvCache::full_layer_bytes_per_position(const ModelView& model, KvType type) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < model.dims.layers.size(); ++i) {
    const LayerDims& d = model.dims.layers[i];
    if (d.swa) continue;
    const bool shared = !model.layers[i].wv.valid();
    const std::int64_t rot = shared ? ref::rope_rotating_pairs(d.rope) : 0;
    total += static_cast<std::size_t>((shared ? 1 : 2) * d.n_kv_head) *
                 kv_row_bytes(kv_type_for(type, d.head_dim), d.head_dim) +
             static_cast<std::size_t>(2 * rot) * sizeof(float);
  }
  return total;
}

}  // namespace coderx::model
