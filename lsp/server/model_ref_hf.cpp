// hf:OWNER/REPO[@REVISION]/PATH → snapshots/<commit>/PATH in the local Hugging Face hub cache
// (formats-extra.md §4). The snapshot path is returned (not the blob it links to).
#include <algorithm>
#include <cctype>
#include <system_error>

#include "lsp/server/model_ref_internal.h"

namespace coderx::server::detail {

namespace fs = std::filesystem;
using model::Errc;
using model::make_error;

namespace {

struct HfRef {
  std::string owner, repo, revision = "main", path;
};

// A non-empty path component that is not "." or "..".
bool plain_name(std::string_view s) { return !s.empty() && s != "." && s != ".."; }

model::Result<HfRef> parse_hf(std::string_view ref) {
  auto bad = [&] {
    return make_error(Errc::invalid_argument,
                      "\"hf:" + std::string(ref) +
                          "\" is not a valid Hugging Face reference (expected "
                          "hf:OWNER/REPO/FILE.gguf, optionally hf:OWNER/REPO@REVISION/FILE.gguf)");
  };
  std::size_t a = ref.find('/');
  if (a == std::string_view::npos) return bad();
  std::size_t b = ref.find('/', a + 1);
  if (b == std::string_view::npos) return bad();
  HfRef r{std::string(ref.substr(0, a)), std::string(ref.substr(a + 1, b - a - 1)), "main",
          std::string(ref.substr(b + 1))};
  if (auto at = r.repo.find('@'); at != std::string::npos) {
    r.revision = r.repo.substr(at + 1);
    r.repo.resize(at);
  }
  if (!plain_name(r.owner) || !plain_name(r.repo) || !plain_name(r.revision)) return bad();
  // Every part of the path a plain name: no "/x" (absolute), "a//b", "." or "..", which
  // would lead out of the snapshot folder.
  for (std::size_t at = 0, next; at <= r.path.size(); at = next + 1) {
    next = std::min(r.path.find('/', at), r.path.size());
    if (!plain_name(std::string_view(r.path).substr(at, next - at))) return bad();
  }
  return r;
}

std::vector<std::pair<fs::path, std::string>> roots(const ModelRefEnv& env) {
  std::vector<std::pair<fs::path, std::string>> out;
  auto add = [&](const std::optional<std::string>& v, const std::string& suffix,
                 const std::string& why) {
    if (!v || v->empty()) return;
    fs::path p = fs::path(expand_path(*v, env)) / suffix;
    for (const auto& [q, _] : out)
      if (q == p) return;
    out.push_back({p.lexically_normal(), why});
  };
  add(env.hf_hub_cache, "", "$HF_HUB_CACHE");
  add(env.huggingface_hub_cache, "", "$HUGGINGFACE_HUB_CACHE");
  add(env.hf_home, "hub", "$HF_HOME/hub");
  add(env.xdg_cache_home, "huggingface/hub", "$XDG_CACHE_HOME/huggingface/hub");
  add(env.home, ".cache/huggingface/hub", "~/.cache/huggingface/hub");
  return out;
}

bool is_commit(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// The commit refs/REVISION names, or why there is none (Errc::not_found: no such ref).
model::Result<std::string> read_ref(const fs::path& repo_dir, const std::string& revision) {
  if (is_commit(revision)) return revision;
  const fs::path ref = repo_dir / "refs" / revision;
  auto text = read_small_file(ref, 4096);
  if (!text) return text.error();
  std::string commit = trim_env(*text);
  if (!is_commit(commit))
    return make_error(Errc::format, ref.string() + " does not hold a commit hash (40 hex digits)");
  return commit;
}

// Without a usable ref: the most recently modified snapshot that holds the file.
std::optional<fs::path> scan_snapshots(const fs::path& repo_dir, const std::string& path) {
  std::error_code ec;
  std::optional<fs::path> best;
  fs::file_time_type best_time{};
  for (const auto& snap : fs::directory_iterator(repo_dir / "snapshots", ec)) {
    fs::path candidate = snap.path() / path;
    if (!fs::is_regular_file(candidate, ec)) continue;
    auto t = fs::last_write_time(snap.path(), ec);
    if (!best || t > best_time) best = candidate, best_time = t;
  }
  return best;
}

// Why a snapshot entry that is not a regular file cannot be used.
std::string unusable(const fs::path& snapshot) {
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(snapshot, ec);
  if (ec || !fs::exists(link)) return "not downloaded";
  if (fs::is_symlink(link)) {
    const bool resolves = fs::exists(snapshot, ec);
    if (ec == std::errc::too_many_symbolic_link_levels) return "a symbolic link loop";
    if (!resolves) return "a link to a missing blob (incomplete download?)";
  }
  if (fs::is_directory(fs::status(snapshot, ec))) return "a directory, not a file";
  return "not a regular file";
}

// The file in one cache root, or why not (appended to `looked`).
std::optional<fs::path> in_root(const fs::path& root, const std::string& why, const HfRef& r,
                                std::vector<std::string>& looked) {
  std::error_code ec;
  fs::path repo_dir = root / ("models--" + r.owner + "--" + r.repo);
  if (!fs::is_directory(repo_dir, ec)) {
    looked.push_back(repo_dir.string() + " (" + why + "; repository not cached)");
    return std::nullopt;
  }
  auto commit = read_ref(repo_dir, r.revision);
  if (!commit) {
    if (auto found = scan_snapshots(repo_dir, r.path)) return found;
    const std::string no_ref = commit.error().code == Errc::not_found
                                   ? "no refs/" + r.revision
                                   : commit.error().message;
    looked.push_back(repo_dir.string() + " (" + why + "; " + no_ref + " and no snapshot holds " +
                     r.path + ")");
    return std::nullopt;
  }
  fs::path snapshot = repo_dir / "snapshots" / *commit / r.path;
  if (fs::exists(repo_dir / ".no_exist" / *commit / r.path, ec)) {
    looked.push_back(snapshot.string() + " (" + why + "; the cache records that " + r.path +
                     " does not exist at commit " + *commit + ")");
    return std::nullopt;
  }
  if (fs::is_regular_file(snapshot, ec)) return snapshot;
  looked.push_back(snapshot.string() + " (" + why + "; " + unusable(snapshot) + ")");
  return std::nullopt;
}

}  // namespace

model::Result<fs::path> resolve_hf(std::string_view ref, const ModelRefEnv& env) {
  auto r = parse_hf(ref);
  if (!r) return r.error();
  std::vector<std::string> looked;
  for (const auto& [root, why] : roots(env))
    if (auto found = in_root(root, why, *r, looked)) return *found;
  if (looked.empty()) looked.push_back("(no cache folder: HOME and the HF_* variables are unset)");
  return make_error(Errc::not_found,
                    "Hugging Face file " + r->owner + "/" + r->repo + "/" + r->path +
                        " is not in the local cache; looked in:" + looked_list(looked) +
                        "\nFetch it with: huggingface-cli download " + r->owner + "/" + r->repo +
                        " " + r->path + (r->revision != "main" ? " --revision " + r->revision : ""));
}

}  // namespace coderx::server::detail
