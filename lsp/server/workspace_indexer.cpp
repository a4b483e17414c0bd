#include "lsp/server/workspace_indexer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace coderx::server {

namespace fs = std::filesystem;

fs::path default_index_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "coderx" / "index";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "coderx" / "index";
  return {};
}

WorkspaceIndexer::WorkspaceIndexer(IndexerOptions options)
    : options_(std::move(options)), thread_([this](std::stop_token stop) { loop(stop); }) {}

WorkspaceIndexer::~WorkspaceIndexer() {
  thread_.request_stop();
  cv_.notify_all();
}

void WorkspaceIndexer::post(Task task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_all();
}

void WorkspaceIndexer::loop(std::stop_token stop) {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait(lock, stop, [&] { return !tasks_.empty(); })) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      busy_ = true;
    }
    try {
      task(stop);
    } catch (const std::exception& e) {
      spdlog::error("indexer: {}", e.what());
    }
    bool drained;
    {
      std::lock_guard lock(mu_);
      drained = tasks_.empty();
    }
    if (drained) save_dirty();
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

void WorkspaceIndexer::wait_idle() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return tasks_.empty() && !busy_; });
}

fs::path WorkspaceIndexer::cache_file(const fs::path& root) const {
  if (options_.cache_dir.empty()) return {};
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.idx",
                static_cast<unsigned long long>(context::content_hash(root.generic_string())));
  return options_.cache_dir / name;
}

void WorkspaceIndexer::set_folders(std::vector<fs::path> roots, IndexingCallbacks callbacks) {
  for (fs::path& r : roots) r = r.lexically_normal();
  {
    std::lock_guard lock(mu_);
    roots_ = roots;
    if (build_stop_ && !is_root(building_)) build_stop_->request_stop();
  }
  post([this, roots = std::move(roots), callbacks = std::move(callbacks)](std::stop_token stop) {
    {
      std::lock_guard lock(mu_);
      std::erase_if(indexes_, [&](const auto& kv) {
        return std::find(roots.begin(), roots.end(), kv.first) == roots.end();
      });
    }
    for (const fs::path& root : roots) {
      bool known;
      {
        std::lock_guard lock(mu_);
        known = indexes_.count(root) > 0;
      }
      if (!known && !stop.stop_requested()) build(root, callbacks, stop);
    }
  });
}

bool WorkspaceIndexer::is_root(const fs::path& root) const {
  return std::find(roots_.begin(), roots_.end(), root) != roots_.end();
}

void WorkspaceIndexer::build(const fs::path& root, const IndexingCallbacks& callbacks, std::stop_token stop) {
  std::stop_source own;  // stopped with the indexer, or when set_folders drops `root`
  std::stop_callback forward(stop, [&own] { own.request_stop(); });
  {
    std::lock_guard lock(mu_);
    if (!is_root(root)) return;  // dropped before its turn came
    building_ = root;
    build_stop_ = own;
  }
  if (callbacks.begin) callbacks.begin("indexing " + root.string());
  auto start = std::chrono::steady_clock::now();
  context::IndexOptions options;
  options.cache_file = cache_file(root);
  options.threads = options_.threads;
  auto built = context::WorkspaceIndex::build(root, options, own.get_token());
  bool dropped;
  {
    std::lock_guard lock(mu_);
    building_.clear();
    build_stop_.reset();
    dropped = !is_root(root);
  }
  std::string summary;
  if (dropped) {
    summary = built ? "discarded: no longer a workspace folder" : "stopped: no longer a workspace folder";
    spdlog::info("indexer: {}: {}", root.string(), summary);
  } else if (!built) {
    summary = "not indexed: " + built.error().message;
    spdlog::warn("indexer: {}: {}", root.string(), built.error().message);
  } else {
    std::shared_ptr<context::WorkspaceIndex> index = std::move(*built);
    context::IndexStats s = index->stats();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    summary = "indexed " + std::to_string(s.files) + " files (" + std::to_string(s.from_cache) + " from the cache, " +
              std::to_string(s.symbols) + " symbols) in " + std::to_string(static_cast<long long>(ms)) + " ms";
    spdlog::info("indexer: {}: {}", root.string(), summary);
    if (!options_.cache_dir.empty() && s.parsed > 0) {
      std::error_code ec;
      fs::create_directories(options_.cache_dir, ec);
      if (auto saved = index->save_cache(); !saved) spdlog::warn("indexer: cache not saved: {}", saved.error().message);
    }
    std::lock_guard lock(mu_);
    indexes_[root] = std::move(index);
  }
  if (callbacks.end) callbacks.end(summary);
}

void WorkspaceIndexer::file_event(const fs::path& abs, lsp::FileChangeType type) {
  post([this, abs = abs.lexically_normal(), type](std::stop_token stop) { apply_event(abs, type, stop); });
}

void WorkspaceIndexer::apply_event(const fs::path& abs, lsp::FileChangeType type, std::stop_token stop) {
  Located where = locate(abs);
  if (!where.index || where.path.empty()) return;
  auto index = std::const_pointer_cast<context::WorkspaceIndex>(where.index);
  std::string name = abs.filename().string();
  if (name == ".gitignore" || name == ".coderxignore") {
    if (auto done = index->rescan(stop); !done) spdlog::warn("indexer: rescan: {}", done.error().message);
  } else if (type == lsp::FileChangeType::deleted) {
    index->remove(where.path);
  } else {
    index->update(where.path);
  }
  std::lock_guard lock(mu_);
  if (std::find(dirty_.begin(), dirty_.end(), index) == dirty_.end()) dirty_.push_back(index);
}

void WorkspaceIndexer::save_dirty() {
  std::vector<std::shared_ptr<context::WorkspaceIndex>> dirty;
  {
    std::lock_guard lock(mu_);
    dirty.swap(dirty_);
  }
  for (const auto& index : dirty)
    if (auto saved = index->save_cache(); !saved) spdlog::warn("indexer: cache not saved: {}", saved.error().message);
}

WorkspaceIndexer::Located WorkspaceIndexer::locate(const fs::path& abs) const {
  std::lock_guard lock(mu_);
  Located best;
  std::size_t best_depth = 0;
  for (const auto& [root, index] : indexes_) {
    std::string rel = index->relative(abs);
    std::size_t depth = root.generic_string().size();
    if (!rel.empty() && (!best.index || depth > best_depth)) {
      best = {index, rel};
      best_depth = depth;
    }
  }
  if (best.index) return best;
  for (const fs::path& root : roots_) {  // not indexed (yet): the name alone
    std::string rel = context::relative_within(root, abs);
    if (!rel.empty() && root.generic_string().size() >= best_depth) {
      best.path = std::move(rel);
      best_depth = root.generic_string().size();
    }
  }
  return best;
}

std::size_t WorkspaceIndexer::files() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [root, index] : indexes_) n += index->stats().files;
  return n;
}

}  // namespace coderx::server
