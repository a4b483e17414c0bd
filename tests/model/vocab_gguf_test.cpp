// tokenizer.* GGUF keys: write_vocab → GgufWriter → GgufFile → read_vocab gives the same data
// and the same tokenizer; the tiny fixture's keys; precise errors for bad keys.
#include "model/vocab_gguf.h"

#include <gtest/gtest.h>

#include "hand_vocab.h"
#include "model/test_model.h"
#include "tests/support/paths.h"

namespace coderx::testing {
namespace {

using model::GgufWriter;

model::Result<model::VocabData> round_trip(const GgufWriter& w, const TempDir& dir) {
  auto path = dir / "vocab.gguf";
  if (auto r = w.write(path); !r) return r.error();
  auto file = model::GgufFile::open(path);
  if (!file) return file.error();
  return model::read_vocab(*file);
}

TEST(VocabGguf, WriteThenReadGivesTheSameVocabulary) {
  TempDir dir;
  model::VocabData d = hand_vocab_data();
  d.chat_template = "{{ bos_token }}";
  GgufWriter w;
  w.set_string("general.architecture", "gemma4");
  model::write_vocab(w, d);
  auto back = round_trip(w, dir);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->tokens, d.tokens);
  EXPECT_EQ(back->types, d.types);
  EXPECT_EQ(back->merges, d.merges);
  EXPECT_EQ(back->bos_id, d.bos_id);
  EXPECT_EQ(back->eos_id, d.eos_id);
  EXPECT_EQ(back->unk_id, d.unk_id);
  EXPECT_EQ(back->pad_id, d.pad_id);
  EXPECT_EQ(back->chat_template, d.chat_template);
  EXPECT_EQ(back->scores, std::vector<float>(d.tokens.size(), -1000.0f));
  auto a = hand_tokenizer();
  auto b = model::Tokenizer::create(std::move(*back));
  ASSERT_TRUE(b);
  for (std::string_view s : {"abc abbc\n\n<|turn>a", "thought\xE2\x82\xAC\xC3\xA9"})
    EXPECT_EQ(a.encode(s, {.parse_special = true}), b->encode(s, {.parse_special = true}));
}

TEST(VocabGguf, ReadsTheTinyFixture) {
  auto file = model::GgufFile::open(fixture("models/gemma4-tiny-vocab.gguf"));
  ASSERT_TRUE(file) << file.error().message;
  auto d = model::read_vocab(*file);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->tokens.size(), 512u);
  EXPECT_EQ(d->merges.size(), 153u);
  EXPECT_EQ(d->tokens[5], "<|turn>");
  EXPECT_EQ(d->types[3], model::TokenType::unknown);
  EXPECT_EQ(d->types[8], model::TokenType::byte);
  EXPECT_EQ(d->bos_id, 2);
  EXPECT_TRUE(d->add_bos);
}

TEST(VocabGguf, MissingOrWrongKeysAreNamed) {
  TempDir dir;
  struct Case {
    void (*edit)(GgufWriter&);
    const char* needle;
  };
  const Case cases[] = {
      {[](GgufWriter& w) { w.remove("tokenizer.ggml.merges"); }, "tokenizer.ggml.merges"},
      {[](GgufWriter& w) { w.set_string("tokenizer.ggml.model", "llama"); }, "only 'gemma4'"},
      {[](GgufWriter& w) { w.set_i32_array("tokenizer.ggml.token_type", std::vector<std::int32_t>{1, 1}); },
       "tokenizer.ggml.token_type"},
      {[](GgufWriter& w) { w.set_string("tokenizer.ggml.tokens", "x"); }, "tokenizer.ggml.tokens"},
  };
  for (const Case& c : cases) {
    GgufWriter w;
    model::write_vocab(w, hand_vocab_data());
    c.edit(w);
    auto r = round_trip(w, dir);
    ASSERT_FALSE(r) << c.needle;
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().message;
  }
}

TEST(VocabGguf, LoadTokenizerNamesTheFileInErrors) {
  auto missing = model::load_tokenizer("/nonexistent/vocab.gguf");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/vocab.gguf"), std::string::npos);
}

}  // namespace
}  // namespace coderx::testing

namespace coderx::testing {
namespace {

// The test-model generator's built-in vocabulary (model/test_vocab.cpp, another code path
// writing tokenizer.* keys) loads, and has Gemma 4's markers at their real ids.
TEST(VocabGguf, GeneratorBuiltinVocabularyLoads) {
  TempDir dir;
  model::GgufWriter w;
  w.set_string("general.architecture", "gemma4");
  ASSERT_TRUE(model::add_builtin_vocab(w, 512));
  ASSERT_TRUE(w.write(dir / "v.gguf"));
  auto tok = model::load_tokenizer(dir / "v.gguf");
  ASSERT_TRUE(tok) << tok.error().message;
  EXPECT_EQ(tok->vocab().find("<|channel>"), 100);
  EXPECT_EQ(tok->vocab().find("<channel|>"), 101);
  EXPECT_EQ(tok->encode("<|turn>", {.add_bos = false, .parse_special = true}), (std::vector<model::TokenId>{105}));
  std::string text = "The quick brown fox <|channel>thought\n€ \n\n";
  EXPECT_EQ(*tok->decode(tok->encode(text, {.add_bos = false})), text);
}

}  // namespace
}  // namespace coderx::testing
