// The workspace index: every source file the walker keeps (walk.h), with its symbols and
// imports (symbols.h), imports resolved to workspace files where possible (import_resolve.h),
// a name -> definitions table, incremental update on change/create/delete, and an on-disk cache
// (index_cache.h) so a restart re-parses only files whose size+mtime and content hash changed.
// Files over the size limit, binary files (NUL in the first 8 KiB), unreadable files and files
// whose parse runs out of time are skipped or degraded with a log line, never fatal.
// Used by the LSP server (owner), gather and the CLI. Threading: all methods are thread-safe
// (a shared mutex; readers get copies); build() may use several threads.
#pragma once

#include "context/error.h"
#include "context/languages.h"
#include "context/symbols.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <map>
#include <vector>

namespace coderx::context {

struct IndexOptions {
  std::uint64_t max_file_bytes = 1 << 20;         // larger files are skipped (log line)
  std::size_t max_files = 200000;                 // the walk stops after this many files
  std::filesystem::path cache_file;               // empty: no on-disk cache
  std::chrono::milliseconds parse_time_limit{2000};  // per file; on timeout: no symbols
  unsigned threads = 1;                           // parsing threads for build()
};

struct IndexedFile {
  std::string path;                     // relative to the root, "/"-separated
  const Language* language = nullptr;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t hash = 0;               // FNV-1a 64 of the content
  std::vector<Symbol> symbols;
  std::vector<ImportRef> imports;
};

struct SymbolHit {
  std::string path;
  Symbol symbol;
};

struct IndexStats {
  std::size_t files = 0;        // files in the index
  std::size_t parsed = 0;       // parsed during the last build/update
  std::size_t from_cache = 0;   // reused from the on-disk cache
  std::size_t skipped_large = 0, skipped_binary = 0, skipped_unreadable = 0, skipped_other = 0;
  std::size_t ignored = 0, links_outside = 0, loops = 0;
  std::size_t symbols = 0;
  std::uint64_t bytes = 0;      // bytes of the indexed files
};

class WorkspaceIndex {
 public:
  static Result<std::unique_ptr<WorkspaceIndex>> build(const std::filesystem::path& root,
                                                       IndexOptions options = {},
                                                       std::stop_token stop = {});

  // A file was created or changed (re-read, or dropped if now ignored, too large or gone).
  void update(const std::string& rel_path);
  // Walks again (after an ignore file changed, a branch switch, many changes at once):
  // unchanged files are kept without re-reading, others re-indexed, vanished ones dropped.
  Result<void> rescan(std::stop_token stop = {});
  void remove(const std::string& rel_path);
  Result<void> save_cache() const;

  std::vector<SymbolHit> find_definitions(std::string_view name, std::size_t limit = 16) const;
  std::optional<IndexedFile> file(std::string_view rel_path) const;
  // Resolved workspace files of each import of `rel_path` (same order as its imports).
  std::vector<std::vector<std::string>> resolved_imports(std::string_view rel_path) const;
  std::vector<std::string> files() const;
  bool contains(std::string_view rel_path) const;
  IndexStats stats() const;
  const std::filesystem::path& root() const { return root_; }
  const IndexOptions& options() const { return options_; }
  // `abs` relative to the root, "/"-separated; empty when outside.
  std::string relative(const std::filesystem::path& abs) const;

 private:
  WorkspaceIndex(std::filesystem::path root, IndexOptions options);
  Result<void> scan(const std::map<std::string, std::shared_ptr<const IndexedFile>, std::less<>>& known,
                    std::stop_token stop);
  void insert_locked(std::shared_ptr<const IndexedFile> file);
  void erase_locked(const std::string& path);

  std::filesystem::path root_;
  IndexOptions options_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<const IndexedFile>, std::less<>> files_;
  std::unordered_map<std::string, std::vector<std::string>> by_name_;      // name -> paths
  std::unordered_map<std::string, std::vector<std::string>> by_basename_;  // "a.h" -> paths
  IndexStats stats_;
};

std::uint64_t content_hash(std::string_view bytes);

// `abs` relative to `root`, "/"-separated ("src/a.py"); empty when it is not inside root.
std::string relative_within(const std::filesystem::path& root, const std::filesystem::path& abs);

}  // namespace coderx::context
