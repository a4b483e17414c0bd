// `coderx model <subcommand>`: GGUF and tokenizer tools. One row per subcommand; each lives in
// its own cmd_model_<name>.cpp.
#include <array>

#include "lsp/cli/commands.h"

namespace coderx::cli {

int run_model(Args args) {
  static const std::array<Command, 3> commands{{
      {"tokenize", "text on stdin → token ids (JSON array) with a model's tokenizer", run_model_tokenize},
      {"detokenize", "token ids on stdin → text", run_model_detokenize},
      {"import-tokenizer", "Hugging Face tokenizer.json → vocabulary-only Gemma 4 GGUF",
       run_model_import_tokenizer},
  }};
  return dispatch("coderx model", commands, args);
}

}  // namespace coderx::cli
