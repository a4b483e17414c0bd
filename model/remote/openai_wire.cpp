#include "model/remote/openai_wire.h"

#include <boost/json.hpp>

#include <algorithm>

#include "model/utf8.h"

namespace coderx::model::remote {

namespace json = boost::json;

namespace {

json::array encode_messages(const std::vector<WireMessage>& messages) {
  json::array out;
  for (const WireMessage& m : messages) out.push_back(json::object{{"role", m.role}, {"content", m.content}});
  return out;
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t int_field(const json::object* o, std::string_view key) {
  if (!o) return 0;
  const json::value* v = o->if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
  return 0;
}

const json::object* object_field(const json::object* o, std::string_view key) {
  if (!o) return nullptr;
  const json::value* v = o->if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

WireUsage decode_usage(const json::object& u) {
  WireUsage usage;
  usage.prompt_tokens = int_field(&u, "prompt_tokens");
  usage.completion_tokens = int_field(&u, "completion_tokens");
  usage.cached_tokens = int_field(object_field(&u, "prompt_tokens_details"), "cached_tokens");
  usage.reasoning_tokens = int_field(object_field(&u, "completion_tokens_details"), "reasoning_tokens");
  return usage;
}

// `text` for an error message: cut to `limit` bytes between characters, control characters as
// spaces, bad UTF-8 as U+FFFD (a server's non-ASCII message stays readable).
std::string printable(std::string_view text, std::size_t limit) {
  std::string out = utf8::make_valid(text.substr(0, limit));  // U+FFFD may make it longer
  const std::size_t cut = utf8::complete_prefix(std::string_view(out).substr(0, limit));
  const bool shortened = cut < out.size() || limit < text.size();
  out.resize(cut);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < ' ' || c == 127) c = ' ';
  if (shortened) out += "...";
  return out;
}

void decode_choice(const json::object& choice, WireDelta& d) {
  const json::object* body = object_field(&choice, "delta");
  if (!body) body = object_field(&choice, "message");
  if (body) {
    d.content = string_field(*body, "content");
    d.reasoning = string_field(*body, "reasoning_content");
    if (d.reasoning.empty()) d.reasoning = string_field(*body, "reasoning");
  } else {
    d.content = string_field(choice, "text");  // a /v1/completions choice
  }
  d.finish_reason = string_field(choice, "finish_reason");
}

}  // namespace

std::string encode_chat_call(const ChatCall& call) {
  json::object o;
  if (!call.model.empty()) o["model"] = call.model;
  o["messages"] = encode_messages(call.messages);
  o["max_tokens"] = call.max_tokens;
  o["stream"] = true;
  // Running usage in every chunk (vLLM, coderx serve): a stream cancelled early (a stop string
  // found by the caller) still knows what it used. Servers that lack it send the last one only.
  o["stream_options"] = json::object{{"include_usage", true}, {"continuous_usage_stats", true}};
  o["thinking_budget_tokens"] = call.thinking_budget_tokens;
  o["chat_template_kwargs"] = json::object{{"enable_thinking", call.thinking_budget_tokens > 0}};
  if (call.prefill) {
    o["continue_final_message"] = true;
    o["add_generation_prompt"] = false;
  }
  if (call.temperature) o["temperature"] = *call.temperature;
  if (!call.kind.empty()) o["coderx_kind"] = call.kind;
  if (!call.stop.empty()) o["stop"] = json::array(call.stop.begin(), call.stop.end());
  return json::serialize(o);
}

Result<WireDelta> decode_chunk(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object())
    return make_error(Errc::format, "response is not a JSON object: " + printable(text, 120));
  const json::object& o = v.get_object();
  WireDelta d;
  if (const json::value* e = o.if_contains("error")) {
    std::string message = e->is_object() ? string_field(e->get_object(), "message")
                                          : e->is_string() ? std::string(e->get_string()) : "";
    d.error = message.empty() ? printable(text, 200) : message;
    return d;
  }
  if (const json::value* choices = o.if_contains("choices")) {
    if (!choices->is_array()) return make_error(Errc::format, "response 'choices' is not an array");
    const json::array& a = choices->get_array();
    if (!a.empty()) {
      if (!a.front().is_object()) return make_error(Errc::format, "response choice is not an object");
      decode_choice(a.front().get_object(), d);
    }
  }
  if (const json::object* u = object_field(&o, "usage")) d.usage = decode_usage(*u);
  return d;
}

std::string describe_error_body(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::object* e = object_field(&v.get_object(), "error");
    if (e) {
      std::string message = string_field(*e, "message");
      if (!message.empty()) return printable(message, 300);
    }
  }
  return printable(body, 200);
}

Result<std::vector<std::string>> decode_model_list(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  const json::value* data = !ec && v.is_object() ? v.get_object().if_contains("data") : nullptr;
  if (!data || !data->is_array()) return make_error(Errc::format, "GET /models: expected {\"data\": [...]}");
  std::vector<std::string> ids;
  for (const json::value& m : data->get_array())
    if (m.is_object()) ids.push_back(string_field(m.get_object(), "id"));
  return ids;
}

}  // namespace coderx::model::remote
