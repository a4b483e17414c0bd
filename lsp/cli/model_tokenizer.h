// How CLI commands get a tokenizer from --model: a GGUF file's tokenizer.* keys, or (for tests
// and tools) a Hugging Face tokenizer.json directly (Gemma 4 specials patched in as
// lsp/cli/hf_tokenizer.h describes). Errors carry the path and the reason.
// Who calls it: cmd_model_tokenize.cpp, cmd_model_detokenize.cpp. Threading: pure.
#pragma once

#include <string>

#include "model/error.h"
#include "model/tokenizer.h"

namespace coderx::cli {

model::Result<model::Tokenizer> load_cli_tokenizer(const std::string& model);

// All of stdin (binary-safe).
std::string read_stdin();

}  // namespace coderx::cli
