// The test-model generator against llama.cpp's own files: a generated model with the fixture's
// shape has the fixture's metadata keys and tensor layout, and with the Q4_K_M preset the same
// type for every tensor that llama-quantize chose (an independent oracle for the preset rules
// and fallbacks). Also: determinism per seed, values in the documented ranges, --vocab-from.
#include "model/test_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <set>

#include "model/config.h"
#include "model/gguf.h"
#include "model/quant/rows.h"
#include "model/weights.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

using testing::TempDir;

GgufFile open_ok(const std::filesystem::path& p) {
  auto f = GgufFile::open(p);
  EXPECT_TRUE(f) << f.error().message;
  return std::move(f.value());
}

// The shape of gemma4-tiny-fb-Q4_K_M.gguf (fixtures README).
TestModelParams fixture_fb_shape() {
  TestModelParams p;
  p.n_ff = 384;
  p.n_ff_exp = 192;
  p.n_expert = 16;
  p.n_expert_used = 4;
  p.preset = "Q4_K_M";
  return p;
}

TEST(TestModel, Q4KMPresetMatchesLlamaQuantizeOnTheFixtureShape) {
  TempDir dir;
  auto r = write_test_model(fixture_fb_shape(), dir / "m.gguf");
  ASSERT_TRUE(r) << r.error().message;
  GgufFile ours = open_ok(dir / "m.gguf");
  GgufFile theirs = open_ok(testing::fixture("models/gemma4-tiny-fb-Q4_K_M.gguf"));
  ASSERT_EQ(ours.tensors().size(), theirs.tensors().size());
  for (const TensorInfo& t : theirs.tensors()) {
    const TensorInfo* o = ours.find_tensor(t.name);
    ASSERT_NE(o, nullptr) << t.name;
    EXPECT_EQ(o->shape(), t.shape()) << t.name;
    EXPECT_EQ(quant::info(o->type).name, quant::info(t.type).name) << t.name;
  }
  EXPECT_EQ(ours.get_u32("general.file_type").value(), 15u);
}

