// The OpenAI `stop` parameter in `coderx serve`: StopMatcher against a naive reference (the
// whole text cut at its first stop string) over random texts, stop sets and chunkings; then an
// in-process server with a scripted generator: whole and streamed answers end before the stop
// string, which no chunk ever shows, the generation is cancelled as soon as it appears, and text
// held back as a possible stop prefix still arrives when no stop follows. With
// stream_options.continuous_usage_stats every chunk carries the running usage, which is how a
// server chained to another one (--engine openai://) still reports the tokens a stop string cut;
// a chained server also passes the stop strings on (thinking off), for servers without it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "lsp/features/remote_generator.h"
#include "lsp/features/stop_generation.h"
#include "lsp/features/stop_sequences.h"
#include "serve_test_support.h"
#include "tests/support/http_client.h"

namespace coderx::serve {
namespace {

namespace json = boost::json;
using features::StopMatcher;
using features::truncate_at_stop;
using testing::LocalServe;
using testing::StreamScript;

std::string random_text(std::mt19937& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<int> ch(0, 2);
  std::string s(len(rng), 'a');
  for (char& c : s) c = "ab\n"[ch(rng)];
  return s;
}

TEST(StopMatcher, AgreesWithCuttingTheWholeTextOverRandomChunkings) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<std::string> stops;
    for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) stops.push_back(random_text(rng, 4));
    const std::string text = random_text(rng, 24);
    const std::string expected = truncate_at_stop(text, stops);
    std::size_t longest = 0;
    for (const std::string& s : stops) longest = std::max(longest, s.size());
    StopMatcher matcher(stops);
    std::string got, fed;
    for (std::size_t at = 0; at < text.size() && !matcher.stopped();) {
      std::size_t n = std::min<std::size_t>(rng() % 5, text.size() - at);
      fed += text.substr(at, n);
      got += matcher.feed(std::string_view(text).substr(at, n));
      at += n;
      ASSERT_EQ(got, matcher.sent());
      ASSERT_EQ(truncate_at_stop(got, stops), got) << "a stop string was sent";
      ASSERT_TRUE(fed.starts_with(got));
      if (!matcher.stopped()) {
        ASSERT_LT(fed.size() - got.size(), std::max<std::size_t>(longest, 1)) << "held back more than a stop prefix";
      }
    }
    std::string shown = "text '" + text + "', stops:";
    for (const std::string& s : stops) shown += " '" + s + "'";
    if (matcher.stopped()) {
      EXPECT_EQ(got, expected) << shown;
    } else {
      EXPECT_EQ(expected, text) << "a stop string in the text was missed; " << shown;
    }
    EXPECT_TRUE(text.starts_with(got));
  }
}

TEST(StopMatcher, FindsAStopStringSplitAcrossPieces) {
  StopMatcher m({"\n\n"});
  EXPECT_EQ(m.feed("int x;\n"), "int x;");
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.feed("\nint y;"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.feed("more"), "");
  EXPECT_EQ(m.sent(), "int x;");
}

TEST(GenerateUntilStop, ACancelFromOutsideStaysACancel) {
  StreamScript script;
  script.answer = {"a", "zz", "b"};
  script.hold_after = 1;  // after "a" the generator waits until it is cancelled
  features::GenerationInput in;
  in.stops = {"zz"};
  in.budgets.answer_tokens = 9;
  std::stop_source outer;
  std::string streamed;
  features::StreamCallbacks callbacks;
  callbacks.on_answer = [&](std::string_view t) {
    streamed += t;
    outer.request_stop();  // the client went away after the first piece
  };
  features::GenerationOutput out = features::generate_until_stop(script, in, outer.get_token(), callbacks);
  EXPECT_EQ(out.finish, features::FinishReason::cancelled);
  EXPECT_EQ(streamed, "a");
  EXPECT_EQ(out.answer, "a");
}

// Content and finish reason of a streamed chat answer; no chunk may show `stop`.
std::pair<std::string, std::string> read_stream(const std::string& body, const std::string& stop) {
  std::string content, finish;
  for (const std::string& e : testing::sse_data(body)) {
    if (e == "[DONE]") continue;
    const json::value event = json::parse(e);
    const json::object& choice = event.at("choices").at(0).as_object();
    const json::object& delta = choice.at("delta").as_object();
    if (delta.contains("content")) {
      std::string piece(delta.at("content").as_string());
      EXPECT_EQ(piece.find(stop), std::string::npos) << "a chunk shows the stop string";
      content += piece;
    }
    if (!choice.at("finish_reason").is_null()) finish = choice.at("finish_reason").as_string();
  }
  return {content, finish};
}

