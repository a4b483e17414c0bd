// gather(): the context for a cursor or a range, as scored snippets packed into a token budget.
// Sources: the local window before/after the cursor (always first, trimmed to its share of the
// budget by dropping the farthest lines), enclosing scopes' signatures, definitions (from the
// workspace index, across files) of identifiers used near the cursor, the symbols of imported
// files, recently edited regions and other open documents (passed in by the caller).
// Snippets that repeat the local window or each other are dropped; the rest are packed best
// score first. Every snippet is counted as counter(header + text) with the injected counter
// (the product injects the model tokenizer), and the sum never exceeds the budget.
// Used by lsp/features (inline completion, refactor, explain) and the CLI.
// Threading: a pure function over a DocumentSnapshot and a (thread-safe) index.
#pragma once

#include "context/document.h"
#include "context/index.h"

#include <functional>
#include <string>
#include <vector>

namespace coderx::context {

using TokenCounter = std::function<std::size_t(std::string_view)>;

enum class TaskKind { completion, refactor, explain, review };
enum class SnippetKind { local_before, local_after, enclosing_scope, definition, import_summary,
                         recent_edit, open_document };
std::string_view to_string(SnippetKind kind);

struct Snippet {
  SnippetKind kind;
  std::string path;             // workspace-relative (or as given for open documents)
  std::uint32_t start_line = 0;  // 0-based, inclusive
  std::uint32_t end_line = 0;
  std::string header;           // one line naming path, lines and kind
  std::string text;
  double score = 0;             // 1.0 for the local window; others in (0, 1)
  std::size_t tokens = 0;       // counter(header + text)
};

struct DroppedSnippet {
  SnippetKind kind;
  std::string path;
  std::uint32_t start_line = 0, end_line = 0;
  double score = 0;
  std::string reason;  // "over budget: needs 120 tokens, 40 left", "duplicate of the local window"
};

struct RecentEdit {  // newest first in GatherRequest::recent_edits
  std::string path;
  std::uint32_t start_line = 0;
  std::string text;
};

struct OpenDocument {
  std::string path;
  std::string text;
};

struct GatherOptions {
  std::uint32_t before_lines = 80;      // local window before the cursor
  std::uint32_t after_lines = 25;       // and after it
  double before_share = 0.5;            // at most this share of the budget for "before"
  double after_share = 0.15;
  std::uint32_t max_definition_lines = 40;
  std::size_t max_identifiers = 24;     // nearest identifiers looked up in the index
  std::size_t max_hits_per_name = 4;    // more definitions than this: the name is ambiguous
};

struct GatherRequest {
  const DocumentSnapshot* document = nullptr;
  std::string path;                      // the document's workspace-relative path
  std::uint32_t start_byte = 0;          // the cursor, or the start of the range
  std::uint32_t end_byte = 0;            // == start_byte for a cursor
  TaskKind kind = TaskKind::completion;
  std::size_t budget_tokens = 2048;
  TokenCounter count_tokens;             // required
  const WorkspaceIndex* index = nullptr; // optional
  std::vector<RecentEdit> recent_edits;
  std::vector<OpenDocument> open_documents;
  GatherOptions options;
};

struct GatherResult {
  std::vector<Snippet> snippets;  // local_before, local_after, then by decreasing score
  std::vector<DroppedSnippet> dropped;
  std::size_t tokens_used = 0;
};

GatherResult gather(const GatherRequest& request);

}  // namespace coderx::context
