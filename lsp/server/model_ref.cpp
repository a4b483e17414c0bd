#include "lsp/server/model_ref.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "lsp/server/model_ref_internal.h"

namespace coderx::server {

namespace {

std::optional<std::string> getenv_opt(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace

ModelRefEnv ModelRefEnv::from_process() {
  ModelRefEnv e;
  e.ollama_models = getenv_opt("OLLAMA_MODELS");
  e.home = getenv_opt("HOME");
  e.hf_hub_cache = getenv_opt("HF_HUB_CACHE");
  e.huggingface_hub_cache = getenv_opt("HUGGINGFACE_HUB_CACHE");
  e.hf_home = getenv_opt("HF_HOME");
  e.xdg_cache_home = getenv_opt("XDG_CACHE_HOME");
  return e;
}

namespace detail {

std::string trim_env(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return std::string(s);
}

std::string expand_path(std::string_view s, const ModelRefEnv& env) {
  std::string out;
  if (!s.empty() && s[0] == '~' && (s.size() == 1 || s[1] == '/')) {
    out = env.home.value_or("");
    s.remove_prefix(1);
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$') {
      out += s[i];
      continue;
    }
    bool braced = i + 1 < s.size() && s[i + 1] == '{';
    std::size_t start = i + (braced ? 2 : 1), end = start;
    while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_'))
      ++end;
    std::string name(s.substr(start, end - start));
    if (const char* v = std::getenv(name.c_str())) out += v;
    i = end - (braced && end < s.size() && s[end] == '}' ? 0 : 1);
  }
  return out;
}

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

model::Result<std::string> read_all(int fd, const std::filesystem::path& p, std::uint64_t max_bytes) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return text;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return model::make_error(model::Errc::io, p.string() + ": read failed: " + std::strerror(errno));
    if (text.size() + static_cast<std::size_t>(n) > max_bytes)
      return model::make_error(model::Errc::format,
                               p.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    text.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

model::Result<std::string> read_small_file(const std::filesystem::path& p, std::uint64_t max_bytes) {
  // O_NONBLOCK: a FIFO nobody writes must not block the open (no effect on regular files).
  Fd f{::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0)
    return model::make_error(errno == ENOENT ? model::Errc::not_found : model::Errc::io,
                             p.string() + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return model::make_error(model::Errc::io, p.string() + ": not a regular file");
  return read_all(f.fd, p, max_bytes);
}

std::string looked_list(const std::vector<std::string>& looked) {
  std::string out;
  for (const std::string& l : looked) out += "\n  - " + l;
  return out;
}

}  // namespace detail

model::Result<std::filesystem::path> resolve_model_ref(std::string_view ref,
                                                       const ModelRefEnv& env) {
  if (ref.rfind("ollama:", 0) == 0) return detail::resolve_ollama(ref.substr(7), env);
  if (ref.rfind("hf:", 0) == 0) return detail::resolve_hf(ref.substr(3), env);
  std::filesystem::path path{std::string(ref)};
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return model::make_error(model::Errc::not_found,
                             "model file " + path.string() + " does not exist (name a GGUF path, "
                             "ollama:NAME[:TAG] or hf:OWNER/REPO/FILE.gguf)");
  return path;
}

}  // namespace coderx::server
