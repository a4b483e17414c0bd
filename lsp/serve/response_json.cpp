#include "lsp/serve/response_json.h"

#include <boost/json.hpp>

namespace coderx::serve {

namespace json = boost::json;

namespace {

json::object header(const ResponseIds& ids, bool streamed) {
  const char* object = ids.api == Api::chat ? (streamed ? "chat.completion.chunk" : "chat.completion")
                                            : "text_completion";
  return json::object{{"id", ids.id}, {"object", object}, {"created", ids.created}, {"model", ids.model}};
}

json::object usage_json(const features::Usage& u) {
  std::int64_t completion = u.answer_tokens + u.thinking_tokens;
  return json::object{
      {"prompt_tokens", u.prompt_tokens},
      {"completion_tokens", completion},
      {"total_tokens", u.prompt_tokens + completion},
      {"prompt_tokens_details", json::object{{"cached_tokens", u.cached_tokens}}},
      {"completion_tokens_details", json::object{{"reasoning_tokens", u.thinking_tokens}}}};
}

json::value finish_value(std::string_view finish_reason) {
  if (finish_reason.empty()) return nullptr;
  return json::string(finish_reason);
}

}  // namespace

const char* finish_reason_name(features::FinishReason reason) {
  switch (reason) {
    case features::FinishReason::answer_budget:
    case features::FinishReason::deadline: return "length";
    default: return "stop";
  }
}

std::string whole_response(const ResponseIds& ids, const features::GenerationOutput& out) {
  json::object o = header(ids, false);
  json::object choice{{"index", 0}, {"finish_reason", finish_reason_name(out.finish)}};
  if (ids.api == Api::chat) {
    json::object message{{"role", "assistant"}, {"content", out.answer}};
    if (!out.thinking.empty()) message["reasoning_content"] = out.thinking;
    choice["message"] = std::move(message);
  } else {
    choice["text"] = out.answer;
    choice["logprobs"] = nullptr;
  }
  o["choices"] = json::array{std::move(choice)};
  o["usage"] = usage_json(out.usage);
  return json::serialize(o);
}

std::string chunk(const ResponseIds& ids, std::string_view answer, std::string_view thinking,
                  std::string_view finish_reason, bool first, const features::Usage* usage) {
  json::object o = header(ids, true);
  json::object choice{{"index", 0}, {"finish_reason", finish_value(finish_reason)}};
  if (ids.api == Api::chat) {
    json::object delta;
    if (first) delta["role"] = "assistant";
    if (!thinking.empty()) delta["reasoning_content"] = thinking;
    if (!answer.empty()) delta["content"] = answer;
    choice["delta"] = std::move(delta);
  } else {
    choice["text"] = answer;
    choice["logprobs"] = nullptr;
  }
  o["choices"] = json::array{std::move(choice)};
  if (usage) o["usage"] = usage_json(*usage);
  return json::serialize(o);
}

std::string usage_chunk(const ResponseIds& ids, const features::Usage& usage) {
  json::object o = header(ids, true);
  o["choices"] = json::array{};
  o["usage"] = usage_json(usage);
  return json::serialize(o);
}

namespace {
json::object model_entry(const std::string& model_id) {
  return {{"id", model_id}, {"object", "model"}, {"created", 0}, {"owned_by", "coderx"}};
}
}  // namespace

std::string models_list(const std::string& model_id) {
  return json::serialize(json::object{{"object", "list"}, {"data", json::array{model_entry(model_id)}}});
}

std::string model_object(const std::string& model_id) { return json::serialize(model_entry(model_id)); }

std::string health(const std::string& engine) {
  return json::serialize(json::object{{"status", "ok"}, {"engine", engine}});
}

std::string error_object(std::string_view message, std::string_view type, int code) {
  json::object e{{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}};
  return json::serialize(json::object{{"error", std::move(e)}});
}

}  // namespace coderx::serve
