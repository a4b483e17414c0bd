// The coderx command table and dispatch. To add a subcommand: write cmd_<name>.cpp with
// `int run_<name>(Args args)`, declare it below, and add one row to top_level_commands() in
// commands.cpp. Commands with sub-subcommands (`coderx model info`) call dispatch() with their
// own table. Every run_* returns the process exit code; usage errors are 2.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace coderx::cli {

using Args = std::span<const std::string>;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(Args args);
};

// Runs the command named by args[0] from `commands`; prints the list on --help/-h/help or when
// args is empty, and a one-line error with exit code 2 for an unknown name.
int dispatch(std::string_view program, std::span<const Command> commands, Args args);

std::span<const Command> top_level_commands();

// Top level: `coderx [--log-level L] [--version] <command> ...`.
int run_main(Args args);

// One per cmd_*.cpp.
int run_lsp(Args args);
int run_version(Args args);
int run_review(Args args);
int run_refactor(Args args);
int run_explain(Args args);
int run_serve(Args args);
// `coderx model ...` (cmd_model.cpp holds its sub-command table) and its sub-commands.
std::span<const Command> model_commands();
int run_model(Args args);
int run_model_info(Args args);
int run_model_make_test(Args args);
int run_model_tokenize(Args args);
int run_model_detokenize(Args args);
int run_model_import_tokenizer(Args args);
int run_model_logits(Args args);
int run_generate(Args args);
int run_bench(Args args);

}  // namespace coderx::cli
