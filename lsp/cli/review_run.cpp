#include "lsp/cli/review_run.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "context/review.h"
#include "lsp/cli/git.h"
#include "lsp/features/diff.h"
#include "lsp/features/reviewer.h"
#include "model/build_info.h"

namespace coderx::cli {

namespace {

// The report's findings: filtered and cut to `filter.max_findings`, with a line in the summary
// saying how many were left out; `most_severe` is taken before the cut.
void keep_findings(std::vector<features::PlacedFinding> placed, const features::ReviewFilter& filter,
                   ReviewResult& result) {
  std::vector<features::PlacedFinding> kept =
      features::filter_findings(std::move(placed), {filter.min_severity, SIZE_MAX});
  if (!kept.empty()) result.most_severe = kept.front().finding.severity;
  if (kept.size() > filter.max_findings) {
    std::string& summary = result.report.summary;
    summary += std::string(summary.empty() ? "" : "\n") + std::to_string(kept.size() - filter.max_findings) +
               " more findings not shown (--max-findings " + std::to_string(filter.max_findings) + ")";
    kept.resize(filter.max_findings);
  }
  result.report.findings = std::move(kept);
}

using features::FileDiff;

struct Task {
  std::shared_ptr<const features::Hunk> piece;  // what request.hunk points at
  features::HunkReviewRequest request;
  features::ReviewAnswer answer;
  std::string error;
};

// What the working tree is compared with: HEAD, or the empty tree in a repository with no
// commit yet (so a new project's first files can be reviewed before they are committed).
std::string worktree_base(const ReviewOptions& o) {
  if (run_git(o.repo, {"rev-parse", "-q", "--verify", "HEAD^{commit}"})) return "HEAD";
  auto empty_tree = run_git_line(o.repo, {"hash-object", "-t", "tree", "/dev/null"});
  return empty_tree ? *empty_tree : "HEAD";  // else git's own message follows from the diff
}

std::vector<std::string> diff_args(const ReviewOptions& o) {
  std::vector<std::string> args{"-c", "core.quotePath=true", "diff", "--no-color", "--no-ext-diff",
                                "--no-textconv", "-M", "--src-prefix=a/", "--dst-prefix=b/"};
  if (!o.base.empty()) args.push_back(o.base + "..." + (o.head.empty() ? "HEAD" : o.head));
  else args.push_back(worktree_base(o));
  args.push_back("--");
  return args;
}

// The new version of `path` (relative to the repository's top level, as git names it).
model::Result<std::string> new_text(const ReviewOptions& o, const std::filesystem::path& top, const std::string& path) {
  if (o.base.empty()) {
    std::ifstream in(top / path, std::ios::binary);
    if (!in) return model::make_error(model::Errc::io, "cannot read " + (top / path).string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  return run_git(o.repo, {"show", (o.head.empty() ? "HEAD" : o.head) + ":" + path});
}

// Lines of `text` first..last (0-based, inclusive).
std::string line_slice(std::string_view text, std::uint32_t first, std::uint32_t last) {
  std::size_t begin = 0;
  for (std::uint32_t i = 0; i < first && begin != std::string_view::npos; ++i) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos) return "";
  std::size_t end = begin;
  for (std::uint32_t i = first; i <= last && end != std::string_view::npos; ++i) {
    end = text.find('\n', end);
    if (end != std::string_view::npos) ++end;
  }
  return std::string(text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
}

// One task per hunk (per piece of a large one), with the names and text of the innermost
// enclosing definition.
void add_tasks(const FileDiff& file, std::string_view text, std::vector<Task>& tasks) {
  std::vector<context::LineSpan> spans;
  for (const features::Hunk& h : file.hunks) {
    std::uint32_t first = h.new_start > 0 ? h.new_start - 1 : 0;
    std::uint32_t last = h.new_count > 0 ? first + h.new_count - 1 : first;
    spans.push_back({first, last});
  }
  const context::Language* language = context::language_for_file(file.path(), text.substr(0, 256));
  std::vector<context::HunkScope> scopes = context::map_hunks(language, text, spans);
  for (std::size_t i = 0; i < file.hunks.size(); ++i) {
    Task task;
    task.request.path = file.path();
    if (i < scopes.size() && !scopes[i].enclosing.empty()) {
      for (const context::Symbol& s : scopes[i].enclosing)
        task.request.scope_names += (task.request.scope_names.empty() ? "" : ", ") + s.name;
      const context::Symbol& inner = scopes[i].enclosing.back();
      task.request.scope_text = line_slice(text, inner.start_line, std::min(inner.end_line, inner.start_line + 300));
    }
    for (features::Hunk& piece : features::review_pieces(file.hunks[i])) {
      task.piece = std::make_shared<const features::Hunk>(std::move(piece));
      task.request.hunk = task.piece.get();
      tasks.push_back(task);
    }
  }
}

void run_tasks(std::vector<Task>& tasks, features::TextGenerator& generator, const ReviewOptions& o) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) {
      features::GenerationInput input = features::review_prompt(tasks[i].request, o.budgets);
      features::GenerationOutput out = generator.generate(input, std::stop_token(), {});
      if (out.finish == features::FinishReason::error) tasks[i].error = out.error;
      else tasks[i].answer = features::parse_review_answer(tasks[i].request.path, out.answer);
    }
  };
  std::size_t n = std::clamp<std::size_t>(o.jobs, 1, std::max<std::size_t>(tasks.size(), 1));
  std::vector<std::jthread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
}

// Files without text to review: deleted, binary, submodule commits, symbolic links, pure renames.
bool nothing_to_read(const FileDiff& file) {
  return file.status == FileDiff::Status::deleted || file.binary || file.submodule || file.symlink ||
         file.hunks.empty();
}

bool skip_file(const FileDiff& file, const ReviewOptions& o, std::string_view text) {
  if (nothing_to_read(file)) return true;
  if (o.include_generated) return false;
  return features::is_skipped_path(file.path()) || features::looks_generated(text.substr(0, 1024));
}

}  // namespace

