// LspServer in process on a generated model (random weights, the real engine and its tiny
// vocabulary): an inline completion, a second keystroke on the same line that reuses the
// engine's prefix cache (its prompt only grew at the end), explain with usage, shutdown.
// Outputs are random text; the test checks the plumbing and the cache, not the words.
#include "lsp/server/lsp_server.h"

#include <gtest/gtest.h>

#include "lsp/features/engine_generator.h"
#include "lsp_session.h"
#include "model/test_model.h"
#include "tests/support/paths.h"

namespace coderx::testing {
namespace {

// Forwards to the engine and records each generation's usage and prompt.
class Recorder : public features::TextGenerator {
 public:
  explicit Recorder(std::shared_ptr<features::EngineGenerator> inner) : inner_(std::move(inner)) {}
  features::GenerationOutput generate(const features::GenerationInput& input, std::stop_token stop,
                                      const features::TextCallback& on_text) override {
    features::GenerationOutput out = inner_->generate(input, stop, on_text);
    std::lock_guard lock(mu_);
    inputs_.push_back(input);
    usage_.push_back(out.usage);
    return out;
  }
  std::string describe() const override { return inner_->describe(); }
  std::int64_t count_tokens(std::string_view text) const override { return inner_->count_tokens(text); }
  std::vector<features::Usage> usage() {
    std::lock_guard lock(mu_);
    return usage_;
  }
  std::vector<features::GenerationInput> inputs() {
    std::lock_guard lock(mu_);
    return inputs_;
  }
  features::EngineGenerator& inner() { return *inner_; }

 private:
  std::shared_ptr<features::EngineGenerator> inner_;
  std::mutex mu_;
  std::vector<features::Usage> usage_;
  std::vector<features::GenerationInput> inputs_;
};

json::object pos(int line, int character) { return {{"line", line}, {"character", character}}; }

TEST(LspServerOnAGeneratedModel, KeystrokesReuseThePrefixCacheAndExplainReportsUsage) {
  TempDir dir;
  model::TestModelParams p;
  p.n_layer = 2;
  p.sliding_pattern = {true, false};
  p.n_embd = 128;
  p.n_ff = 256;
  p.n_ff_exp = 64;
  ASSERT_TRUE(model::write_test_model(p, dir / "tiny.gguf"));
  model::EngineOptions engine_options;
  engine_options.threads = 1;
  engine_options.max_context = 1024;
  auto loaded = features::EngineGenerator::load(dir / "tiny.gguf", engine_options);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto recorder = std::make_shared<Recorder>(*loaded);
  server::LspServerOptions options;
  options.index_workspace = false;
  LspSession session(recorder, options);
  json::object budgets{{"contextTokens", 400}, {"answerTokens", 4}, {"deadlineMs", 60000}};
  session.initialize(json::object{{"budgets", {{"inlineCompletion", budgets}, {"explain", budgets}}}});
  std::string text = "def scale(values, factor):\n    out = []\n    for v in values:\n        out.append(v * factor)\n"
                     "    return out\n\nresult = scale([1, 2, 3], \n";
  session.open("file:///w/a.py", text);
  auto complete = [&](std::int64_t id, int character) {
    session.request(id, "textDocument/inlineCompletion",
                    json::object{{"textDocument", {{"uri", "file:///w/a.py"}}}, {"position", pos(6, character)},
                                 {"context", {{"triggerKind", 2}}}});
    return session.response(id);
  };
  json::object first = complete(1, 26);
  ASSERT_TRUE(first.contains("result")) << first;
  // The user types a digit the random model did not suggest (so the result cache cannot answer).
  const json::array& items = first.at("result").at("items").as_array();
  std::string suggested = items.empty() ? "" : std::string(items[0].at("insertText").as_string());
  std::string typed = suggested.starts_with("2") ? "7" : "2";
  session.notify("textDocument/didChange",
                 json::object{{"textDocument", {{"uri", "file:///w/a.py"}, {"version", 2}}},
                              {"contentChanges", json::array{{{"range", {{"start", pos(6, 26)}, {"end", pos(6, 26)}}},
                                                              {"text", typed}}}}});
  ASSERT_TRUE(complete(2, 27).contains("result"));
  auto usage = recorder->usage();
  auto inputs = recorder->inputs();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(inputs[1].user, inputs[0].user);
  EXPECT_EQ(inputs[1].answer_prefix, inputs[0].answer_prefix + typed);
  EXPECT_GT(usage[0].prompt_tokens, 0);
  // Everything but the last few prompt tokens came from the prefix cache.
  EXPECT_GE(usage[1].cached_tokens, usage[0].prompt_tokens - 2) << usage[1].prompt_tokens;
  EXPECT_LT(usage[1].prompt_tokens - usage[1].cached_tokens, 8);
  // The prompt stays within the context budget, counted by the model's tokenizer.
  EXPECT_LE(recorder->count_tokens(inputs[1].user) + recorder->count_tokens(inputs[1].answer_prefix), 400);

  session.request(3, "coderx/explain",
                  json::object{{"textDocument", {{"uri", "file:///w/a.py"}}}, {"range", {{"start", pos(0, 0)}, {"end", pos(5, 0)}}}});
  json::object explained = session.response(3);
  ASSERT_TRUE(explained.contains("result")) << explained;
  EXPECT_GT(explained.at("result").at("usage").at("promptTokens").as_int64(), 0);
  session.request(4, "shutdown", nullptr);
  EXPECT_TRUE(session.response(4).contains("result"));
}

}  // namespace
}  // namespace coderx::testing
