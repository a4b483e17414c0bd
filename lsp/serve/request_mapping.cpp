#include "lsp/serve/request_mapping.h"

#include <boost/json.hpp>
#include <cstdint>

namespace coderx::serve {

namespace json = boost::json;
using features::RequestKind;
using model::Errc;

namespace {

model::Error bad(const std::string& message) { return model::make_error(Errc::invalid_argument, message); }

model::Result<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return bad("the request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return bad("the request body must be a JSON object");
  return std::move(v.get_object());
}

// An optional integer field in [lo, hi]; `fallback` when absent or null.
model::Result<std::int64_t> int_field(const json::object& o, std::string_view key, std::int64_t fallback,
                                      std::int64_t lo, std::int64_t hi) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return fallback;
  std::int64_t n = 0;
  if (v->is_int64()) n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(hi)) n = static_cast<std::int64_t>(v->get_uint64());
  else return bad("'" + std::string(key) + "' must be an integer");
  if (n < lo || n > hi)
    return bad("'" + std::string(key) + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return n;
}

model::Result<bool> bool_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) return bad("'" + std::string(key) + "' must be true or false");
  return v->get_bool();
}

// An optional number field in [lo, hi] (whole bounds) that greedy decoding does not use.
model::Result<void> check_number(const json::object& o, std::string_view key, int lo, int hi) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  if (!v->is_number()) return bad("'" + std::string(key) + "' must be a number");
  double x = v->to_number<double>();
  if (!(x >= lo && x <= hi))
    return bad("'" + std::string(key) + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return {};
}

// Sampling fields: checked, then ignored, since the engine decodes greedily.
model::Result<void> check_sampling(const json::object& o) {
  static const struct {
    std::string_view key;
    int lo, hi;
  } numbers[] = {{"temperature", 0, 2}, {"top_p", 0, 1}, {"presence_penalty", -2, 2}, {"frequency_penalty", -2, 2}};
  for (const auto& n : numbers)
    if (auto ok = check_number(o, n.key, n.lo, n.hi); !ok) return ok.error();
  auto seed = int_field(o, "seed", 0, INT64_MIN, INT64_MAX);
  if (!seed) return seed.error();
  auto n = int_field(o, "n", 1, 1, 128);
  if (!n) return n.error();
  if (*n != 1) return bad("'n' must be 1: coderx serve returns one choice");
  return {};
}

// The completions fields that ask for what a greedy engine without fill-in-the-middle or
// log-probabilities cannot give: refused rather than silently answered without.
model::Result<void> check_completion_extras(const json::object& o) {
  if (const json::value* s = o.if_contains("suffix"); s && !s->is_null()) {
    if (!s->is_string()) return bad("'suffix' must be a string");
    if (!s->get_string().empty())
      return bad("'suffix' is not supported: Gemma 4 has no fill-in-the-middle tokens (send the code "
                 "after the cursor in the prompt instead)");
  }
  auto best_of = int_field(o, "best_of", 1, 1, 128);
  if (!best_of) return best_of.error();
  if (*best_of != 1) return bad("'best_of' must be 1: coderx serve decodes greedily, one choice");
  if (const json::value* l = o.if_contains("logprobs"); l && !l->is_null())
    return bad("'logprobs' is not supported: coderx serve returns no log-probabilities");
  return {};
}

// `stop`: null, a string, or an array of up to kMaxStops strings, each 1..kMaxStopBytes bytes.
model::Result<std::vector<std::string>> stop_field(const json::object& o) {
  constexpr std::size_t kMaxStops = 16, kMaxStopBytes = 1024;
  const json::value* v = o.if_contains("stop");
  if (!v || v->is_null()) return std::vector<std::string>{};
  const std::string shape = "'stop' must be a string or an array of at most 16 strings of 1 to 1024 bytes";
  std::vector<const json::value*> items;
  if (v->is_array())
    for (const json::value& item : v->get_array()) items.push_back(&item);
  else items.push_back(v);
  if (items.size() > kMaxStops) return bad(shape);
  std::vector<std::string> stops;
  for (const json::value* item : items) {
    if (!item->is_string() || item->get_string().empty() || item->get_string().size() > kMaxStopBytes)
      return bad(shape);
    stops.emplace_back(item->get_string());
  }
  return stops;
}

// A message's content: a string, null, or an array of {"type":"text","text":...} parts.
model::Result<std::string> content_of(const json::object& message, std::size_t index) {
  const json::value* c = message.if_contains("content");
  if (!c || c->is_null()) return std::string();
  if (c->is_string()) return std::string(c->get_string());
  std::string where = "messages[" + std::to_string(index) + "].content";
  if (!c->is_array()) return bad("'" + where + "' must be a string or an array of text parts");
  std::string text;
  for (const json::value& part : c->get_array()) {
    const json::object* p = part.if_object();
    const json::value* t = p ? p->if_contains("text") : nullptr;
    if (!t || !t->is_string()) return bad("'" + where + "' has a part without a string 'text'");
    text += t->get_string();
  }
  return text;
}

RequestKind kind_of(const json::object& o, RequestKind fallback) {
  static const std::pair<std::string_view, RequestKind> kinds[] = {
      {"inline_completion", RequestKind::inline_completion}, {"completion", RequestKind::completion},
      {"refactor", RequestKind::refactor}, {"explain", RequestKind::explain}, {"review", RequestKind::review}};
  const json::value* v = o.if_contains("coderx_kind");
  if (!v || !v->is_string()) return fallback;
  for (auto [name, kind] : kinds)
    if (v->get_string() == name) return kind;
  return fallback;
}

