// model/remote/openai_wire: the request body read back with Boost.JSON field by field, and
// decoding of hand-written chunks in the shapes vLLM, llama-server and OpenAI send.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/remote/openai_wire.h"

namespace coderx::model::remote {
namespace {

namespace json = boost::json;

TEST(OpenAiWire, RequestCarriesBudgetsPrefillAndKind) {
  ChatCall call;
  call.model = "gemma-4";
  call.messages = {{"system", "be brief"}, {"user", "explain"}, {"assistant", "int x ="}};
  call.prefill = true;
  call.max_tokens = 77;
  call.thinking_budget_tokens = 33;
  call.temperature = 0.0;
  call.kind = "refactor";
  call.stop = {"\n\n", "```"};
  json::object o = json::parse(encode_chat_call(call)).as_object();
  EXPECT_EQ(o.at("model"), "gemma-4");
  EXPECT_EQ(o.at("max_tokens"), 77);
  EXPECT_EQ(o.at("thinking_budget_tokens"), 33);
  EXPECT_EQ(o.at("chat_template_kwargs").at("enable_thinking"), true);
  EXPECT_EQ(o.at("stream"), true);
  EXPECT_EQ(o.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(o.at("stream_options").at("continuous_usage_stats"), true);
  EXPECT_EQ(o.at("continue_final_message"), true);
  EXPECT_EQ(o.at("add_generation_prompt"), false);
  EXPECT_EQ(o.at("temperature").as_double(), 0.0);
  EXPECT_EQ(o.at("coderx_kind"), "refactor");
  EXPECT_EQ(o.at("stop"), (json::array{"\n\n", "```"}));
  const json::array& m = o.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[2].at("role"), "assistant");
  EXPECT_EQ(m[2].at("content"), "int x =");
}

TEST(OpenAiWire, RequestWithoutOptionsOmitsThem) {
  ChatCall call;
  call.messages = {{"user", "q \"quoted\" \n and \xC3\xA9"}};
  json::object o = json::parse(encode_chat_call(call)).as_object();
  EXPECT_FALSE(o.contains("model"));
  EXPECT_FALSE(o.contains("continue_final_message"));
  EXPECT_FALSE(o.contains("temperature"));
  EXPECT_FALSE(o.contains("coderx_kind"));
  EXPECT_FALSE(o.contains("stop"));
  EXPECT_EQ(o.at("chat_template_kwargs").at("enable_thinking"), false);
  EXPECT_EQ(o.at("messages").at(0).at("content"), "q \"quoted\" \n and \xC3\xA9");
}

TEST(OpenAiWire, DecodesDeltasMessagesUsageAndErrors) {
  auto d = decode_chunk(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->content, "hi");
  EXPECT_EQ(d->finish_reason, "");
  EXPECT_FALSE(d->usage);
  auto vllm = decode_chunk(R"({"choices":[{"delta":{"reasoning_content":"hmm"}}]})");
  ASSERT_TRUE(vllm);
  EXPECT_EQ(vllm->reasoning, "hmm");
  EXPECT_EQ(vllm->content, "");
  auto other = decode_chunk(R"({"choices":[{"delta":{"reasoning":"r","content":null}}]})");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->reasoning, "r");
  auto whole = decode_chunk(
      R"({"choices":[{"message":{"content":"a","reasoning_content":"t"},"finish_reason":"length"}],)"
      R"("usage":{"prompt_tokens":10,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":4},)"
      R"("completion_tokens_details":{"reasoning_tokens":3}}})");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->content, "a");
  EXPECT_EQ(whole->reasoning, "t");
  EXPECT_EQ(whole->finish_reason, "length");
  ASSERT_TRUE(whole->usage);
  EXPECT_EQ(whole->usage->prompt_tokens, 10);
  EXPECT_EQ(whole->usage->cached_tokens, 4);
  EXPECT_EQ(whole->usage->completion_tokens, 7);
  EXPECT_EQ(whole->usage->reasoning_tokens, 3);
  auto usage_only = decode_chunk(R"({"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":1}})");
  ASSERT_TRUE(usage_only);
  EXPECT_EQ(usage_only->usage->prompt_tokens, 2);
  auto error = decode_chunk(R"({"error":{"message":"out of memory","type":"server_error"}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error, "out of memory");
}

TEST(OpenAiWire, MalformedChunksAreFormatErrors) {
  for (const char* bad : {"", "not json", "[1,2]", R"({"choices":5})", R"({"choices":[7]})"}) {
    auto d = decode_chunk(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().code, Errc::format);
  }
}

TEST(OpenAiWire, ErrorBodiesBecomeOneReadableLine) {
  EXPECT_EQ(describe_error_body(R"({"error":{"message":"model not found"}})"), "model not found");
  EXPECT_EQ(describe_error_body("Bad\ngateway"), "Bad gateway");
  EXPECT_EQ(describe_error_body(std::string(500, 'x')).size(), 203u);
  EXPECT_EQ(describe_error_body(R"({"error":{"message":"mod\u00e8le introuvable \u2014 \u00e9chec"}})"),
            "mod\u00e8le introuvable \u2014 \u00e9chec");  // non-ASCII stays readable
  std::string wide;
  for (int i = 0; i < 100; ++i) wide += "\u65e5";  // 3 bytes each: 200 bytes fall inside one
  std::string cut = describe_error_body(wide);
  EXPECT_EQ(cut, wide.substr(0, 198) + "...");  // cut between characters
  EXPECT_EQ(describe_error_body("bad \xff byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_LE(describe_error_body(std::string(300, '\x80')).size(), 203u);  // U+FFFD does not overrun the limit
}

TEST(OpenAiWire, ModelList) {
  auto ids = decode_model_list(R"({"object":"list","data":[{"id":"a"},{"id":"b"}]})");
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(decode_model_list(R"({"data":{}})"));
}

}  // namespace
}  // namespace coderx::model::remote
