// Chat prompts, the reasoning budget and the streaming pipeline on the real Gemma 4 vocabulary:
// the ids of spec §4.2/§5 (105 <|turn>, 106 <turn|>, 98 <|think|>, 100/101 channel markers,
// 45518 "thought", 4368 "model", 2364 "user", 107 "\n").
#include <gtest/gtest.h>

#include "model/channel_splitter.h"
#include "model/chat.h"
#include "model/detokenizer.h"
#include "model/reasoning_budget.h"
#include "real_tokenizer.h"

namespace coderx::testing {
namespace {

using model::TokenId;
using Ids = std::vector<TokenId>;

model::ChatRequest hi(bool thinking) {
  model::ChatRequest r;
  r.messages = {{model::ChatRole::user, "Hi"}};
  r.thinking = thinking;
  return r;
}

TEST(ChatTokenizer, SpecPromptsAsRealIds) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  Ids hi_ids = tok->encode("Hi", {.add_bos = false});
  Ids off = {2, 105, 2364, 107};
  off.insert(off.end(), hi_ids.begin(), hi_ids.end());
  Ids tail_off = {106, 107, 105, 4368, 107, 100, 45518, 107, 101};
  off.insert(off.end(), tail_off.begin(), tail_off.end());
  EXPECT_EQ(model::tokenize_chat(*tok, hi(false)), off);

  Ids on = {2, 105, 9731, 107, 98, 107, 106, 107, 105, 2364, 107};
  on.insert(on.end(), hi_ids.begin(), hi_ids.end());
  Ids tail_on = {106, 107, 105, 4368, 107};
  on.insert(on.end(), tail_on.begin(), tail_on.end());
  EXPECT_EQ(model::tokenize_chat(*tok, hi(true)), on);
}

TEST(ChatTokenizer, BudgetForcesId101AfterNThoughtTokens) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  auto rb = model::ReasoningBudget::create(*tok, 4);
  ASSERT_TRUE(rb) << rb.error().message;
  rb->observe_prompt(model::tokenize_chat(*tok, hi(true)));
  Ids generated = tok->encode("<|channel>thought\nLet me think about this carefully", {.add_bos = false});
  ASSERT_EQ((Ids{generated[0], generated[1]}), (Ids{100, 45518}));
  Ids out;
  for (TokenId t : generated) {
    TokenId emitted = rb->forced_token().value_or(t);
    rb->accept(emitted);
    out.push_back(emitted);
    if (emitted == 101) break;
  }
  // 100, 45518, then 4 thought tokens ("\n" "Let" " me" " think"), then the forced 101.
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out.back(), 101);
  EXPECT_EQ(Ids(out.begin(), out.end() - 1), Ids(generated.begin(), generated.begin() + 6));
}

TEST(ChatTokenizer, DetokenizerAndSplitterKeepThinkingOutOfTheAnswer) {
  const model::Tokenizer* tok = real_tokenizer();
  ASSERT_NE(tok, nullptr);
  const std::string output = "<|channel>thought\nsecret plan €<channel|>int main() { return 0; }";
  Ids ids = tok->encode(output, {.add_bos = false});
  model::StreamingDetokenizer detok(*tok);
  model::ChannelSplitter split;
  model::ChannelDelta all;
  for (TokenId id : ids) {
    auto piece = detok.push(id);
    ASSERT_TRUE(piece);
    auto d = split.feed(*piece);
    all.answer += d.answer;
    all.thinking += d.thinking;
    EXPECT_EQ(all.answer.find("secret"), std::string::npos);
  }
  auto d = split.feed(detok.finish());
  all.answer += d.answer;
  d = split.finish();
  all.answer += d.answer;
  all.thinking += d.thinking;
  EXPECT_EQ(all.answer, "int main() { return 0; }");
  EXPECT_EQ(all.thinking, "secret plan €");
}

}  // namespace
}  // namespace coderx::testing
