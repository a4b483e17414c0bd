// The tokenizer on a hand-built vocabulary (tests/model/hand_vocab.h): every rule of spec §4.1
// with expected ids worked out by hand.
#include "model/tokenizer.h"

#include <gtest/gtest.h>

#include "hand_vocab.h"

namespace coderx::testing {
namespace {

using model::TokenId;
using Ids = std::vector<TokenId>;
using namespace hand;

Ids enc(const model::Tokenizer& t, std::string_view s, bool special = false) {
  return t.encode(s, {.add_bos = false, .parse_special = special});
}

TEST(Tokenizer, MergesByRankNotByPosition) {
  auto t = hand_tokenizer();
  // "b c" (rank 0) fires before "a b" (rank 2); then "a bc" (rank 1).
  EXPECT_EQ(enc(t, "abc"), (Ids{id("abc")}));
  // Without the c, "a b" applies.
  EXPECT_EQ(enc(t, "ab"), (Ids{id("ab")}));
  // "abbc": b c first → a, b, bc; then "a b" → ab, bc.
  EXPECT_EQ(enc(t, "abbc"), (Ids{id("ab"), id("bc")}));
  // Chains of merges: t h o u g h t.
  EXPECT_EQ(enc(t, "thought"), (Ids{id("thought")}));
}

TEST(Tokenizer, EqualRankPairsMergeLeftmostFirst) {
  auto t = hand_tokenizer();
  EXPECT_EQ(enc(t, "aaa"), (Ids{id("aa"), id("a")}));
  EXPECT_EQ(enc(t, "aaaa"), (Ids{id("aa"), id("aa")}));
}

TEST(Tokenizer, SpacesBecomeEscapeCharacterWithoutPrefix) {
  auto t = hand_tokenizer();
  EXPECT_EQ(enc(t, " a"), (Ids{id("\xE2\x96\x81" "a")}));
  EXPECT_EQ(enc(t, "a a"), (Ids{id("a"), id("\xE2\x96\x81" "a")}));
  EXPECT_EQ(enc(t, " "), (Ids{id("\xE2\x96\x81")}));
  EXPECT_EQ(*t.decode(enc(t, "a a  b")), "a a  b");
}

TEST(Tokenizer, NewlineRunsAreSplitOffAndEmittedWhole) {
  auto t = hand_tokenizer();
  // The merge "a \n" exists but never crosses the newline-run boundary.
  EXPECT_EQ(enc(t, "a\nb"), (Ids{id("a"), kNl, id("b")}));
  EXPECT_EQ(enc(t, "\n\n"), (Ids{kNl2}));
  // A run that is not a token is BPE'd (no "\n \n" merge: three single newlines).
  EXPECT_EQ(enc(t, "\n\n\n"), (Ids{kNl, kNl, kNl}));
  EXPECT_EQ(enc(t, "a\n\nb\n"), (Ids{id("a"), kNl2, id("b"), kNl}));
}

TEST(Tokenizer, ByteFallbackForUnknownCharactersAndInvalidBytes) {
  auto t = hand_tokenizer();
  EXPECT_EQ(enc(t, "\xC3\xA9"), (Ids{kByte0 + 0xC3, kByte0 + 0xA9}));  // "é" is not a token
  EXPECT_EQ(enc(t, "\xE2\x82\xAC"), (Ids{id("\xE2\x82\xAC")}));        // "€" is
  EXPECT_EQ(enc(t, "a\xFF"), (Ids{id("a"), kByte0 + 0xFF}));
  // A cut-off character followed by ASCII: the lead byte alone falls back, "ab" still merges.
  EXPECT_EQ(enc(t, "\xE2" "ab"), (Ids{kByte0 + 0xE2, id("ab")}));
  EXPECT_EQ(*t.decode(enc(t, "\xE2" "ab\xC3")), "\xE2" "ab\xC3");
}

TEST(Tokenizer, ControlTokensOnlyWithParseSpecialUserDefinedAlways) {
  auto t = hand_tokenizer();
  EXPECT_EQ(enc(t, "<|turn>", true), (Ids{kTurn}));
  Ids plain = enc(t, "<|turn>");
  EXPECT_EQ(std::find(plain.begin(), plain.end(), kTurn), plain.end());
  EXPECT_EQ(*t.decode(plain), "<|turn>");
  for (bool special : {false, true}) {
    EXPECT_EQ(enc(t, "a<|channel>b<channel|>", special), (Ids{id("a"), kChannel, id("b"), kChannelEnd}));
  }
  EXPECT_EQ(enc(t, "<unk>", true), (Ids{kUnk}));  // UNKNOWN behaves like CONTROL
}

TEST(Tokenizer, LongerSpecialTextsWinOverShorterOnes) {
  auto t = hand_tokenizer();
  EXPECT_EQ(enc(t, "<s1><s2>", true), (Ids{kS1S2}));
  EXPECT_EQ(enc(t, "<s2><s1><s2><s1>", true), (Ids{kS2, kS1S2, kS1}));
  EXPECT_EQ(enc(t, "a<s1>a<s2>", true), (Ids{id("a"), kS1, id("a"), kS2}));
}

TEST(Tokenizer, BosOnlyWhenAskedAndWhenTheVocabularySaysSo) {
  auto t = hand_tokenizer();
  EXPECT_EQ(t.encode("a"), (Ids{kBos, id("a")}));
  EXPECT_EQ(t.encode("a", {.add_bos = false}), (Ids{id("a")}));
  EXPECT_EQ(t.encode(""), (Ids{kBos}));
  auto data = hand_vocab_data();
  data.add_bos = false;
  auto no_bos = model::Tokenizer::create(std::move(data));
  ASSERT_TRUE(no_bos);
  EXPECT_EQ(no_bos->encode("a"), (Ids{id("a")}));
}

TEST(Tokenizer, DecodeRendersByType) {
  auto t = hand_tokenizer();
  Ids ids{kBos, kTurn, id("\xE2\x96\x81" "a"), kChannel, kByte0 + 0xC3, kByte0 + 0xA9, kChannelEnd, kNl};
  EXPECT_EQ(*t.decode(ids), " a<|channel>\xC3\xA9<channel|>\n");
  EXPECT_EQ(*t.decode(ids, true), "<bos><|turn> a<|channel>\xC3\xA9<channel|>\n");
  auto bad = t.decode(Ids{id("a"), 100000});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("100000"), std::string::npos);
  EXPECT_FALSE(t.decode(Ids{-1}));
}

TEST(Tokenizer, EndOfGenerationTokensFoundByText) {
  auto t = hand_tokenizer();
  EXPECT_TRUE(t.is_end_of_generation(kEos));
  EXPECT_TRUE(t.is_end_of_generation(kTurnEnd));
  EXPECT_FALSE(t.is_end_of_generation(kChannelEnd));
  EXPECT_FALSE(t.is_end_of_generation(id("a")));
}

TEST(Tokenizer, RoundTripsEveryShortByteString) {
  auto t = hand_tokenizer();
  // All strings of length ≤ 2 over a byte alphabet that covers the interesting cases.
  const std::string alphabet = std::string("ab \n<|>\xE2\x82\xAC\xC3\xFF", 12);
  for (char x : alphabet)
    for (char y : alphabet) {
      std::string s{x, y};
      EXPECT_EQ(*t.decode(enc(t, s)), s);
      EXPECT_EQ(*t.decode(enc(t, s, true), true), s);
    }
}

}  // namespace
}  // namespace coderx::testing
