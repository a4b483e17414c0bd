// `coderx review`: review a git diff with the model and print findings for CI.
// Exit codes: 0 done (no finding at --fail-level), 1 a finding at or above --fail-level,
// 2 usage, git or engine error.
#include <cstdio>
#include <optional>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/generator_from_options.h"
#include "lsp/cli/review_run.h"

namespace coderx::cli {

namespace {

ArgParser::Setter severity_setter(std::optional<features::Severity>* out) {
  return [out](const std::string& text) -> std::string {
    *out = features::severity_from_string(text);
    return *out ? "" : "expected info, warning or error, got '" + text + "'";
  };
}

}  // namespace

int run_review(Args args) {
  ArgParser parser("coderx review", "Review a git diff and print findings for CI.");
  ReviewOptions options;
  GeneratorOptions gen;
  std::string repo = ".", format_name = "markdown";
  std::int64_t max_findings = 50, jobs = 1;
  std::optional<features::Severity> min_severity, fail_level;
  parser.option("--base", &options.base, "REV", "review base...head (default: working tree vs HEAD)");
  parser.option("--head", &options.head, "REV", "the reviewed revision (default HEAD when --base is given)");
  parser.option("--repo", &repo, "DIR", "the git repository (default: current directory)");
  parser.option("--format", &format_name, "FORMAT", "github, gitlab, sarif, rdjsonl or markdown (default)");
  parser.option("--max-findings", &max_findings, "N", "keep the N most severe findings (default 50)");
  parser.option("--min-severity", "S", "drop findings below S (info, warning, error)", severity_setter(&min_severity));
  parser.option("--fail-level", "S", "exit 1 when a finding is at least S", severity_setter(&fail_level));
  parser.flag("--include-generated", &options.include_generated, "also review lock, vendored and generated files");
  parser.option("--jobs", &jobs, "N", "hunks reviewed at once (default 1)");
  add_generator_options(parser, gen);
  if (auto rc = parser.parse(args)) return *rc;
  auto format = review_format_from_string(format_name);
  if (!format || max_findings < 0 || jobs < 1 || jobs > 64 || (options.base.empty() && !options.head.empty())) {
    std::fprintf(stderr, "coderx review: %s\n",
                 !format ? ("unknown format '" + format_name + "'").c_str()
                 : (options.base.empty() && !options.head.empty()) ? "--head needs --base"
                                                                   : "--max-findings >= 0 and --jobs in [1, 64]");
    return 2;
  }
  options.repo = repo;
  options.jobs = static_cast<std::size_t>(jobs);
  options.filter.max_findings = static_cast<std::size_t>(max_findings);
  if (min_severity) options.filter.min_severity = *min_severity;
  auto generator = make_generator(gen);
  if (!generator) {
    std::fprintf(stderr, "coderx review: %s\n", generator.error().message.c_str());
    return 2;
  }
  auto result = review_diff(options, **generator);
  if (!result) {
    std::fprintf(stderr, "coderx review: %s\n", result.error().message.c_str());
    return 2;
  }
  std::string text = format_review(*format, result->report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fprintf(stderr, "coderx review: %zu files, %zu hunks, %zu skipped, %zu findings\n", result->files_reviewed,
               result->hunks, result->files_skipped, result->report.findings.size());
  return review_exit_code(*result, fail_level);
}

}  // namespace coderx::cli
