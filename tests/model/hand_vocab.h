// Test helper: a small hand-built "gemma4" BPE vocabulary whose tokenizations can be worked
// out by hand from the rules of spec §4.1. Ids of the named tokens are constants below; the
// 256 byte tokens "<0x00>".."<0xFF>" are ids kByte0 + b.
#pragma once

#include <string>
#include <vector>

#include "model/tokenizer.h"

namespace coderx::testing {

namespace hand {
using model::TokenId;
inline constexpr TokenId kPad = 0, kEos = 1, kBos = 2, kUnk = 3, kTurn = 4, kTurnEnd = 5,
                         kChannel = 6, kChannelEnd = 7, kThink = 8, kS1 = 9, kS1S2 = 10, kS2 = 11,
                         kNl = 12, kNl2 = 13, kByte0 = 14;
// Ordinary tokens after the byte tokens, in this order.
inline const std::vector<std::string>& normal_texts() {
  static const std::vector<std::string> t = {
      "a", "b", "c", "bc", "abc", "ab", "aa", "\xE2\x96\x81", "\xE2\x96\x81" "a", "a\n",
      "t", "h", "o", "u", "g", "th", "tho", "thou", "thoug", "though", "thought", "x", "y",
      "\xE2\x82\xAC"};  // "€"
  return t;
}
inline TokenId id(const std::string& text) {
  const auto& t = normal_texts();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] == text) return kByte0 + 256 + static_cast<TokenId>(i);
  return model::kNoToken;
}
}  // namespace hand

// merges in rank order; the first ones decide the rank tests:
//   "b c" (0) before "a b" (2): "abc" → a+bc → "abc" via "a bc" (1).
inline model::VocabData hand_vocab_data() {
  using model::TokenType;
  model::VocabData d;
  auto add = [&](std::string text, TokenType type) {
    d.tokens.push_back(std::move(text));
    d.types.push_back(type);
  };
  add("<pad>", TokenType::control);
  add("<eos>", TokenType::control);
  add("<bos>", TokenType::control);
  add("<unk>", TokenType::unknown);
  add("<|turn>", TokenType::control);
  add("<turn|>", TokenType::control);
  add("<|channel>", TokenType::user_defined);
  add("<channel|>", TokenType::user_defined);
  add("<|think|>", TokenType::control);
  add("<s1>", TokenType::control);
  add("<s1><s2>", TokenType::control);
  add("<s2>", TokenType::control);
  add("\n", TokenType::normal);
  add("\n\n", TokenType::normal);
  static const char* hex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) add(std::string("<0x") + hex[b / 16] + hex[b % 16] + ">", TokenType::byte);
  for (const std::string& t : hand::normal_texts()) add(t, TokenType::normal);
  d.merges = {"b c", "a bc", "a b", "a a", "\xE2\x96\x81 a", "a \n",
              "t h", "th o", "tho u", "thou g", "thoug h", "though t"};
  d.bos_id = hand::kBos;
  d.eos_id = hand::kEos;
  d.unk_id = hand::kUnk;
  d.pad_id = hand::kPad;
  d.add_bos = true;
  return d;
}

inline model::Tokenizer hand_tokenizer() {
  auto t = model::Tokenizer::create(hand_vocab_data());
  if (!t) throw std::runtime_error(t.error().message);
  return std::move(*t);
}

}  // namespace coderx::testing