model::Result<ReviewResult> review_diff(const ReviewOptions& o, features::TextGenerator& generator) {
  auto top = run_git_line(o.repo, {"rev-parse", "--show-toplevel"});
  if (!top)
    return model::make_error(model::Errc::invalid_argument,
                             o.repo.string() + " is not in a git repository (coderx review reads the diff through git)");
  auto diff_text = run_git(o.repo, diff_args(o));
  if (!diff_text) return diff_text.error();
  auto diff = features::parse_unified_diff(*diff_text);
  if (!diff) return diff.error();
  ReviewResult result;
  std::vector<std::string> texts(diff->size());
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < diff->size(); ++i) {
    const FileDiff& file = (*diff)[i];
    if (!nothing_to_read(file)) {
      auto text = new_text(o, *top, file.path());
      if (!text) return text.error();
      texts[i] = std::move(*text);
    }
    if (skip_file(file, o, texts[i])) {
      ++result.files_skipped;
      spdlog::info("review: skipping {}", file.path());
      continue;
    }
    ++result.files_reviewed;
    result.hunks += file.hunks.size();
    add_tasks(file, texts[i], tasks);
  }
  run_tasks(tasks, generator, o);
  std::vector<features::Finding> findings;
  std::size_t failed = 0;
  const Task* first_failure = nullptr;
  for (Task& t : tasks) {
    if (!t.error.empty()) {
      if (!failed++) first_failure = &t;
      spdlog::warn("review: a hunk of {} could not be reviewed: {}", t.request.path, t.error);
      continue;
    }
    for (features::Finding& f : t.answer.findings) findings.push_back(std::move(f));
    if (!t.answer.summary.empty() && result.report.summary.find(t.answer.summary) == std::string::npos)
      result.report.summary += (result.report.summary.empty() ? "" : "\n") + t.answer.summary;
  }
  if (failed > 0 && failed == tasks.size())  // nothing was reviewed: the engine is down, say
    return model::make_error(model::Errc::io,
                             "review of " + first_failure->request.path + " failed: " + first_failure->error);
  if (failed > 0)  // the rest still counts; the report says what is missing
    result.report.summary += std::string(result.report.summary.empty() ? "" : "\n") + std::to_string(failed) + " of " +
                             std::to_string(tasks.size()) + " hunks could not be reviewed (" +
                             first_failure->request.path + ": " + first_failure->error + ")";
  keep_findings(features::place_findings(findings, *diff), o.filter, result);
  result.report.tool_version = model::version();
  return result;
}

int review_exit_code(const ReviewResult& result, std::optional<features::Severity> fail_level) {
  return fail_level && result.most_severe && *result.most_severe >= *fail_level ? 1 : 0;
}

}  // namespace coderx::cli
