#include "lsp/features/gather_context.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace coderx::features {

const context::Language* language_of(const DocumentView& doc) {
  if (const context::Language* l = context::language_by_id(doc.language_id)) return l;
  std::size_t dot = doc.uri.rfind('.');
  if (dot == std::string_view::npos || doc.uri.find('/', dot) != std::string_view::npos) return nullptr;
  return context::language_by_extension(doc.uri.substr(dot));
}

namespace {

// The caller's snapshot when it holds this text, else a fresh parse of the text.
context::DocumentSnapshot snapshot_of(const PromptInput& in) {
  if (in.workspace && in.workspace->snapshot && in.workspace->snapshot->text &&
      *in.workspace->snapshot->text == in.doc.text)
    return *in.workspace->snapshot;
  context::Document doc(language_of(in.doc), std::string(in.doc.text), 0);
  return doc.snapshot();
}

}  // namespace

context::GatherResult gather_context(const PromptInput& in, const GatherInput& what) {
  context::DocumentSnapshot snapshot = snapshot_of(in);
  context::GatherRequest request;
  request.document = &snapshot;
  request.path = document_name(in);
  request.start_byte = what.begin;
  request.end_byte = what.end;
  request.kind = what.kind;
  request.budget_tokens = static_cast<std::size_t>(std::max<std::int64_t>(0, what.budget));
  const TokenCounter& count = in.count;
  request.count_tokens = [&count](std::string_view s) {
    return static_cast<std::size_t>(std::max<std::int64_t>(0, count(s)));
  };
  if (in.workspace) {
    request.index = in.workspace->index.get();
    request.recent_edits = in.workspace->recent_edits;
    request.open_documents = in.workspace->open_documents;
  }
  context::GatherResult result = context::gather(request);
  spdlog::debug("gather {}: {} snippets, {} dropped, {} of {} tokens", request.path, result.snippets.size(),
                result.dropped.size(), result.tokens_used, request.budget_tokens);
  return result;
}

}  // namespace coderx::features
