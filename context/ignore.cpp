#include "context/ignore.h"

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

bool match_here(std::string_view pat, std::string_view str) {
  std::size_t p = 0, s = 0;
  while (p < pat.size()) {
    const char pc = pat[p];
    if (pc == '*') {
      const bool globstar = p + 1 < pat.size() && pat[p + 1] == '*';
      if (globstar) {
        std::size_t after = p + 2;
        // "**/" matches zero or more directories; a trailing "**" matches everything
        if (after < pat.size() && pat[after] == '/') {
          const std::string_view rest = pat.substr(after + 1);
          for (std::size_t k = s; k <= str.size(); ++k)
            if ((k == s || str[k - 1] == '/') && match_here(rest, str.substr(k))) return true;
          return false;
        }
        const std::string_view rest = pat.substr(after);
        for (std::size_t k = s; k <= str.size(); ++k)
          if (match_here(rest, str.substr(k))) return true;
        return false;
      }
      const std::string_view rest = pat.substr(p + 1);
      for (std::size_t k = s; k <= str.size(); ++k) {
        if (match_here(rest, str.substr(k))) return true;
        if (k < str.size() && str[k] == '/') break;
      }
      return false;
    }
    if (s >= str.size()) return false;
    if (pc == '?') {
      if (str[s] == '/') return false;
      ++p, ++s;
    } else if (pc == '[') {
      bool valid = true;
      std::size_t np = p;
      const bool ok = match_class(pat, np, str[s], valid);
      if (!valid) {  // unterminated "[": a literal
        if (str[s] != '[') return false;
        ++p, ++s;
        continue;
      }
      if (!ok || str[s] == '/') return false;
      p = np, ++s;
    } else {
      char lit = pc;
      if (pc == '\\' && p + 1 < pat.size()) lit = pat[++p];
      if (str[s] != lit) return false;
      ++p, ++s;
    }
  }
  return s == str.size();
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
