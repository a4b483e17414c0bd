// `coderx refactor -m INSTRUCTION PATHS...`: batch edits through the model. Check mode prints a
// unified diff (git apply accepts it); --apply replaces files atomically.
// Exit codes: 0 nothing to change or all applied, 1 changes proposed, 2 some file failed,
// 3 usage or configuration error.
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/generator_from_options.h"
#include "lsp/cli/refactor_run.h"

namespace coderx::cli {

namespace {

constexpr int kUsage = 3;

void print_json_line(const FileOutcome& o) {
  boost::json::object line{{"path", o.path}, {"status", to_string(o.status)}};
  if (!o.reason.empty()) line["reason"] = o.reason;
  if (!o.diff.empty()) line["diff"] = o.diff;
  std::string text = boost::json::serialize(line) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_progress(const FileOutcome& o, std::size_t done, std::size_t total) {
  constexpr std::size_t kWidth = 30;
  std::size_t filled = total ? done * kWidth / total : kWidth;
  std::string bar(filled, '#');
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu %s", bar.c_str(), done, total, o.path.c_str());
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

void report(const FileOutcome& o, bool json, bool progress, std::size_t done, std::size_t total) {
  if (json) return print_json_line(o);
  if (progress) print_progress(o, done, total);
  if (o.status == FileOutcome::Status::failed || o.status == FileOutcome::Status::skipped) {
    if (progress) std::fputc('\n', stderr);
    const char* what = o.status == FileOutcome::Status::skipped ? "skipped: " : "";
    std::fprintf(stderr, "coderx refactor: %s: %s%s\n", o.path.c_str(), what, o.reason.c_str());
  } else if (o.status == FileOutcome::Status::changed) {
    std::fwrite(o.diff.data(), 1, o.diff.size(), stdout);
    std::fflush(stdout);
  } else if (o.status == FileOutcome::Status::applied && !progress) {
    std::fprintf(stderr, "coderx refactor: applied %s\n", o.path.c_str());
  }
}

}  // namespace

int run_refactor(Args args) {
  ArgParser parser("coderx refactor", "Edit files with the model; prints a unified diff unless --apply.");
  RefactorOptions options;
  GeneratorOptions gen;
  std::string scope = "file", root = ".";
  std::int64_t jobs = 1;
  bool json = false;
  parser.option("-m", &options.instruction, "INSTRUCTION", "what to change (required)");
  parser.option("--scope", &scope, "SCOPE", "file (default) or function: one request per top-level function");
  parser.flag("--apply", &options.apply, "write the edits (atomically) instead of printing a diff");
  parser.option("--jobs", &jobs, "N", "files worked on at once (default 1)");
  parser.flag("--json", &json, "one JSON status line per file on stdout");
  parser.option("--root", &root, "DIR", "directory the paths are relative to (default: current)");
  add_generator_options(parser, gen);
  parser.rest("PATHS", &options.inputs,
              "files, directories or globs as in .gitignore ('*.py' at any depth, 'src/**/*.c'); "
              "directories and globs leave out hidden, ignored, binary and over-1-MiB files");
  if (auto rc = parser.parse(args)) return *rc == 0 ? 0 : kUsage;
  std::string problem = options.instruction.empty() ? "-m INSTRUCTION is required"
                        : options.inputs.empty()    ? "no PATHS given"
                        : (scope != "file" && scope != "function") ? "--scope must be file or function"
                        : (jobs < 1 || jobs > 64)   ? "--jobs must be in [1, 64]"
                                                    : "";
  if (!problem.empty()) {
    std::fprintf(stderr, "coderx refactor: %s\n", problem.c_str());
    return kUsage;
  }
  options.scope = scope == "function" ? RefactorScope::function : RefactorScope::file;
  options.jobs = static_cast<std::size_t>(jobs);
  options.root = root;
  auto generator = make_generator(gen);
  if (!generator) {
    std::fprintf(stderr, "coderx refactor: %s\n", generator.error().message.c_str());
    return kUsage;
  }
  bool progress = !json && ::isatty(STDERR_FILENO);
  auto outcomes = refactor_files(options, *generator, [&](const FileOutcome& o, std::size_t done, std::size_t total) {
    report(o, json, progress, done, total);
  });
  if (!outcomes) {
    std::fprintf(stderr, "coderx refactor: %s\n", outcomes.error().message.c_str());
    return kUsage;
  }
  return refactor_exit_code(*outcomes);
}

}  // namespace coderx::cli
