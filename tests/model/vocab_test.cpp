// Vocab::build: indexing, validation messages, merge handling.
#include "model/vocab.h"

#include <gtest/gtest.h>

#include "hand_vocab.h"

namespace coderx::testing {
namespace {

using model::TokenType;
using model::VocabData;

TEST(Vocab, IndexesTextsBytesAndMerges) {
  auto v = model::Vocab::build(hand_vocab_data());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->find("<|turn>"), hand::kTurn);
  EXPECT_EQ(v->find("abc"), hand::id("abc"));
  EXPECT_EQ(v->find("zzz"), model::kNoToken);
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(v->byte_token(static_cast<std::uint8_t>(b)), hand::kByte0 + b);
    EXPECT_EQ(v->byte_value(hand::kByte0 + b), b);
  }
  auto bc = v->merge(hand::id("b"), hand::id("c"));
  EXPECT_EQ(bc.rank, 0);
  EXPECT_EQ(bc.result, hand::id("bc"));
  EXPECT_EQ(v->merge(hand::id("a"), hand::id("bc")).rank, 1);
  EXPECT_EQ(v->merge(hand::id("c"), hand::id("a")).rank, -1);
  EXPECT_EQ(v->merge_count(), 12u);
}

TEST(Vocab, FirstRankOfARepeatedMergeWinsAndImpossibleMergesAreSkipped) {
  VocabData d = hand_vocab_data();
  d.merges.push_back("b c");     // repeated: rank 0 stays
  d.merges.push_back("x zz");    // "zz" is not a token
  auto v = model::Vocab::build(std::move(d));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->merge(hand::id("b"), hand::id("c")).rank, 0);
  EXPECT_EQ(v->skipped_merges(), 1u);
}

TEST(Vocab, RejectsInconsistentData) {
  struct Case {
    void (*edit)(VocabData&);
    const char* needle;
  };
  const Case cases[] = {
      {[](VocabData& d) { d.types.pop_back(); }, "token types"},
      {[](VocabData& d) { d.scores = {1.0f}; }, "scores"},
      {[](VocabData& d) { d.bos_id = 99999; }, "bos id 99999"},
      {[](VocabData& d) { d.eos_id = -7; }, "eos id -7"},
      {[](VocabData& d) { d.merges.push_back("abc"); }, "merge 12"},
      {[](VocabData& d) { d.types[hand::kByte0 + 256] = TokenType::byte; }, "<0xXX>"},
      {[](VocabData& d) { d.tokens.clear(); d.types.clear(); }, "empty"},
  };
  for (const Case& c : cases) {
    VocabData d = hand_vocab_data();
    c.edit(d);
    auto v = model::Vocab::build(std::move(d));
    ASSERT_FALSE(v) << c.needle;
    EXPECT_NE(v.error().message.find(c.needle), std::string::npos) << v.error().message;
  }
}

TEST(Vocab, RepeatedTextsResolveToTheLastId) {
  VocabData d = hand_vocab_data();
  d.tokens.push_back("a");
  d.types.push_back(TokenType::normal);
  auto v = model::Vocab::build(std::move(d));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->find("a"), static_cast<model::TokenId>(v->size() - 1));
}

}  // namespace
}  // namespace coderx::testing
