// KvCache storage: every row stored for (layer, position, kv head) reads back from the view at
// the offset the view computes (head-major), across the growth of full layers (rows written
// before a growth survive it) and the wrap-around of sliding rings; shared (K = V) layers keep
// only V. The expected rows are the inputs themselves (rounded to half in an f16 cache; in a q8_0
// cache, the reference dequantiser's reading of the reference quantiser's blocks), indexed
// independently of the cache.
#include <gtest/gtest.h>

#include <vector>

#include "model/kv_cache.h"
#include "model/ops_ref.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

// A distinct value for every (layer, position, head, element, k-or-v).
float cell(std::int64_t layer, std::int64_t pos, std::int64_t g, std::int64_t i, bool key) {
  return static_cast<float>(layer * 1000000 + pos * 1000 + g * 100 + i) + (key ? 0.5f : 0.25f);
}

// The value stored for a cell: as is in an f32 cache; scaled into half range otherwise.
float stored(std::int64_t layer, std::int64_t pos, std::int64_t g, std::int64_t i, bool key,
             KvType type) {
  const float v = cell(layer, pos, g, i, key);
  return type == KvType::f32 ? v : v * 1e-3f;
}

// One kv head's row as the cache keeps it, read back as f32: as stored (f32), rounded to the
// nearest half (f16), or through Q8_0 blocks of the reference quantiser and dequantiser.
std::vector<float> expected_row(std::int64_t layer, std::int64_t pos, std::int64_t g, bool key,
                                std::int64_t hd, KvType type) {
  std::vector<float> r(static_cast<std::size_t>(hd));
  for (std::int64_t i = 0; i < hd; ++i) r[i] = stored(layer, pos, g, i, key, type);
  if (type == KvType::f16)
    for (float& x : r) x = quant::f16_to_f32(quant::f32_to_f16(x));
  if (type == KvType::q8_0) {
    std::vector<std::uint8_t> blocks(kv_row_bytes(KvType::q8_0, hd));
    quant::quantize_row(quant::Type::Q8_0, r.data(), blocks.data(), hd);
    quant::dequantize_row_ref(quant::Type::Q8_0, blocks.data(), r.data(), hd);
  }
  return r;
}

std::vector<float> row(const LayerDims& d, std::int64_t layer, std::int64_t pos, bool key,
                       KvType type) {
  std::vector<float> r(static_cast<std::size_t>(d.n_kv_head * d.head_dim));
  for (std::int64_t g = 0; g < d.n_kv_head; ++g)
    for (std::int64_t i = 0; i < d.head_dim; ++i)
      r[g * d.head_dim + i] = stored(layer, pos, g, i, key, type);
  return r;
}

// `type`: the cache's; a q8_0 cache keeps heads that are not whole blocks in half.
void expect_row(const KvCache& cache, const LayerDims& d, std::int64_t layer, std::int64_t pos,
                KvType type) {
  const KvLayerView v = cache.view(layer);
  const KvType kept = kv_type_for(type, d.head_dim);
  ASSERT_EQ(v.f16(), kept == KvType::f16);
  ASSERT_EQ(v.q8(), kept == KvType::q8_0);
  std::vector<float> k(static_cast<std::size_t>(d.head_dim)), val(k.size());
  for (std::int64_t g = 0; g < d.n_kv_head; ++g) {
    const std::int64_t at = v.row_offset(v.slot(pos), g, d.n_kv_head, d.head_dim);
    v.load_v(at, d.head_dim, val.data());
    ASSERT_EQ(val, expected_row(layer, pos, g, false, d.head_dim, kept))
        << "layer " << layer << " pos " << pos;
    if (!v.shared()) {
      v.load_k(at, d.head_dim, k.data());
      ASSERT_EQ(k, expected_row(layer, pos, g, true, d.head_dim, kept)) << "layer " << layer;
    }
  }
}