std::string chat(const std::string& fields) {
  return R"({"messages":[{"role":"user","content":"q"}])" + fields + "}";
}

TEST(ServeStop, WholeAnswerEndsBeforeTheStopString) {
  auto script = std::make_shared<StreamScript>();
  LocalServe serve(script);
  testing::HttpReply r = testing::http_request(serve.port(), "POST", "/v1/chat/completions", chat(R"(,"stop":"= ")"));
  ASSERT_EQ(r.status, 200) << r.raw;
  const json::value reply = json::parse(r.body);
  const json::value& choice = reply.at("choices").at(0);
  EXPECT_EQ(choice.at("message").at("content"), "int x ");
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  testing::HttpReply c = testing::http_request(serve.port(), "POST", "/v1/completions",
                                               R"({"prompt":"p","stop":["zz",";"]})");
  ASSERT_EQ(c.status, 200) << c.raw;
  EXPECT_EQ(json::parse(c.body).at("choices").at(0).at("text"), "int x = 1");
}

TEST(ServeStop, StreamStopsTheGenerationAtTheStopString) {
  auto script = std::make_shared<StreamScript>();
  script->answer = {"int ", "x = ", "1;", " never"};
  script->hold_after = 2;  // after "x = " the generator waits until it is cancelled
  LocalServe serve(script);
  testing::HttpReply r = testing::http_request(serve.port(), "POST", "/v1/chat/completions",
                                               chat(R"(,"stream":true,"stop":["= "])"));
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(script->wait_cancelled(1));
  auto [content, finish] = read_stream(r.body, "= ");
  EXPECT_EQ(content, "int x ");
  EXPECT_EQ(finish, "stop");
}

TEST(ServeStop, HeldBackTextArrivesWhenNoStopFollows) {
  auto script = std::make_shared<StreamScript>();
  script->answer = {"a=", " b", " =", "="};
  LocalServe serve(script);
  testing::HttpReply r = testing::http_request(serve.port(), "POST", "/v1/chat/completions",
                                               chat(R"(,"stream":true,"stop":["= x"],"max_tokens":9)"));
  ASSERT_EQ(r.status, 200) << r.raw;
  auto [content, finish] = read_stream(r.body, "= x");
  EXPECT_EQ(content, "a= b ==");
  EXPECT_EQ(finish, "stop");
}

// completion_tokens of a usage object.
std::int64_t completion_tokens(const json::value& event) { return event.at("usage").at("completion_tokens").as_int64(); }

// The JSON chunks of a streamed answer, [DONE] left out.
std::vector<json::value> chunks(const std::string& body) {
  std::vector<json::value> out;
  for (const std::string& e : testing::sse_data(body))
    if (e != "[DONE]") out.push_back(json::parse(e));
  return out;
}

TEST(ServeUsage, ContinuousUsageStatsPutTheRunningCountsInEveryChunk) {
  auto script = std::make_shared<StreamScript>();
  LocalServe serve(script);
  testing::HttpReply r = testing::http_request(
      serve.port(), "POST", "/v1/chat/completions",
      chat(R"(,"stream":true,"thinking_budget_tokens":8,)"
           R"("stream_options":{"include_usage":true,"continuous_usage_stats":true})"));
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::vector<json::value> events = chunks(r.body);
  ASSERT_GE(events.size(), 3u);
  std::int64_t last = 0;
  for (const json::value& e : events) {
    ASSERT_TRUE(e.as_object().contains("usage")) << json::serialize(e);
    EXPECT_EQ(e.at("usage").at("prompt_tokens").as_int64(), 11);
    EXPECT_GE(completion_tokens(e), last) << "the running count went down";
    last = completion_tokens(e);
  }
  EXPECT_GE(completion_tokens(events.front()), 1);
  // 2 thinking pieces and 3 answer pieces, one token each; the final chunk and the usage chunk agree.
  EXPECT_EQ(completion_tokens(events.back()), 5);
  EXPECT_EQ(completion_tokens(events[events.size() - 2]), 5);
  EXPECT_EQ(events.back().at("usage").at("completion_tokens_details").at("reasoning_tokens").as_int64(), 2);
}

