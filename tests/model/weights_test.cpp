// Gemma 4 weight views: the fixture files (shapes from the README table, types per tensor),
// generated variants (split experts, 98/128 experts, .scale tensors, untied output, ignored
// multimodal tensors) and broken files with the exact architecture.md-style messages.
#include "model/weights.h"

#include <gtest/gtest.h>

#include <functional>

#include "model/gguf_writer.h"
#include "model/test_model.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

using quant::Type;

struct Loaded {
  GgufFile file;
  Gemma4Config config;
  Gemma4Weights weights;
};

Result<Loaded> load(const std::filesystem::path& path) {
  auto f = GgufFile::open(path);
  if (!f) return f.error();
  auto c = load_config(*f);
  if (!c) return c.error();
  auto w = load_weights(*f, *c);
  if (!w) return w.error();
  return Loaded{std::move(*f), std::move(*c), std::move(*w)};
}

Loaded load_fixture(const std::string& name) {
  auto l = load(testing::fixture("models/" + name));
  EXPECT_TRUE(l) << l.error().message;
  return std::move(l.value());
}

// Independent of weights.cpp: active bytes from the tensor table by name.
std::uint64_t active_by_name(const GgufFile& f, std::uint32_t k, std::uint32_t n) {
  std::uint64_t total = 0;
  for (const TensorInfo& t : f.tensors()) {
    std::string name(t.name);
    if (name.find("_exps.weight") != std::string::npos) total += t.n_bytes / n * k;
    else total += t.n_bytes;
    if (name == "token_embd.weight") total += t.row_bytes;  // embedding row + tied LM head
  }
  return total;
}

TEST(Weights, TinyMoeF16) {
  Loaded m = load_fixture("gemma4-tiny-moe-F16.gguf");
  const Gemma4Weights& w = m.weights;
  EXPECT_EQ(w.n_vocab, 512u);
  EXPECT_TRUE(w.tied_embeddings());
  EXPECT_EQ(&w.lm_head(), &w.token_embd);
  EXPECT_EQ(w.rope_freqs.ne[0], 64);
  ASSERT_EQ(w.layers.size(), 6u);
  for (std::uint32_t l = 0; l < 6; ++l) {
    const LayerWeights& L = w.layers[l];
    bool full = l == 5;
    EXPECT_EQ(L.k_eq_v, full);
    EXPECT_EQ(L.attn_v.weight.present(), !full);
    EXPECT_EQ(L.attn_q.weight.ne[1], full ? 4 * 128 : 4 * 64);
    EXPECT_EQ(L.attn_k.weight.ne[1], full ? 128 : 128);  // 1×128 or 2×64
    EXPECT_EQ(L.attn_q.weight.type, Type::F16);
    EXPECT_EQ(L.ffn_gate_inp.type, Type::F32);
    EXPECT_TRUE(L.fused_gate_up());
    EXPECT_EQ(L.ffn_gate_up_exps.weight.ne[1], 512);
    EXPECT_EQ(L.ffn_gate_up_exps.weight.ne[2], 8);
    EXPECT_EQ(L.ffn_down_exps.scale.ne[0], 8);  // per-expert scale
    EXPECT_FALSE(L.attn_q.scale.present());
    EXPECT_EQ(L.ffn_gate_up_exps.weight.expert_bytes(), 256u * 512 * 2);
    EXPECT_EQ(L.ffn_gate_up_exps.weight.expert(3),
              L.ffn_gate_up_exps.weight.data + 3 * 256 * 512 * 2);
  }
  std::uint64_t sum = 0;
  for (const TensorInfo& t : m.file.tensors()) sum += t.n_bytes;
  EXPECT_EQ(w.memory.weight_bytes, sum);
  EXPECT_EQ(w.memory.ignored_tensors, 0u);
  EXPECT_EQ(w.memory.active_bytes_per_token, active_by_name(m.file, 2, 8));
}

TEST(Weights, Q4KMFixtureTypesPerTensorAndLayer) {
  Loaded m = load_fixture("gemma4-tiny-fb-Q4_K_M.gguf");
  const Gemma4Weights& w = m.weights;
  EXPECT_EQ(w.token_embd.type, Type::Q6_K);
  EXPECT_EQ(w.token_embd.row_bytes, 210u);
  // README: q4_K, q6_K, and q5_0 / q8_0 for ffn_down and ffn_down_exps (not multiples of 256).
  EXPECT_EQ(w.layers[0].attn_q.weight.type, Type::Q4_K);
  EXPECT_EQ(w.layers[0].ffn_down.weight.type, Type::Q5_0);
  EXPECT_EQ(w.layers[0].ffn_down_exps.weight.type, Type::Q5_0);
  EXPECT_EQ(w.layers[5].ffn_down.weight.type, Type::Q8_0);
  EXPECT_EQ(w.layers[0].ffn_down_exps.weight.row_bytes, 192u / 32 * 22);
  EXPECT_EQ(w.layers[0].ffn_gate_up_exps.weight.ne[2], 16);
  EXPECT_EQ(w.memory.active_bytes_per_token, active_by_name(m.file, 4, 16));
  EXPECT_EQ(load_fixture("gemma4-tiny-moe-Q8_0.gguf").weights.layers[1].attn_k.weight.type,
            Type::Q8_0);
}

