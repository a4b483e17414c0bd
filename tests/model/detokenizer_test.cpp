// StreamingDetokenizer: never half a UTF-8 character; output concatenates to decode().
#include "model/detokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "hand_vocab.h"
#include "model/utf8.h"

namespace coderx::testing {
namespace {

using model::TokenId;
using namespace hand;

std::vector<std::string> stream(const model::Tokenizer& t, const std::vector<TokenId>& ids,
                                bool special = false) {
  model::StreamingDetokenizer d(t, special);
  std::vector<std::string> out;
  for (TokenId id : ids) out.push_back(*d.push(id));
  out.push_back(d.finish());
  return out;
}

TEST(StreamingDetokenizer, HoldsASplitCharacterUntilComplete) {
  auto t = hand_tokenizer();
  auto out = stream(t, {id("a"), kByte0 + 0xE2, kByte0 + 0x82, kByte0 + 0xAC, id("b")});
  EXPECT_EQ(out, (std::vector<std::string>{"a", "", "", "\xE2\x82\xAC", "b", ""}));
}

TEST(StreamingDetokenizer, InvalidBytesPassThroughAtOnceAndCutOffTailAtFinish) {
  auto t = hand_tokenizer();
  // 0xFF never starts a character; 0xE2 followed by 'a' cannot continue.
  auto out = stream(t, {kByte0 + 0xFF, kByte0 + 0xE2, id("a"), kByte0 + 0xF0, kByte0 + 0x9F});
  EXPECT_EQ(out, (std::vector<std::string>{"\xFF", "", "\xE2" "a", "", "", "\xF0\x9F"}));
}

TEST(StreamingDetokenizer, ControlTokensOnlyWhenRenderingSpecials) {
  auto t = hand_tokenizer();
  EXPECT_EQ(stream(t, {kTurn, id("a")}), (std::vector<std::string>{"", "a", ""}));
  EXPECT_EQ(stream(t, {kTurn, id("a")}, true), (std::vector<std::string>{"<|turn>", "a", ""}));
  model::StreamingDetokenizer d(t);
  EXPECT_FALSE(d.push(123456));
}

TEST(StreamingDetokenizer, ConcatenationEqualsDecodeAndNoPieceEndsMidCharacter) {
  auto t = hand_tokenizer();
  std::mt19937 rng(7);
  std::uniform_int_distribution<TokenId> pick(0, static_cast<TokenId>(t.vocab().size()) - 1);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<TokenId> ids(1 + trial % 17);
    for (TokenId& i : ids) i = pick(rng);
    auto parts = stream(t, ids);
    std::string whole = *t.decode(ids);
    // Character (or invalid-byte) boundaries of the whole text.
    std::set<std::size_t> boundaries{0};
    for (std::size_t i = 0; i < whole.size();) {
      int n = model::utf8::char_length(std::string_view(whole).substr(i));
      i += n > 0 ? static_cast<std::size_t>(n) : 1;
      boundaries.insert(i);
    }
    std::string joined;
    for (const std::string& p : parts) {
      joined += p;
      EXPECT_TRUE(boundaries.count(joined.size())) << "a piece ends inside a character";
    }
    EXPECT_EQ(joined, *t.decode(ids));
  }
}

TEST(Utf8, MakeValidReplacesEveryBadByteAndKeepsGoodCharacters) {
  using model::utf8::make_valid;
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(make_valid("plain €👍"), "plain €👍");
  EXPECT_EQ(make_valid("a\x9c b"), "a" + fffd + " b");
  EXPECT_EQ(make_valid("cut \xE2\x82"), "cut " + fffd + fffd);        // cut-off tail
  EXPECT_EQ(make_valid("\xC0\xAF"), fffd + fffd);                      // overlong
  EXPECT_EQ(make_valid("\xED\xA0\x80"), fffd + fffd + fffd);          // surrogate
  EXPECT_EQ(make_valid("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // > U+10FFFF
  EXPECT_EQ(make_valid(""), "");
}

}  // namespace
}  // namespace coderx::testing
