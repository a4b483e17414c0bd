#include "bench_context_reuse.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "context/languages.h"
#include "context/parse.h"

namespace coderx::bench {

namespace {

struct ReuseCounts {
  int lexed = 0, reused = 0, refused_first_leaf = 0, refused_fragile = 0;
};

void count_message(void* payload, TSLogType, const char* message) {
  auto* c = static_cast<ReuseCounts*>(payload);
  const std::string_view m(message);
  if (m.starts_with("lexed_lookahead")) ++c->lexed;
  else if (m.starts_with("reuse_node ")) ++c->reused;
  else if (m.starts_with("cant_reuse_node symbol:")) ++c->refused_first_leaf;
  else if (m.starts_with("cant_reuse_node_is_fragile")) ++c->refused_fragile;
}

// Parses with the log counted into `c`; returns the microseconds the parse took (with logging,
// so slower than bench_context's timings) and the tree.
context::TreePtr logged_parse(TSParser* parser, std::string_view text, const TSTree* old, ReuseCounts& c,
                              double& us) {
  ts_parser_set_logger(parser, TSLogger{&c, count_message});
  const auto t0 = std::chrono::steady_clock::now();
  auto tree = context::parse(parser, text, old, context::ParseLimits{});
  us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  ts_parser_set_logger(parser, TSLogger{nullptr, nullptr});
  return tree ? std::move(*tree) : nullptr;
}

// The byte just past the first identifier character found at or after the middle of `text`.
std::uint32_t middle_keystroke(const std::string& text) {
  std::size_t at = text.size() / 2;
  while (at < text.size() && !(std::isalpha(static_cast<unsigned char>(text[at])) || text[at] == '_')) ++at;
  return static_cast<std::uint32_t>(at + 1);
}

TSPoint point_of(const std::string& text, std::uint32_t byte) {
  TSPoint p{0, 0};
  for (std::uint32_t i = 0; i < byte; ++i) {
    if (text[i] == '\n') {
      ++p.row;
      p.column = 0;
    } else {
      ++p.column;
    }
  }
  return p;
}

}  // namespace

void print_reuse_report(const BenchSource& src) {
  const context::Language* language = context::language_by_id(src.language_id);
  if (!language) return;
  context::ParserPtr parser = context::make_parser(language->grammar);
  ReuseCounts full, incremental;
  double full_us = 0, incremental_us = 0;
  context::TreePtr tree = logged_parse(parser.get(), src.text, nullptr, full, full_us);
  if (!tree) return;
  const std::uint32_t at = middle_keystroke(src.text);
  const TSPoint p = point_of(src.text, at);
  const std::string text = src.text.substr(0, at) + "x" + src.text.substr(at);
  const TSInputEdit edit{at, at, at + 1, p, p, TSPoint{p.row, p.column + 1}};
  ts_tree_edit(tree.get(), &edit);
  context::TreePtr again = logged_parse(parser.get(), text, tree.get(), incremental, incremental_us);
  std::printf("reuse %-42s one keystroke mid-file re-lexes %5d of %5d tokens; %5d subtrees reused, %4d "
              "refused (first token's lex mode), %4d refused (fragile); logged parse %6.0f us vs full %6.0f us\n",
              (src.name + ",").c_str(), incremental.lexed, full.lexed, incremental.reused,
              incremental.refused_first_leaf, incremental.refused_fragile, incremental_us, full_us);
}

}  // namespace coderx::bench
