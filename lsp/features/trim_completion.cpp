#include "lsp/features/trim_completion.h"

#include <vector>

#include "context/cut.h"

namespace coderx::features {

namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

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

std::string trim_completion(std::string_view generated, const TrimRequest& at) {
  if (std::size_t fence = generated.find("```"); fence != std::string_view::npos)
    generated = generated.substr(0, fence);
  std::string_view rest_of_line = at.suffix.substr(0, at.suffix.find('\n'));
  context::CutRequest request;
  request.language = at.language;
  request.prefix = at.prefix;
  request.candidate = generated;
  request.suffix = at.suffix;
  request.single_line = !blank(rest_of_line);
  request.limits.time_limit = at.parse_time;
  std::string out = context::cut(request).text;
  std::vector<std::string_view> lines = split_lines(out);
  if (lines.size() <= at.max_lines) return out;
  std::string kept;
  for (std::size_t i = 0; i < at.max_lines; ++i) {
    if (i > 0) kept += '\n';
    kept += rstrip(lines[i]);
  }
  while (!kept.empty() && kept.back() == '\n') kept.pop_back();
  return kept;
}

}  // namespace coderx::features
