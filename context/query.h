// A compiled tree-sitter query whose text predicates are evaluated by us (the C API leaves
// that to the caller): #eq?, #not-eq?, #any-eq?, #match?, #not-match?, #any-match?,
// #any-of?, #not-any-of?. Directives ending in "!" (#set!, #strip!, #select-adjacent!) are
// accepted and ignored; unknown predicates hold (with a debug log line at compile time).
// Regexes use std::regex ECMAScript syntax (the simple patterns of tags files are compatible);
// text longer than 4 KiB is matched on its first 4 KiB.
// Used by the symbol extractor (symbols.h) and tests. Threading: a Query is immutable after
// compile() and may be used by several threads at once (each call uses its own cursor).
#pragma once

#include "context/error.h"
#include "context/parse.h"
#include "context/position.h"
#include "context/ts_handles.h"

#include <functional>
#include <memory>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coderx::context {

struct QueryCapture {
  TSNode node;
  std::uint32_t id;  // capture index; Query::capture_name(id)
};

struct QueryMatch {
  std::uint32_t pattern;
  std::span<const TSQueryCapture> captures;
};

class Query {
 public:
  // `name` appears in error messages ("ours/python:12:3: invalid node type foo").
  static Result<Query> compile(const TSLanguage* grammar, std::string_view source,
                               std::string_view name);

  std::string_view capture_name(std::uint32_t id) const { return capture_names_[id]; }
  std::uint32_t capture_count() const { return static_cast<std::uint32_t>(capture_names_.size()); }

  // Calls `fn` for each match under `node` (within `range` when range.end > range.start)
  // whose predicates hold on `text`. Stops early when `fn` returns false, or when the limits'
  // stop token fires or time runs out (then returns a cancelled error).
  Result<void> for_each_match(TSNode node, std::string_view text, ByteRange range,
                              const std::function<bool(const QueryMatch&)>& fn,
                              const ParseLimits& limits = {}) const;

 private:
  struct Predicate;
  bool holds(const Predicate& p, const TSQueryMatch& m, std::string_view text) const;

  std::shared_ptr<TSQuery> query_;
  std::vector<std::string> capture_names_;
  std::vector<std::vector<Predicate>> predicates_;  // per pattern
};

struct Query::Predicate {
  enum class Op { eq, match, any_of };
  Op op = Op::eq;
  bool negate = false;
  bool any = false;                 // quantified capture: one node suffices (default: all)
  std::uint32_t capture = 0;
  int other_capture = -1;           // #eq? @a @b
  std::vector<std::string> values;  // strings (eq / any-of) or the regex source
  std::shared_ptr<const std::regex> regex;
};

// Text of `node` in `text` (empty when out of range).
std::string_view node_text(TSNode node, std::string_view text);

}  // namespace coderx::context
