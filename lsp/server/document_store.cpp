#include "lsp/server/document_store.h"

#include <chrono>

namespace coderx::server {

namespace {

// Parsing happens under the store's lock; a slow parse is cut short and finished later.
context::ParseLimits edit_limits() {
  context::ParseLimits limits;
  limits.time_limit = std::chrono::milliseconds(50);
  return limits;
}

const context::Language* language_for(const std::string& language_id, const std::string& uri) {
  if (const context::Language* l = context::language_by_id(language_id)) return l;
  std::size_t dot = uri.rfind('.');
  return dot == std::string::npos ? nullptr : context::language_by_extension(uri.substr(dot));
}

}  // namespace

void DocumentStore::open(const lsp::TextDocumentItem& item) {
  auto doc = std::make_unique<context::Document>(language_for(item.language_id, item.uri), item.text,
                                                 item.version, encoding_, edit_limits());
  std::lock_guard lock(mu_);
  docs_[item.uri] = Entry{item.language_id, std::move(doc)};
}

context::Result<void> DocumentStore::change(const lsp::DidChangeTextDocumentParams& params) {
  std::vector<context::TextChange> changes;
  changes.reserve(params.content_changes.size());
  for (const auto& c : params.content_changes) {
    context::TextChange change;
    if (c.range) change.range = context::Range{to_context(c.range->start), to_context(c.range->end)};
    change.text = c.text;
    changes.push_back(std::move(change));
  }
  std::lock_guard lock(mu_);
  auto it = docs_.find(params.text_document.uri);
  if (it == docs_.end())
    return context::make_error(context::Errc::not_found,
                               "didChange for a document that is not open: " + params.text_document.uri);
  int version = params.text_document.version.value_or(it->second.doc->version() + 1);
  auto status = it->second.doc->apply(changes, version, edit_limits());
  if (!status) return status.error();
  return {};
}

bool DocumentStore::close(const std::string& uri) {
  std::lock_guard lock(mu_);
  return docs_.erase(uri) > 0;
}

std::optional<DocumentInfo> DocumentStore::get(const std::string& uri) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(uri);
  if (it == docs_.end()) return std::nullopt;
  return DocumentInfo{uri, it->second.language_id, it->second.doc->snapshot()};
}

std::optional<int> DocumentStore::version(const std::string& uri) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(uri);
  if (it == docs_.end()) return std::nullopt;
  return it->second.doc->version();
}

std::size_t DocumentStore::count() const {
  std::lock_guard lock(mu_);
  return docs_.size();
}

std::size_t DocumentStore::text_bytes() const {
  std::lock_guard lock(mu_);
  std::size_t total = 0;
  for (const auto& [uri, e] : docs_) total += e.doc->text().size();
  return total;
}

}  // namespace coderx::server
