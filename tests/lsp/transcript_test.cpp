// Transcript tests: recorded JSON-RPC sessions (tests/lsp/transcripts/*.jsonrpc) replayed
// against an in-process server with a scripted engine (answer "x + 1").
// Format, one item per line:
//   # comment
//   --> BODY        a message sent to the server as is (malformed bodies allowed)
//   <-- JSON        the next message expected from the server; objects match by subset (every
//                   key given must match, recursively; arrays must match exactly), so error
//                   messages may be left out. While waiting, notifications are skipped unless
//                   the expected message is a notification of the same method.
//   exit N          the session must have ended with exit code N
// Every "-->" is sent only after all "<--" above it arrived (the server answers asynchronously).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lsp_session.h"
#include "tests/support/paths.h"

namespace coderx::testing {
namespace {

bool matches(const json::value& expected, const json::value& actual) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, value] : expected.as_object()) {
      const json::value* a = actual.as_object().if_contains(key);
      if (!a || !matches(value, *a)) return false;
    }
    return true;
  }
  return expected == actual;
}

struct Line {
  int number;
  std::string kind, text;
};

std::vector<Line> read_transcript(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Line> lines;
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    if (text.empty() || text[0] == '#') continue;
    if (text.rfind("--> ", 0) == 0 || text.rfind("<-- ", 0) == 0)
      lines.push_back({n, text.substr(0, 3), text.substr(4)});
    else if (text.rfind("exit ", 0) == 0)
      lines.push_back({n, "exit", text.substr(5)});
    else
      ADD_FAILURE() << path << ":" << n << ": unknown line";
  }
  return lines;
}

void replay(const std::filesystem::path& path) {
  std::vector<Line> lines = read_transcript(path);
  ASSERT_FALSE(lines.empty()) << path;
  LspSession session;
  for (const Line& l : lines) {
    SCOPED_TRACE(path.filename().string() + ":" + std::to_string(l.number));
    if (l.kind == "-->") {
      session.send_raw(l.text);
    } else if (l.kind == "<--") {
      json::value expected = json::parse(l.text);
      for (;;) {
        json::object got = session.next();
        ASSERT_FALSE(got.empty()) << "no message; expected " << l.text;
        const json::value* method = got.if_contains("method");
        const json::value* wanted = expected.as_object().if_contains("method");
        bool skippable = method && !got.contains("id") && !(wanted && *wanted == *method);
        if (matches(expected, got)) break;
        ASSERT_TRUE(skippable) << "expected " << l.text << "\n     got " << json::serialize(got);
      }
    } else {
      EXPECT_TRUE(session.dispatcher().exited());
      EXPECT_EQ(session.dispatcher().exit_code(), std::stoi(l.text));
    }
  }
  for (const json::object& m : session.drain())
    EXPECT_TRUE(m.contains("method") && !m.contains("id")) << "unexpected " << json::serialize(m);
}

TEST(Transcript, Lifecycle) { replay(source_dir() / "tests/lsp/transcripts/lifecycle.jsonrpc"); }
TEST(Transcript, Robustness) { replay(source_dir() / "tests/lsp/transcripts/robustness.jsonrpc"); }

}  // namespace
}  // namespace coderx::testing
