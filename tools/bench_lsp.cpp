// bench_lsp: the language server's own overhead, model time excluded (an instant generator).
//   1. inline completion round trip (dispatch of the JSON body → reply serialised) on a
//      5,000-line file: cold (a new cursor each time, so the completion cache misses, context is
//      gathered and the generator is called) and warm (the user types the cached suggestion);
//      p50 / p99;
//   2. one-character incremental didChange on the reader thread (text only), and the time
//      until the parse thread has the new version's tree;
//   3. memory per open document (RSS growth over N opened and parsed 5,000-line documents).
// With --model F (e.g. from `coderx model make-test`), the same server runs on that model:
//   4. keystroke to reply (didChange + inlineCompletion → reply) with a warm prefix cache
//      (the next character on the same line) vs cold (a new document: nothing cached), with
//      the prompt and cached token counts the engine reported.
// --vocab F counts context tokens with the tokenizer of GGUF F (e.g. the Gemma 4 vocabulary the
// tests cache under build/test-cache/) instead of the 4-bytes-per-token estimate.
// Usage: bench_lsp [--requests N] [--documents N] [--vocab F] [--model F --keystrokes N --cold N --threads N]
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "lsp/features/engine_generator.h"
#include "lsp/protocol/dispatcher.h"
#include "lsp/server/lsp_server.h"
#include "model/vocab_gguf.h"

namespace {

using namespace coderx;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Answers at once; counts context tokens with `tokenizer` when given (as the real engine
// does), else with the 4-bytes-per-token estimate.
class InstantGenerator : public features::TextGenerator {
 public:
  explicit InstantGenerator(std::shared_ptr<model::Tokenizer> tokenizer) : tokenizer_(std::move(tokenizer)) {}
  features::GenerationOutput generate(const features::GenerationInput&, std::stop_token,
                                      const features::TextCallback&) override {
    return {"value + 1\n", "", features::FinishReason::stop, {}, ""};
  }
  std::string describe() const override { return "instant"; }
  std::int64_t count_tokens(std::string_view text) const override {
    return tokenizer_ ? static_cast<std::int64_t>(tokenizer_->count(text)) : TextGenerator::count_tokens(text);
  }

 private:
  std::shared_ptr<model::Tokenizer> tokenizer_;
};

// Collects responses; the bench waits for each id in turn.
struct Sink {
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t last_id = -1;
  void push(const std::string& body) {
    json::value v = json::parse(body);
    const json::value* id = v.as_object().if_contains("id");
    if (!id || !id->is_int64() || v.as_object().contains("method")) return;
    std::lock_guard lock(mu);
    last_id = id->as_int64();
    cv.notify_all();
  }
  void wait(std::int64_t id) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return last_id == id; });
  }
};

std::string python_file(int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i)
    text += i % 10 == 0 ? "def function_" + std::to_string(i) + "(value):\n"
                        : "    value = value * 3 + " + std::to_string(i) + "\n";
  return text;
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

std::string request(std::int64_t id, const std::string& uri, int line, int character) {
  json::object params{{"textDocument", {{"uri", uri}}},
                      {"position", {{"line", line}, {"character", character}}},
                      {"context", {{"triggerKind", 2}}}};
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id},
                                      {"method", "textDocument/inlineCompletion"}, {"params", params}});
}

std::string change(const std::string& uri, int version, int line, int character, const std::string& text) {
  json::object at{{"line", line}, {"character", character}};
  json::object range{{"start", at}, {"end", at}};
  json::object params{{"textDocument", {{"uri", uri}, {"version", version}}},
                      {"contentChanges", json::array{{{"range", range}, {"text", text}}}}};
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"method", "textDocument/didChange"}, {"params", params}});
}

std::string open(const std::string& uri, const std::string& text) {
  json::object item{{"uri", uri}, {"languageId", "python"}, {"version", 1}, {"text", text}};
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"method", "textDocument/didOpen"},
                                      {"params", {{"textDocument", item}}}});
}

void print(const char* what, const std::vector<double>& us) {
  std::printf("%-50s p50 %8.1f us   p99 %8.1f us   (n=%zu)\n", what, percentile(us, 0.5),
              percentile(us, 0.99), us.size());
}

// A code line of the generated file (not a `def` line).
int code_line(int i, int step) {
  int line = 1 + (i * step) % 4990;
  return line % 10 == 0 ? line + 1 : line;
}

