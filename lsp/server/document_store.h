// The open documents of an LSP session: one context::Document per URI (text, version,
// incremental tree-sitter tree, UTF-16/UTF-8 positions), updated by didOpen/didChange/didClose
// on the reader thread and read by request jobs on worker threads through immutable
// snapshots. Edits for an unknown URI are reported, not applied; positions clamp as LSP says.
// Thread-safe (one mutex; a parse runs under it with a time limit so readers never wait long).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "context/document.h"
#include "lsp/protocol/types_base.h"
#include "lsp/protocol/types_sync.h"

namespace coderx::server {

inline context::Position to_context(const lsp::Position& p) { return {p.line, p.character}; }
inline lsp::Position to_lsp(const context::Position& p) { return {p.line, p.character}; }

struct DocumentInfo {
  std::string uri;
  std::string language_id;
  context::DocumentSnapshot snapshot;
  std::uint32_t offset_of(const lsp::Position& p) const {
    return snapshot.lines->offset_of(to_context(p), snapshot.encoding);
  }
  lsp::Position position_of(std::uint32_t offset) const {
    return to_lsp(snapshot.lines->position_of(offset, snapshot.encoding));
  }
};

class DocumentStore {
 public:
  void set_encoding(context::PositionEncoding encoding) { encoding_ = encoding; }

  void open(const lsp::TextDocumentItem& item);
  // Errors: unknown document, or an edit the document rejects (then nothing changes).
  context::Result<void> change(const lsp::DidChangeTextDocumentParams& params);
  bool close(const std::string& uri);

  std::optional<DocumentInfo> get(const std::string& uri) const;
  std::optional<int> version(const std::string& uri) const;
  std::size_t count() const;
  std::size_t text_bytes() const;

 private:
  struct Entry {
    std::string language_id;
    std::unique_ptr<context::Document> doc;
  };
  mutable std::mutex mu_;
  context::PositionEncoding encoding_ = context::PositionEncoding::utf16;
  std::map<std::string, Entry> docs_;
};

}  // namespace coderx::server
