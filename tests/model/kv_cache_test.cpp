// KvCache storage: every row stored for (layer, position, kv head) reads back from the view at
// the offset the view computes (head-major), across the growth of full layers (rows written
// before a growth survive it) and the wrap-around of sliding rings; shared (K = V) layers keep
// only V. The expected rows are the inputs themselves, indexed independently of the cache.
#include <gtest/gtest.h>

#include <vector>

#include "model/kv_cache.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

// A distinct value for every (layer, position, head, element, k-or-v).
float cell(std::int64_t layer, std::int64_t pos, std::int64_t g, std::int64_t i, bool key) {
  return static_cast<float>(layer * 1000000 + pos * 1000 + g * 100 + i) + (key ? 0.5f : 0.25f);
}

std::vector<float> row(const LayerDims& d, std::int64_t layer, std::int64_t pos, bool key) {
  std::vector<float> r(static_cast<std::size_t>(d.n_kv_head * d.head_dim));
  for (std::int64_t g = 0; g < d.n_kv_head; ++g)
    for (std::int64_t i = 0; i < d.head_dim; ++i) r[g * d.head_dim + i] = cell(layer, pos, g, i, key);
  return r;
}

void expect_row(const KvCache& cache, const LayerDims& d, std::int64_t layer, std::int64_t pos) {
  const KvLayerView v = cache.view(layer);
  for (std::int64_t g = 0; g < d.n_kv_head; ++g) {
    const std::int64_t at = v.row_offset(v.slot(pos), g, d.n_kv_head, d.head_dim);
    for (std::int64_t i = 0; i < d.head_dim; ++i) {
      ASSERT_EQ(v.v[at + i], cell(layer, pos, g, i, false)) << "layer " << layer << " pos " << pos;
      if (!v.shared()) ASSERT_EQ(v.k[at + i], cell(layer, pos, g, i, true)) << "layer " << layer;
    }
  }
}

TEST(KvCache, RowsReadBackThroughGrowthAndRingWrap) {
  testing::TinySpec spec;
  spec.window = 4;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  KvCache cache(m, KvCacheOptions{200, 2});  // rings of 6 slots; full layers grow past 64, 192
  const std::int64_t n_pos = 150;
  for (std::int64_t pos = 0; pos < n_pos; ++pos) {
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      cache.store(l, pos, row(d, l, pos, true).data(), row(d, l, pos, false).data());
    }
    cache.set_n_past(pos + 1);
    // Sliding layers keep the last window + slack positions; full layers keep all.
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      const std::int64_t oldest = d.swa ? std::max<std::int64_t>(0, pos - 5) : 0;
      for (std::int64_t p = oldest; p <= pos; p += d.swa ? 1 : 7) expect_row(cache, d, l, p);
    }
  }
  for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
    const KvLayerView v = cache.view(l);
    EXPECT_TRUE(v.head_major);
    EXPECT_EQ(v.shared(), !m.layers[l].wv.valid());
    if (!m.dims.layers[l].swa) EXPECT_GE(v.capacity, n_pos);
  }
}

TEST(KvCache, SlotMajorViewsKeepTheirLayout) {
  KvLayerView v;
  v.capacity = 10;
  EXPECT_EQ(v.row_offset(3, 1, 2, 16), (3 * 2 + 1) * 16);
  v.head_major = true;
  EXPECT_EQ(v.row_offset(3, 1, 2, 16), (1 * 10 + 3) * 16);
}

}  // namespace
}  // namespace coderx::model
