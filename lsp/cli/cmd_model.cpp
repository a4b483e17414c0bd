// `coderx model <subcommand>`: GGUF and engine tools. One row per subcommand (each in its own
// cmd_model_<name>.cpp).
#include <array>

#include "lsp/cli/commands.h"

namespace coderx::cli {

int run_model(Args args) {
  static const std::array<Command, 1> commands{{
      {"logits", "write the logits of a token sequence as raw float32", run_model_logits},
  }};
  return dispatch("coderx model", commands, args);
}

}  // namespace coderx::cli
