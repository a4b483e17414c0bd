// `coderx serve` when the generator finds the request unusable (a prompt over the context): a 400
// invalid_request_error, never a 500 that OpenAI clients would retry, and for a streamed request
// a plain HTTP error before any event stream starts. A real engine failure stays a 500.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "serve_test_support.h"
#include "tests/support/http_client.h"

namespace coderx::serve {
namespace {

namespace json = boost::json;

struct Failing : features::TextGenerator {
  bool rejected = true;
  features::GenerationOutput generate(const features::GenerationInput&, std::stop_token,
                                      const features::TextCallback&) override {
    features::GenerationOutput out;
    out.finish = features::FinishReason::error;
    out.error = rejected ? "prompt of 9999 tokens does not fit the context budget of 8192" : "CUDA error";
    out.input_rejected = rejected;
    return out;
  }
  std::string describe() const override { return "failing"; }
};

const std::string kChat = R"({"messages":[{"role":"user","content":"q"}])";

TEST(ServeRejected, APromptOverTheContextIsA400WholeOrStreamed) {
  auto generator = std::make_shared<Failing>();
  testing::LocalServe serve(generator);
  for (const std::string& body : {kChat + "}", kChat + R"(,"stream":true})"}) {
    testing::HttpReply r = testing::http_request(serve.port(), "POST", "/v1/chat/completions", body);
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_EQ(r.headers["content-type"], "application/json") << r.raw;
    json::value error = json::parse(r.body).at("error");
    EXPECT_EQ(error.at("type"), "invalid_request_error");
    EXPECT_NE(std::string(error.at("message").as_string()).find("does not fit the context"), std::string::npos);
  }
  generator->rejected = false;
  testing::HttpReply whole = testing::http_request(serve.port(), "POST", "/v1/chat/completions", kChat + "}");
  EXPECT_EQ(whole.status, 500) << whole.raw;
  testing::HttpReply streamed =
      testing::http_request(serve.port(), "POST", "/v1/chat/completions", kChat + R"(,"stream":true})");
  EXPECT_EQ(streamed.status, 500) << streamed.raw;  // failed before any text: still a plain error
}

}  // namespace
}  // namespace coderx::serve
