// `coderx model info` and `coderx model make-test` through the binary: the fixtures are
// described with the README's values, --json is valid and complete, corrupt files and missing
// models give one clear error line and exit 1, and make-test writes loadable, deterministic
// files.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

namespace json = boost::json;

std::string model_path(const std::string& name) { return fixture("models/" + name).string(); }

TEST(ModelInfo, DescribesTheF16Fixture) {
  ProcessResult r = run_coderx({"model", "info", model_path("gemma4-tiny-moe-F16.gguf")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected :
       {"metadata (40 keys)", "tensors (134)", "layers:     6 (5 sliding, 1 full)  pattern SSSSSF",
        "n_embd 256, 4 query heads, kv heads 2 sliding / 1 full, head dim 64 sliding / 128 full, "
        "window 16",
        "experts 8 x 256, top-2, fused gate/up", "vocab 512, tied embeddings, softcap 30",
        "blk.0.ffn_gate_up_exps.weight", "[256,512,8]", "F16", "active per token",
        "array[string,512]", "... 506 more"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
}

TEST(ModelInfo, JsonForTheQ4KMFixture) {
  ProcessResult r =
      run_coderx({"model", "info", "--json", model_path("gemma4-tiny-fb-Q4_K_M.gguf")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("version").as_int64(), 3);
  EXPECT_EQ(o.at("tensors").as_array().size(), 134u);
  const json::object& m = o.at("model").as_object();
  EXPECT_EQ(m.at("experts").as_int64(), 16);
  EXPECT_EQ(m.at("experts_used").as_int64(), 4);
  EXPECT_EQ(m.at("expert_ffn").as_int64(), 192);
  EXPECT_EQ(m.at("pattern").as_string(), "SSSSSF");
  const json::object& meta = o.at("metadata").as_object();
  EXPECT_EQ(meta.at("general.file_type").as_int64(), 15);
  EXPECT_EQ(meta.at("tokenizer.ggml.tokens").as_object().at("count").as_int64(), 512);
  for (const auto& t : o.at("tensors").as_array())
    if (t.as_object().at("name").as_string() == "blk.5.ffn_down_exps.weight") {
      EXPECT_EQ(t.as_object().at("type").as_string(), "Q8_0");
    }
}

TEST(ModelInfo, VocabOnlyFileIsDescribedButNotRunnable) {
  ProcessResult r = run_coderx({"model", "info", model_path("gemma4-tiny-vocab.gguf")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("tensors (0)"), std::string::npos);
  EXPECT_NE(r.err.find("not a runnable Gemma 4 model: key gemma4.block_count: missing"),
            std::string::npos) << r.err;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ModelInfo, CorruptFilesAndMissingModelsGiveOneErrorLine) {
  TempDir dir;
  std::string good = slurp(model_path("gemma4-tiny-moe-Q8_0.gguf"));
  struct Case {
    std::string bytes, expect;
  };
  std::string bad_count = good;
  bad_count[16 + 7] = '\x7f';  // metadata count ~2^63
  std::vector<Case> cases{
      {good.substr(0, 3000), "truncated or corrupt file"},
      {good.substr(0, good.size() - 100), "runs past the end of the file"},
      {"GGUX" + good.substr(4, 100), "not a GGUF file"},
      {bad_count, "metadata count"},
      {"", "not a GGUF file: the file is empty (0 bytes)"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto path = dir / ("c" + std::to_string(i) + ".gguf");
    std::ofstream(path, std::ios::binary) << cases[i].bytes;
    ProcessResult r = run_coderx({"model", "info", path.string()});
    EXPECT_EQ(r.exit_code, 1) << i;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(cases[i].expect), std::string::npos) << i << ": " << r.err;
  }
  ProcessResult missing = run_process(
      {"/usr/bin/env", "HOME=" + dir.path().string(), "OLLAMA_MODELS=" + (dir / "o").string(),
       coderx_binary().string(), "model", "info", "ollama:gemma4:26b"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("ollama pull gemma4:26b"), std::string::npos) << missing.err;
  EXPECT_EQ(run_coderx({"model", "info", "--bogus", "x"}).exit_code, 2);
}

TEST(ModelMakeTest, WritesADeterministicLoadableModel) {
  TempDir dir;
  std::vector<std::string> args{"model", "make-test", "--layers", "4", "--sliding-pattern",
                                "SFSF", "--experts", "98", "--top-k", "8", "--n-embd", "256",
                                "--ffn", "256", "--expert-ffn", "64", "--preset", "Q4_K_M",
                                "--split-experts", "--seed", "5", "--out"};
  auto a = args, b = args;
  a.push_back((dir / "a.gguf").string());
  b.push_back((dir / "b.gguf").string());
  ProcessResult ra = run_coderx(a);
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  ASSERT_EQ(run_coderx(b).exit_code, 0);
  EXPECT_TRUE(slurp(dir / "a.gguf") == slurp(dir / "b.gguf"));
  ProcessResult info = run_coderx({"model", "info", "--json", (dir / "a.gguf").string()});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const json::object m = json::parse(info.out).as_object().at("model").as_object();
  EXPECT_EQ(m.at("experts").as_int64(), 98);
  EXPECT_EQ(m.at("pattern").as_string(), "SFSF");
  EXPECT_FALSE(m.at("fused_gate_up").as_bool());
  ProcessResult usage = run_coderx({"model", "make-test", "--type", "attn_q=Q9"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "c.gguf"));
}

TEST(ModelMakeTest, ShapesBeyondTheLimitsOrTheDiskAreRefusedBeforeWriting) {
  TempDir dir;
  const std::string out = (dir / "m.gguf").string();
  ProcessResult layers = run_coderx({"model", "make-test", "--layers", "5000", "--out", out});
  EXPECT_EQ(layers.exit_code, 2);
  EXPECT_NE(layers.err.find("--layers 5000: must be between 1 and 1024"), std::string::npos) << layers.err;
  ProcessResult zero = run_coderx({"model", "make-test", "--vocab", "0", "--out", out});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("--vocab 0: must be between 1 and"), std::string::npos) << zero.err;
  // Each option within its limit, but together hundreds of TiB: no disk here holds that.
  ProcessResult huge = run_coderx({"model", "make-test", "--layers", "1024", "--n-embd", "8192",
                                   "--experts", "1024", "--expert-ffn", "8192", "--out", out});
  EXPECT_EQ(huge.exit_code, 1);
  EXPECT_NE(huge.err.find("bytes free (make the shape smaller)"), std::string::npos) << huge.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace coderx::testing
