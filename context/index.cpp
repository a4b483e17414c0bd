#include "context/index.h"

#include "context/binary_sniff.h"
#include "context/import_resolve.h"
#include "context/index_cache.h"
#include "context/parse.h"
#include "context/read_file.h"
#include "context/walk.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace coderx::context {

std::uint64_t content_hash(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

enum class Skip { none, large, binary, unreadable, other };

struct Outcome {
  std::shared_ptr<const IndexedFile> file;
  Skip skip = Skip::none;
  bool from_cache = false;
};

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Parses and indexes one file; one instance per thread (it owns parsers).
class FileIndexer {
 public:
  using Known = std::map<std::string, std::shared_ptr<const IndexedFile>, std::less<>>;
  FileIndexer(const fs::path& root, const IndexOptions& options, const Known* known)
      : root_(root), options_(options), known_(known) {}

  Outcome run(const WalkEntry& e) {
    if (e.size > options_.max_file_bytes) {
      spdlog::info("index: {} skipped: {} bytes exceeds the {}-byte limit", e.path, e.size,
                   options_.max_file_bytes);
      return {nullptr, Skip::large};
    }
    std::shared_ptr<const IndexedFile> cached = lookup_known(e.path);
    if (cached && cached->size == e.size && cached->mtime_ns == e.mtime_ns)
      return {std::move(cached), Skip::none, true};
    auto text = read_regular_file(root_ / e.path, e.size, true);  // what the walk saw
    if (!text) {
      spdlog::info("index: {} skipped: cannot read it", e.path);
      return {nullptr, Skip::unreadable};
    }
    if (looks_binary(*text)) {
      spdlog::debug("index: {} skipped: binary", e.path);
      return {nullptr, Skip::binary};
    }
    const Language* lang = language_for_file(e.path, std::string_view(*text).substr(0, 256));
    if (!lang) return {nullptr, Skip::other};
    const std::uint64_t hash = content_hash(*text);
    if (cached && cached->hash == hash && cached->size == text->size()) {
      auto copy = std::make_shared<IndexedFile>(*cached);
      copy->mtime_ns = e.mtime_ns;
      return {std::move(copy), Skip::none, true};
    }
    return {parse_file(e, *lang, *text, hash)};
  }

 private:
  std::shared_ptr<const IndexedFile> lookup_known(const std::string& path) const {
    if (!known_) return nullptr;
    auto it = known_->find(path);
    return it == known_->end() ? nullptr : it->second;
  }

  std::shared_ptr<const IndexedFile> parse_file(const WalkEntry& e, const Language& lang,
                                                const std::string& text, std::uint64_t hash) {
    auto file = std::make_shared<IndexedFile>();
    file->path = e.path;
    file->language = &lang;
    file->size = text.size();
    file->mtime_ns = e.mtime_ns;
    file->hash = hash;
    auto& parser = parsers_[&lang];
    if (!parser) parser = make_parser(lang.grammar);
    const auto limit = std::chrono::duration_cast<std::chrono::microseconds>(options_.parse_time_limit);
    auto tree = parse(parser.get(), text, nullptr, ParseLimits{{}, limit});
    if (!tree) {
      spdlog::info("index: {} indexed without symbols: {}", e.path, tree.error().message);
      return file;
    }
    ParseLimits query_limits{{}, limit};
    FileSymbols syms = extract_symbols(lang, ts_tree_root_node(tree->get()), text, query_limits);
    file->symbols = std::move(syms.symbols);
    file->imports = std::move(syms.imports);
    return file;
  }

  fs::path root_;
  const IndexOptions& options_;
  const Known* known_;  // previous results (on-disk cache or the live index), may be null
  std::map<const Language*, ParserPtr> parsers_;
};

void count(IndexStats& stats, const Outcome& o) {
  switch (o.skip) {
    case Skip::large: ++stats.skipped_large; break;
    case Skip::binary: ++stats.skipped_binary; break;
    case Skip::unreadable: ++stats.skipped_unreadable; break;
    case Skip::other: ++stats.skipped_other; break;
    case Skip::none: (o.from_cache ? stats.from_cache : stats.parsed)++; break;
  }
}

}  // namespace

