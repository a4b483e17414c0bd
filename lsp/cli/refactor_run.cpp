#include "lsp/cli/refactor_run.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "context/document.h"
#include "context/ignore.h"
#include "context/languages.h"
#include "context/symbols.h"
#include "context/walk.h"
#include "lsp/cli/source_file.h"
#include "lsp/cli/unified_diff.h"
#include "lsp/features/assistant.h"

namespace coderx::cli {

namespace fs = std::filesystem;

const char* to_string(FileOutcome::Status status) {
  switch (status) {
    case FileOutcome::Status::unchanged: return "unchanged";
    case FileOutcome::Status::changed: return "changed";
    case FileOutcome::Status::applied: return "applied";
    case FileOutcome::Status::failed: return "failed";
    case FileOutcome::Status::skipped: return "skipped";
  }
  return "?";
}

namespace {

constexpr std::size_t kMaxWalkedFiles = 100000;

using FoundFiles = std::map<std::string, bool>;  // path relative to root → named on the command line

// A dot file, or a file in a dot directory (".github/x.yml"), as ripgrep and fd leave them out.
bool is_hidden(std::string_view rel) { return rel.starts_with('.') || rel.find("/.") != std::string_view::npos; }

// As in .gitignore: a pattern with no '/' matches a file's name at any depth ("*.c"); one with a
// '/' matches the whole path from the root, "**" standing for any number of directories.
bool glob_matches(std::string_view pattern, std::string_view rel) {
  if (pattern.starts_with("./")) pattern.remove_prefix(2);
  if (pattern.find('/') != std::string_view::npos) return context::glob_match(pattern, rel);
  return context::glob_match(pattern, rel.substr(rel.rfind('/') + 1));
}

// The files under `dir` that are not hidden and that no .gitignore/.coderxignore excludes, from
// `root` down, relative to root; those matching `pattern` when it is not empty.
model::Result<std::size_t> add_walked(const fs::path& root, const fs::path& dir, const std::string& pattern,
                                      FoundFiles& out) {
  std::vector<context::WalkEntry> entries = context::walk_workspace(dir, kMaxWalkedFiles + 1);
  if (entries.size() > kMaxWalkedFiles)
    return model::make_error(model::Errc::invalid_argument, "more than " + std::to_string(kMaxWalkedFiles) +
                                                                " files under " + dir.string() + "; name fewer");
  const bool below_root = fs::weakly_canonical(dir) != fs::weakly_canonical(root);
  std::size_t added = 0;
  for (const context::WalkEntry& e : entries) {
    if (is_hidden(e.path)) continue;
    std::string rel = fs::relative(dir / e.path, root).generic_string();
    if (!pattern.empty() && !glob_matches(pattern, rel)) continue;
    if (below_root && context::is_ignored(root, rel)) continue;
    out.emplace(rel, false);
    ++added;
  }
  return added;
}

// Syntax errors of `text` as tree-sitter sees them: -1 = no grammar, else the count (0/1).
int syntax_errors(const context::Language* language, const std::string& text) {
  if (!language) return -1;
  context::Document doc(language, text, 0);
  if (!doc.tree_current()) return -1;
  return doc.syntax().has_error() ? 1 : 0;
}

struct Range {
  std::uint32_t begin = 0, end = 0;
};

// Byte ranges to rewrite: the whole file after any UTF-8 byte order mark (which the model would
// not write back), or each top-level function/method (last first).
std::vector<Range> ranges_for(const RefactorOptions& o, const context::Language* language, const std::string& text) {
  const std::uint32_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  if (o.scope == RefactorScope::file || !language) return {{start, static_cast<std::uint32_t>(text.size())}};
  context::Document doc(language, text, 0);
  const context::SyntaxTrees trees = doc.syntax();
  std::vector<Range> out;
  for (std::size_t i = 0; i < trees.size(); ++i)
    for (const context::Symbol& s : context::extract_symbols(*language, trees.root(i), text).symbols) {
      if (!trees.shows(i, s.bytes.start)) continue;  // a framed piece repeats the class around it
      bool callable = s.kind == context::SymbolKind::function || s.kind == context::SymbolKind::method;
      if (callable && (out.empty() || s.bytes.start >= out.back().end)) out.push_back({s.bytes.start, s.bytes.end});
    }
  std::reverse(out.begin(), out.end());
  return out;
}

// "./src/x.png looks binary" → "looks binary": the outcome already names the file.
std::string without_prefix(const std::string& message, const std::string& prefix) {
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

FileOutcome failed(std::string path, std::string reason) {
  return {std::move(path), FileOutcome::Status::failed, "", std::move(reason)};
}

FileOutcome refactor_one(const RefactorOptions& o, features::Assistant& assistant, const InputFile& input) {
  const std::string& path = input.path;
  auto read = read_source_file(o.root / path);
  if (!read) {
    std::string reason = without_prefix(read.error().message, (o.root / path).string() + " ");
    if (read.error().code == model::Errc::unsupported && !input.named)
      return {path, FileOutcome::Status::skipped, "", reason};
    return failed(path, reason);
  }
  const context::Language* language = context::language_for_file(path, std::string_view(read->content).substr(0, 256));
  std::string text = read->content;
  for (Range r : ranges_for(o, language, text)) {
    features::RefactorRequest request;
    request.kind = features::RefactorKind::instruction;
    request.doc = {path, language ? language->id : "plaintext", text};
    request.begin = r.begin;
    request.end = r.end;
    request.instruction = o.instruction;
    request.budgets = o.budgets;
    auto result = assistant.refactor(request, std::stop_token());
    if (!result) return failed(path, "generation failed: " + result.error().message);
    text.replace(result->begin, result->end - result->begin, result->new_text);
  }
  if (text == read->content) return {path, FileOutcome::Status::unchanged, "", ""};
  if (syntax_errors(language, text) > 0 && syntax_errors(language, read->content) == 0)
    return failed(path, "the edited file no longer parses (tree-sitter syntax error); not applied");
  FileOutcome out{path, FileOutcome::Status::changed, unified_diff(path, read->content, text), ""};
  if (!o.apply) return out;
  auto written = atomic_replace(o.root / path, text, read->stamp);
  if (!written) return failed(path, written.error().message);
  out.status = FileOutcome::Status::applied;
  return out;
}

}  // namespace

model::Result<std::vector<InputFile>> expand_inputs(const fs::path& root, const std::vector<std::string>& inputs) {
  FoundFiles found;
  for (const std::string& input : inputs) {
    std::error_code ec;
    fs::path p = root / input;
    if (fs::is_regular_file(p, ec)) {
      found[fs::relative(p, root).generic_string()] = true;
      continue;
    }
    auto added = fs::is_directory(p, ec) ? add_walked(root, p, "", found) : add_walked(root, root, input, found);
    if (!added) return added.error();
    if (*added == 0 && !fs::is_directory(p, ec))
      return model::make_error(model::Errc::not_found,
                               "'" + input + "' matches no file (files that .gitignore or .coderxignore exclude are left out)");
  }
  std::vector<InputFile> out;
  for (const auto& [path, named] : found) out.push_back({path, named});
  return out;
}

model::Result<std::vector<FileOutcome>> refactor_files(
    const RefactorOptions& o, std::shared_ptr<features::TextGenerator> generator,
    const std::function<void(const FileOutcome&, std::size_t, std::size_t)>& on_done) {
  auto files = expand_inputs(o.root, o.inputs);
  if (!files) return files.error();
  features::Assistant assistant(std::move(generator));
  std::mutex mu;
  std::condition_variable cv;
  std::deque<FileOutcome> finished;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < files->size(); i = next++) {
      FileOutcome outcome = refactor_one(o, assistant, (*files)[i]);
      std::lock_guard lock(mu);
      finished.push_back(std::move(outcome));
      cv.notify_all();
    }
  };
  std::size_t n = std::clamp<std::size_t>(o.jobs, 1, std::max<std::size_t>(files->size(), 1));
  std::vector<std::jthread> threads;
  for (std::size_t t = 0; t < n; ++t) threads.emplace_back(worker);
  std::vector<FileOutcome> outcomes;
  while (outcomes.size() < files->size()) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !finished.empty(); });
    FileOutcome outcome = std::move(finished.front());
    finished.pop_front();
    lock.unlock();
    outcomes.push_back(std::move(outcome));
    if (on_done) on_done(outcomes.back(), outcomes.size(), files->size());
  }
  std::sort(outcomes.begin(), outcomes.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return outcomes;
}

int refactor_exit_code(const std::vector<FileOutcome>& outcomes) {
  bool changed = false;
  for (const FileOutcome& o : outcomes) {
    if (o.status == FileOutcome::Status::failed) return 2;
    changed = changed || o.status == FileOutcome::Status::changed;
  }
  return changed ? 1 : 0;
}

}  // namespace coderx::cli
