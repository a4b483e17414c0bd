// Parsing with a stop token and a time limit (tree-sitter 0.25 progress callback), used by
// Document, the workspace index and cut. parse() returns no tree when cancelled or out of time;
// the parser is then reset so the next call starts clean.
// Threading: one parser per thread; the stop token may be triggered from any thread.
#pragma once

#include "context/error.h"
#include "context/ts_handles.h"

#include <chrono>
#include <stop_token>
#include <string_view>

namespace coderx::context {

struct ParseLimits {
  std::stop_token stop;                     // cancellation from another thread
  std::chrono::microseconds time_limit{0};  // 0 = unlimited
};

// Parses `text` (UTF-8) with `parser` (language already set), reusing `old_tree` (edited to
// match `text`) when not null. Errors: cancelled (stop token fired or time limit reached).
Result<TreePtr> parse(TSParser* parser, std::string_view text, const TSTree* old_tree,
                      const ParseLimits& limits);

// A parser for `grammar`; never null for the bundled grammars.
ParserPtr make_parser(const TSLanguage* grammar);

}  // namespace coderx::context