// Forwards to the engine and keeps the usage of the last generation.
class UsageRecorder : public features::TextGenerator {
 public:
  explicit UsageRecorder(std::shared_ptr<features::EngineGenerator> inner) : inner_(std::move(inner)) {}
  features::GenerationOutput generate(const features::GenerationInput& input, std::stop_token stop,
                                      const features::TextCallback& on_text) override {
    features::GenerationOutput out = inner_->generate(input, stop, on_text);
    std::lock_guard lock(mu_);
    last_ = out.usage;
    return out;
  }
  std::string describe() const override { return inner_->describe(); }
  std::int64_t count_tokens(std::string_view text) const override { return inner_->count_tokens(text); }
  features::Usage last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  std::shared_ptr<features::EngineGenerator> inner_;
  std::mutex mu_;
  features::Usage last_;
};

struct ModelBench {
  std::string path;
  int keystrokes = 20;  // warm samples in all
  int cold = 5;         // cold samples (one new document each)
  int threads = 2;
};

void init(lsp::Dispatcher& dispatcher, const std::string& options) {
  dispatcher.dispatch(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{},"initializationOptions":)" +
                      options + "}}");
  dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
}

// Keystroke to reply on a generated model: cold = the first request on a new document (its
// text differs from the start, so no cached prefix beyond the system turn), warm = each next
// character typed on the same line.
int run_model(const ModelBench& mb) {
  model::EngineOptions engine_options;
  engine_options.threads = mb.threads;
  engine_options.max_context = 2048;
  auto loaded = features::EngineGenerator::load(mb.path, engine_options);
  if (!loaded) {
    std::fprintf(stderr, "bench_lsp: %s\n", loaded.error().message.c_str());
    return 2;
  }
  auto recorder = std::make_shared<UsageRecorder>(*loaded);
  Sink sink;
  lsp::Dispatcher dispatcher([&](std::string body) { sink.push(body); });
  server::LspServerOptions options;
  options.index_workspace = false;
  options.assistant.cache_entries = 0;  // no result cache: every keystroke asks the model
  options.load_generator = [recorder](const server::ServerSettings&)
      -> model::Result<std::shared_ptr<features::TextGenerator>> { return recorder; };
  server::LspServer server(dispatcher, options);
  init(dispatcher, R"({"debounceMs":0,"budgets":{"inlineCompletion":{"contextTokens":1024,"answerTokens":8,"deadlineMs":600000}}})");
  server.wait_until_loaded();
  std::printf("model %s (%s), %d threads; context budget 1024 tokens, 8 answer tokens, debounce 0\n",
              mb.path.c_str(), recorder->describe().c_str(), mb.threads);
  std::vector<double> cold, warm;
  double cold_prompt = 0, cold_cached = 0, warm_prompt = 0, warm_cached = 0;
  std::int64_t id = 1;
  const std::string typed = "scale = value * factor";
  const int documents = std::max(1, mb.cold);
  const int per_document = (mb.keystrokes + documents - 1) / documents;
  for (int d = 0; d < documents; ++d) {
    const std::string uri = "file:///model" + std::to_string(d) + ".py";
    std::string text = "# document " + std::to_string(d) + "\n" + python_file(200) + "\n";
    dispatcher.dispatch(open(uri, text));
    int line = 201, version = 1;
    auto t0 = Clock::now();
    dispatcher.dispatch(request(id, uri, line, 0));
    sink.wait(id++);
    cold.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    cold_prompt += static_cast<double>(recorder->last().prompt_tokens);
    cold_cached += static_cast<double>(recorder->last().cached_tokens);
    for (std::size_t k = 0; k < typed.size() && static_cast<int>(k) < per_document &&
                            static_cast<int>(warm.size()) < mb.keystrokes; ++k) {
      auto t1 = Clock::now();
      dispatcher.dispatch(change(uri, ++version, line, static_cast<int>(k), typed.substr(k, 1)));
      dispatcher.dispatch(request(id, uri, line, static_cast<int>(k) + 1));
      sink.wait(id++);
      warm.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t1).count());
      warm_prompt += static_cast<double>(recorder->last().prompt_tokens);
      warm_cached += static_cast<double>(recorder->last().cached_tokens);
    }
  }
  auto show = [](const char* what, const std::vector<double>& ms, double prompt, double cached) {
    double n = static_cast<double>(ms.size());
    std::printf("%-44s p50 %8.1f ms   p99 %8.1f ms   (n=%zu; %.0f prompt tokens, %.0f cached, mean)\n", what,
                percentile(ms, 0.5), percentile(ms, 0.99), ms.size(), prompt / n, cached / n);
  };
  show("keystroke to reply, cold (new document)", cold, cold_prompt, cold_cached);
  show("keystroke to reply, warm (same line)", warm, warm_prompt, warm_cached);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 2000, documents = 50;
  ModelBench mb;
  std::string vocab;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--requests")) requests = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--documents")) documents = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--model")) mb.path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--keystrokes")) mb.keystrokes = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) mb.threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cold")) mb.cold = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--vocab")) vocab = argv[i + 1];
  }
  if (!mb.path.empty()) return run_model(mb);
  Sink sink;
  lsp::Dispatcher dispatcher([&](std::string body) { sink.push(body); });
  server::LspServerOptions options;
  options.index_workspace = false;
  std::shared_ptr<model::Tokenizer> tokenizer;
  if (!vocab.empty()) {
    auto loaded = model::load_tokenizer(vocab);
    if (!loaded) {
      std::fprintf(stderr, "bench_lsp: %s\n", loaded.error().message.c_str());
      return 2;
    }
    tokenizer = std::make_shared<model::Tokenizer>(std::move(*loaded));
  }
  auto generator = std::make_shared<InstantGenerator>(tokenizer);
  options.load_generator = [generator](const server::ServerSettings&)
      -> model::Result<std::shared_ptr<features::TextGenerator>> {
    return generator;
  };
  server::LspServer server(dispatcher, options);
  init(dispatcher, R"({"debounceMs":0})");
  server.wait_until_loaded();

  const std::string uri = "file:///bench.py", text = python_file(5000);
  dispatcher.dispatch(open(uri, text));
  server.documents().get_parsed(uri);
  std::printf("5,000-line Python file (%zu bytes), instant generator, debounce 0, %s token counter\n",
              text.size(), tokenizer ? "model tokenizer" : "estimated");
  std::int64_t id = 1;
  int version = 1;
  std::vector<double> cold, warm, edits, parsed;
  for (int i = 0; i < requests; ++i) {
    auto t0 = Clock::now();
    dispatcher.dispatch(request(id, uri, code_line(i, 37), 4));
    sink.wait(id++);
    cold.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  print("inline completion, cold (cache miss)", cold);
  // Warm: open a new line, get "value + 1", then type it character by character.
  const std::string typed = "value + 1";
  for (int i = 0; i < requests / 10; ++i) {
    int line = code_line(i, 53);
    dispatcher.dispatch(change(uri, ++version, line, 0, "    \n"));  // a new indented line
    dispatcher.dispatch(request(id, uri, line, 4));
    sink.wait(id++);
    for (std::size_t k = 0; k + 1 < typed.size(); ++k) {
      auto t0 = Clock::now();
      dispatcher.dispatch(change(uri, ++version, line, 4 + static_cast<int>(k), typed.substr(k, 1)));
      auto t1 = Clock::now();
      dispatcher.dispatch(request(id, uri, line, 5 + static_cast<int>(k)));
      sink.wait(id++);
      auto t2 = Clock::now();
      edits.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      warm.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    }
  }
  print("inline completion, warm (typing the suggestion)", warm);
  print("didChange, one character (reader thread)", edits);
  for (int i = 0; i < requests / 10; ++i) {
    auto t0 = Clock::now();
    dispatcher.dispatch(change(uri, ++version, code_line(i, 71), 4, "x"));
    server.documents().get_parsed(uri);
    parsed.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  print("didChange until the new tree is ready (parse thread)", parsed);

  long before = rss_kb();
  for (int d = 0; d < documents; ++d) {
    dispatcher.dispatch(open("file:///doc" + std::to_string(d) + ".py", text));
    server.documents().get_parsed("file:///doc" + std::to_string(d) + ".py");
  }
  long after = rss_kb();
  std::printf("memory per open 5,000-line document: %.0f kB (text %zu kB; %d documents, RSS %ld -> %ld kB)\n",
              static_cast<double>(after - before) / documents, text.size() / 1024, documents, before, after);
  return 0;
}
