#include "context/walk.h"

#include "context/read_file.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace coderx::context {

namespace {

constexpr std::uint64_t kMaxIgnoreFileBytes = 1 << 20;  // the rest of a larger file is not read

// The rules of one directory: its .gitignore then its .coderxignore.
std::vector<IgnoreRules> rules_of(const fs::path& dir, const std::string& rel_dir) {
  std::vector<IgnoreRules> out;
  for (const char* name : {".gitignore", ".coderxignore"}) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / name, ec)) continue;
    auto text = read_regular_file(dir / name, kMaxIgnoreFileBytes, true);
    IgnoreRules r(text ? *text : std::string(), rel_dir);
    if (!r.empty()) out.push_back(std::move(r));
  }
  return out;
}

bool excluded(const std::vector<IgnoreRules>& stack, const std::string& rel, bool is_dir) {
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    if (auto m = it->match(rel, is_dir)) return *m;
  return false;
}

bool inside(const fs::path& canonical_root, const fs::path& target) {
  auto r = canonical_root.begin();
  auto t = target.begin();
  for (; r != canonical_root.end(); ++r, ++t)
    if (t == target.end() || *r != *t) return false;
  return true;
}

std::int64_t mtime_ns(const fs::file_time_type& t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

struct Walker {
  fs::path root;
  fs::path canonical_root;
  std::size_t max_files;
  WalkStats stats;
  std::stop_token stop;
  std::set<fs::path> visited;
  std::vector<WalkEntry> out;

  void dir(const fs::path& abs, const std::string& rel, std::vector<IgnoreRules>& stack);
  void entry(const fs::directory_entry& e, const std::string& rel, std::vector<IgnoreRules>& stack);
};

void Walker::dir(const fs::path& abs, const std::string& rel, std::vector<IgnoreRules>& stack) {
  std::error_code ec;
  const fs::path real = fs::canonical(abs, ec);
  if (ec || !inside(canonical_root, real)) {
    ++stats.links_outside;
    return;
  }
  if (!visited.insert(real).second) {
    ++stats.loops;
    spdlog::debug("walk: {} already visited (symlink loop or duplicate), skipped", abs.string());
    return;
  }
  fs::directory_iterator it(abs, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    ++stats.unreadable;
    spdlog::info("walk: cannot read directory {}: {}", abs.string(), ec.message());
    return;
  }
  const std::size_t depth = stack.size();
  for (auto& r : rules_of(abs, rel)) stack.push_back(std::move(r));
  std::vector<fs::directory_entry> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& e : entries) {
    if (out.size() >= max_files || stop.stop_requested()) break;
    entry(e, rel, stack);
  }
  stack.resize(depth);
}

void Walker::entry(const fs::directory_entry& e, const std::string& parent_rel,
                   std::vector<IgnoreRules>& stack) {
  const std::string name = e.path().filename().string();
  if (name == ".git" || name == ".coderx") return;
  const std::string rel = parent_rel.empty() ? name : parent_rel + "/" + name;
  std::error_code ec;
  const bool link = e.is_symlink(ec);
  const fs::file_status st = fs::status(e.path(), ec);  // follows links
  if (ec) {
    ++stats.unreadable;
    return;
  }
  const bool is_dir = fs::is_directory(st);
  if (excluded(stack, rel, is_dir)) {
    ++stats.ignored;
    return;
  }
  if (link) {
    const fs::path target = fs::canonical(e.path(), ec);
    if (ec || !inside(canonical_root, target)) {
      ++stats.links_outside;
      spdlog::debug("walk: {} links outside the workspace, not followed", rel);
      return;
    }
  }
  if (is_dir) {
    dir(e.path(), rel, stack);
  } else if (fs::is_regular_file(st)) {
    const auto size = fs::file_size(e.path(), ec);
    const auto time = fs::last_write_time(e.path(), ec);
    if (!ec) out.push_back({rel, size, mtime_ns(time)});
  }
}

}  // namespace

std::vector<WalkEntry> walk_workspace(const fs::path& root, std::size_t max_files, WalkStats* stats,
                                      std::stop_token stop) {
  Walker w{root, {}, max_files, {}, stop, {}, {}};
  std::error_code ec;
  w.canonical_root = fs::canonical(root, ec);
  if (ec) {
    spdlog::warn("walk: cannot open workspace {}: {}", root.string(), ec.message());
    return {};
  }
  std::vector<IgnoreRules> stack;
  w.dir(root, "", stack);
  if (stats) *stats = w.stats;
  return std::move(w.out);
}

bool resolves_inside(const fs::path& root, const fs::path& abs) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return false;
  const fs::path target = fs::canonical(abs, ec);
  return !ec && inside(canonical_root, target);
}

bool is_ignored(const fs::path& root, const std::string& rel) {
  std::vector<IgnoreRules> stack;
  std::string prefix;
  auto push_rules = [&](const std::string& dir_rel) {
    for (auto& r : rules_of(dir_rel.empty() ? root : root / dir_rel, dir_rel)) stack.push_back(std::move(r));
  };
  push_rules("");
  std::size_t pos = 0;
  for (;;) {
    const auto slash = rel.find('/', pos);
    const std::string part = rel.substr(0, slash);
    const std::string name = rel.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (name == ".git" || name == ".coderx") return true;
    if (excluded(stack, part, slash != std::string::npos)) return true;
    if (slash == std::string::npos) return false;
    push_rules(part);
    pos = slash + 1;
  }
}

}  // namespace coderx::context
