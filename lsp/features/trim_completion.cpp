#include "lsp/features/trim_completion.h"

#include <vector>

#include "context/cut.h"

namespace coderx::features {

namespace {

constexpr std::string_view kFence = "```";  // a markdown code fence

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

// The cursor is mid-line: the completion is one line.
bool single_line(std::string_view suffix) { return !blank(suffix.substr(0, suffix.find('\n'))); }

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

// A line that starts a top-level construct: text at column 0 that does not close a bracket.
bool top_level(std::string_view line) {
  return !line.empty() && line[0] != ' ' && line[0] != '\t' && line[0] != '\r' && line[0] != '}' &&
         line[0] != ')' && line[0] != ']';
}

// cut parses prefix + candidate + suffix several times; the top-level construct around the
// cursor is enough to judge the candidate, and keeps that cost independent of the file's size.
// The prefix starts at the nearest top-level line at or before the cursor's line (at most
// `max_lines` back); the suffix ends before the next top-level line after the cursor's line
// (a closing bracket at column 0 is kept), at most `max_lines` on.
std::string_view region_prefix(std::string_view prefix, std::size_t max_lines) {
  std::size_t start = prefix.rfind('\n');
  start = start == std::string_view::npos ? 0 : start + 1;  // the cursor's line
  for (std::size_t n = 0; start > 0 && n < max_lines; ++n) {
    if (top_level(prefix.substr(start, prefix.find('\n', start) - start))) break;
    std::size_t prev = start >= 2 ? prefix.rfind('\n', start - 2) : std::string_view::npos;
    start = prev == std::string_view::npos ? 0 : prev + 1;
  }
  return prefix.substr(start);
}

std::string_view region_suffix(std::string_view suffix, std::size_t max_lines) {
  std::size_t at = suffix.find('\n');  // the rest of the cursor's line stays
  for (std::size_t n = 0; at != std::string_view::npos && n < max_lines; ++n) {
    std::string_view line = suffix.substr(at + 1, suffix.find('\n', at + 1) - at - 1);
    if (top_level(line)) return suffix.substr(0, at + 1);
    if (!line.empty() && (line[0] == '}' || line[0] == ')' || line[0] == ']')) {
      std::size_t end = suffix.find('\n', at + 1);
      return end == std::string_view::npos ? suffix : suffix.substr(0, end + 1);
    }
    at = suffix.find('\n', at + 1);
  }
  return at == std::string_view::npos ? suffix : suffix.substr(0, at + 1);
}

}  // namespace

bool code_block_closed(std::string_view answer) {
  const std::size_t open = answer.find(kFence);
  const std::size_t body = open == std::string_view::npos ? open : answer.find('\n', open);
  return body != std::string_view::npos && answer.find(kFence, body + 1) != std::string_view::npos;
}

std::string extract_code(std::string_view answer) {
  std::size_t open = answer.find(kFence);
  if (open == std::string_view::npos) {
    std::size_t b = answer.find_first_not_of("\n");
    std::size_t e = answer.find_last_not_of(" \t\r\n");
    return b == std::string_view::npos ? "" : std::string(answer.substr(b, e + 1 - b));
  }
  std::size_t body = answer.find('\n', open);
  if (body == std::string_view::npos) return "";
  std::size_t close = answer.find(kFence, body + 1);
  std::string_view code = answer.substr(body + 1, close == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : close - body - 1);
  while (!code.empty() && code.back() == '\n') code.remove_suffix(1);
  return std::string(code);
}

std::vector<std::string> completion_stops(std::string_view suffix) {
  std::vector<std::string> stops{std::string(kFence)};
  if (single_line(suffix)) stops.emplace_back("\n");
  return stops;
}

bool completion_settled(std::string_view generated, const TrimRequest& at) {
  if (generated.find(kFence) != std::string_view::npos) return true;
  if (single_line(at.suffix)) return generated.find('\n') != std::string_view::npos;
  const std::size_t end =
      context::enclosing_block_end(at.language, region_prefix(at.prefix, at.region_lines), generated);
  // A fence that began before the first character past the block would cut the text before the
  // block's end is known: wait for a character that cannot start one.
  const std::size_t shown = generated.find_first_not_of(" \t\r\n", end);
  return end < generated.size() && shown != std::string_view::npos && generated[shown] != '`';
}

std::string trim_completion(std::string_view generated, const TrimRequest& at) {
  if (std::size_t fence = generated.find(kFence); fence != std::string_view::npos)
    generated = generated.substr(0, fence);
  context::CutRequest request;
  request.language = at.language;
  request.prefix = region_prefix(at.prefix, at.region_lines);
  request.candidate = generated;
  request.suffix = region_suffix(at.suffix, at.region_lines);
  request.single_line = single_line(at.suffix);
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
