// lsp/serve/request_mapping: OpenAI request bodies (hand-written) → GenerationInput, and the
// 400 messages for bad ones.
#include <gtest/gtest.h>

#include "lsp/serve/request_mapping.h"

namespace coderx::serve {
namespace {

using features::RequestKind;

TEST(ServeRequestMapping, ChatTurnsBudgetsAndStreamOptions) {
  ServeOptions o;
  auto r = map_chat_request(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},
      "max_tokens":99,"thinking_budget_tokens":12,"coderx_kind":"inline_completion",
      "messages":[{"role":"system","content":"sys"},{"role":"developer","content":"dev"},
                  {"role":"user","content":[{"type":"text","text":"hel"},{"type":"text","text":"lo"}]}]})", o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "m");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_FALSE(r->continuous_usage);
  EXPECT_EQ(r->input.system, "sys\n\ndev");
  EXPECT_EQ(r->input.user, "hello");
  EXPECT_EQ(r->input.answer_prefix, "");
  EXPECT_EQ(r->input.budgets.answer_tokens, 99);
  EXPECT_EQ(r->input.budgets.thinking_tokens, 12);
  EXPECT_EQ(r->input.budgets.deadline, o.request_timeout);
  EXPECT_EQ(r->input.kind, RequestKind::inline_completion);
}

TEST(ServeRequestMapping, ContinuousUsageNeedsIncludeUsageAsInVllm) {
  ServeOptions o;
  auto both = map_chat_request(
      R"({"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true},"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_TRUE(both->continuous_usage);
  auto alone = map_chat_request(
      R"({"stream":true,"stream_options":{"continuous_usage_stats":true},"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(alone) << alone.error().message;
  EXPECT_FALSE(alone->continuous_usage);
  EXPECT_FALSE(alone->include_usage);
}

TEST(ServeRequestMapping, DefaultsAndTheThinkingSwitch) {
  ServeOptions o;
  auto plain = map_chat_request(R"({"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->stream);
  EXPECT_EQ(plain->input.budgets.answer_tokens, o.default_max_tokens);
  EXPECT_EQ(plain->input.budgets.thinking_tokens, 0);
  EXPECT_EQ(plain->input.kind, RequestKind::explain);
  auto on = map_chat_request(
      R"({"max_completion_tokens":7,"chat_template_kwargs":{"enable_thinking":true},"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(on);
  EXPECT_EQ(on->input.budgets.thinking_tokens, o.default_thinking_tokens);
  EXPECT_EQ(on->input.budgets.answer_tokens, 7);
}

TEST(ServeRequestMapping, FinalAssistantMessageIsThePrefillAndTurnsBecomeATranscript) {
  ServeOptions o;
  auto r = map_chat_request(R"({"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},
      {"role":"user","content":"c"},{"role":"assistant","content":"int x"}]})", o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->input.answer_prefix, "int x");
  EXPECT_EQ(r->input.user, "User:\na\n\nAssistant:\nb\n\nUser:\nc");
}

TEST(ServeRequestMapping, CompletionPromptIsContinued) {
  ServeOptions o;
  auto r = map_completion_request(R"({"prompt":["def f():"],"max_tokens":5})", o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->input.answer_prefix, "def f():");
  EXPECT_EQ(r->input.user, "");
  EXPECT_EQ(r->input.kind, RequestKind::completion);
  EXPECT_EQ(r->input.budgets.answer_tokens, 5);
}

TEST(ServeRequestMapping, StopStringsAndIgnoredSamplingFields) {
  ServeOptions o;
  auto one = map_chat_request(R"({"stop":"\n\n","messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->input.stops, (std::vector<std::string>{"\n\n"}));
  auto many = map_completion_request(
      R"({"prompt":"p","stop":["```","\n}"],"n":1,"temperature":0.2,"top_p":1,"seed":-7,"frequency_penalty":-2})", o);
  ASSERT_TRUE(many) << many.error().message;
  EXPECT_EQ(many->input.stops, (std::vector<std::string>{"```", "\n}"}));
  auto none = map_chat_request(R"({"stop":null,"temperature":null,"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->input.stops.empty());
  auto empty = map_chat_request(R"({"stop":[],"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->input.stops.empty());
}

