#include "lsp/cli/model_tokenizer.h"

#include <cstdio>

#include "lsp/cli/hf_tokenizer.h"
#include "lsp/server/model_ref.h"
#include "model/vocab_gguf.h"

namespace coderx::cli {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

model::Result<model::Tokenizer> load_cli_tokenizer(const std::string& model) {
  if (ends_with(model, ".json")) {
    auto data = import_hf_tokenizer({model});
    if (!data) return data.error();
    return model::Tokenizer::create(std::move(*data));
  }
  auto resolved = server::resolve_model_ref(model);  // a path, ollama:NAME[:TAG] or hf:...
  if (!resolved) return resolved.error();
  return model::load_tokenizer(*resolved);
}

std::string read_stdin() {
  std::string all;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) all.append(buf, n);
  return all;
}

}  // namespace coderx::cli
