// Runs context::gather for one feature request (completion, refactor, explain): it supplies
// what the caller did not — a snapshot parsed from the text when there is none (the CLI), the
// document's uri as its path outside a workspace — and adapts the features' token counter.
// Used by prompts.cpp. Threading: pure (parses into a private Document when needed).
// Errors: none; without a grammar gather works on lines alone.
#pragma once

#include <cstdint>

#include "context/gather.h"
#include "lsp/features/prompts.h"

namespace coderx::features {

struct GatherInput {
  std::uint32_t begin = 0, end = 0;  // the cursor (begin == end) or the selection, bytes
  context::TaskKind kind = context::TaskKind::completion;
  std::int64_t budget = 0;           // tokens for every snippet together
};

context::GatherResult gather_context(const PromptInput& in, const GatherInput& what);

// The language of a document: by LSP language id, else by the uri's extension; null: plain text.
const context::Language* language_of(const DocumentView& doc);

}  // namespace coderx::features