TEST(ServeRequestMapping, BadRequestsNameTheField) {
  ServeOptions o;
  struct Case {
    const char* body;
    const char* why;
  } chat[] = {
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({})", "'messages' must be an array"},
      {R"({"messages":[]})", "must not be empty"},
      {R"({"messages":[{"role":"system","content":"s"}]})", "needs a user message"},
      {R"({"messages":[{"content":"s"}]})", "messages[0].role"},
      {R"({"messages":[{"role":"tool","content":"s"}]})", "messages[0].role"},
      {R"({"messages":[{"role":"user","content":5}]})", "messages[0].content"},
      {R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})", "messages[0].content"},
      {R"({"max_tokens":0,"messages":[{"role":"user","content":"q"}]})", "'max_tokens' must be in [1, 32768]"},
      {R"({"max_tokens":1e9,"messages":[{"role":"user","content":"q"}]})", "'max_tokens' must be an integer"},
      {R"({"max_tokens":99999999,"messages":[{"role":"user","content":"q"}]})", "'max_tokens' must be in"},
      {R"({"thinking_budget_tokens":-1,"messages":[{"role":"user","content":"q"}]})", "'thinking_budget_tokens'"},
      {R"({"stream":"yes","messages":[{"role":"user","content":"q"}]})", "'stream' must be true or false"},
      {R"({"stream_options":{"continuous_usage_stats":1},"messages":[{"role":"user","content":"q"}]})",
       "'continuous_usage_stats' must be true or false"},
      {R"({"stop":"","messages":[{"role":"user","content":"q"}]})", "'stop' must be a string or an array"},
      {R"({"stop":[1],"messages":[{"role":"user","content":"q"}]})", "'stop' must be a string or an array"},
      {R"({"stop":{},"messages":[{"role":"user","content":"q"}]})", "'stop' must be a string or an array"},
      {R"({"stop":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"],"messages":[{"role":"user","content":"q"}]})",
       "at most 16 strings"},
      {R"({"n":3,"messages":[{"role":"user","content":"q"}]})", "'n' must be 1: coderx serve returns one choice"},
      {R"({"n":1.5,"messages":[{"role":"user","content":"q"}]})", "'n' must be an integer"},
      {R"({"temperature":"hot","messages":[{"role":"user","content":"q"}]})", "'temperature' must be a number"},
      {R"({"temperature":2.5,"messages":[{"role":"user","content":"q"}]})", "'temperature' must be in [0, 2]"},
      {R"({"top_p":-0.1,"messages":[{"role":"user","content":"q"}]})", "'top_p' must be in [0, 1]"},
      {R"({"presence_penalty":3,"messages":[{"role":"user","content":"q"}]})", "'presence_penalty' must be in [-2, 2]"},
      {R"({"seed":"x","messages":[{"role":"user","content":"q"}]})", "'seed' must be an integer"},
  };
  for (const Case& c : chat) {
    auto r = map_chat_request(c.body, o);
    ASSERT_FALSE(r) << c.body;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << c.body << " → " << r.error().message;
  }
  auto r = map_completion_request(R"({"prompt":7})", o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'prompt' must be a string"), std::string::npos);
  auto logprobs = map_chat_request(R"({"logprobs":true,"messages":[{"role":"user","content":"q"}]})", o);
  ASSERT_FALSE(logprobs);
  EXPECT_NE(logprobs.error().message.find("'logprobs' is not supported"), std::string::npos);
}

// What a greedy engine without fill-in-the-middle or log-probabilities cannot give is a 400
// naming the field, never an answer that silently lacks it.
TEST(ServeRequestMapping, CompletionFieldsThatCannotBeHonouredAreRefused) {
  ServeOptions o;
  struct Case {
    const char* body;
    const char* why;
  } cases[] = {
      {R"({"prompt":"p","suffix":"}\n"})", "'suffix' is not supported: Gemma 4 has no fill-in-the-middle"},
      {R"({"prompt":"p","suffix":3})", "'suffix' must be a string"},
      {R"({"prompt":"p","best_of":2})", "'best_of' must be 1"},
      {R"({"prompt":"p","best_of":"2"})", "'best_of' must be an integer"},
      {R"({"prompt":"p","logprobs":0})", "'logprobs' is not supported"},
      {R"({"prompt":"p","echo":"yes"})", "'echo' must be true or false"},
  };
  for (const Case& c : cases) {
    auto r = map_completion_request(c.body, o);
    ASSERT_FALSE(r) << c.body;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << c.body << " → " << r.error().message;
  }
  auto fine = map_completion_request(R"({"prompt":"p","suffix":"","best_of":1,"logprobs":null,"echo":false})", o);
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->echo, "");
  auto echo = map_completion_request(R"({"prompt":"def f():","echo":true})", o);
  ASSERT_TRUE(echo) << echo.error().message;
  EXPECT_EQ(echo->echo, "def f():");
  EXPECT_EQ(echo->input.answer_prefix, "def f():");
}

}  // namespace
}  // namespace coderx::serve
