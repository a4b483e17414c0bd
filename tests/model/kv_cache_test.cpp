// KvCache storage: every row stored for (layer, position, kv head) reads back from the view at
// the offset the view computes (head-major), across the growth of full layers (rows written
// before a growth survive it) and the wrap-around of sliding rings; shared (K = V) layers keep
// only V. The expected rows are the inputs themselves (rounded to half in an f16 cache), indexed
// independently of the cache.
#include <gtest/gtest.h>

#include <vector>

#include "model/kv_cache.h"
#include "model/ops_ref.h"
#include "model/quant/half.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

// A distinct value for every (layer, position, head, element, k-or-v).
float cell(std::int64_t layer, std::int64_t pos, std::int64_t g, std::int64_t i, bool key) {
  return static_cast<float>(layer * 1000000 + pos * 1000 + g * 100 + i) + (key ? 0.5f : 0.25f);
}

// The value stored for a cell: as is in an f32 cache; scaled into half range and expected back
// rounded to the nearest half in an f16 cache.
float stored(std::int64_t layer, std::int64_t pos, std::int64_t g, std::int64_t i, bool key,
             bool f16) {
  const float v = cell(layer, pos, g, i, key);
  return f16 ? v * 1e-3f : v;
}
float read_back(float v, bool f16) {
  return f16 ? quant::f16_to_f32(quant::f32_to_f16(v)) : v;
}

std::vector<float> row(const LayerDims& d, std::int64_t layer, std::int64_t pos, bool key,
                       bool f16) {
  std::vector<float> r(static_cast<std::size_t>(d.n_kv_head * d.head_dim));
  for (std::int64_t g = 0; g < d.n_kv_head; ++g)
    for (std::int64_t i = 0; i < d.head_dim; ++i)
      r[g * d.head_dim + i] = stored(layer, pos, g, i, key, f16);
  return r;
}

void expect_row(const KvCache& cache, const LayerDims& d, std::int64_t layer, std::int64_t pos,
                bool f16) {
  const KvLayerView v = cache.view(layer);
  ASSERT_EQ(v.f16(), f16);
  std::vector<float> k(static_cast<std::size_t>(d.head_dim)), val(k.size());
  for (std::int64_t g = 0; g < d.n_kv_head; ++g) {
    const std::int64_t at = v.row_offset(v.slot(pos), g, d.n_kv_head, d.head_dim);
    v.load_v(at, d.head_dim, val.data());
    if (!v.shared()) v.load_k(at, d.head_dim, k.data());
    for (std::int64_t i = 0; i < d.head_dim; ++i) {
      ASSERT_EQ(val[i], read_back(stored(layer, pos, g, i, false, f16), f16))
          << "layer " << layer << " pos " << pos;
      if (!v.shared()) {
        ASSERT_EQ(k[i], read_back(stored(layer, pos, g, i, true, f16), f16)) << "layer " << layer;
      }
    }
  }
}

// Rows stored at every position read back, f32 or f16, through ring wraps and growth.
void rows_read_back(std::int64_t hd_swa, std::int64_t hd_full, bool f16) {
  testing::TinySpec spec;
  spec.window = 4;
  spec.hd_swa = hd_swa, spec.hd_full = hd_full;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  KvCache cache(m,
                KvCacheOptions{200, 2, f16});  // rings of 6 slots (8 interleaved); full layers grow
  const std::int64_t n_pos = 150;
  for (std::int64_t pos = 0; pos < n_pos; ++pos) {
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      cache.store(l, pos, row(d, l, pos, true, f16).data(), row(d, l, pos, false, f16).data());
    }
    cache.set_n_past(pos + 1);
    // Sliding layers keep the last window + slack positions; full layers keep all.
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      const std::int64_t oldest = d.swa ? std::max<std::int64_t>(0, pos - 5) : 0;
      for (std::int64_t p = oldest; p <= pos; p += d.swa ? 1 : 7) expect_row(cache, d, l, p, f16);
    }
  }
  for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
    const KvLayerView v = cache.view(l);
    EXPECT_TRUE(v.head_major);
    EXPECT_EQ(v.interleaved, f16 && m.dims.layers[l].head_dim % 8 == 0);
    if (v.interleaved) {
      EXPECT_EQ(v.capacity % 4, 0) << "layer " << l;
    }
    EXPECT_EQ(v.shared(), !m.layers[l].wv.valid());
    if (!m.dims.layers[l].swa) {
      EXPECT_GE(v.capacity, n_pos);
    }
  }
}

