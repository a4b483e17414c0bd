// Chat rendering against the spec's exact example strings (§5.1) and the template rules.
#include "model/chat.h"

#include <gtest/gtest.h>

#include "hand_vocab.h"

namespace coderx::testing {
namespace {

using model::ChatMessage;
using model::ChatRequest;
using model::ChatRole;

ChatRequest hi(bool thinking) {
  ChatRequest r;
  r.messages = {ChatMessage{ChatRole::user, "Hi"}};
  r.thinking = thinking;
  return r;
}

TEST(Chat, SpecExampleThinkingOn) {
  EXPECT_EQ(model::render_chat(hi(true)),
            "<bos><|turn>system\n<|think|>\n<turn|>\n<|turn>user\nHi<turn|>\n<|turn>model\n");
}

TEST(Chat, SpecExampleThinkingOff) {
  EXPECT_EQ(model::render_chat(hi(false)),
            "<bos><|turn>user\nHi<turn|>\n<|turn>model\n<|channel>thought\n<channel|>");
}

TEST(Chat, SystemTurnWithAndWithoutThinking) {
  ChatRequest r;
  r.messages = {{ChatRole::system, "  Be brief.\n"}, {ChatRole::user, "Q"}};
  EXPECT_EQ(model::render_chat(r),
            "<bos><|turn>system\nBe brief.<turn|>\n<|turn>user\nQ<turn|>\n<|turn>model\n"
            "<|channel>thought\n<channel|>");
  r.thinking = true;
  EXPECT_EQ(model::render_chat(r),
            "<bos><|turn>system\n<|think|>\nBe brief.<turn|>\n<|turn>user\nQ<turn|>\n<|turn>model\n");
}

TEST(Chat, ModelTurnsDropThoughtsAndContentIsTrimmed) {
  ChatRequest r;
  r.messages = {{ChatRole::user, "\n  1+1?  \n"},
                {ChatRole::model, "<|channel>thought\nadd them<channel|>2\n"},
                {ChatRole::user, "and 2+2?"}};
  r.add_generation_prompt = false;
  EXPECT_EQ(model::render_chat(r),
            "<bos><|turn>user\n1+1?<turn|>\n<|turn>model\n2<turn|>\n<|turn>user\nand 2+2?<turn|>\n");
}

TEST(Chat, PrefillFollowsTheEmptyThoughtBlockVerbatim) {
  ChatRequest r = hi(false);
  r.messages[0].content = "Complete the code.";
  r.prefill = "def add(a, b):\n    ";
  EXPECT_EQ(model::render_chat(r),
            "<bos><|turn>user\nComplete the code.<turn|>\n<|turn>model\n<|channel>thought\n<channel|>"
            "def add(a, b):\n    ");
}

TEST(Chat, StripThoughts) {
  EXPECT_EQ(model::strip_thoughts("a<|channel>x<channel|>b<|channel>y<channel|>c"), "abc");
  EXPECT_EQ(model::strip_thoughts("a<|channel>unclosed"), "a");
  EXPECT_EQ(model::strip_thoughts("plain"), "plain");
}

TEST(Chat, TokenizeParsesSpecialsAndStartsWithOneBos) {
  auto t = hand_tokenizer();
  ChatRequest r = hi(false);
  r.messages[0].content = "ab";
  auto ids = model::tokenize_chat(t, r);
  std::vector<model::TokenId> want = {hand::kBos, hand::kTurn};
  auto user = t.encode("user\nab", {.add_bos = false});
  want.insert(want.end(), user.begin(), user.end());
  want.push_back(hand::kTurnEnd);
  want.push_back(hand::kNl);
  want.push_back(hand::kTurn);
  auto model_nl = t.encode("model\n", {.add_bos = false});
  want.insert(want.end(), model_nl.begin(), model_nl.end());
  want.push_back(hand::kChannel);
  want.push_back(hand::id("thought"));
  want.push_back(hand::kNl);
  want.push_back(hand::kChannelEnd);
  EXPECT_EQ(ids, want);
}

}  // namespace
}  // namespace coderx::testing
