// libFuzzer target: the reviewer's finding parser (lsp/features/reviewer.cpp) on arbitrary
// model answers. Invariants: no crash; every finding keeps the given path, has
// start_line <= end_line, a non-empty message and a rule without spaces; the parse of the
// answer is the same whether it ends with a newline or not.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lsp/features/reviewer.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "lsp_features_reviewer_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string answer(reinterpret_cast<const char*>(data), size);
  auto parsed = coderx::features::parse_review_answer("src/a b.c", answer);
  for (const auto& f : parsed.findings) {
    check(f.path == "src/a b.c", "path changed");
    check(f.start_line <= f.end_line, "start after end");
    check(!f.message.empty(), "empty message");
    check(f.rule.find(' ') == std::string::npos, "rule with a space");
  }
  if (answer.empty() || answer.back() != '\n') {
    auto again = coderx::features::parse_review_answer("src/a b.c", answer + "\n");
    check(again.findings.size() == parsed.findings.size(), "a final newline changed the findings");
    check(again.summary == parsed.summary, "a final newline changed the summary");
  }
  return 0;
}
