// Gemma4Config from the fixture files (expected values from the fixtures README table) and from
// generated files with one key removed, mistyped or changed.
#include "model/config.h"

#include <gtest/gtest.h>

#include <functional>

#include "model/gguf_writer.h"
#include "model/test_model.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

Gemma4Config fixture_config(const std::string& name) {
  auto f = GgufFile::open(testing::fixture("models/" + name));
  EXPECT_TRUE(f) << f.error().message;
  if (!f) return {};
  auto c = load_config(*f);
  EXPECT_TRUE(c) << c.error().message;
  return c ? c.value() : Gemma4Config{};
}

TEST(Config, TinyMoeF16) {
  Gemma4Config c = fixture_config("gemma4-tiny-moe-F16.gguf");
  ASSERT_EQ(c.layers.size(), 6u);
  EXPECT_EQ(c.n_layer, 6u);
  EXPECT_EQ(c.n_sliding_layers(), 5u);
  EXPECT_EQ(c.n_full_layers(), 1u);
  EXPECT_FALSE(c.layers[5].sliding);
  EXPECT_EQ(c.n_embd, 256u);
  EXPECT_EQ(c.head_dim_swa, 64u);
  EXPECT_EQ(c.head_dim_full, 128u);
  for (std::uint32_t l = 0; l < 6; ++l) {
    const LayerConfig& L = c.layers[l];
    EXPECT_EQ(L.n_head, 4u);
    EXPECT_EQ(L.n_head_kv, l == 5 ? 1u : 2u);
    EXPECT_EQ(L.head_dim, l == 5 ? 128u : 64u);
    EXPECT_EQ(L.n_ff, 512u);
    EXPECT_FLOAT_EQ(L.rope_base, l == 5 ? 1e6f : 1e4f);
    EXPECT_EQ(L.rope_dims, L.head_dim);  // gemma4 rotates the whole head (spec §2.4)
  }
  EXPECT_EQ(c.n_expert, 8u);
  EXPECT_EQ(c.n_expert_used, 2u);
  EXPECT_EQ(c.n_ff_exp, 256u);
  EXPECT_EQ(c.sliding_window, 16u);
  EXPECT_EQ(c.n_vocab, 512u);
  EXPECT_FLOAT_EQ(c.final_softcap, 30.0f);
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-6f);
  EXPECT_TRUE(c.add_bos);
  EXPECT_EQ(c.name, "gemma4-tiny-moe");
}

TEST(Config, TinyFallbackQ4KM) {
  Gemma4Config c = fixture_config("gemma4-tiny-fb-Q4_K_M.gguf");
  ASSERT_FALSE(c.layers.empty());
  EXPECT_EQ(c.layers[0].n_ff, 384u);
  EXPECT_EQ(c.n_expert, 16u);
  EXPECT_EQ(c.n_expert_used, 4u);
  EXPECT_EQ(c.n_ff_exp, 192u);
  EXPECT_EQ(c.file_type, 15u);  // llama_ftype Q4_K_M
  EXPECT_EQ(fixture_config("gemma4-tiny-moe-Q8_0.gguf").n_expert, 8u);
}

// A generated file with the writer tweaked by `edit`, then read back.
TestModelParams small() {
  TestModelParams p;  // 6 layers as the fixtures, narrower widths so the tests stay fast
  p.n_embd = 64;
  p.n_head = 4;
  p.head_dim_swa = 16;
  p.head_dim_full = 32;
  p.n_ff = 64;
  p.n_ff_exp = 32;
  return p;
}

Result<Gemma4Config> config_with(const std::function<void(GgufWriter&)>& edit,
                                 const TestModelParams& p = small()) {
  GgufWriter w;
  auto built = build_test_model(p, w);
  EXPECT_TRUE(built) << built.error().message;
  edit(w);
  testing::TempDir dir;
  auto written = w.write(dir / "m.gguf");
  EXPECT_TRUE(written) << written.error().message;
  auto f = GgufFile::open(dir / "m.gguf");
  EXPECT_TRUE(f) << f.error().message;
  return load_config(*f);
}

TEST(Config, GeneratedDefaultsAndSampling) {
  auto c = config_with([](GgufWriter&) {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sampling.top_k, 64);
  EXPECT_FLOAT_EQ(*c->sampling.top_p, 0.95f);
  EXPECT_FLOAT_EQ(*c->sampling.temperature, 1.0f);
  EXPECT_FALSE(c->sampling.min_p);
  auto d = config_with([](GgufWriter& w) {
    w.remove("gemma4.final_logit_softcapping");
    w.remove("gemma4.rope.freq_base_swa");
    w.set_bool("tokenizer.ggml.add_bos_token", false);  // old files: forced true anyway
  });
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FLOAT_EQ(d->final_softcap, 30.0f);
  EXPECT_FLOAT_EQ(d->rope_base_swa, 10000.0f);
  EXPECT_TRUE(d->add_bos);
}

TEST(Config, ScalarHeadCountKvAndArrayHeadCount) {
  auto c = config_with([](GgufWriter& w) {
    w.set_u32("gemma4.attention.head_count_kv", 1);
    std::vector<std::int32_t> heads{4, 4, 4, 4, 4, 4};
    w.set_i32_array("gemma4.attention.head_count", heads);
  });
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->layers[0].n_head_kv, 1u);
  EXPECT_EQ(c->layers[3].n_head, 4u);
}

TEST(Config, MissingAndMistypedKeys) {
  auto missing = config_with([](GgufWriter& w) { w.remove("gemma4.expert_count"); });
  EXPECT_EQ(missing.error().message, "key gemma4.expert_count: missing");
  auto typed = config_with([](GgufWriter& w) { w.set_string("gemma4.block_count", "six"); });
  EXPECT_EQ(typed.error().message, "key gemma4.block_count: expected u32, file has string");
  auto pattern = config_with([](GgufWriter& w) {
    std::vector<std::int32_t> wrong{1, 1, 1};
    w.set_i32_array("gemma4.attention.head_count_kv", wrong);
  });
  EXPECT_EQ(pattern.error().message,
            "key gemma4.attention.head_count_kv: array has 3 entries, block_count is 6");
  auto topk = config_with([](GgufWriter& w) { w.set_u32("gemma4.expert_used_count", 9); });
  EXPECT_EQ(topk.error().message,
            "key gemma4.expert_used_count: 9 experts per token but only 8 experts");
  auto layers = config_with([](GgufWriter& w) { w.set_u32("gemma4.block_count", 4000000000u); });
  EXPECT_NE(layers.error().message.find("implausible"), std::string::npos);
}

TEST(Config, RefusesOtherArchitecturesAndProjectors) {
  auto llama = config_with([](GgufWriter& w) { w.set_string("general.architecture", "llama"); });
  EXPECT_EQ(llama.error().code, Errc::unsupported);
  EXPECT_NE(llama.error().message.find("architecture \"llama\" is not supported"),
            std::string::npos);
  auto clip = config_with([](GgufWriter& w) {
    w.set_string("general.architecture", "clip");
    w.set_string("clip.projector_type", "gemma4v");
  });
  EXPECT_EQ(clip.error().code, Errc::unsupported);
  EXPECT_NE(clip.error().message.find("multimodal projector (mmproj) file"), std::string::npos);
  EXPECT_NE(clip.error().message.find("text model"), std::string::npos);
  auto ple = config_with([](GgufWriter& w) {
    w.set_u32("gemma4.embedding_length_per_layer_input", 256);
  });
  EXPECT_EQ(ple.error().code, Errc::unsupported);
}

}  // namespace
}  // namespace coderx::model
