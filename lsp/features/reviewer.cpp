#include "lsp/features/reviewer.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

namespace coderx::features {

namespace {

constexpr const char* kSystem =
    "You review code changes. Report only real problems introduced or exposed by the change: "
    "bugs, missing error handling, security issues, misleading names. Answer ONLY with lines of "
    "this form:\n"
    "finding: <info|warning|error> <LINE>[-<LINE>] <rule-id>: <message>\n"
    "suggest: <replacement text for those lines, one line each, optional>\n"
    "summary: <one sentence about the whole change>\n"
    "LINE numbers are the new-file numbers shown before each diff line. No other text.";

std::string hunk_listing(const Hunk& hunk) {
  std::string out;
  for (const DiffLine& line : hunk.lines) {
    char sign = line.kind == DiffLine::Kind::added ? '+' : line.kind == DiffLine::Kind::removed ? '-' : ' ';
    out += line.new_line ? std::to_string(line.new_line) : std::string("    ");
    out += ' ';
    out += sign;
    out += line.text;
    out += '\n';
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint32_t> parse_number(std::string_view s) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// "<severity> <a>[-<b>] <rule>: <message>"
std::optional<Finding> parse_finding(std::string_view path, std::string_view rest) {
  rest = trim(rest);
  std::size_t sp1 = rest.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  auto severity = severity_from_string(rest.substr(0, sp1));
  rest = trim(rest.substr(sp1 + 1));
  std::size_t sp2 = rest.find(' ');
  if (!severity || sp2 == std::string_view::npos) return std::nullopt;
  std::string_view lines = rest.substr(0, sp2);
  std::size_t dash = lines.find('-');
  auto start = parse_number(lines.substr(0, dash));
  auto end = dash == std::string_view::npos ? start : parse_number(lines.substr(dash + 1));
  if (!start || !end || *end < *start) return std::nullopt;
  rest = trim(rest.substr(sp2 + 1));
  std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  Finding f;
  f.path = std::string(path);
  f.start_line = *start;
  f.end_line = *end;
  f.severity = *severity;
  f.rule = std::string(trim(rest.substr(0, colon)));
  f.message = std::string(trim(rest.substr(colon + 1)));
  if (f.message.empty() || f.rule.find(' ') != std::string::npos) return std::nullopt;
  return f;
}

}  // namespace

GenerationInput review_prompt(const HunkReviewRequest& request, const Budgets& budgets) {
  GenerationInput input;
  input.kind = RequestKind::review;
  input.system = kSystem;
  input.budgets = budgets;
  std::string& u = input.user;
  u += "File: " + request.path + "\n";
  if (!request.scope_names.empty()) u += "In: " + request.scope_names + "\n";
  if (!request.scope_text.empty()) {
    std::string text = request.scope_text.substr(0, 12000);
    u += "\nEnclosing code (new version):\n```\n" + text + (text.ends_with('\n') ? "" : "\n") + "```\n";
  }
  u += "\nChange (new-file line number, then the diff line):\n```diff\n" + hunk_listing(*request.hunk) + "```\n";
  return input;
}

std::vector<Hunk> review_pieces(const Hunk& hunk) {
  std::vector<Hunk> pieces(1);
  std::size_t bytes = 0;
  for (const DiffLine& line : hunk.lines) {
    const std::size_t size = std::min(line.text.size(), kMaxLineBytes) + 8;
    if (!pieces.back().lines.empty() && (pieces.back().lines.size() >= kMaxPieceLines || bytes + size > kMaxPieceBytes)) {
      pieces.emplace_back();
      bytes = 0;
    }
    pieces.back().lines.push_back(line);
    if (line.text.size() > kMaxLineBytes) pieces.back().lines.back().text = line.text.substr(0, kMaxLineBytes) + " ...";
    bytes += size;
  }
  for (Hunk& piece : pieces) {  // the header numbers of the lines it holds
    piece.section = hunk.section;
    piece.old_start = hunk.old_start;
    piece.new_start = hunk.new_start;
    for (const DiffLine& line : piece.lines) {
      if (line.old_line && !piece.old_count++) piece.old_start = line.old_line;
      if (line.new_line && !piece.new_count++) piece.new_start = line.new_line;
    }
  }
  return pieces;
}

ReviewAnswer parse_review_answer(std::string_view path, std::string_view answer) {
  ReviewAnswer out;
  Finding* last = nullptr;
  while (!answer.empty()) {
    std::size_t nl = answer.find('\n');
    std::string_view line = answer.substr(0, nl);
    answer = nl == std::string_view::npos ? std::string_view() : answer.substr(nl + 1);
    std::string_view t = trim(line);
    if (t.starts_with("finding:")) {
      auto f = parse_finding(path, t.substr(8));
      if (f) out.findings.push_back(std::move(*f));
      last = f ? &out.findings.back() : nullptr;
    } else if (t.starts_with("suggest:") && last) {
      std::string_view text = line.substr(line.find("suggest:") + 8);
      if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
      if (!last->replacement) last->replacement.emplace();
      *last->replacement += std::string(text) + "\n";
    } else if (t.starts_with("summary:")) {
      out.summary = std::string(trim(t.substr(8)));
      last = nullptr;
    } else {
      last = nullptr;
    }
  }
  return out;
}

}  // namespace coderx::features
