#include "lsp/serve/routes.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "lsp/serve/generation_pump.h"
#include "lsp/serve/sse_writer.h"

namespace coderx::serve {

namespace {

const char* error_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 404: return "not_found_error";
    case 500: return "server_error";
    case 503: return "overloaded_error";
    default: return "invalid_request_error";
  }
}

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

constexpr std::string_view kJson = "application/json";

void log_end(const ResponseIds& ids, const PumpResult& r) {
  if (r.client_gone) {
    spdlog::info("serve: {}: client went away; generation cancelled", ids.id);
    return;
  }
  const features::GenerationOutput& o = r.output;
  spdlog::info("serve: {}: {} ({} prompt, {} thinking, {} answer tokens, {:.0f} ms){}{}", ids.id,
               features::to_string(o.finish), o.usage.prompt_tokens, o.usage.thinking_tokens,
               o.usage.answer_tokens, o.usage.elapsed_ms, o.error.empty() ? "" : ": ", o.error);
}

}  // namespace

Routes::Routes(std::shared_ptr<features::TextGenerator> generator, ServeOptions options)
    : generator_(std::move(generator)), options_(std::move(options)) {}

bool Routes::send_error(ClientStream& client, int status, std::string_view message, bool keep_alive) {
  std::string body = error_object(message, error_type(status), status);
  return client.write(http_response(status, kJson, body, keep_alive)) && keep_alive;
}

bool Routes::authorized(const IncomingRequest& request) const {
  if (options_.api_key.empty()) return true;
  std::string_view header = request.authorization;
  if (!header.starts_with("Bearer ")) return false;
  return same_secret(header.substr(7), options_.api_key);
}

bool Routes::handle(const IncomingRequest& request, ClientStream& client) {
  const std::string& path = request.target;
  bool keep = request.keep_alive;
  if (path == "/health") {
    if (request.method != "GET") return send_error(client, 405, "use GET " + path, keep);
    return client.write(http_response(200, kJson, health(generator_->describe()), keep)) && keep;
  }
  bool known = path == "/v1/models" || path == "/v1/chat/completions" || path == "/v1/completions";
  if (!known) return send_error(client, 404, "no route " + path, keep);
  if (!authorized(request)) return send_error(client, 401, "missing or wrong API key (Authorization: Bearer ...)", keep);
  if (path == "/v1/models") {
    if (request.method != "GET") return send_error(client, 405, "use GET " + path, keep);
    return client.write(http_response(200, kJson, models_list(options_.model_id), keep)) && keep;
  }
  if (request.method != "POST") return send_error(client, 405, "use POST " + path, keep);
  return generate(path == "/v1/chat/completions" ? Api::chat : Api::completions, request, client);
}

ResponseIds Routes::make_ids(Api api, const std::string& model) {
  ResponseIds ids;
  ids.api = api;
  ids.id = (api == Api::chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_id_++);
  ids.created = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  ids.model = model.empty() ? options_.model_id : model;
  return ids;
}

bool Routes::generate(Api api, const IncomingRequest& request, ClientStream& client) {
  auto mapped = api == Api::chat ? map_chat_request(request.body, options_)
                                 : map_completion_request(request.body, options_);
  if (!mapped) return send_error(client, 400, mapped.error().message, request.keep_alive);
  ResponseIds ids = make_ids(api, mapped->model);
  spdlog::debug("serve: {} {} ({}, max_tokens {}, thinking {})", ids.id, request.target,
                features::to_string(mapped->input.kind), mapped->input.budgets.answer_tokens,
                mapped->input.budgets.thinking_tokens);
  return mapped->stream ? stream(ids, *mapped, request.keep_alive, client)
                        : whole(ids, *mapped, request.keep_alive, client);
}

bool Routes::whole(const ResponseIds& ids, const MappedRequest& mapped, bool keep_alive, ClientStream& client) {
  PumpResult r = pump_generation(*generator_, mapped.input, mapped.stops, client, {});
  log_end(ids, r);
  if (r.client_gone) return false;
  const features::GenerationOutput& out = r.output;
  if (out.finish == features::FinishReason::error)
    return send_error(client, out.input_rejected ? 400 : 500, out.error, keep_alive);
  if (out.finish == features::FinishReason::cancelled) return send_error(client, 503, "generation cancelled", false);
  return client.write(http_response(200, kJson, whole_response(ids, out), keep_alive)) && keep_alive;
}

bool Routes::stream(const ResponseIds& ids, const MappedRequest& mapped, bool keep_alive, ClientStream& client) {
  SseWriter sse(client, keep_alive);
  // The event stream starts with the first text: a request that fails before any (a prompt over
  // the context) still gets a plain HTTP error, as OpenAI and vLLM answer.
  bool begun = false;
  auto begin_once = [&] { return std::exchange(begun, true) || sse.begin(); };
  bool first = true, thinking_streamed = false;
  auto forward = [&](const TextDelta& d) {
    std::string_view thinking = ids.api == Api::chat ? std::string_view(d.thinking) : std::string_view();
    if (thinking.empty() && d.answer.empty()) return true;
    if (!begin_once()) return false;
    thinking_streamed = thinking_streamed || !thinking.empty();
    bool ok = sse.event(chunk(ids, d.answer, thinking, "", first));
    first = false;
    return ok;
  };
  PumpResult r = pump_generation(*generator_, mapped.input, mapped.stops, client, forward);
  log_end(ids, r);
  if (r.client_gone) return false;
  const features::GenerationOutput& out = r.output;
  if (out.finish == features::FinishReason::error && !begun)
    return send_error(client, out.input_rejected ? 400 : 500, out.error, keep_alive);
  if (!begin_once()) return false;
  if (out.finish == features::FinishReason::error) {
    sse.event(error_object(out.error, "server_error", 500));
    return sse.done() && keep_alive;
  }
  std::string_view late_thinking = ids.api == Api::chat && !thinking_streamed ? out.thinking : "";
  if (!sse.event(chunk(ids, r.unforwarded_answer, late_thinking, finish_reason_name(out.finish), first))) return false;
  if (mapped.include_usage && !sse.event(usage_chunk(ids, out.usage))) return false;
  return sse.done() && keep_alive;
}

}  // namespace coderx::serve
