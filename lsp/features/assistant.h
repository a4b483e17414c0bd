// features::Assistant — inline completion, refactor and explain as plain C++ calls, shared by
// the LSP server and the CLI. It builds the prompt (prompts.h), calls the TextGenerator with
// the request's budgets and stop token, keeps thinking out of every result, trims completions
// (trim_completion.h) and caches them (completion_cache.h).
//
// Threading: every method may be called concurrently from several threads; each call blocks
// until done or cancelled (stop token checked by the generator between tokens).
// Errors: Result<T> with model::Errc — cancelled when the stop token fired, unavailable model or
// generation failures as internal/unsupported with the generator's message; a refactor answer
// the model did not finish (cut off by its budget or deadline) as unsupported, since half the
// code must never replace the selection; bad offsets are clamped, never an error. The text
// views in requests must stay valid for the call.
//
// Context: context::gather (prompts.h) packs enclosing scopes, the local window, definitions
// from the workspace index, imports, recent edits and open documents into the request's
// context budget, counted with the generator's tokenizer (TextGenerator::count_tokens) unless
// AssistantOptions::count_tokens injects another counter (unit tests). A request's
// `workspace` provider is called only when context is gathered: a completion on the same line
// as the previous one reuses its frame (frame_cache.h) so the prompt only grows at the end.
#pragma once

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "lsp/features/completion_cache.h"
#include "lsp/features/frame_cache.h"
#include "lsp/features/generator.h"
#include "lsp/features/prompts.h"
#include "model/error.h"

namespace coderx::features {

struct AssistantOptions {
  std::string model;                    // model reference (path, ollama:NAME[:TAG], hf:...)
  std::size_t max_completion_lines = 16;  // multi-line completions stop here
  std::size_t cache_entries = 32;         // completion results kept for reuse while typing
  TokenCounter count_tokens;              // empty: the generator's count_tokens
};

struct CompleteRequest {
  RequestKind kind = RequestKind::inline_completion;
  DocumentView doc;
  std::uint32_t cursor = 0;  // byte offset into doc.text (clamped)
  Budgets budgets;
  WorkspaceProvider workspace;  // empty: the document alone
};

struct Completion {
  std::string text;  // "" when the model had nothing useful
  bool cached = false;          // the result came from the completion cache (no generation)
  bool context_reused = false;  // the prompt reused the previous keystroke's frame
  FinishReason finish = FinishReason::stop;
  Usage usage;
};

struct RefactorRequest {
  RefactorKind kind = RefactorKind::rewrite;
  DocumentView doc;
  std::uint32_t begin = 0, end = 0;  // byte range of the selection (clamped)
  std::string instruction;           // diagnostic message or free-form instruction
  Budgets budgets;
  WorkspaceProvider workspace;
};

struct RefactorResult {
  std::string new_text;              // replaces [begin, end)
  std::uint32_t begin = 0, end = 0;  // add_tests: an empty range after the selection
  Usage usage;                       // (only a finished answer becomes a RefactorResult)
};

struct ExplainRequest {
  DocumentView doc;
  std::uint32_t begin = 0, end = 0;
  Budgets budgets;
  WorkspaceProvider workspace;
};

struct Explanation {
  std::string markdown;
  FinishReason finish = FinishReason::stop;
  Usage usage;
};

class Assistant {
 public:
  Assistant(std::shared_ptr<TextGenerator> generator, AssistantOptions options = {});

  model::Result<Completion> complete(const CompleteRequest& request, std::stop_token stop);
  model::Result<RefactorResult> refactor(const RefactorRequest& request, std::stop_token stop);
  // `on_text` receives the markdown as it streams (may be empty).
  model::Result<Explanation> explain(const ExplainRequest& request, std::stop_token stop,
                                     const TextCallback& on_text);

  TextGenerator& generator() { return *generator_; }
  CompletionCache& cache() { return cache_; }
  // The token counter of every context budget.
  TokenCounter counter() const;

 private:
  // `ended`: see generate_until_stop.
  model::Result<GenerationOutput> run(const GenerationInput& input, std::stop_token stop, const TextCallback& on_text,
                                      const std::function<bool(std::string_view)>& ended = {});

  std::shared_ptr<TextGenerator> generator_;
  AssistantOptions options_;
  CompletionCache cache_;
  FrameCache frames_;
};

}  // namespace coderx::features
