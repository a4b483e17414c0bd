#include "lsp/features/review.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

namespace coderx::features {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "warning";
}

std::optional<Severity> severity_from_string(std::string_view text) {
  if (text == "info" || text == "note") return Severity::info;
  if (text == "warning" || text == "warn") return Severity::warning;
  if (text == "error") return Severity::error;
  return std::nullopt;
}

namespace {

const FileDiff* find_file(const std::vector<FileDiff>& diff, std::string_view path) {
  for (const FileDiff& f : diff)
    if (f.path() == path) return &f;
  return nullptr;
}

// The new-file text of lines [start, end] if they all lie in one hunk, else nullopt.
std::optional<std::string> hunk_snippet(const Hunk& hunk, std::uint32_t start, std::uint32_t end) {
  std::string text;
  for (std::uint32_t line = start; line <= end; ++line) {
    if (!hunk.covers_new_line(line)) return std::nullopt;
    for (const DiffLine& l : hunk.lines)
      if (l.new_line == line && l.kind != DiffLine::Kind::removed) text += l.text + "\n";
  }
  return text;
}

PlacedFinding place(const Finding& finding, const std::vector<FileDiff>& diff) {
  PlacedFinding placed{finding, Anchor::summary, "", ""};
  const FileDiff* file = find_file(diff, finding.path);
  if (file && file->status != FileDiff::Status::deleted) placed.anchor = Anchor::file;
  std::uint32_t end = std::max(finding.start_line, finding.end_line);
  const Hunk* hunk = file ? file->hunk_for_new_line(finding.start_line) : nullptr;
  if (hunk && finding.start_line > 0) {
    if (auto snippet = hunk_snippet(*hunk, finding.start_line, end)) {
      placed.anchor = Anchor::line;
      placed.snippet = *snippet;
      placed.finding.end_line = end;
    }
  }
  if (placed.anchor != Anchor::line) {
    placed.finding.replacement.reset();
    placed.finding.start_line = placed.finding.end_line = 0;
  }
  if (placed.anchor == Anchor::summary) placed.finding.path.clear();
  placed.fingerprint = fingerprint(finding.path, finding.rule,
                                   placed.snippet.empty() ? finding.message : placed.snippet);
  return placed;
}

std::uint64_t fnv1a(std::string_view data, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::vector<PlacedFinding> place_findings(const std::vector<Finding>& findings,
                                          const std::vector<FileDiff>& diff) {
  std::vector<PlacedFinding> out;
  out.reserve(findings.size());
  for (const Finding& f : findings) out.push_back(place(f, diff));
  return out;
}

std::string fingerprint(std::string_view path, std::string_view rule, std::string_view snippet) {
  std::string key = std::string(path) + '\0' + std::string(rule) + '\0' + collapse_whitespace(snippet);
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(key, 0xcbf29ce484222325ULL)),
                static_cast<unsigned long long>(fnv1a(key, 0x84222325cbf29ce4ULL)));
  return hex;
}

std::vector<PlacedFinding> filter_findings(std::vector<PlacedFinding> findings,
                                           const ReviewFilter& filter) {
  std::set<std::string> seen;
  std::vector<PlacedFinding> kept;
  for (PlacedFinding& f : findings) {
    if (f.finding.severity < filter.min_severity) continue;
    if (!seen.insert(f.fingerprint).second) continue;
    kept.push_back(std::move(f));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const PlacedFinding& a, const PlacedFinding& b) {
    return a.finding.severity > b.finding.severity;
  });
  if (kept.size() > filter.max_findings) kept.resize(filter.max_findings);
  return kept;
}

bool is_skipped_path(std::string_view path) {
  static constexpr std::array<std::string_view, 7> kDirs{
      "vendor/", "third_party/", "thirdparty/", "node_modules/", "external/", "dist/", "build/"};
  static constexpr std::array<std::string_view, 12> kNames{
      "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "poetry.lock",
      "Pipfile.lock", "composer.lock", "Gemfile.lock", "flake.lock", "uv.lock", "bun.lockb"};
  static constexpr std::array<std::string_view, 7> kSuffixes{
      ".min.js", ".min.css", ".pb.go", "_pb2.py", ".pb.h", ".pb.cc", ".lock"};
  for (std::string_view dir : kDirs)
    if (path.substr(0, dir.size()) == dir || path.find("/" + std::string(dir)) != std::string_view::npos)
      return true;
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  for (std::string_view n : kNames)
    if (name == n) return true;
  for (std::string_view s : kSuffixes)
    if (name.size() > s.size() && name.substr(name.size() - s.size()) == s) return true;
  return false;
}

bool looks_generated(std::string_view head) {
  head = head.substr(0, 1024);
  return head.find("@generated") != std::string_view::npos ||
         head.find("DO NOT EDIT") != std::string_view::npos ||
         head.find("Code generated") != std::string_view::npos;
}

}  // namespace coderx::features
