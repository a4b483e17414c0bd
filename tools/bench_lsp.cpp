// bench_lsp: the language server's own overhead, model time excluded (an instant generator).
//   1. inline completion round trip (dispatch of the JSON body → reply serialised) on a
//      5,000-line file: cold (a new cursor each time, so the completion cache misses and the
//      generator is called) and warm (the user types the cached suggestion); p50 / p99;
//   2. one-character incremental didChange on that file (incremental reparse included);
//   3. memory per open document (RSS growth over N opened 5,000-line documents).
// Usage: bench_lsp [--requests N] [--documents N]
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

#include "lsp/protocol/dispatcher.h"
#include "lsp/server/lsp_server.h"

namespace {

using namespace coderx;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

class InstantGenerator : public features::TextGenerator {
 public:
  features::GenerationOutput generate(const features::GenerationInput&, std::stop_token,
                                      const features::TextCallback&) override {
    return {"value + 1\n", "", features::FinishReason::stop, {}, ""};
  }
  std::string describe() const override { return "instant"; }
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

}  // namespace

int main(int argc, char** argv) {
  int requests = 2000, documents = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--requests")) requests = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--documents")) documents = std::atoi(argv[i + 1]);
  }
  Sink sink;
  lsp::Dispatcher dispatcher([&](std::string body) { sink.push(body); });
  server::LspServerOptions options;
  auto generator = std::make_shared<InstantGenerator>();
  options.load_generator = [generator]() -> model::Result<std::shared_ptr<features::TextGenerator>> {
    return generator;
  };
  server::LspServer server(dispatcher, options);
  dispatcher.dispatch(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{},"initializationOptions":{"debounceMs":0}}})");
  dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
  server.wait_until_loaded();

  const std::string uri = "file:///bench.py", text = python_file(5000);
  dispatcher.dispatch(open(uri, text));
  std::printf("5,000-line Python file (%zu bytes), instant generator, debounce 0\n", text.size());
  std::int64_t id = 1;
  int version = 1;
  std::vector<double> cold, warm, edits;
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
  print("didChange, one character (incremental reparse)", edits);

  long before = rss_kb();
  for (int d = 0; d < documents; ++d) dispatcher.dispatch(open("file:///doc" + std::to_string(d) + ".py", text));
  long after = rss_kb();
  std::printf("memory per open 5,000-line document: %.0f kB (text %zu kB; %d documents, RSS %ld -> %ld kB)\n",
              static_cast<double>(after - before) / documents, text.size() / 1024, documents, before, after);
  return 0;
}