TEST(ServeUsage, WithoutContinuousStatsOnlyTheLastChunkHasUsage) {
  auto script = std::make_shared<StreamScript>();
  LocalServe serve(script);
  testing::HttpReply r = testing::http_request(serve.port(), "POST", "/v1/chat/completions",
                                               chat(R"(,"stream":true,"stream_options":{"include_usage":true})"));
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::vector<json::value> events = chunks(r.body);
  ASSERT_GE(events.size(), 2u);
  for (std::size_t i = 0; i + 1 < events.size(); ++i) EXPECT_FALSE(events[i].as_object().contains("usage"));
  EXPECT_EQ(completion_tokens(events.back()), 3);
}

// coderx serve in front of another OpenAI server: the stop string is found here, so the remote
// stream is cancelled before its final usage; its running usage still gives the tokens used.
TEST(ServeUsage, AStopStringInAChainedServerStillReportsTheTokensUsed) {
  auto script = std::make_shared<StreamScript>();
  script->answer = {"int ", "x = ", "1;", " never"};
  script->hold_after = 2;  // after "x = " the far generator waits until it is cancelled
  LocalServe far(script);
  auto remote = features::RemoteGenerator::create(far.url(), "", {});
  ASSERT_TRUE(remote) << remote.error().message;
  LocalServe near(*remote);
  testing::HttpReply r = testing::http_request(near.port(), "POST", "/v1/chat/completions", chat(R"(,"stop":"= ")"));
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(script->wait_cancelled(1));
  const json::value reply = json::parse(r.body);
  EXPECT_EQ(reply.at("choices").at(0).at("message").at("content"), "int x ");
  EXPECT_EQ(reply.at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_EQ(reply.at("usage").at("prompt_tokens").as_int64(), 11);
  EXPECT_EQ(completion_tokens(reply), 2);
}

// The stop strings of the request as sent upstream ({} when absent).
std::vector<std::string> stops_sent(const std::string& request) {
  const json::object body = json::parse(request.substr(request.find("\r\n\r\n") + 4)).as_object();
  std::vector<std::string> out;
  if (const json::value* stop = body.if_contains("stop"))
    for (const json::value& s : stop->as_array()) out.emplace_back(s.as_string());
  return out;
}

// A chained coderx serve passes the stop strings on, so a server that sends its usage only in the
// last chunk (llama-server) ends at the stop string itself and that usage still arrives. Not while
// thinking: upstream servers also match stop strings inside the thinking, where ours do not apply.
TEST(ServeUsage, AChainedServerPassesStopStringsOnSoTheLastChunksUsageArrives) {
  testing::FakeHttp far({testing::FakeHttp::sse(
      {R"({"choices":[{"index":0,"delta":{"content":"int "},"finish_reason":null}]})",
       R"({"choices":[{"index":0,"delta":{"content":"x "},"finish_reason":null}]})",
       R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],)"
       R"("usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}})",
       "[DONE]"})});
  auto remote = features::RemoteGenerator::create(far.url(), "", {});
  ASSERT_TRUE(remote) << remote.error().message;
  LocalServe near(*remote);
  testing::HttpReply r =
      testing::http_request(near.port(), "POST", "/v1/chat/completions", chat(R"(,"stop":["= ","\n\n"])"));
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(stops_sent(far.last_request()), (std::vector<std::string>{"= ", "\n\n"}));
  const json::value reply = json::parse(r.body);
  EXPECT_EQ(reply.at("choices").at(0).at("message").at("content"), "int x ");
  EXPECT_EQ(reply.at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_EQ(reply.at("usage").at("prompt_tokens").as_int64(), 7);
  EXPECT_EQ(completion_tokens(reply), 3);

  testing::HttpReply thinking = testing::http_request(near.port(), "POST", "/v1/chat/completions",
                                                      chat(R"(,"stop":"= ","thinking_budget_tokens":8)"));
  ASSERT_EQ(thinking.status, 200) << thinking.raw;
  EXPECT_TRUE(stops_sent(far.last_request()).empty());
  testing::HttpReply none = testing::http_request(near.port(), "POST", "/v1/chat/completions", chat(""));
  ASSERT_EQ(none.status, 200) << none.raw;
  EXPECT_TRUE(stops_sent(far.last_request()).empty());
}

}  // namespace
}  // namespace coderx::serve
