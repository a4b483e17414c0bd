// The tiny-vocabulary fixture (fixtures/models/gemma4-tiny-vocab.gguf, a synthetic 512-token
// "gemma4" BPE) read from GGUF: llama.cpp's tokenizations in fixtures/tokenizer/
// tiny-vocab-cases.json must reproduce exactly, with and without special parsing.
// (In tests/lsp because the case file is JSON; the tokenizer itself is model/.)
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/vocab_gguf.h"
#include "real_tokenizer.h"

namespace coderx::testing {
namespace {

TEST(TinyVocabTokenizer, ReproducesLlamaCppCases) {
  auto tok = model::load_tokenizer(fixture("models/gemma4-tiny-vocab.gguf"));
  ASSERT_TRUE(tok) << tok.error().message;
  EXPECT_EQ(tok->vocab().size(), 512u);
  EXPECT_EQ(tok->bos(), 2);
  auto cases = boost::json::parse(read_all(fixture("tokenizer/tiny-vocab-cases.json")));
  ASSERT_TRUE(cases.is_array());
  int checked = 0;
  for (const auto& c : cases.as_array()) {
    const auto& o = c.as_object();
    std::string text(o.at("text").as_string());
    bool special = o.at("parse_special").as_bool();
    std::vector<model::TokenId> want;
    for (const auto& id : o.at("ids").as_array()) want.push_back(static_cast<model::TokenId>(id.as_int64()));
    auto got = tok->encode(text, {.add_bos = o.at("add_bos").as_bool(), .parse_special = special});
    EXPECT_EQ(got, want) << "'" << text << "' parse_special=" << special;
    auto back = tok->decode(got, special);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, (special ? "<bos>" : "") + text) << text;
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

TEST(TinyVocabTokenizer, SpecialIdsComeFromTheFileNotFromGemma4Constants) {
  auto tok = model::load_tokenizer(fixture("models/gemma4-tiny-vocab.gguf"));
  ASSERT_TRUE(tok) << tok.error().message;
  EXPECT_EQ(tok->vocab().find("<|turn>"), 5);
  EXPECT_EQ(tok->vocab().find("<turn|>"), 6);
  EXPECT_TRUE(tok->is_end_of_generation(6));
  EXPECT_EQ(tok->encode("<|turn>", {.add_bos = false, .parse_special = true}),
            (std::vector<model::TokenId>{5}));
}

}  // namespace
}  // namespace coderx::testing
