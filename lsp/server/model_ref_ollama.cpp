// ollama:NAME[:TAG] → the GGUF blob in the local Ollama store (formats-extra.md §3).
#include <boost/json.hpp>

#include <cctype>
#include <system_error>

#include "lsp/server/model_ref_internal.h"

namespace coderx::server {

namespace fs = std::filesystem;
using model::Errc;
using model::make_error;

namespace {

constexpr std::string_view kModelMediaType = "application/vnd.ollama.image.model";

bool valid_part(std::string_view s, std::string_view extra, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  if (!std::isalnum(static_cast<unsigned char>(s[0])) && s[0] != '_') return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        extra.find(c) == std::string_view::npos)
      return false;
  return true;
}

// `dir/name`, or a case-insensitive match of name inside dir (older stores lower-cased names).
std::optional<fs::path> child(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(dir / name, ec)) return dir / name;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (lower(entry.path().filename().string()) == lower(name)) return entry.path();
  return std::nullopt;
}

std::optional<fs::path> find_manifest(const fs::path& root, const OllamaName& n) {
  fs::path at = root / "manifests";
  for (const std::string& part : {n.host, n.ns, n.model, n.tag}) {
    auto next = child(at, part);
    if (!next) return std::nullopt;
    at = *next;
  }
  return at;
}

struct ModelLayer {
  std::string hex;
  std::uint64_t size = 0;
};

model::Result<ModelLayer> model_layer(const fs::path& manifest, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::format, "Ollama manifest " + manifest.string() + ": " + why);
  };
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(text, ec);
  if (ec) return bad("not valid JSON (" + ec.message() + ")");
  const auto* layers = doc.is_object() ? doc.as_object().if_contains("layers") : nullptr;
  if (!layers || !layers->is_array()) return bad("no \"layers\" array");
  const boost::json::object* found = nullptr;
  for (const auto& layer : layers->as_array()) {
    if (!layer.is_object()) continue;
    const auto* type = layer.as_object().if_contains("mediaType");
    if (type && type->is_string() && type->as_string() == kModelMediaType)
      found = &layer.as_object();  // the last one wins, as in Ollama
  }
  if (!found)
    return bad("no layer of media type " + std::string(kModelMediaType) +
               ": not a GGUF model (safetensors-format Ollama models are not supported)");
  const auto* digest = found->if_contains("digest");
  const auto* size = found->if_contains("size");
  if (!digest || !digest->is_string()) return bad("model layer without a digest");
  std::string d(digest->as_string());
  if (d.size() != 71 || d.rfind("sha256:", 0) != 0) return bad("bad digest \"" + d + "\"");
  for (char c : d.substr(7))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return bad("bad digest \"" + d + "\"");
  if (!size || !(size->is_int64() || size->is_uint64())) return bad("model layer without a size");
  std::int64_t s = size->is_int64() ? size->as_int64() : static_cast<std::int64_t>(size->as_uint64());
  if (s < 0) return bad("negative layer size");
  return ModelLayer{d.substr(7), static_cast<std::uint64_t>(s)};
}

model::Result<fs::path> blob_of(const fs::path& root, const fs::path& manifest,
                                const OllamaName& n) {
  auto text = detail::read_small_file(manifest, 1u << 20);
  if (!text)
    return make_error(text.error().code == Errc::not_found ? Errc::io : text.error().code,
                      "Ollama manifest " + text.error().message);
  auto layer = model_layer(manifest, *text);
  if (!layer) return layer.error();
  std::error_code ec;
  for (const std::string& name : {"sha256-" + layer->hex, "sha256:" + layer->hex}) {
    fs::path blob = root / "blobs" / name;
    if (!fs::is_regular_file(blob, ec)) continue;
    auto size = fs::file_size(blob, ec);
    if (ec) return make_error(Errc::io, blob.string() + ": " + ec.message());
    if (size != layer->size)
      return make_error(Errc::format, "Ollama blob " + blob.string() + " has " +
                                          std::to_string(size) + " bytes but the manifest says " +
                                          std::to_string(layer->size) +
                                          " (incomplete download? run: ollama pull " +
                                          n.display() + ")");
    return blob;
  }
  return make_error(Errc::not_found, "Ollama manifest " + manifest.string() +
                                         " names blob sha256-" + layer->hex +
                                         ", which is missing from " +
                                         (root / "blobs").string() +
                                         " (run: ollama pull " + n.display() + ")");
}

std::vector<std::pair<fs::path, std::string>> roots(const ModelRefEnv& env) {
  std::vector<std::pair<fs::path, std::string>> out;
  if (env.ollama_models) {
    std::string v = detail::trim_env(*env.ollama_models);
    if (!v.empty()) out.push_back({v, "$OLLAMA_MODELS"});
  }
  if (env.home && !env.home->empty())
    out.push_back({fs::path(*env.home) / ".ollama" / "models", "$HOME/.ollama/models"});
  out.push_back({env.system_ollama_root, "system service store"});
  return out;
}

}  // namespace

std::string OllamaName::display() const {
  std::string s;
  if (host != "registry.ollama.ai") s = host + "/" + ns + "/";
  else if (ns != "library") s = ns + "/";
  return s + model + ":" + tag;
}

model::Result<OllamaName> parse_ollama_name(std::string_view name) {
  auto bad = [&] {
    return make_error(Errc::invalid_argument, "\"" + std::string(name) +
                                                  "\" is not a valid Ollama model name "
                                                  "(expected [HOST/][NAMESPACE/]MODEL[:TAG])");
  };
  std::string_view s = name;
  if (auto scheme = s.find("://"); scheme != std::string_view::npos) s = s.substr(scheme + 3);
  OllamaName n{"registry.ollama.ai", "library", "", "latest"};
  std::size_t colon = s.rfind(':'), slash = s.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    n.tag = std::string(s.substr(colon + 1));
    s = s.substr(0, colon);
  }
  slash = s.rfind('/');
  n.model = std::string(slash == std::string_view::npos ? s : s.substr(slash + 1));
  if (slash != std::string_view::npos) {
    s = s.substr(0, slash);
    std::size_t ns_slash = s.rfind('/');
    n.ns = std::string(ns_slash == std::string_view::npos ? s : s.substr(ns_slash + 1));
    if (ns_slash != std::string_view::npos) n.host = std::string(s.substr(0, ns_slash));
  }
  if (!valid_part(n.model, ".-", 80) || !valid_part(n.tag, ".-", 80) ||
      !valid_part(n.ns, "-", 80) || !valid_part(n.host, ".-:", 350))
    return bad();
  return n;
}

namespace detail {

model::Result<fs::path> resolve_ollama(std::string_view name, const ModelRefEnv& env) {
  auto n = parse_ollama_name(name);
  if (!n) return n.error();
  std::vector<std::string> looked;
  for (const auto& [root, why] : roots(env)) {
    auto manifest = find_manifest(root, *n);
    if (!manifest) {
      looked.push_back((root / "manifests" / n->host / n->ns / n->model / n->tag).string() +
                       " (" + why + ")");
      continue;
    }
    return blob_of(root, *manifest, *n);
  }
  return make_error(Errc::not_found, "Ollama model " + n->display() +
                                         " not found; looked for its manifest in:" +
                                         looked_list(looked) +
                                         "\nFetch it with: ollama pull " + n->display() +
                                         " (or set OLLAMA_MODELS to the store's models folder)");
}

}  // namespace detail
}  // namespace coderx::server
