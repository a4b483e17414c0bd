#include "lsp/features/trim_completion.h"

#include <vector>

namespace coderx::features {

namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

std::size_t indent_of(std::string_view s) {
  std::size_t n = s.find_first_not_of(" \t");
  return n == std::string_view::npos ? s.size() : n;
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  for (;;) {
    std::size_t nl = s.find('\n');
    lines.push_back(s.substr(0, nl));
    if (nl == std::string_view::npos) return lines;
    s.remove_prefix(nl + 1);
  }
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string extract_code(std::string_view answer) {
  std::size_t open = answer.find("```");
  if (open == std::string_view::npos) {
    std::size_t b = answer.find_first_not_of("\n");
    std::size_t e = answer.find_last_not_of(" \t\r\n");
    return b == std::string_view::npos ? "" : std::string(answer.substr(b, e + 1 - b));
  }
  std::size_t body = answer.find('\n', open);
  if (body == std::string_view::npos) return "";
  std::size_t close = answer.find("```", body + 1);
  std::string_view code = answer.substr(body + 1, close == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : close - body - 1);
  while (!code.empty() && code.back() == '\n') code.remove_suffix(1);
  return std::string(code);
}

std::string trim_completion(std::string_view generated, const CursorLine& line,
                            std::size_t max_lines) {
  if (std::size_t fence = generated.find("```"); fence != std::string_view::npos)
    generated = generated.substr(0, fence);
  std::vector<std::string_view> lines = split_lines(generated);
  if (!blank(line.after)) return std::string(rstrip(lines.front()));  // mid-line: one line
  std::size_t base = indent_of(line.before);
  std::string out(rstrip(lines.front()));
  std::size_t kept = 1;
  for (std::size_t i = 1; i < lines.size() && kept < max_lines; ++i, ++kept) {
    if (!blank(lines[i]) && indent_of(lines[i]) < base) break;  // the enclosing block ended
    out += '\n';
    out += rstrip(lines[i]);
  }
  while (!out.empty() && (out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace coderx::features
