// WorkspaceIndexer: the workspace indexes of an LSP session — one context::WorkspaceIndex per
// workspace folder (the index honours .gitignore/.coderxignore) — built and kept up to date on
// the indexer's own thread, never on the reader thread: set_folders() after initialize and on
// didChangeWorkspaceFolders, file_event() on didChangeWatchedFiles and didSave (an ignore file
// that changes makes its folder rescan). Each index uses an on-disk cache (index_cache.h) under
// `cache_dir`, saved after a build and whenever the event queue drains after updates.
//
// Callers get shared_ptrs to indexes, whose methods are thread-safe, so gather reads an index
// while it is being updated. Errors: a folder that cannot be indexed is logged and reported
// through on_done; nothing is fatal. A folder dropped by set_folders while it is being built
// stops that build at once. The destructor stops a build in progress and joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "context/index.h"
#include "lsp/protocol/types_sync.h"

namespace coderx::server {

struct IndexerOptions {
  std::filesystem::path cache_dir;  // one cache file per folder in here; empty: no on-disk cache
  unsigned threads = 1;             // parsing threads while building
};

// Called on the indexer's thread around each folder's build.
struct IndexingCallbacks {
  std::function<void(const std::string& message)> begin;
  std::function<void(const std::string& summary)> end;
};

// $XDG_CACHE_HOME/coderx/index, else $HOME/.cache/coderx/index; empty when neither is set.
std::filesystem::path default_index_cache_dir();

class WorkspaceIndexer {
 public:
  explicit WorkspaceIndexer(IndexerOptions options);
  ~WorkspaceIndexer();
  WorkspaceIndexer(const WorkspaceIndexer&) = delete;
  WorkspaceIndexer& operator=(const WorkspaceIndexer&) = delete;

  // Indexes the folders not indexed yet and drops the ones no longer listed.
  void set_folders(std::vector<std::filesystem::path> roots, IndexingCallbacks callbacks = {});
  void file_event(const std::filesystem::path& abs, lsp::FileChangeType type);

  struct Located {
    std::shared_ptr<const context::WorkspaceIndex> index;  // null: outside every indexed folder
    std::string path;  // relative to the innermost folder holding `abs`; empty: outside all
  };
  // The index of the innermost indexed folder holding `abs`; the path also while a folder's
  // index is being built, or when it could not be built.
  Located locate(const std::filesystem::path& abs) const;
  std::size_t files() const;  // in all indexes
  // Blocks until every queued build and update has run (tests, benchmarks).
  void wait_idle() const;

 private:
  using Task = std::function<void(std::stop_token)>;
  void post(Task task);
  void loop(std::stop_token stop);
  void build(const std::filesystem::path& root, const IndexingCallbacks& callbacks, std::stop_token stop);
  void apply_event(const std::filesystem::path& abs, lsp::FileChangeType type, std::stop_token stop);
  void save_dirty();
  bool is_root(const std::filesystem::path& root) const;  // with mu_ held
  std::filesystem::path cache_file(const std::filesystem::path& root) const;

  IndexerOptions options_;
  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  std::deque<Task> tasks_;
  bool busy_ = false;
  std::vector<std::filesystem::path> roots_;  // the folders, as last set
  std::filesystem::path building_;            // the folder being built ("" = none)
  std::optional<std::stop_source> build_stop_;  // stops that build: set_folders dropped its folder
  std::map<std::filesystem::path, std::shared_ptr<context::WorkspaceIndex>> indexes_;
  std::vector<std::shared_ptr<context::WorkspaceIndex>> dirty_;
  std::jthread thread_;  // last: stopped and joined first
};

}  // namespace coderx::server