// The fields both endpoints share: model, stream, stream_options, max_tokens, stop, sampling.
model::Result<MappedRequest> common(const json::object& o, const ServeOptions& options) {
  MappedRequest r;
  if (const json::value* m = o.if_contains("model"); m && m->is_string()) r.model = std::string(m->get_string());
  auto stream = bool_field(o, "stream");
  if (!stream) return stream.error();
  r.stream = *stream;
  if (const json::value* so = o.if_contains("stream_options"); so && so->is_object()) {
    auto usage = bool_field(so->get_object(), "include_usage");
    if (!usage) return usage.error();
    r.include_usage = *usage;
    auto continuous = bool_field(so->get_object(), "continuous_usage_stats");
    if (!continuous) return continuous.error();
    r.continuous_usage = *usage && *continuous;
  }
  auto max_completion = int_field(o, "max_completion_tokens", options.default_max_tokens, 1, options.max_tokens_limit);
  if (!max_completion) return max_completion.error();
  auto max_tokens = int_field(o, "max_tokens", *max_completion, 1, options.max_tokens_limit);
  if (!max_tokens) return max_tokens.error();
  r.input.budgets.answer_tokens = *max_tokens;
  r.input.budgets.thinking_tokens = 0;
  if (auto sampling = check_sampling(o); !sampling) return sampling.error();
  auto stops = stop_field(o);
  if (!stops) return stops.error();
  r.input.stops = std::move(*stops);
  r.input.budgets.deadline = options.request_timeout;
  return r;
}

model::Result<std::int64_t> thinking_budget(const json::object& o, const ServeOptions& options) {
  std::int64_t fallback = 0;
  if (const json::value* k = o.if_contains("chat_template_kwargs"); k && k->is_object()) {
    auto on = bool_field(k->get_object(), "enable_thinking");
    if (!on) return on.error();
    if (*on) fallback = options.default_thinking_tokens;
  }
  return int_field(o, "thinking_budget_tokens", fallback, 0, options.max_tokens_limit);
}

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "\n\n" + b; }

// Fills system, user and answer_prefix from the messages array.
model::Result<void> map_messages(const json::array& messages, features::GenerationInput& in) {
  if (messages.empty()) return bad("'messages' must not be empty");
  std::vector<std::pair<std::string, std::string>> turns;  // (role, text) of user/assistant turns
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json::object* m = messages[i].if_object();
    const json::value* role = m ? m->if_contains("role") : nullptr;
    if (!role || !role->is_string()) return bad("'messages[" + std::to_string(i) + "].role' must be a string");
    auto text = content_of(*m, i);
    if (!text) return text.error();
    std::string_view r = role->get_string();
    if (r == "system" || r == "developer") in.system = join(in.system, *text);
    else if (r == "user" || r == "assistant") turns.emplace_back(std::string(r), std::move(*text));
    else return bad("'messages[" + std::to_string(i) + "].role' must be system, developer, user or assistant");
  }
  if (!turns.empty() && turns.back().first == "assistant") {
    in.answer_prefix = std::move(turns.back().second);
    turns.pop_back();
  }
  if (turns.empty()) return bad("'messages' needs a user message");
  if (turns.size() == 1) {
    in.user = std::move(turns.front().second);
    return {};
  }
  for (auto& [role, text] : turns) in.user = join(in.user, (role == "user" ? "User:\n" : "Assistant:\n") + text);
  return {};
}

}  // namespace

model::Result<MappedRequest> map_chat_request(std::string_view body, const ServeOptions& options) {
  auto o = parse_object(body);
  if (!o) return o.error();
  auto r = common(*o, options);
  if (!r) return r.error();
  const json::value* messages = o->if_contains("messages");
  if (!messages || !messages->is_array()) return bad("'messages' must be an array");
  if (auto m = map_messages(messages->get_array(), r->input); !m) return m.error();
  auto thinking = thinking_budget(*o, options);
  if (!thinking) return thinking.error();
  r->input.budgets.thinking_tokens = *thinking;
  auto logprobs = bool_field(*o, "logprobs");
  if (!logprobs) return logprobs.error();
  if (*logprobs) return bad("'logprobs' is not supported: coderx serve returns no log-probabilities");
  r->input.kind = kind_of(*o, RequestKind::explain);
  return r;
}

model::Result<MappedRequest> map_completion_request(std::string_view body, const ServeOptions& options) {
  auto o = parse_object(body);
  if (!o) return o.error();
  auto r = common(*o, options);
  if (!r) return r.error();
  const json::value* prompt = o->if_contains("prompt");
  if (prompt && prompt->is_array() && prompt->get_array().size() == 1) prompt = &prompt->get_array()[0];
  if (!prompt || !prompt->is_string()) return bad("'prompt' must be a string");
  if (auto extras = check_completion_extras(*o); !extras) return extras.error();
  auto echo = bool_field(*o, "echo");
  if (!echo) return echo.error();
  r->input.answer_prefix = std::string(prompt->get_string());
  if (*echo) r->echo = r->input.answer_prefix;
  r->input.kind = kind_of(*o, RequestKind::completion);
  return r;
}

}  // namespace coderx::serve
