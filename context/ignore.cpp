#include "context/ignore.h"

#include <algorithm>

namespace coderx::context {

namespace {

// Matches a bracket expression at pattern[0] == '['; advances `p` past it.
bool match_class(std::string_view pattern, std::size_t& p, char c, bool& valid) {
  std::size_t i = p + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool matched = false;
  bool first = true;
  for (; i < pattern.size() && (first || pattern[i] != ']'); ++i, first = false) {
    char lo = pattern[i];
    if (lo == '\\' && i + 1 < pattern.size()) lo = pattern[++i];
    char hi = lo;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      hi = pattern[i + 2];
      i += 2;
    }
    if (c >= lo && c <= hi) matched = true;
  }
  valid = i < pattern.size();
  p = i + 1;
  return matched != negate;
}

// One element of a glob pattern.
struct GlobToken {
  enum Kind { literal, any_char, char_class, star, globstar, globstar_slash } kind;
  char c = 0;         // literal
  std::size_t at = 0;  // char_class: position of its "[" in the pattern
};

GlobToken next_token(std::string_view pat, std::size_t& p) {
  const char pc = pat[p];
  if (pc == '*') {
    if (p + 1 < pat.size() && pat[p + 1] == '*') {
      const bool slash = p + 2 < pat.size() && pat[p + 2] == '/';
      p += slash ? 3 : 2;
      return {slash ? GlobToken::globstar_slash : GlobToken::globstar};
    }
    ++p;
    return {GlobToken::star};
  }
  if (pc == '?') return ++p, GlobToken{GlobToken::any_char};
  if (pc == '[') {
    bool valid = true;
    std::size_t np = p;
    match_class(pat, np, 'a', valid);
    if (!valid) return ++p, GlobToken{GlobToken::literal, '['};  // unterminated "[": a literal
    GlobToken t{GlobToken::char_class, 0, p};
    p = np;
    return t;
  }
  if (pc == '\\' && p + 1 < pat.size()) ++p;
  return {GlobToken::literal, pat[p++]};
}

// One token applied to the set of string prefixes matched so far: `after[k]` is whether the
// pattern up to and including the token matches str[0, k), given `before` for the pattern
// without it.
void step(std::string_view pat, const GlobToken& t, std::string_view str,
          const std::vector<char>& before, std::vector<char>& after) {
  const std::size_t n = str.size();
  std::fill(after.begin(), after.end(), 0);
  bool any_before = false;  // some before[j] with j < k
  for (std::size_t k = 0; k <= n; ++k) {
    switch (t.kind) {
      case GlobToken::star:  // any run of characters without "/"
        after[k] = before[k] || (k > 0 && after[k - 1] && str[k - 1] != '/');
        break;
      case GlobToken::globstar:  // anything
        after[k] = before[k] || any_before;
        break;
      case GlobToken::globstar_slash:  // nothing, or anything that ends with "/"
        after[k] = before[k] || (k > 0 && str[k - 1] == '/' && any_before);
        break;
      default:
        if (k > 0 && before[k - 1]) {
          const char c = str[k - 1];
          bool valid = true;
          std::size_t np = t.at;
          after[k] = t.kind == GlobToken::literal ? c == t.c
                     : t.kind == GlobToken::any_char ? c != '/'
                                                     : c != '/' && match_class(pat, np, c, valid);
        }
    }
    any_before = any_before || before[k];
  }
}

// Dynamic programming over the pattern's tokens: O(pattern × path) time, whatever the stars
// (a backtracking matcher takes exponential time on patterns like "*a*a*a*a*a*b").
bool match_here(std::string_view pat, std::string_view str) {
  std::vector<char> before(str.size() + 1, 0), after(str.size() + 1, 0);
  before[0] = 1;
  for (std::size_t p = 0; p < pat.size();) {
    step(pat, next_token(pat, p), str, before, after);
    if (std::find(after.begin(), after.end(), 1) == after.end()) return false;
    before.swap(after);
  }
  return before[str.size()] != 0;
}

std::string_view trim_trailing_spaces(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) {
    if (line.size() >= 2 && line[line.size() - 2] == '\\') break;  // escaped space stays
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) { return match_here(pattern, path); }

IgnoreRules::IgnoreRules(std::string_view text, std::string base) : base_(std::move(base)) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = trim_trailing_spaces(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    Rule rule;
    if (line[0] == '!') {
      rule.negate = true;
      line.remove_prefix(1);
    } else if (line[0] == '\\') {
      line.remove_prefix(1);  // "\#" or "\!" literal
    }
    if (!line.empty() && line.back() == '/') {
      rule.dir_only = true;
      line.remove_suffix(1);
    }
    rule.anchored = line.find('/') != std::string_view::npos;
    if (!line.empty() && line[0] == '/') line.remove_prefix(1);
    if (line.empty()) continue;
    rule.pattern = std::string(line);
    rules_.push_back(std::move(rule));
  }
}

std::optional<bool> IgnoreRules::match(std::string_view path, bool is_dir) const {
  std::string_view rel = path;
  if (!base_.empty()) {
    if (rel.substr(0, base_.size()) != base_ || rel.size() <= base_.size() || rel[base_.size()] != '/')
      return std::nullopt;
    rel = rel.substr(base_.size() + 1);
  }
  const auto slash = rel.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    const bool hit = it->anchored ? glob_match(it->pattern, rel) : glob_match(it->pattern, name);
    if (hit) return !it->negate;
  }
  return std::nullopt;
}

}  // namespace coderx::context