// Head dims of whole chunks of eight (f16: interleaved) and not (f16: plain rows).
TEST(KvCache, RowsReadBackThroughGrowthAndRingWrap) {
  for (const auto& [hd_swa, hd_full] : {std::pair{16, 32}, {12, 20}})
    for (bool f16 : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << "head dims " << hd_swa << "/" << hd_full << " f16 " << f16);
      rows_read_back(hd_swa, hd_full, f16);
    }
}

// An f16 cache holds half the bytes of an f32 one for the same rows (the RoPE tables of K = V
// layers stay f32).
TEST(KvCache, HalfCachesHoldHalfTheRowBytes) {
  testing::TinySpec spec;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  KvCache f32(m, KvCacheOptions{64, 8, false}), f16(m, KvCacheOptions{64, 8, true});
  EXPECT_LT(f16.bytes_per_full_position(), f32.bytes_per_full_position());
  EXPECT_EQ(KvCache::full_layer_bytes_per_position(m, true), f16.bytes_per_full_position());
  EXPECT_EQ(KvCache::full_layer_bytes_per_position(m, false), f32.bytes_per_full_position());
  std::size_t rows = 0, tables = 0;
  for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
    const LayerDims& d = m.dims.layers[l];
    if (d.swa) continue;
    const bool shared = !m.layers[l].wv.valid();
    rows += static_cast<std::size_t>((shared ? 1 : 2) * d.n_kv_head * d.head_dim);
    tables += static_cast<std::size_t>(shared ? 2 * ref::rope_rotating_pairs(d.rope) : 0);
  }
  EXPECT_EQ(f32.bytes_per_full_position(), (rows + tables) * 4);
  EXPECT_EQ(f16.bytes_per_full_position(), rows * 2 + tables * 4);
}

// What one decode step reads: every K and V row of the visible positions (one row on K = V
// layers), sliding layers capped at the window; half as many bytes in an f16 cache.
TEST(KvCache, DecodeReadBytesCountEveryVisibleRow) {
  testing::TinySpec spec;
  spec.window = 4;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  for (std::int64_t context : {1, 4, 9}) {
    std::size_t want = 0;
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      const std::int64_t visible = d.swa ? std::min<std::int64_t>(context, 4) : context;
      want += static_cast<std::size_t>(visible * (m.layers[l].wv.valid() ? 2 : 1) * d.n_kv_head *
                                       d.head_dim);
    }
    EXPECT_EQ(KvCache::decode_read_bytes(m, context, false), want * 4) << context;
    EXPECT_EQ(KvCache::decode_read_bytes(m, context, true), want * 2) << context;
  }
}

TEST(KvCache, SlotMajorViewsKeepTheirLayout) {
  KvLayerView v;
  v.capacity = 10;
  EXPECT_EQ(v.row_offset(3, 1, 2, 16), (3 * 2 + 1) * 16);
  v.head_major = true;
  EXPECT_EQ(v.row_offset(3, 1, 2, 16), (1 * 10 + 3) * 16);
}

// Interleaved (f16 caches): slot 6 of head 1 at capacity 12, head_dim 16, is lane 2 of the run
// of slots 4-7, which starts at (12 + 4)·16 = 256; its second chunk of eight lies 32 further.
TEST(KvCache, InterleavedViewsPlaceFourSlotsChunkByChunk) {
  KvLayerView v;
  v.capacity = 12;
  v.head_major = v.interleaved = true;
  EXPECT_EQ(v.chunk_stride(), 32);
  EXPECT_EQ(v.row_offset(6, 1, 2, 16), 256 + 2 * 8);
  std::vector<std::uint16_t> half(2 * 12 * 16, 0);
  half[256 + 16 + 32 + 3] = quant::f32_to_f16(1.5f);  // element 8 + 3 of that row
  v.v16 = half.data();
  std::vector<float> row(16);
  v.load_v(v.row_offset(6, 1, 2, 16), 16, row.data());
  for (std::int64_t i = 0; i < 16; ++i) EXPECT_EQ(row[i], i == 11 ? 1.5f : 0.0f) << i;
}

}  // namespace
}  // namespace coderx::model