WorkspaceIndex::WorkspaceIndex(fs::path root, IndexOptions options)
    : root_(std::move(root)), options_(std::move(options)) {}

Result<std::unique_ptr<WorkspaceIndex>> WorkspaceIndex::build(const fs::path& root, IndexOptions options,
                                                              std::stop_token stop) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return make_error(Errc::not_found, "workspace " + root.string() + " is not a directory");
  std::unique_ptr<WorkspaceIndex> index(new WorkspaceIndex(root, options));
  FileIndexer::Known known;
  if (!options.cache_file.empty()) {
    auto loaded = read_index_cache(options.cache_file);
    if (loaded) {
      for (auto& [path, file] : *loaded) known.emplace(path, std::make_shared<const IndexedFile>(std::move(file)));
    } else {
      spdlog::info("index: cache not used: {}", loaded.error().message);
    }
  }
  auto status = index->scan(known, stop);
  if (!status) return status.error();
  return index;
}

Result<void> WorkspaceIndex::rescan(std::stop_token stop) {
  FileIndexer::Known known;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [path, file] : files_) known.emplace(path, file);
  }
  return scan(known, stop);
}

// Walks the root and indexes every file, reusing `known` entries whose size and mtime (or
// content hash) still match; replaces the whole content of the index at the end.
Result<void> WorkspaceIndex::scan(const std::map<std::string, std::shared_ptr<const IndexedFile>, std::less<>>& known,
                                  std::stop_token stop) {
  WalkStats walk_stats;
  const auto entries = walk_workspace(root_, options_.max_files, &walk_stats, stop);
  std::vector<Outcome> outcomes(entries.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    FileIndexer indexer(root_, options_, known.empty() ? nullptr : &known);
    for (std::size_t i = next++; i < entries.size() && !stop.stop_requested(); i = next++)
      outcomes[i] = indexer.run(entries[i]);
  };
  const unsigned n = std::max(1u, options_.threads);
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (stop.stop_requested()) return make_error(Errc::cancelled, "indexing " + root_.string() + " cancelled");
  std::unique_lock lock(mutex_);
  files_.clear();
  by_name_.clear();
  by_basename_.clear();
  stats_ = IndexStats{};
  for (auto& o : outcomes) {
    count(stats_, o);
    if (o.file) insert_locked(std::move(o.file));
  }
  stats_.ignored = walk_stats.ignored;
  stats_.links_outside = walk_stats.links_outside;
  stats_.loops = walk_stats.loops;
  stats_.skipped_unreadable += walk_stats.unreadable;
  return {};
}

void WorkspaceIndex::insert_locked(std::shared_ptr<const IndexedFile> file) {
  erase_locked(file->path);
  for (const Symbol& s : file->symbols) {
    auto& paths = by_name_[s.name];
    if (paths.empty() || paths.back() != file->path) paths.push_back(file->path);
  }
  by_basename_[basename_of(file->path)].push_back(file->path);
  stats_.symbols += file->symbols.size();
  stats_.bytes += file->size;
  ++stats_.files;
  files_[file->path] = std::move(file);
}

void WorkspaceIndex::erase_locked(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return;
  const IndexedFile& f = *it->second;
  for (const Symbol& s : f.symbols) {
    auto n = by_name_.find(s.name);
    if (n == by_name_.end()) continue;
    std::erase(n->second, path);
    if (n->second.empty()) by_name_.erase(n);
  }
  auto b = by_basename_.find(basename_of(path));
  if (b != by_basename_.end()) std::erase(b->second, path);
  stats_.symbols -= f.symbols.size();
  stats_.bytes -= f.size;
  --stats_.files;
  files_.erase(it);
}

