#include "lsp/protocol/jsonrpc.h"

#include "lsp/protocol/lone_surrogates.h"

namespace coderx::lsp {

json::value id_to_json(const RequestId& id) {
  if (const auto* n = std::get_if<std::int64_t>(&id)) return *n;
  return json::string(std::get<std::string>(id));
}

std::string id_to_string(const RequestId& id) {
  if (const auto* n = std::get_if<std::int64_t>(&id)) return std::to_string(*n);
  return "\"" + std::get<std::string>(id) + "\"";
}

namespace {

Incoming invalid(ErrorCode code, std::string message, std::optional<RequestId> id = {}) {
  Incoming in;
  in.kind = Incoming::Kind::invalid;
  in.id = std::move(id);
  in.error = ResponseError{code, std::move(message)};
  return in;
}

// JSON-RPC ids are strings or integers (null only in error responses).
std::optional<RequestId> read_id(const json::value& v) {
  if (v.is_string()) return RequestId(std::string(v.get_string()));
  if (v.is_int64()) return RequestId(v.get_int64());
  if (v.is_uint64() && v.get_uint64() <= INT64_MAX)
    return RequestId(static_cast<std::int64_t>(v.get_uint64()));
  return std::nullopt;
}

Incoming decode_response(const json::object& o, std::optional<RequestId> id) {
  Incoming in;
  in.kind = Incoming::Kind::response;
  in.id = std::move(id);
  if (const json::value* e = o.if_contains("error")) {
    ResponseError error{ErrorCode::UnknownErrorCode, "malformed error"};
    if (const json::object* eo = e->if_object()) {
      if (const json::value* c = eo->if_contains("code"); c && c->is_int64())
        error.code = static_cast<ErrorCode>(c->get_int64());
      if (const json::value* m = eo->if_contains("message"); m && m->is_string())
        error.message = std::string(m->get_string());
    }
    in.error = std::move(error);
  } else if (const json::value* r = o.if_contains("result")) {
    in.result = *r;
  }
  return in;
}

}  // namespace

Incoming decode_message(std::string_view body) {
  boost::system::error_code ec;
  // Document text is whatever bytes the editor's buffer holds (Neovim sends a Latin-1 file's
  // bytes as they are): a string with invalid UTF-8 is kept byte for byte, never a parse error;
  // a lone surrogate escape (half an emoji, from VS Code) becomes U+FFFD.
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  options.max_depth = 64;
  std::optional<std::string> mended = replace_lone_surrogates(body);
  json::value v = json::parse(mended ? std::string_view(*mended) : body, ec, {}, options);
  if (ec) return invalid(ErrorCode::ParseError, "invalid JSON: " + ec.message());
  if (v.is_array()) return invalid(ErrorCode::InvalidRequest, "JSON-RPC batches are not supported");
  const json::object* o = v.if_object();
  if (!o) return invalid(ErrorCode::InvalidRequest, "a JSON-RPC message must be an object");
  std::optional<RequestId> id;
  const json::value* idv = o->if_contains("id");
  if (idv && !idv->is_null()) {
    id = read_id(*idv);
    if (!id) return invalid(ErrorCode::InvalidRequest, "id must be an integer or a string");
  }
  const json::value* method = o->if_contains("method");
  if (!method) {
    if (idv && (o->contains("result") || o->contains("error"))) return decode_response(*o, id);
    return invalid(ErrorCode::InvalidRequest, "message has neither method nor result", id);
  }
  if (!method->is_string()) return invalid(ErrorCode::InvalidRequest, "method must be a string", id);
  Incoming in;
  in.kind = id ? Incoming::Kind::request : Incoming::Kind::notification;
  in.id = std::move(id);
  in.method = std::string(method->get_string());
  if (const json::value* p = o->if_contains("params")) in.params = *p;
  if (!in.params.is_null() && !in.params.is_object() && !in.params.is_array())
    return invalid(ErrorCode::InvalidRequest, "params must be an object or an array", in.id);
  return in;
}

namespace {

json::object envelope() {
  json::object o;
  o["jsonrpc"] = "2.0";
  return o;
}

json::value id_or_null(const std::optional<RequestId>& id) {
  return id ? id_to_json(*id) : json::value(nullptr);
}

}  // namespace

namespace {

// Length of the well-formed UTF-8 character at s[i] (RFC 3629), or 0 when it is not one.
std::size_t utf8_char_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const unsigned char x = b(i + k);
    if (k == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF)) return 0;
  }
  return n;
}

// Serialized JSON with every byte that is not part of a well-formed UTF-8 character replaced
// by U+FFFD. Strings read with invalid UTF-8 (document text, ids, method names) are kept as
// they came in, but what the server writes must be valid JSON for any client; non-ASCII bytes
// only occur inside strings, so the replacement never touches the structure.
std::string to_json_text(const json::object& o) {
  std::string text = json::serialize(o);
  std::size_t i = 0;
  while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
  if (i == text.size()) return text;  // ASCII: the common case
  std::string out = text.substr(0, i);
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out += text[i++];
    } else if (std::size_t n = utf8_char_length(text, i)) {
      out.append(text, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string serialize_result(const std::optional<RequestId>& id, const json::value& result) {
  json::object o = envelope();
  o["id"] = id_or_null(id);
  o["result"] = result;
  return to_json_text(o);
}

std::string serialize_error(const std::optional<RequestId>& id, const ResponseError& error) {
  json::object o = envelope();
  o["id"] = id_or_null(id);
  json::object e;
  e["code"] = static_cast<int>(error.code);
  e["message"] = error.message;
  o["error"] = std::move(e);
  return to_json_text(o);
}

std::string serialize_notification(std::string_view method, const json::value& params) {
  json::object o = envelope();
  o["method"] = method;
  if (!params.is_null()) o["params"] = params;
  return to_json_text(o);
}

std::string serialize_request(const RequestId& id, std::string_view method,
                              const json::value& params) {
  json::object o = envelope();
  o["id"] = id_to_json(id);
  o["method"] = method;
  if (!params.is_null()) o["params"] = params;
  return to_json_text(o);
}

}  // namespace coderx::lsp
