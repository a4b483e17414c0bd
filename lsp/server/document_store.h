// The open documents of an LSP session: one context::Document per URI (text, version,
// incremental tree-sitter tree, UTF-16/UTF-8 positions), updated by didOpen/didChange/didClose
// and read by request jobs on worker threads through immutable snapshots.
//
// Edits are applied on the caller's thread (the reader thread: a text splice and a line index,
// no parse); the incremental reparse runs on the store's own parse thread. An edit stops a
// parse in progress for that document (the parser checks its stop token as it goes), so the
// reader thread never waits for a parse. get() returns the latest version at once (its tree
// may be stale); get_parsed() waits until the latest version's tree is there — never a stale
// one, unless the parse failed (time limit) or the wait timed out / was cancelled.
//
// The store also remembers where the user edited lately (recent_edits) and hands out the other
// open documents' texts, both for context::gather. Edits for an unknown URI are reported, not
// applied; positions clamp as LSP says. A change the document rejects (a range that ends before
// it starts) leaves the server's copy behind the editor's: the document is then out of sync,
// hidden from every reader (get, version, gather) and its ranged changes ignored, until a
// full-text change or a new didOpen brings it back. Thread-safe. The destructor stops the
// parse thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "context/document.h"
#include "context/gather.h"
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
  DocumentStore();
  ~DocumentStore();
  DocumentStore(const DocumentStore&) = delete;
  DocumentStore& operator=(const DocumentStore&) = delete;

  void set_encoding(context::PositionEncoding encoding) { encoding_ = encoding; }

  void open(const lsp::TextDocumentItem& item);
  // Errors: unknown document, an edit the document rejects (then nothing changes and the
  // document is out of sync), or ranged edits to a document out of sync (ignored).
  context::Result<void> change(const lsp::DidChangeTextDocumentParams& params);
  bool close(const std::string& uri);

  // The latest version; its tree may still be parsing (snapshot.tree_current == false).
  std::optional<DocumentInfo> get(const std::string& uri) const;
  // The latest version with its tree parsed (plain-text documents at once). Gives up and
  // returns the latest snapshot as it is when `stop` fires or after `timeout`.
  std::optional<DocumentInfo> get_parsed(const std::string& uri, std::stop_token stop = {},
                                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  std::optional<int> version(const std::string& uri) const;
  // Why get() has nothing for `uri`: not open, or out of sync since which failed change.
  std::string unavailable(const std::string& uri) const;
  bool out_of_sync(const std::string& uri) const;
  std::size_t count() const;
  std::size_t text_bytes() const;
  std::vector<std::string> uris() const;

  // Recently edited regions, newest first (path = the document's URI), at most `limit`.
  std::vector<context::RecentEdit> recent_edits(std::size_t limit = 8) const;
  // The texts of the open documents other than `except` (path = URI), at most `limit`
  // documents of at most `max_bytes` each.
  std::vector<context::OpenDocument> open_documents(const std::string& except, std::size_t limit = 16,
                                                    std::size_t max_bytes = 256 * 1024) const;

 private:
  struct Entry;
  struct EditRegion {
    std::string uri;
    std::uint32_t first_line = 0, last_line = 0;
  };
  void schedule_parse(const std::string& uri);
  void parse_loop(std::stop_token stop);
  // Waits kWholeCheckPause unless parse work arrives or `token` fires; true after a quiet pause.
  bool pause_in_parse_work(std::stop_token token);
  void parse_one(const std::string& uri);
  void note_edit(const std::string& uri, std::uint32_t first_line, std::uint32_t last_line);

  mutable std::mutex mu_;  // guards everything below; never held while parsing
  mutable std::condition_variable_any parsed_cv_;
  context::PositionEncoding encoding_ = context::PositionEncoding::utf16;
  std::map<std::string, std::shared_ptr<Entry>> docs_;
  std::deque<EditRegion> recent_;  // newest first
  std::set<std::string> to_parse_;
  std::condition_variable_any work_cv_;
  std::jthread parser_;  // last: stopped and joined first
};

}  // namespace coderx::server
