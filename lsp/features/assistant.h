// features::Assistant — completion, refactor, explain and review as plain C++ calls, shared by
// the LSP server and the CLI. (Filled in by the language-server issue; the foundation only
// fixes where it lives.)
#pragma once

#include <string>

namespace coderx::features {

struct AssistantOptions {
  std::string model;  // model reference (path, ollama:NAME[:TAG], hf:OWNER/REPO/FILE.gguf)
};

}  // namespace coderx::features
