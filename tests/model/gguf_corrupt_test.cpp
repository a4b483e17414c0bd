// Corrupt-file corpus: every prefix of a small generated model, counts and lengths replaced by
// huge or off-by-one values, bad and overlapping offsets. Each must give a clear error from the
// reader (or from config/weights validation) and never crash; run under ASan/UBSan by
// scripts/test.sh's sanitizer build and by the libFuzzer target model_gguf_fuzz.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "model/config.h"
#include "model/gguf.h"
#include "model/gguf_writer.h"
#include "model/test_model.h"
#include "model/weights.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

// A small but complete model: 2 layers, 4 experts, built-in vocabulary trimmed to short tokens.
std::string small_model_bytes() {
  TestModelParams p;
  p.n_layer = 2;
  p.sliding_pattern = {true, false};
  p.n_embd = 8;
  p.n_head = 1;
  p.n_head_kv_swa = 1;
  p.n_head_kv_full = 1;
  p.head_dim_swa = 4;
  p.head_dim_full = 8;
  p.n_ff = 8;
  p.n_expert = 4;
  p.n_ff_exp = 4;
  GgufWriter w;
  EXPECT_TRUE(build_test_model(p, w));
  std::vector<std::string> tokens;
  for (int i = 0; i < 512; ++i) tokens.push_back("t" + std::to_string(i));
  w.set_string_array("tokenizer.ggml.tokens", std::span<const std::string>(tokens));
  for (const char* k : {"tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"})
    w.remove(k);
  testing::TempDir dir;
  EXPECT_TRUE(w.write(dir / "m.gguf"));
  std::ifstream in(dir / "m.gguf", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reader, then config and weights: the first error, or "" when everything loads.
std::string load_error(const std::string& bytes) {
  auto f = GgufFile::from_memory({reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()},
                                 "c.gguf");
  if (!f) return f.error().message;
  auto c = load_config(*f);
  if (!c) return c.error().message;
  auto w = load_weights(*f, *c);
  if (!w) return w.error().message;
  return "";
}

const std::string& model() {
  static const std::string bytes = small_model_bytes();
  return bytes;
}

TEST(GgufCorrupt, TheUncorruptedModelLoads) {
  EXPECT_EQ(load_error(model()), "");
  EXPECT_LT(model().size(), 40000u);
}

TEST(GgufCorrupt, EveryPrefixIsRejectedWithAClearMessage) {
  const std::string& m = model();
  auto f = GgufFile::from_memory({reinterpret_cast<const std::byte*>(m.data()), m.size()}, "x");
  ASSERT_TRUE(f);
  std::size_t header_end = f->data_offset();
  bool past_table = false;  // once the whole table is there, only the data can be short
  for (std::size_t n = 0; n < m.size(); n += (n < header_end ? 1 : 97)) {
    std::string err = load_error(m.substr(0, n));
    ASSERT_FALSE(err.empty()) << "prefix " << n << " loaded";
    bool data_short = err.find("past the end of the file") != std::string::npos;
    if (past_table) {
      EXPECT_TRUE(data_short) << "prefix " << n << ": " << err;
    } else if (!data_short) {
      EXPECT_TRUE(err.find("truncated file") != std::string::npos ||
                  err.find("bytes left") != std::string::npos)
          << "prefix " << n << ": " << err;
    }
    past_table = past_table || data_short;
  }
  EXPECT_TRUE(past_table);
}

template <class T>
std::string with(std::string m, std::size_t at, T v) {
  std::memcpy(m.data() + at, &v, sizeof v);
  return m;
}

TEST(GgufCorrupt, CountsAndLengths) {
  const std::string& m = model();
  for (std::uint64_t bad : {std::uint64_t{1} << 63, ~std::uint64_t{0}, std::uint64_t{1} << 40}) {
    EXPECT_NE(load_error(with(m, 8, bad)).find("tensor count"), std::string::npos);
    EXPECT_NE(load_error(with(m, 16, bad)).find("metadata count"), std::string::npos);
    // The first key's name length (offset 24).
    EXPECT_NE(load_error(with(m, 24, bad)).find("key 0 name: string length"), std::string::npos);
  }
  std::uint64_t n_tensors, n_kv;
  std::memcpy(&n_tensors, m.data() + 8, 8);
  std::memcpy(&n_kv, m.data() + 16, 8);
  // One tensor or key fewer: the rest of the table is misread; one more: runs off the table.
  for (std::string corrupt : {with(m, 8, n_tensors + 1), with(m, 8, n_tensors - 1),
                              with(m, 16, n_kv + 1), with(m, 16, n_kv - 1)})
    EXPECT_FALSE(load_error(corrupt).empty());
}

// Finds the byte offset of a tensor-table field by scanning for the tensor's name.
std::size_t info_offset(const std::string& m, const std::string& name) {
  std::string needle;
  std::uint64_t len = name.size();
  needle.append(reinterpret_cast<const char*>(&len), 8);
  needle += name;
  std::size_t at = m.find(needle);
  EXPECT_NE(at, std::string::npos);
  return at + needle.size();  // n_dims follows
}

TEST(GgufCorrupt, TensorInfoFields) {
  const std::string& m = model();
  std::size_t norm = info_offset(m, "output_norm.weight");  // 1-D: n_dims, ne0, type, offset
  EXPECT_EQ(load_error(with<std::uint32_t>(m, norm, 7)),
            "c.gguf: tensor output_norm.weight: n_dims 7 at offset " + std::to_string(norm) +
                " (must be 1 to 4)");
  EXPECT_NE(load_error(with<std::uint64_t>(m, norm + 4, 0)).find("(zero-sized)"),
            std::string::npos);
  EXPECT_NE(load_error(with<std::uint32_t>(m, norm + 12, 99)).find("unknown ggml type 99"),
            std::string::npos);
  EXPECT_NE(load_error(with<std::uint32_t>(m, norm + 12, 12)).find("not a multiple of the Q4_K"),
            std::string::npos);
  EXPECT_NE(load_error(with<std::uint64_t>(m, norm + 16, std::uint64_t{1} << 62))
                .find("runs past the end of the file"),
            std::string::npos);
  EXPECT_NE(load_error(with<std::uint64_t>(m, norm + 16, 4)).find("alignment 32"),
            std::string::npos);
  EXPECT_NE(load_error(with<std::uint64_t>(m, norm + 16, 0)).find("overlap"), std::string::npos);
  // A wrong but valid shape gets through the reader and is caught by the weights check.
  EXPECT_EQ(load_error(with<std::uint64_t>(m, norm + 4, 4)),
            "tensor output_norm: expected [8], file has [4]");
}

TEST(GgufCorrupt, EveryHeaderByteFlippedGivesAResultNotACrash) {
  const std::string& m = model();
  auto f = GgufFile::from_memory({reinterpret_cast<const std::byte*>(m.data()), m.size()}, "x");
  ASSERT_TRUE(f);
  int errors = 0;
  for (std::size_t at = 0; at < f->data_offset(); at += 3) {
    std::string c = m;
    c[at] = static_cast<char>(c[at] ^ 0xFF);
    errors += load_error(c).empty() ? 0 : 1;
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace coderx::model
