// Review findings: what a reviewer (the model) says about a diff, placed so that every output
// format can show it. A finding names a path and new-file lines; place_findings() checks it
// against the diff: inside one hunk → a line comment; in a changed file but outside its hunks →
// a file-level note; elsewhere → a summary note. No format ever gets an invalid anchor.
// Fingerprints are stable across line moves: path + rule + the normalised snippet.
// Used by `coderx review` (lsp/cli) and its formats. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lsp/features/diff.h"

namespace coderx::features {

enum class Severity { info = 0, warning = 1, error = 2 };
const char* to_string(Severity severity);
std::optional<Severity> severity_from_string(std::string_view text);  // info|warning|error

struct Finding {
  std::string path;               // new-file path as in the diff
  std::uint32_t start_line = 0;   // 1-based new-file lines; 0 = about the whole file
  std::uint32_t end_line = 0;     // >= start_line
  Severity severity = Severity::warning;
  std::string rule;               // short id, e.g. "null-check", "naming"
  std::string message;
  std::optional<std::string> replacement;  // new text for lines start..end (a suggestion)
};

enum class Anchor { line, file, summary };

struct PlacedFinding {
  Finding finding;
  Anchor anchor = Anchor::summary;
  std::string snippet;      // the anchored new-file lines (empty unless anchor == line)
  std::string fingerprint;  // 32 hex digits
};

// Places each finding against the diff (see above). A replacement survives only on a line
// anchor; the snippet comes from the hunk's own lines.
std::vector<PlacedFinding> place_findings(const std::vector<Finding>& findings,
                                          const std::vector<FileDiff>& diff);

// Stable id: hash of path, rule and the snippet with whitespace runs collapsed.
std::string fingerprint(std::string_view path, std::string_view rule, std::string_view snippet);

struct ReviewFilter {
  Severity min_severity = Severity::info;
  std::size_t max_findings = 50;
};
// Drops findings below the minimum and duplicates (same fingerprint), then keeps the
// `max_findings` most severe (stable for equal severity).
std::vector<PlacedFinding> filter_findings(std::vector<PlacedFinding> findings, const ReviewFilter& filter);

// Paths that reviews skip by default: lock files, vendored and generated code.
bool is_skipped_path(std::string_view path);
// A file whose first lines say it is generated ("@generated", "DO NOT EDIT", "Code generated").
bool looks_generated(std::string_view head);

}  // namespace coderx::features
