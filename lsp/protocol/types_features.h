// LSP structures of the assistant features: textDocument/inlineCompletion (3.18),
// textDocument/completion, textDocument/codeAction + codeAction/resolve,
// workspace/executeCommand, and the coderx/explain request. Requests may carry a coderx
// extension field "budget" (BudgetOverride) that overrides the configured budgets for that
// request. Conversions via tag_invoke (see types_base.h). Plain values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lsp/protocol/types_base.h"

namespace coderx::lsp {

// Per-request budget override (coderx extension, all optional).
struct BudgetOverride {
  std::optional<std::int64_t> context_tokens;
  std::optional<std::int64_t> thinking_tokens;
  std::optional<std::int64_t> answer_tokens;
  std::optional<std::int64_t> deadline_ms;
};

struct InlineCompletionParams {
  TextDocumentIdentifier text_document;
  Position position;
  int trigger_kind = 2;  // 1 invoked, 2 automatic
  std::optional<ProgressToken> work_done_token;
  std::optional<BudgetOverride> budget;
};

struct InlineCompletionItem {
  std::string insert_text;
  std::optional<Range> range;
  std::optional<std::string> filter_text;
};

struct InlineCompletionList {
  std::vector<InlineCompletionItem> items;
};

struct CompletionParams {
  TextDocumentIdentifier text_document;
  Position position;
  std::optional<BudgetOverride> budget;
};

struct CompletionItem {
  std::string label;
  int kind = 1;  // Text
  std::string detail;
  std::optional<std::string> filter_text;
  std::optional<std::string> sort_text;
  std::optional<TextEdit> text_edit;
  int insert_text_format = 1;  // plain text
};

struct CompletionList {
  bool is_incomplete = true;  // asks the client to ask again as the user types
  std::vector<CompletionItem> items;
};

struct Diagnostic {
  Range range;
  std::string message;
  std::optional<int> severity;
  std::optional<std::string> source;
};

struct CodeActionParams {
  TextDocumentIdentifier text_document;
  Range range;
  std::vector<Diagnostic> diagnostics;          // context.diagnostics
  std::optional<std::vector<std::string>> only;  // context.only
};

struct Command {
  std::string title;
  std::string command;
  json::array arguments;
};

// A code action; `data` carries what resolve needs (kept as JSON, opaque to the client).
struct CodeAction {
  std::string title;
  std::string kind;
  std::vector<Diagnostic> diagnostics;
  std::optional<WorkspaceEdit> edit;
  std::optional<Command> command;  // for clients without codeAction/resolve
  json::value data;
};

// The argument of coderx.refactor and the data of coderx code actions.
struct RefactorArgs {
  std::string uri;
  std::optional<std::int32_t> version;  // the document version the action was offered for
  Range range;
  std::string kind = "rewrite";  // rewrite | fix | document | tests | instruction
  std::string instruction;       // diagnostic message or free-form instruction
  std::optional<BudgetOverride> budget;
  // Set in code actions offered to clients without codeAction/resolve support: such clients run
  // the command and ignore its result, so the server also sends the edit as workspace/applyEdit.
  bool apply = false;
};

struct ApplyWorkspaceEditParams {
  std::string label;
  WorkspaceEdit edit;
};

struct ExecuteCommandParams {
  std::string command;
  json::array arguments;
  std::optional<ProgressToken> work_done_token;
};

struct ExplainParams {
  TextDocumentIdentifier text_document;
  Range range;
  std::optional<ProgressToken> work_done_token;
  std::optional<BudgetOverride> budget;
};

// The cost of one model request (coderx extension), as the features report it.
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;  // prompt tokens reused from the engine's prefix cache
  std::int64_t thinking_tokens = 0;
  std::int64_t answer_tokens = 0;
  double ms = 0;
};

struct ExplainResult {
  std::string markdown;
  Usage usage;
};

// The result of workspace/executeCommand coderx.refactor: the edit for the client to apply
// after the user confirms (the server never applies it).
struct RefactorCommandResult {
  WorkspaceEdit edit;
  Usage usage;
};

CODERX_LSP_JSON(BudgetOverride);
CODERX_LSP_JSON(InlineCompletionParams);
CODERX_LSP_JSON(InlineCompletionItem);
CODERX_LSP_JSON(InlineCompletionList);
CODERX_LSP_JSON(CompletionParams);
CODERX_LSP_JSON(CompletionItem);
CODERX_LSP_JSON(CompletionList);
CODERX_LSP_JSON(Diagnostic);
CODERX_LSP_JSON(CodeActionParams);
CODERX_LSP_JSON(Command);
CODERX_LSP_JSON(CodeAction);
CODERX_LSP_JSON(RefactorArgs);
CODERX_LSP_JSON(ApplyWorkspaceEditParams);
CODERX_LSP_JSON(ExecuteCommandParams);
CODERX_LSP_JSON(ExplainParams);
CODERX_LSP_JSON(Usage);
CODERX_LSP_JSON(ExplainResult);
CODERX_LSP_JSON(RefactorCommandResult);

}  // namespace coderx::lsp
