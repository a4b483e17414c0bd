#include "lsp/protocol/lone_surrogates.h"

namespace coderx::lsp {

namespace {

// The code unit of a "\uXXXX" escape starting at `at` (the backslash), or -1.
int escaped_unit(std::string_view s, std::size_t at) {
  if (at + 6 > s.size() || s[at] != '\\' || s[at + 1] != 'u') return -1;
  int unit = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    char c = s[i];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool is_high(int unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low(int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

}  // namespace

std::optional<std::string> replace_lone_surrogates(std::string_view json) {
  std::optional<std::string> out;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (!in_string) {
      in_string = c == '"';
      continue;
    }
    if (c == '"') {
      in_string = false;
      continue;
    }
    if (c != '\\') continue;
    int unit = escaped_unit(json, i);
    if (unit < 0) {
      ++i;  // a two-character escape ("\\", "\"", "\n", ...): skip what it escapes
      continue;
    }
    if (is_high(unit) && is_low(escaped_unit(json, i + 6))) {
      i += 11;  // a proper pair
      continue;
    }
    if (is_high(unit) || is_low(unit)) {
      if (!out) out.emplace(json);
      out->replace(i, 6, "\\ufffd");
    }
    i += 5;
  }
  return out;
}

}  // namespace coderx::lsp