void WorkspaceIndex::update(const std::string& rel) {
  std::error_code ec;
  const fs::path abs = root_ / rel;
  const auto st = fs::status(abs, ec);
  // As the walk: not a link (nor under one) that leads out of the workspace.
  if (ec || !fs::is_regular_file(st) || !resolves_inside(root_, abs) || is_ignored(root_, rel)) {
    remove(rel);
    return;
  }
  WalkEntry e{rel, fs::file_size(abs, ec), 0};
  e.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   fs::last_write_time(abs, ec).time_since_epoch()).count();
  FileIndexer indexer(root_, options_, nullptr);
  Outcome o = indexer.run(e);
  std::unique_lock lock(mutex_);
  count(stats_, o);
  if (o.file) insert_locked(std::move(o.file));
  else erase_locked(rel);
}

void WorkspaceIndex::remove(const std::string& rel) {
  std::unique_lock lock(mutex_);
  erase_locked(rel);
}

Result<void> WorkspaceIndex::save_cache() const {
  if (options_.cache_file.empty()) return {};
  std::shared_lock lock(mutex_);
  std::vector<const IndexedFile*> all;
  all.reserve(files_.size());
  for (const auto& [path, f] : files_) all.push_back(f.get());
  return write_index_cache(options_.cache_file, all);
}

std::vector<SymbolHit> WorkspaceIndex::find_definitions(std::string_view name, std::size_t limit) const {
  std::shared_lock lock(mutex_);
  std::vector<SymbolHit> hits;
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return hits;
  for (const std::string& path : it->second) {
    const auto& f = files_.find(path)->second;
    for (const Symbol& s : f->symbols)
      if (s.name == name && hits.size() < limit) hits.push_back({path, s});
  }
  return hits;
}

std::optional<IndexedFile> WorkspaceIndex::file(std::string_view rel) const {
  std::shared_lock lock(mutex_);
  auto it = files_.find(rel);
  if (it == files_.end()) return std::nullopt;
  return *it->second;
}

bool WorkspaceIndex::contains(std::string_view rel) const {
  std::shared_lock lock(mutex_);
  return files_.find(rel) != files_.end();
}

std::vector<std::vector<std::string>> WorkspaceIndex::resolved_imports(std::string_view rel) const {
  std::shared_lock lock(mutex_);
  auto it = files_.find(rel);
  if (it == files_.end() || !it->second->language) return {};
  ImportLookup lookup;
  lookup.exists = [this](const std::string& p) { return files_.find(p) != files_.end(); };
  lookup.by_basename = [this](const std::string& b) {
    auto f = by_basename_.find(b);
    return f == by_basename_.end() ? std::vector<std::string>{} : f->second;
  };
  lookup.files_in_dir = [this](const std::string& dir) {
    std::vector<std::string> out;
    const std::string prefix = dir.empty() ? "" : dir + "/";
    for (auto f = files_.lower_bound(prefix); f != files_.end() && f->first.compare(0, prefix.size(), prefix) == 0; ++f)
      if (f->first.find('/', prefix.size()) == std::string::npos) out.push_back(f->first);
    return out;
  };
  std::vector<std::vector<std::string>> out;
  const IndexedFile& file = *it->second;
  for (const ImportRef& imp : file.imports)
    out.push_back(resolve_import(*file.language, file.path, imp, lookup));
  return out;
}

std::vector<std::string> WorkspaceIndex::files() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  out.reserve(files_.size());
  for (const auto& [path, f] : files_) out.push_back(path);
  return out;
}

IndexStats WorkspaceIndex::stats() const {
  std::shared_lock lock(mutex_);
  return stats_;
}

std::string relative_within(const fs::path& root, const fs::path& abs) {
  std::error_code ec;
  const fs::path rel = fs::relative(abs, root, ec);
  if (ec || rel.empty() || *rel.begin() == "..") return {};
  return rel.generic_string();
}

std::string WorkspaceIndex::relative(const fs::path& abs) const { return relative_within(root_, abs); }

}  // namespace coderx::context
