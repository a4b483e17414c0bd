#include "lsp/cli/unified_diff.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace coderx::cli {

namespace {

constexpr std::size_t kContext = 3;

// Lines with their '\n' (the last one may lack it).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(0, len));
    text.remove_prefix(len);
  }
  return lines;
}

void emit(std::string& out, char sign, std::string_view line) {
  out += sign;
  out += line;
  if (!line.ends_with('\n')) out += "\n\\ No newline at end of file\n";
}

std::string range(std::size_t first, std::size_t count) {
  return std::to_string(count == 0 ? first : first + 1) + "," + std::to_string(count);
}

// Git's path quoting (core.quotePath, the default): a name with '"', '\\', a control character
// or a non-ASCII byte is written as a C string ("a/x\ty", "a/\303\251.c"); git apply and
// patch read it back.
bool needs_quotes(std::string_view path) {
  return std::any_of(path.begin(), path.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '"' || c == '\\' || u < 0x20 || u >= 0x7f;
  });
}

std::string quoted(std::string_view prefix, std::string_view path) {
  std::string name = std::string(prefix) + std::string(path);
  if (!needs_quotes(path)) return name;
  std::string out = "\"";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (u < 0x20 || u >= 0x7f) {
      char octal[5];
      std::snprintf(octal, sizeof octal, "\\%03o", u);
      out += octal;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "diff --git a/P b/P", "--- a/P", "+++ b/P". Like git, the ---/+++ names of a path with a
// space end in a tab, so that patch(1) knows where the name ends.
std::string header(std::string_view path) {
  std::string a = quoted("a/", path), b = quoted("b/", path);
  std::string tab = !needs_quotes(path) && path.find(' ') != std::string_view::npos ? "\t" : "";
  return "diff --git " + a + " " + b + "\n--- " + a + tab + "\n+++ " + b + tab + "\n";
}

}  // namespace

std::string unified_diff(std::string_view path, std::string_view old_text, std::string_view new_text) {
  if (old_text == new_text) return "";
  std::vector<std::string_view> a = split_lines(old_text), b = split_lines(new_text);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  std::size_t lead = std::min(prefix, kContext), trail = std::min(suffix, kContext);
  std::size_t first = prefix - lead;
  std::size_t old_count = lead + (a.size() - prefix - suffix) + trail;
  std::size_t new_count = lead + (b.size() - prefix - suffix) + trail;
  std::string out = header(path);
  out += "@@ -" + range(first, old_count) + " +" + range(first, new_count) + " @@\n";
  for (std::size_t i = first; i < prefix; ++i) emit(out, ' ', a[i]);
  for (std::size_t i = prefix; i < a.size() - suffix; ++i) emit(out, '-', a[i]);
  for (std::size_t i = prefix; i < b.size() - suffix; ++i) emit(out, '+', b[i]);
  for (std::size_t i = a.size() - suffix; i < a.size() - suffix + trail; ++i) emit(out, ' ', a[i]);
  return out;
}

}  // namespace coderx::cli
