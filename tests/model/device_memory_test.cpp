// The CUDA backend's device memory plan (model/device_memory.h), checked on the CPU against
// independent counts: the weight bytes the GGUF loader reports as used (weights.h), KV sizes
// worked out by hand for the 26B-A4B shape (spec §1), and the kernels' own workspace
// functions where this is a CUDA build.
#include "model/device_memory.h"

#include <gtest/gtest.h>

#include <set>

#include "model/model_file.h"
#include "model/test_model.h"
#include "tests/support/paths.h"
#include "tiny_model.h"

#if defined(CODERX_HAVE_CUDA)
#include "kernels/attention.h"
#include "kernels/moe_router.h"
#include "kernels/moe_routing.h"
#endif

namespace coderx::model {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

// Dimensions of Gemma 4 26B-A4B (spec §1): 30 layers, every 6th full (hd 512, 2 KV heads),
// the others sliding (hd 256, 8 KV heads, window 1024).
ModelView shape_26b() {
  ModelView m;
  ModelDims& d = m.dims;
  d.n_embd = 2816, d.n_layer = 30, d.n_head = 16, d.n_vocab = 262144, d.n_ff_max = 2112;
  d.n_expert = 128, d.n_expert_used = 8, d.n_ff_exp = 704, d.window = 1024;
  for (int l = 0; l < 30; ++l) {
    const bool swa = (l + 1) % 6 != 0;
    d.layers.push_back(LayerDims{swa, swa ? 8 : 2, swa ? 256 : 512, RopeSpec{}, 2112});
  }
  m.layers.resize(30);
  return m;
}

TEST(DeviceMemory, KvBytesOfThe26bShapeByHand) {
  const ModelView m = shape_26b();
  // Sliding: 25 layers × (1024 + 256) slots × K,V × 8 heads × 256 × 2 bytes = 250 MiB.
  // Full: 5 layers × 8192 positions × K,V × 2 heads × 512 × 2 bytes = 160 MiB.
  EXPECT_EQ(device_kv_bytes(m, 8192, 256), 410 * kMiB);
  EXPECT_EQ(device_kv_slots(m, 0, 8192, 256), 1280);
  EXPECT_EQ(device_kv_slots(m, 5, 8192, 256), 8192);
  // A context shorter than window + slack: no ring, every layer keeps max_context positions.
  EXPECT_EQ(device_kv_slots(m, 0, 1024, 256), 1024);
  EXPECT_EQ(device_kv_bytes(m, 1024, 256), 30ull * 0 + (25 * 8 * 256 + 5 * 2 * 512) * 2ull * 2 * 1024);
}

TEST(DeviceMemory, EstimateAddsWeightsKvPerSequenceWorkspaceAndOverhead) {
  const ModelView m = shape_26b();
  const DeviceMemoryNeed one = estimate_device_memory(m, {8192, 256, 1, 512});
  const DeviceMemoryNeed four = estimate_device_memory(m, {8192, 256, 4, 512});
  EXPECT_EQ(one.weights, 0u);  // the shape has no tensors
  EXPECT_EQ(four.kv, 4 * one.kv);
  EXPECT_EQ(one.workspace, four.workspace);
  EXPECT_EQ(one.overhead, kDeviceOverheadBytes);
  EXPECT_EQ(four.total(), four.weights + four.kv + four.workspace + four.overhead);
  // Logits rows dominate a 512-token workspace: 512 × 262144 × 4 bytes = 512 MiB.
  EXPECT_GE(one.workspace, 512 * kMiB);
  EXPECT_LT(one.workspace, 768 * kMiB);
  EXPECT_LT(estimate_device_memory(m, {8192, 256, 1, 8}).workspace, one.workspace);
}

TEST(DeviceMemory, WorkspaceBoundsTheKernelsOwnNeeds) {
  const ModelView m = shape_26b();
  for (std::int64_t t : {1, 8, 64, 512}) {
    const DeviceWorkspace w = device_workspace(m, t);
    EXPECT_EQ(w.embd, t * 2816);
    EXPECT_EQ(w.q, t * 16 * 512);
    EXPECT_EQ(w.kv, t * 8 * 256);  // sliding layers are the widest: 8 × 256 > 2 × 512
    EXPECT_EQ(w.logits, t * 262144);
#if defined(CODERX_HAVE_CUDA)
    const int splits = device_attention_splits(w, t, 16, 512);
    EXPECT_GE(static_cast<std::size_t>(w.attn),
              kernels::attention_workspace_floats(static_cast<int>(t), 16, 512, splits));
    EXPECT_GE(static_cast<std::size_t>(w.moe_prefill),
              kernels::moe_prefill_workspace(t, 8, 128, 2816, 704).total);
    EXPECT_GE(static_cast<std::size_t>(w.router), kernels::moe_router_workspace_bytes(t, 128));
#endif
  }
}

TEST(DeviceMemory, PrefillGemmOperandsHoldTheLargestProjectionAndInput) {
  ModelView m = shape_26b();
  static const std::byte fake{};
  for (int l = 0; l < 30; ++l) {
    const std::int64_t q_dim = 16 * m.dims.layers[l].head_dim;
    m.layers[l].wq = Matrix{quant::Type::Q4_K, &fake, 2816, q_dim, 0, 1.0f};
    m.layers[l].wo = Matrix{quant::Type::Q4_K, &fake, q_dim, 2816, 0, 1.0f};
    m.layers[l].ffn_down = Matrix{quant::Type::Q5_0, &fake, 2112, 2816, 0, 1.0f};
  }
  // The full layers' 8192 × 2816 query and output projections are the largest; the output
  // projection's 8192-wide input the widest. Split f16 holds 6 bytes an element, 4 a row scale.
  const DeviceWorkspace big = device_workspace(m, 512);
  EXPECT_EQ(big.dense_weight, 8192 * 2816);
  EXPECT_EQ(big.dense_rows, 8192);
  EXPECT_EQ(big.dense_input, 512 * 8192);
  const DeviceWorkspace small = device_workspace(m, 8);
  EXPECT_EQ(small.dense_weight + small.dense_rows + small.dense_input, 0);
  const DeviceWorkspace plain = device_workspace(shape_26b(), 512);
  EXPECT_EQ(big.bytes() - plain.bytes(), 6u * (8192 * 2816 + 512 * 8192) + 4u * (8192 + 512));
}

TEST(DeviceMemory, AttentionSplitsShrinkWithTheBatch) {
  const ModelView m = shape_26b();
  const DeviceWorkspace w = device_workspace(m, 512);
  EXPECT_EQ(device_attention_splits(w, 1, 16, 512), kDeviceMaxSplits);
  EXPECT_EQ(device_attention_splits(w, 8, 16, 512), kDeviceMaxSplits);
  EXPECT_EQ(device_attention_splits(w, 64, 16, 512), 8);
  EXPECT_EQ(device_attention_splits(w, 512, 16, 512), 1);
  for (std::int64_t q : {1, 3, 8, 9, 100, 512})
    EXPECT_LE(device_attention_splits(w, q, 16, 512) * q * 16 * 514, w.attn) << q;
}

TEST(DeviceMemory, TensorsAreEveryUsedTensorOnce) {
  coderx::testing::TempDir dir;
  TestModelParams p;
  p.n_layer = 4;
  p.n_embd = 128;
  p.n_ff = 256;
  p.n_ff_exp = 64;
  p.untied_output = true;
  const auto path = dir / "m.gguf";
  ASSERT_TRUE(write_test_model(p, path));
  auto file = ModelFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  const auto tensors = device_tensors((*file)->view());
  std::uint64_t total = 0;
  std::set<const void*> seen;
  for (const HostTensor& t : tensors) {
    total += t.bytes;
    EXPECT_TRUE(seen.insert(t.data).second);
  }
  // The loader's count of used tensor bytes, less the layer_output_scale scalars (uploaded as
  // device scalars, not as tensors).
  EXPECT_EQ(total, (*file)->weights().memory.weight_bytes - 4 * p.n_layer);
}

TEST(DeviceMemory, TiedHeadAndSharedRopeFactorsCountOnce) {
  testing::TinySpec s;
  s.n_layer = 6;  // two full layers share one rope_freqs vector
  testing::TinyModel tiny(s);
  const ModelView& v = tiny.view();
  const auto tensors = device_tensors(v);
  std::size_t rope = 0, embd = 0;
  for (const HostTensor& t : tensors) {
    rope += t.data == v.dims.layers[2].rope.freq_factors;
    embd += t.data == v.token_embd.data;
  }
  EXPECT_EQ(rope, 1u);
  EXPECT_EQ(embd, 1u);
  // Per sliding layer: wq wk wv wo, dense gate/up/down, router (8); gate_up, down, down scale
  // (3); 8 n_embd vectors + q_norm + k_norm (10). Full layers lack wv. Plus token_embd,
  // output_norm and the one rope_freqs vector.
  EXPECT_EQ(tensors.size(), 4u * 21 + 2u * 20 + 3);
}

}  // namespace
}  // namespace coderx::model
