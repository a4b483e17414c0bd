// `coderx model tokenize | detokenize | import-tokenizer` through the binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "real_tokenizer.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

std::string tiny() { return fixture("models/gemma4-tiny-vocab.gguf").string(); }

TEST(ModelTokenizeCli, TokenizeWithAndWithoutSpecialsAndBos) {
  const std::string text = "<|turn>user\nHello<turn|>\n";
  auto r = run_coderx({"model", "tokenize", "--model", tiny(), "--special"}, text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // fixtures/tokenizer/tiny-vocab-cases.json, parse_special = true
  EXPECT_EQ(r.out, "[2, 5, 463, 367, 7, 495, 6, 7]\n");
  r = run_coderx({"model", "tokenize", "--model", tiny(), "--special", "--no-bos"}, text);
  EXPECT_EQ(r.out, "[5, 463, 367, 7, 495, 6, 7]\n");
  r = run_coderx({"model", "tokenize", "--model", tiny(), "--no-bos"}, "");
  EXPECT_EQ(r.out, "[]\n");
}

TEST(ModelTokenizeCli, DetokenizeAcceptsJsonOrPlainIds) {
  auto r = run_coderx({"model", "detokenize", "--model", tiny()}, "[2, 5, 463, 367, 7, 495, 6, 7]");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "user\nHello\n");
  r = run_coderx({"model", "detokenize", "--model", tiny(), "--special"}, "2 5 463 367 7 495 6 7\n");
  EXPECT_EQ(r.out, "<bos><|turn>user\nHello<turn|>\n");
}

TEST(ModelTokenizeCli, ErrorsAreOneLineWithExitCodes) {
  auto r = run_coderx({"model", "detokenize", "--model", tiny()}, "[1, 2, oops]");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("byte 7"), std::string::npos) << r.err;
  r = run_coderx({"model", "detokenize", "--model", tiny()}, "[99999]");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("99999"), std::string::npos) << r.err;
  r = run_coderx({"model", "tokenize", "--model", "/nonexistent.gguf"}, "x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent.gguf"), std::string::npos) << r.err;
  r = run_coderx({"model", "tokenize"}, "x");
  EXPECT_EQ(r.exit_code, 2);
  r = run_coderx({"model", "tokenize", "--model", tiny(), "--bogus"}, "x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST(ModelImportTokenizerCli, RealVocabularyFromTheNpmPackageRoundTripsThroughGguf) {
  TempDir dir;
  auto out = (dir / "vocab.gguf").string();
  auto r = run_coderx({"model", "import-tokenizer", "--tokenizer",
                       (npm_gemma3_dir() / "tokenizer.json").string(), "--config",
                       (npm_gemma3_dir() / "tokenizer_config.json").string(), "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The GGUF's tokenizer through the CLI: spec §4.1's examples.
  r = run_coderx({"model", "tokenize", "--model", out, "--no-bos"}, "Hello, world!");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[9259, 236764, 1902, 236888]\n");
  r = run_coderx({"model", "tokenize", "--model", out, "--special"},
                 "<|turn>user\nHi<turn|>\n<|turn>model\n<|channel>thought\n<channel|>");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("[2, 105, 2364, 107,", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("4368, 107, 100, 45518, 107, 101]"), std::string::npos) << r.out;
}

TEST(ModelImportTokenizerCli, BadInputWritesNothing) {
  TempDir dir;
  auto bad = dir / "tokenizer.json";
  { std::ofstream(bad) << "{\"model\": {\"type\": \"BPE\", \"vocab\": []}}"; }
  auto out = dir / "vocab.gguf";
  auto r = run_coderx({"model", "import-tokenizer", "--tokenizer", bad.string(), "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("model.vocab"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  r = run_coderx({"model", "import-tokenizer", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace coderx::testing
