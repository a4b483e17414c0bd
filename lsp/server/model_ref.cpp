#include "lsp/server/model_ref.h"

#include <cctype>
#include <cstdlib>
#include <system_error>

#include "context/read_file.h"
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

model::Result<std::string> read_small_file(const std::filesystem::path& p, std::uint64_t max_bytes) {
  auto text = context::read_regular_file(p, max_bytes);
  if (text) return std::move(*text);
  const context::Errc code = text.error().code;
  return model::make_error(code == context::Errc::not_found ? model::Errc::not_found
                           : code == context::Errc::format  ? model::Errc::format
                                                            : model::Errc::io,
                           text.error().message);
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