// Rows stored at every position read back, f32, f16 or q8_0, through ring wraps and growth.
void rows_read_back(std::int64_t hd_swa, std::int64_t hd_full, KvType type) {
  testing::TinySpec spec;
  spec.window = 4;
  spec.hd_swa = hd_swa, spec.hd_full = hd_full;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  KvCache cache(
      m, KvCacheOptions{200, 2, type});  // rings of 6 slots (8 interleaved); full layers grow
  const std::int64_t n_pos = 150;
  for (std::int64_t pos = 0; pos < n_pos; ++pos) {
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      cache.store(l, pos, row(d, l, pos, true, type).data(), row(d, l, pos, false, type).data());
    }
    cache.set_n_past(pos + 1);
    // Sliding layers keep the last window + slack positions; full layers keep all.
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      const std::int64_t oldest = d.swa ? std::max<std::int64_t>(0, pos - 5) : 0;
      for (std::int64_t p = oldest; p <= pos; p += d.swa ? 1 : 7) expect_row(cache, d, l, p, type);
    }
  }
  for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
    const KvLayerView v = cache.view(l);
    EXPECT_TRUE(v.head_major);
    EXPECT_EQ(v.interleaved, kv_type_for(type, m.dims.layers[l].head_dim) == KvType::f16 &&
                                 m.dims.layers[l].head_dim % 8 == 0);
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
  for (const auto& [hd_swa, hd_full] : {std::pair{16, 32}, {12, 20}, {64, 32}})
    for (KvType type : {KvType::f32, KvType::f16, KvType::q8_0}) {
      SCOPED_TRACE(::testing::Message()
                   << "head dims " << hd_swa << "/" << hd_full << " " << kv_type_name(type));
      rows_read_back(hd_swa, hd_full, type);
    }
}

// An f16 cache holds half the bytes of an f32 one for the same rows, a q8_0 cache 34 bytes per
// 32 values (the RoPE tables of K = V layers stay f32).
TEST(KvCache, HalfAndQ8CachesHoldFewerRowBytes) {
  testing::TinySpec spec;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  KvCache f32(m, KvCacheOptions{64, 8, KvType::f32}), f16(m, KvCacheOptions{64, 8, KvType::f16}),
      q8(m, KvCacheOptions{64, 8, KvType::q8_0});
  EXPECT_LT(f16.bytes_per_full_position(), f32.bytes_per_full_position());
  EXPECT_LT(q8.bytes_per_full_position(), f16.bytes_per_full_position());
  for (const KvCache* c : {&f32, &f16, &q8}) {
    const KvType type = c == &f32 ? KvType::f32 : c == &f16 ? KvType::f16 : KvType::q8_0;
    EXPECT_EQ(KvCache::full_layer_bytes_per_position(m, type), c->bytes_per_full_position());
  }
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
  EXPECT_EQ(q8.bytes_per_full_position(), rows / 32 * 34 + tables * 4);  // hd_full 32
}

// What one decode step reads: every K and V row of the visible positions (one row on K = V
// layers), sliding layers capped at the window; half as many bytes in an f16 cache, 34 per 32
// values in a q8_0 one.
TEST(KvCache, DecodeReadBytesCountEveryVisibleRow) {
  testing::TinySpec spec;
  spec.window = 4;
  testing::TinyModel model(spec);
  const ModelView& m = model.view();
  for (std::int64_t context : {1, 4, 9}) {
    std::size_t want = 0, want_q8 = 0;  // values; q8_0 bytes (heads of 16 stay half)
    for (std::int64_t l = 0; l < m.dims.n_layer; ++l) {
      const LayerDims& d = m.dims.layers[l];
      const std::int64_t visible = d.swa ? std::min<std::int64_t>(context, 4) : context;
      const auto rows =
          static_cast<std::size_t>(visible * (m.layers[l].wv.valid() ? 2 : 1) * d.n_kv_head);
      want += rows * static_cast<std::size_t>(d.head_dim);
      want_q8 += rows * static_cast<std::size_t>(d.head_dim % 32 == 0 ? d.head_dim / 32 * 34
                                                                      : d.head_dim * 2);
    }
    EXPECT_EQ(KvCache::decode_read_bytes(m, context, KvType::f32), want * 4) << context;
    EXPECT_EQ(KvCache::decode_read_bytes(m, context, KvType::f16), want * 2) << context;
    EXPECT_EQ(KvCache::decode_read_bytes(m, context, KvType::q8_0), want_q8) << context;
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