// Writes a generated model, lets `edit` change the writer, and loads it.
Result<Loaded> generated(const TestModelParams& p,
                         const std::function<void(GgufWriter&)>& edit = {}) {
  GgufWriter w;
  if (auto r = build_test_model(p, w); !r) return r.error();
  if (edit) edit(w);
  static int counter = 0;
  static testing::TempDir dir;
  auto path = dir / ("m" + std::to_string(counter++) + ".gguf");
  if (auto r = w.write(path); !r) return r.error();
  return load(path);
}

TestModelParams small() {
  TestModelParams p;
  p.n_embd = 64;
  p.n_head = 2;
  p.head_dim_swa = 32;
  p.head_dim_full = 64;
  p.n_ff = 96;
  p.n_ff_exp = 32;
  p.n_layer = 3;
  return p;
}

TEST(Weights, SplitExpertsWith98ExpertsAndScales) {
  TestModelParams p = small();
  p.split_experts = true;
  p.n_expert = 98;
  p.n_expert_used = 8;
  p.expert_scales = true;
  p.linear_scales = true;
  auto m = generated(p);
  ASSERT_TRUE(m) << m.error().message;
  const LayerWeights& L = m->weights.layers[0];
  EXPECT_FALSE(L.fused_gate_up());
  EXPECT_EQ(L.ffn_gate_exps.weight.ne[2], 98);
  EXPECT_EQ(L.ffn_up_exps.weight.ne[1], 32);
  EXPECT_EQ(L.ffn_gate_exps.scale.ne[0], 98);
  EXPECT_EQ(L.ffn_up_exps.scale.ne[0], 98);
  EXPECT_EQ(L.attn_q.scale.ne[0], 1);
  EXPECT_EQ(L.ffn_down.scale.ne[0], 1);
  EXPECT_EQ(m->weights.memory.weight_bytes, [&] {
    std::uint64_t s = 0;
    for (const TensorInfo& t : m->file.tensors()) s += t.n_bytes;
    return s;
  }());
  EXPECT_EQ(m->weights.memory.active_bytes_per_token, active_by_name(m->file, 8, 98));
}

TEST(Weights, OneHundredTwentyEightExpertsUntiedOutputAndIgnoredTensors) {
  TestModelParams p = small();
  p.n_expert = 128;
  p.n_expert_used = 8;
  p.untied_output = true;
  p.n_layer = 2;
  p.sliding_pattern = {true, false};
  auto m = generated(p, [](GgufWriter& w) {
    std::vector<std::int64_t> shape{32};
    std::vector<std::byte> data(128);
    (void)w.add_tensor("v.patch_embd.weight", Type::F32, shape, data);
    (void)w.add_tensor("mm.input_projection.weight", Type::F32, shape, data);
  });
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE(m->weights.tied_embeddings());
  EXPECT_EQ(&m->weights.lm_head(), &m->weights.output);
  EXPECT_EQ(m->weights.layers[0].ffn_gate_up_exps.weight.ne[2], 128);
  EXPECT_EQ(m->weights.memory.ignored_tensors, 2u);
  EXPECT_EQ(m->weights.memory.ignored_bytes, 256u);
}

TEST(Weights, ShapeMismatchMessages) {
  auto experts = generated(small(), [](GgufWriter& w) { w.set_u32("gemma4.expert_count", 98); });
  EXPECT_EQ(experts.error().message, "tensor blk.0.ffn_gate_inp: expected [64,98], file has [64,8]");
  auto width = generated(small(), [](GgufWriter& w) {
    w.set_u32("gemma4.expert_feed_forward_length", 16);
  });
  EXPECT_EQ(width.error().message,
            "tensor blk.0.ffn_gate_up_exps: expected [64,32,8], file has [64,64,8]");
  auto missing = generated(small(), [](GgufWriter& w) { w.remove_tensor("blk.1.attn_v.weight"); });
  EXPECT_EQ(missing.error().message, "tensor blk.1.attn_v: missing");
  auto no_experts = generated(small(), [](GgufWriter& w) {
    w.remove_tensor("blk.2.ffn_gate_up_exps.weight");
  });
  EXPECT_EQ(no_experts.error().message,
            "tensor blk.2.ffn_gate_up_exps: missing (nor split ffn_gate_exps/ffn_up_exps)");
  auto norm_type = generated(small(), [](GgufWriter& w) {
    w.remove_tensor("output_norm.weight");
    std::vector<std::int64_t> shape{64};
    std::vector<std::byte> data(128);
    (void)w.add_tensor("output_norm.weight", Type::F16, shape, data);
  });
  EXPECT_EQ(norm_type.error().message, "tensor output_norm: type F16, expected F32");
  auto vocab = generated(small(), [](GgufWriter& w) {
    std::vector<std::string> tokens(600, "x");
    w.set_string_array("tokenizer.ggml.tokens", tokens);
  });
  EXPECT_NE(vocab.error().message.find("tensor token_embd: expected [64,600], file has [64,512]"),
            std::string::npos);
}

}  // namespace
}  // namespace coderx::model