TEST(TestModel, HasEveryKeyTheConverterWrites) {
  TempDir dir;
  TestModelParams p;
  ASSERT_TRUE(write_test_model(p, dir / "m.gguf"));
  GgufFile ours = open_ok(dir / "m.gguf");
  GgufFile theirs = open_ok(testing::fixture("models/gemma4-tiny-moe-F16.gguf"));
  for (const KeyValue& kv : theirs.metadata()) {
    const Value* v = ours.find(kv.key);
    ASSERT_NE(v, nullptr) << kv.key;
    EXPECT_EQ(describe_type(*v).substr(0, 9), describe_type(kv.value).substr(0, 9)) << kv.key;
  }
  // Same tensor names, shapes and F16/F32 split as the fixture of the same shape.
  for (const TensorInfo& t : theirs.tensors()) {
    const TensorInfo* o = ours.find_tensor(t.name);
    ASSERT_NE(o, nullptr) << t.name;
    EXPECT_EQ(o->shape(), t.shape()) << t.name;
    EXPECT_EQ(o->type, t.type) << t.name;
  }
  EXPECT_EQ(ours.tensors().size(), theirs.tensors().size());
  auto c = load_config(ours);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(load_weights(ours, *c));
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TestModelParams small(std::uint64_t seed) {
  TestModelParams p;
  p.n_embd = 256;
  p.n_layer = 2;
  p.n_ff = 256;
  p.n_ff_exp = 256;
  p.n_expert = 4;
  p.seed = seed;
  p.types.ffn_gate_up_exps = quant::Type::Q4_K;
  p.types.ffn_down_exps = quant::Type::Q6_K;
  p.types.attn_q = quant::Type::Q8_0;
  return p;
}

TEST(TestModel, DeterministicForASeed) {
  TempDir dir;
  ASSERT_TRUE(write_test_model(small(7), dir / "a.gguf"));
  ASSERT_TRUE(write_test_model(small(7), dir / "b.gguf"));
  ASSERT_TRUE(write_test_model(small(8), dir / "c.gguf"));
  EXPECT_TRUE(slurp(dir / "a.gguf") == slurp(dir / "b.gguf"));
  EXPECT_FALSE(slurp(dir / "a.gguf") == slurp(dir / "c.gguf"));
}

float mean_square_row(const TensorInfo& t, std::int64_t row) {
  std::vector<float> x(static_cast<std::size_t>(t.ne[0]));
  quant::dequantize_row_ref(t.type, t.data + row * t.row_bytes, x.data(), t.ne[0]);
  double s = 0;
  for (float v : x) s += double(v) * v;
  return static_cast<float>(s / x.size());
}

TEST(TestModel, ValuesAreSane) {
  TempDir dir;
  TestModelParams p = small(3);
  ASSERT_TRUE(write_test_model(p, dir / "m.gguf"));
  GgufFile f = open_ok(dir / "m.gguf");
  auto c = load_config(f).value();
  auto w = load_weights(f, c).value();
  for (const LayerWeights& L : w.layers) {
    float s = L.layer_output_scale.f32()[0];
    EXPECT_GT(s, 0.0f);
    EXPECT_LE(s, 1.0f);
    for (std::int64_t i = 0; i < L.attn_norm.ne[0]; ++i)
      EXPECT_NEAR(L.attn_norm.f32()[i], 1.0f, 0.21f);
    // Matrices ~ U(-a, a) with a = sqrt(3 / fan_in): mean square 1 / fan_in.
    for (const TensorView* m : {&L.attn_q.weight, &L.ffn_gate_up_exps.weight,
                                &L.ffn_down_exps.weight}) {
      float ms = mean_square_row(*m->info, 1) * static_cast<float>(m->ne[0]);
      EXPECT_NEAR(ms, 1.0f, 0.25f) << m->name();
    }
  }
  const float* freqs = w.rope_freqs.f32();
  std::int64_t n = w.rope_freqs.ne[0];  // head_dim_full / 2 = 64; 0.25 of the pairs rotate
  for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(freqs[i], i < n / 4 ? 1.0f : 1e30f) << i;
}

TEST(TestModel, BuiltinVocabularyAndVocabFrom) {
  TempDir dir;
  TestModelParams p = small(1);
  p.n_vocab = 1024;
  ASSERT_TRUE(write_test_model(p, dir / "m.gguf"));
  GgufFile f = open_ok(dir / "m.gguf");
  auto tokens = f.get_string_array("tokenizer.ggml.tokens").value();
  ASSERT_EQ(tokens.size(), 1024u);
  EXPECT_EQ(tokens[2], "<bos>");
  EXPECT_EQ(tokens[98], "<|think|>");
  EXPECT_EQ(tokens[100], "<|channel>");
  EXPECT_EQ(tokens[101], "<channel|>");
  EXPECT_EQ(tokens[105], "<|turn>");
  EXPECT_EQ(tokens[106], "<turn|>");
  EXPECT_EQ(tokens[107], "\n");
  EXPECT_EQ(tokens[108], "<0x00>");
  EXPECT_EQ(tokens[363], "<0xFF>");
  auto types = f.get_int_array("tokenizer.ggml.token_type").value();
  EXPECT_EQ(types[101], 4);  // user-defined (spec §4.1)
  EXPECT_EQ(types[106], 3);  // control
  EXPECT_EQ(types[200], 6);  // byte
  // Every merge joins two existing tokens into an existing token.
  std::set<std::string_view> vocab(tokens.begin(), tokens.end());
  auto merges = f.get_string_array("tokenizer.ggml.merges").value();
  EXPECT_GT(merges.size(), 100u);
  for (std::string_view m : merges) {
    auto sp = m.find(' ');
    ASSERT_NE(sp, std::string_view::npos);
    std::string l(m.substr(0, sp)), r(m.substr(sp + 1));
    EXPECT_TRUE(vocab.count(l) && vocab.count(r) && vocab.count(l + r)) << m;
  }
  EXPECT_EQ(f.find_tensor("token_embd.weight")->ne[1], 1024);

  TestModelParams q = small(1);
  q.vocab_from = testing::fixture("models/gemma4-tiny-vocab.gguf");
  ASSERT_TRUE(write_test_model(q, dir / "v.gguf"));
  GgufFile g = open_ok(dir / "v.gguf");
  GgufFile src = open_ok(q.vocab_from);
  EXPECT_EQ(g.get_string_array("tokenizer.ggml.tokens").value()[5], "<|turn>");
  EXPECT_EQ(g.find("tokenizer.ggml.merges")->count, src.find("tokenizer.ggml.merges")->count);
  EXPECT_EQ(g.find_tensor("token_embd.weight")->ne[1], 512);
}

TEST(TestModel, RefusesBadParams) {
  TempDir dir;
  TestModelParams p = small(1);
  p.n_expert_used = 5;
  EXPECT_FALSE(write_test_model(p, dir / "x.gguf"));
  p = small(1);
  p.types.ffn_down = quant::Type::Q4_K;
  p.n_ff = 96;  // not a multiple of 256 and no preset fallback
  auto r = write_test_model(p, dir / "x.gguf");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("blk.0.ffn_down"), std::string::npos) << r.error().message;
  p = small(1);
  p.preset = "Q9_X";
  EXPECT_FALSE(write_test_model(p, dir / "x.gguf"));
  EXPECT_FALSE(std::filesystem::exists(dir / "x.gguf"));
}

}  // namespace
}  // namespace coderx::model
