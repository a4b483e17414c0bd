#include "model/kv_cache.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "model/ops_ref.h"

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
    l.k_norm = model.layers[i].k_norm;
    l.rope = d.rope;
    l.rot_pairs = l.shared ? ref::rope_rotating_pairs(d.rope) : 0;
    if (l.ring) ensure_capacity(l, window_ + options_.slack - 1);
    layers_.push_back(std::move(l));
  }
}

void KvCache::ensure_capacity(Layer& l, std::int64_t pos) {
  std::int64_t want = l.ring ? window_ + options_.slack : pos + 1;
  if (want <= l.capacity) return;
  if (!l.ring) want = std::min(options_.max_context, std::max(want, 2 * l.capacity + 64));
  const std::size_t row = static_cast<std::size_t>(l.n_kv * l.hd);
  if (!l.shared) l.k.resize(row * want);
  l.v.resize(row * want);
  l.cos.resize(static_cast<std::size_t>(l.rot_pairs * want));
  l.sin.resize(static_cast<std::size_t>(l.rot_pairs * want));
  l.capacity = want;
}

void KvCache::store(std::int64_t layer, std::int64_t pos, const float* k, const float* v) {
  assert(pos < options_.max_context);
  Layer& l = layers_[layer];
  ensure_capacity(l, pos);
  const std::int64_t slot = l.ring ? pos % l.capacity : pos;
  const std::size_t row = static_cast<std::size_t>(l.n_kv * l.hd);
  if (!l.shared) std::memcpy(l.k.data() + slot * row, k, row * sizeof(float));
  std::memcpy(l.v.data() + slot * row, v, row * sizeof(float));
  if (l.rot_pairs > 0) {
    angle_cos_.resize(static_cast<std::size_t>(l.rope.n_dims / 2));
    angle_sin_.resize(angle_cos_.size());
    ref::rope_angles(pos, l.rope, angle_cos_.data(), angle_sin_.data());
    std::copy_n(angle_cos_.data(), l.rot_pairs, l.cos.data() + slot * l.rot_pairs);
    std::copy_n(angle_sin_.data(), l.rot_pairs, l.sin.data() + slot * l.rot_pairs);
  }
}

KvLayerView KvCache::view(std::int64_t layer) const {
  const Layer& l = layers_[layer];
  KvLayerView v;
  v.k = l.shared ? nullptr : l.k.data();
  v.v = l.v.data();
  v.capacity = l.capacity;
  v.ring = l.ring;
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
    total += (l.k.capacity() + l.v.capacity() + l.cos.capacity() + l.sin.capacity()) * sizeof(float);
  return total;
}

std::size_t KvCache::bytes_per_full_position() const {
  std::size_t total = 0;
  for (const Layer& l : layers_)
    if (!l.ring)
      total += static_cast<std::size_t>((l.shared ? 1 : 2) * l.n_kv * l.hd + 2 * l.rot_pairs) * sizeof(float);
  return total;
}

}  // namespace coderx::model
