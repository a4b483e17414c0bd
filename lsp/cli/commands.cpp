#include "lsp/cli/commands.h"

#include <array>
#include <cstdio>

#include "lsp/cli/logging.h"

namespace coderx::cli {

std::span<const Command> top_level_commands() {
  static const std::array<Command, 9> commands{{
      {"bench", "measure prefill/decode tokens/s, time to first token, peak memory", run_bench},
      {"explain", "explain FILE[:LINE[-LINE]] as markdown", run_explain},
      {"generate", "generate text with the embedded engine (answer on stdout)", run_generate},
      {"lsp", "run the language server on stdio (or --listen HOST:PORT)", run_lsp},
      {"model", "GGUF model and tokenizer tools: info, make-test, tokenize, ...", run_model},
      {"refactor", "edit files with the model: a unified diff, or --apply (atomic)", run_refactor},
      {"review", "review a git diff with the model; findings as github, gitlab, sarif, ...", run_review},
      {"serve", "serve the engine over an OpenAI-compatible HTTP API (/v1/chat/completions)", run_serve},
      {"version", "print the version, build options and compute devices", run_version},
  }};
  return commands;
}

namespace {

void print_commands(std::string_view program, std::span<const Command> commands, std::FILE* out) {
  std::fprintf(out, "usage: %.*s <command> [options]\n\ncommands:\n",
               static_cast<int>(program.size()), program.data());
  for (const Command& c : commands)
    std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  std::fprintf(out, "\nRun '%.*s <command> --help' for a command's options.\n",
               static_cast<int>(program.size()), program.data());
}

}  // namespace

int dispatch(std::string_view program, std::span<const Command> commands, Args args) {
  if (args.empty()) {
    print_commands(program, commands, stderr);
    return 2;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    print_commands(program, commands, stdout);
    return 0;
  }
  for (const Command& c : commands)
    if (c.name == name) return c.run(args.subspan(1));
  const char* what = (!name.empty() && name[0] == '-') ? "unknown option" : "unknown command";
  std::fprintf(stderr, "%.*s: %s '%s' (see '%.*s --help')\n", static_cast<int>(program.size()),
               program.data(), what, name.c_str(), static_cast<int>(program.size()),
               program.data());
  return 2;
}

int run_main(Args args) {
  std::size_t i = 0;
  std::string level;
  for (; i < args.size(); ++i) {
    if (args[i] == "--version") return run_version({});
    if (args[i] == "--log-level" && i + 1 < args.size()) {
      level = args[++i];
    } else if (args[i].rfind("--log-level=", 0) == 0) {
      level = args[i].substr(12);
    } else {
      break;
    }
  }
  if (std::string error = setup_logging(level); !error.empty()) {
    std::fprintf(stderr, "coderx: %s\n", error.c_str());
    return 2;
  }
  return dispatch("coderx", top_level_commands(), args.subspan(i));
}

}  // namespace coderx::cli
