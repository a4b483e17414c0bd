// `coderx model <sub-command>`: GGUF model and tokenizer tools. Add a sub-command with one row
// below and a cmd_model_<name>.cpp declaring run_model_<name> in commands.h.
#include <array>

#include "lsp/cli/commands.h"

namespace coderx::cli {

std::span<const Command> model_commands() {
  static const std::array<Command, 6> commands{{
      {"info", "describe a GGUF model: metadata, tensors, layers, experts, memory", run_model_info},
      {"make-test", "write a random-weight Gemma 4 MoE GGUF for tests and benchmarks",
       run_model_make_test},
      {"tokenize", "text on stdin -> token ids (JSON array) with a model's tokenizer", run_model_tokenize},
      {"detokenize", "token ids on stdin -> text", run_model_detokenize},
      {"import-tokenizer", "Hugging Face tokenizer.json -> vocabulary-only Gemma 4 GGUF",
       run_model_import_tokenizer},
      {"logits", "write the logits of a token sequence as raw float32 (rows x vocab)", run_model_logits},
  }};
  return commands;
}

int run_model(Args args) { return dispatch("coderx model", model_commands(), args); }

}  // namespace coderx::cli
