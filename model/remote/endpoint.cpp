#include "model/remote/endpoint.h"

#include <charconv>

namespace coderx::model::remote {

namespace {

struct Scheme {
  std::string_view prefix;
  bool tls;
};
constexpr Scheme kSchemes[] = {
    {"openai://", false}, {"http://", false}, {"openais://", true}, {"https://", true}};

const Scheme* scheme_of(std::string_view url) {
  for (const Scheme& s : kSchemes)
    if (url.starts_with(s.prefix)) return &s;
  return nullptr;
}

Error bad(std::string_view url, const std::string& why) {
  return make_error(Errc::invalid_argument, "engine URL '" + std::string(url) + "': " + why);
}

bool valid_port(std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && end == port.data() + port.size() && value > 0 && value < 65536;
}

bool valid_env_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

// "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" into host and port (empty when absent).
bool split_authority(std::string_view authority, std::string& host, std::string& port) {
  if (authority.starts_with("[")) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(":")) return false;
    port = rest.empty() ? "" : std::string(rest.substr(1));
    return !host.empty();
  }
  std::size_t colon = authority.rfind(':');
  host = std::string(authority.substr(0, colon));
  port = colon == std::string_view::npos ? "" : std::string(authority.substr(colon + 1));
  return !host.empty() && host.find(':') == std::string::npos;
}

}  // namespace

bool is_remote_engine(std::string_view engine) { return scheme_of(engine) != nullptr; }

Result<Endpoint> parse_endpoint(std::string_view url) {
  const Scheme* scheme = scheme_of(url);
  if (!scheme) return bad(url, "expected openai://, openais://, http:// or https://");
  Endpoint e;
  e.tls = scheme->tls;
  std::string_view rest = url.substr(scheme->prefix.size());
  std::size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  rest = rest.substr(0, q);
  e.display = std::string(url.substr(0, scheme->prefix.size() + rest.size()));
  std::size_t slash = rest.find('/');
  if (!split_authority(rest.substr(0, slash), e.host, e.port)) return bad(url, "expected HOST[:PORT]");
  if (e.port.empty()) {
    if (!e.tls) return bad(url, "a port is required for plain HTTP (HOST:PORT)");
    e.port = "443";
  }
  if (!valid_port(e.port)) return bad(url, "port '" + e.port + "' is not in 1..65535");
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (path.ends_with("/")) path.remove_suffix(1);
    if (!path.empty()) e.base_path = std::string(path);
  }
  for (char c : e.base_path)
    if (static_cast<unsigned char>(c) <= ' ' || c == '#') return bad(url, "bad character in the path");
  if (!query.empty()) {
    if (!query.starts_with("api_key_env=") || !valid_env_name(query.substr(12)))
      return bad(url, "the only query parameter is api_key_env=NAME (letters, digits, '_')");
    e.api_key_env = std::string(query.substr(12));
  }
  return e;
}

}  // namespace coderx::model::remote
