// The prompts of the assistant features, as plain text turns for TextGenerator, with their
// context from context::gather (enclosing scopes, the local window, definitions of nearby
// identifiers from the workspace index, imported files' symbols, recent edits, other open
// documents) packed into the request's context-token budget.
//
// Completion uses prefix continuation (architecture.md): the gathered context and the code
// after the cursor go in the user turn, the code before the cursor is the start of the model's
// answer, so typing only extends the prompt and keeps the engine's prefix cache warm. The part
// that stays put while the user types on one line is a CompletionFrame (the Assistant reuses it
// between keystrokes, see frame_cache.h). Refactor and explain are ordinary chat turns.
//
// Budget: count(user) + count(answer_prefix) <= budgets.context_tokens with the injected
// counter (the model's tokenizer in production); the system turn and the chat template's
// control tokens are not part of the context budget. The one exception: a refactor/explain
// selection is always quoted whole, even when it alone is over the budget.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "context/document.h"
#include "context/gather.h"
#include "context/index.h"
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

// What gather uses beyond the document's text; every field is optional.
struct WorkspaceContext {
  // The document with its tree at the request's version (null tree: parsed from the text).
  std::optional<context::DocumentSnapshot> snapshot;
  std::string path;  // workspace-relative path of the document; empty: the document's uri
  std::shared_ptr<const context::WorkspaceIndex> index;
  std::vector<context::RecentEdit> recent_edits;       // newest first
  std::vector<context::OpenDocument> open_documents;   // other open documents
};
// Called only when the context has to be gathered (not on a reused completion frame).
using WorkspaceProvider = std::function<WorkspaceContext()>;

// The longest tail of `text` that starts at a line start and fits in `tokens`.
std::string_view tail_within(std::string_view text, std::int64_t tokens, const TokenCounter& count);
// The longest head of `text` that ends at a line end and fits in `tokens`.
std::string_view head_within(std::string_view text, std::int64_t tokens, const TokenCounter& count);

// The part of a completion prompt that does not change while the user types on the cursor's
// line: the user turn, and where the answer prefix (the code before the cursor) starts.
struct CompletionFrame {
  std::string user;
  std::uint32_t prefix_start = 0;  // byte offset into the document; the prefix ends at the cursor
  std::int64_t user_tokens = 0;    // count(user)
  std::size_t snippets = 0;        // gathered context snippets in `user` (besides the local window)
};

struct PromptInput {
  DocumentView doc;
  Budgets budgets;
  TokenCounter count;
  const WorkspaceContext* workspace = nullptr;  // null: the document alone
};

// The name prompts give the document: its workspace-relative path when known, else its URI (so a
// prompt, and a greedy completion, do not depend on where the workspace is checked out).
std::string document_name(const PromptInput& in);

CompletionFrame completion_frame(const PromptInput& in, std::uint32_t cursor);
GenerationInput completion_input(const CompletionFrame& frame, const PromptInput& in, std::uint32_t cursor);
// completion_frame + completion_input.
GenerationInput completion_prompt(const DocumentView& doc, std::uint32_t cursor,
                                  const Budgets& budgets, const TokenCounter& count,
                                  const WorkspaceContext* workspace = nullptr);

enum class RefactorKind { rewrite, fix_diagnostic, document, add_tests, instruction };
const char* to_string(RefactorKind kind);

GenerationInput refactor_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                                RefactorKind kind, std::string_view instruction,
                                const Budgets& budgets, const TokenCounter& count,
                                const WorkspaceContext* workspace = nullptr);
GenerationInput explain_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                               const Budgets& budgets, const TokenCounter& count,
                               const WorkspaceContext* workspace = nullptr);

}  // namespace coderx::features
