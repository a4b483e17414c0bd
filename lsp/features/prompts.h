// The prompts of the assistant features, as plain text turns for TextGenerator.
// Completion uses prefix continuation (architecture.md): the code after the cursor and the
// surrounding context go in the user turn, the code before the cursor is the start of the
// model's answer, so typing only extends the prompt and keeps the engine's prefix cache warm.
// Refactor and explain are ordinary chat turns (thinking on within the budget).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "lsp/features/generator.h"

namespace coderx::features {

// Counts tokens of a text (the model's tokenizer in production; an estimate by default).
using TokenCounter = std::function<std::int64_t(std::string_view)>;
std::int64_t estimate_tokens(std::string_view text);  // ~4 bytes per token, rounded up

struct DocumentView {
  std::string_view uri;
  std::string_view language_id;
  std::string_view text;
};

// The longest tail of `text` that starts at a line start and fits in `tokens`.
std::string_view tail_within(std::string_view text, std::int64_t tokens, const TokenCounter& count);
// The longest head of `text` that ends at a line end and fits in `tokens`.
std::string_view head_within(std::string_view text, std::int64_t tokens, const TokenCounter& count);

// Prefix continuation at byte `cursor`: 3/4 of the context budget for the code before the cursor.
GenerationInput completion_prompt(const DocumentView& doc, std::uint32_t cursor,
                                  const Budgets& budgets, const TokenCounter& count);

enum class RefactorKind { rewrite, fix_diagnostic, document, add_tests, instruction };
const char* to_string(RefactorKind kind);

GenerationInput refactor_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                                RefactorKind kind, std::string_view instruction,
                                const Budgets& budgets, const TokenCounter& count);
GenerationInput explain_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                               const Budgets& budgets, const TokenCounter& count);

}  // namespace coderx::features
