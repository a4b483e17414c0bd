// Reasoning budget: forcing at exactly N thought tokens, budget 0, unlimited, UTF-8 wait,
// early end, re-arm, prompt observation (spec §5.3).
#include "model/reasoning_budget.h"

#include <gtest/gtest.h>

#include "hand_vocab.h"
#include "model/chat.h"

namespace coderx::testing {
namespace {

using model::ReasoningBudget;
using model::TokenId;
using namespace hand;

ReasoningBudget make(const model::Tokenizer& t, int budget, std::string_view message = {}) {
  auto rb = ReasoningBudget::create(t, budget, message);
  if (!rb) throw std::runtime_error(rb.error().message);
  return std::move(*rb);
}

// Feeds `token` unless something is forced; returns the token that went out.
TokenId step(ReasoningBudget& rb, TokenId token) {
  TokenId out = rb.forced_token().value_or(token);
  rb.accept(out);
  return out;
}

TEST(ReasoningBudget, ForcesTheEndMarkerAtExactlyNThoughtTokens) {
  auto t = hand_tokenizer();
  for (int n : {1, 2, 5, 17}) {
    auto rb = make(t, n);
    rb.accept(kChannel);
    rb.accept(id("thought"));
    EXPECT_EQ(rb.state(), ReasoningBudget::State::counting);
    for (int i = 0; i < n; ++i) {
      EXPECT_FALSE(rb.forced_token()) << "n=" << n << " i=" << i;
      rb.accept(id("a"));
    }
    ASSERT_TRUE(rb.forced_token()) << n;
    EXPECT_EQ(*rb.forced_token(), kChannelEnd);
    EXPECT_EQ(rb.thought_tokens(), n);
    rb.accept(kChannelEnd);
    EXPECT_EQ(rb.state(), ReasoningBudget::State::done);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(step(rb, id("b")), id("b"));  // the answer continues
  }
}

TEST(ReasoningBudget, BudgetZeroClosesRightAfterTheLabel) {
  auto t = hand_tokenizer();
  auto rb = make(t, 0);
  EXPECT_FALSE(rb.forced_token());
  rb.accept(kChannel);
  EXPECT_FALSE(rb.forced_token());
  rb.accept(id("thought"));
  ASSERT_TRUE(rb.forced_token());
  EXPECT_EQ(*rb.forced_token(), kChannelEnd);
  EXPECT_EQ(step(rb, id("a")), kChannelEnd);
  EXPECT_EQ(step(rb, id("a")), id("a"));
}

TEST(ReasoningBudget, UnlimitedNeverForces) {
  auto t = hand_tokenizer();
  auto rb = make(t, -1);
  rb.accept(kChannel);
  rb.accept(id("thought"));
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(step(rb, id("a")), id("a"));
  EXPECT_EQ(rb.state(), ReasoningBudget::State::counting);
}

TEST(ReasoningBudget, WaitsForACompleteUtf8Character) {
  auto t = hand_tokenizer();
  auto rb = make(t, 2);
  rb.accept(kChannel);
  rb.accept(id("thought"));
  rb.accept(id("a"));
  rb.accept(kByte0 + 0xE2);  // budget reached inside "€"
  EXPECT_FALSE(rb.forced_token());
  EXPECT_EQ(rb.state(), ReasoningBudget::State::waiting);
  rb.accept(kByte0 + 0x82);
  EXPECT_FALSE(rb.forced_token());
  rb.accept(kByte0 + 0xAC);
  ASSERT_TRUE(rb.forced_token());
  EXPECT_EQ(*rb.forced_token(), kChannelEnd);
}

TEST(ReasoningBudget, ModelEndingEarlyAndReArming) {
  auto t = hand_tokenizer();
  auto rb = make(t, 3);
  for (TokenId x : {kChannel, id("thought"), id("a"), kChannelEnd}) EXPECT_EQ(step(rb, x), x);
  EXPECT_EQ(rb.state(), ReasoningBudget::State::done);
  // A second thought block gets a fresh budget.
  for (TokenId x : {id("b"), kChannel, id("thought"), id("a"), id("a"), id("a")}) EXPECT_EQ(step(rb, x), x);
  EXPECT_EQ(step(rb, id("a")), kChannelEnd);
  EXPECT_EQ(step(rb, id("c")), id("c"));
}

TEST(ReasoningBudget, StartSequenceMustBeContiguous) {
  auto t = hand_tokenizer();
  auto rb = make(t, 0);
  for (TokenId x : {kChannel, id("a"), id("thought")}) EXPECT_EQ(step(rb, x), x);
  EXPECT_FALSE(rb.forced_token());
  for (TokenId x : {kChannel, kChannel}) EXPECT_EQ(step(rb, x), x);
  rb.accept(id("thought"));
  EXPECT_TRUE(rb.forced_token());
}

TEST(ReasoningBudget, ForcedMessageComesBeforeTheEndMarker) {
  auto t = hand_tokenizer();
  auto rb = make(t, 1, "ab");
  rb.accept(kChannel);
  rb.accept(id("thought"));
  rb.accept(id("c"));
  EXPECT_EQ(step(rb, id("x")), id("ab"));
  EXPECT_EQ(step(rb, id("x")), kChannelEnd);
  EXPECT_EQ(step(rb, id("x")), id("x"));
}

TEST(ReasoningBudget, PromptObservation) {
  auto t = hand_tokenizer();
  model::ChatRequest off;
  off.messages = {{model::ChatRole::user, "ab"}};
  auto rb = make(t, 0);
  rb.observe_prompt(model::tokenize_chat(t, off));  // ends with the empty thought block
  EXPECT_EQ(rb.state(), ReasoningBudget::State::done);
  EXPECT_FALSE(rb.forced_token());
  // Thinking on: the model opens the block itself and the budget applies.
  model::ChatRequest on = off;
  on.thinking = true;
  auto rb2 = make(t, 2);
  rb2.observe_prompt(model::tokenize_chat(t, on));
  EXPECT_EQ(rb2.state(), ReasoningBudget::State::idle);
  for (TokenId x : {kChannel, id("thought"), kNl, id("a")}) EXPECT_EQ(step(rb2, x), x);
  EXPECT_EQ(step(rb2, id("a")), kChannelEnd);
}

TEST(ReasoningBudget, RefusesAVocabularyWithoutChannelMarkers) {
  auto data = hand_vocab_data();
  data.tokens[kChannel] = "<|nope>";
  auto t = model::Tokenizer::create(std::move(data));
  ASSERT_TRUE(t);
  auto rb = ReasoningBudget::create(*t, 3);
  ASSERT_FALSE(rb);
  EXPECT_NE(rb.error().message.find("<|channel>"), std::string::npos);
}

}  // namespace
}  // namespace coderx::testing
