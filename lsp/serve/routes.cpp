#include "lsp/serve/routes.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core/string.hpp>

#include <chrono>
#include <optional>
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

std::string error_response(int status, std::string_view message, bool keep_alive, std::string_view extra_headers = {}) {
  return http_response(status, kJson, error_object(message, error_type(status), status), keep_alive, extra_headers);
}

bool is_generation_route(const std::string& path) {
  return path == "/v1/chat/completions" || path == "/v1/completions";
}

}  // namespace

Routes::Routes(std::shared_ptr<features::TextGenerator> generator, ServeOptions options)
    : generator_(std::move(generator)), options_(std::move(options)) {}

bool Routes::send_error(ClientStream& client, int status, std::string_view message, bool keep_alive) {
  return client.write(error_response(status, message, keep_alive)) && keep_alive;
}

bool Routes::authorized(const IncomingRequest& request) const {
  if (options_.api_key.empty()) return true;
  std::string_view header = request.authorization;
  if (!boost::beast::iequals(header.substr(0, 7), "bearer ")) return false;  // any case (RFC 9110 §11.1)
  return same_secret(header.substr(7), options_.api_key);
}

bool Routes::handle(const IncomingRequest& request, ClientStream& client) {
  if (request.method == "POST" && is_generation_route(request.target) && authorized(request))
    return generate(request.target == "/v1/chat/completions" ? Api::chat : Api::completions, request, client);
  std::string response = fixed_response(request);
  if (request.method == "HEAD") response.resize(response.find("\r\n\r\n") + 4);  // the head alone
  return client.write(response) && request.keep_alive;
}

std::string Routes::fixed_response(const IncomingRequest& request) const {
  const std::string& path = request.target;
  const bool keep = request.keep_alive, get = request.method == "GET" || request.method == "HEAD";
  if (path == "/health")
    return get ? http_response(200, kJson, health(generator_->describe()), keep)
               : error_response(405, "use GET " + path, keep, "Allow: GET, HEAD\r\n");
  const bool one_model = path.starts_with("/v1/models/");
  if (path != "/v1/models" && !one_model && !is_generation_route(path)) return error_response(404, "no route " + path, keep);
  if (!authorized(request)) return error_response(401, "missing or wrong API key (Authorization: Bearer ...)", keep);
  if (one_model) {
    if (!get) return error_response(405, "use GET " + path, keep, "Allow: GET, HEAD\r\n");
    const std::string id = path.substr(11);
    return id == options_.model_id ? http_response(200, kJson, model_object(id), keep)
                                   : error_response(404, "model '" + id + "' not found (this server serves '" +
                                                              options_.model_id + "')", keep);
  }
  if (path != "/v1/models") return error_response(405, "use POST " + path, keep, "Allow: POST\r\n");
  return get ? http_response(200, kJson, models_list(options_.model_id), keep)
             : error_response(405, "use GET " + path, keep, "Allow: GET, HEAD\r\n");
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
  return mapped->stream ? stream(ids, *mapped, request.keep_alive, !request.http10, client)
                        : whole(ids, *mapped, request.keep_alive, client);
}

bool Routes::whole(const ResponseIds& ids, const MappedRequest& mapped, bool keep_alive, ClientStream& client) {
  PumpResult r = pump_generation(*generator_, mapped.input, client, {});
  log_end(ids, r);
  if (r.client_gone) return false;
  const features::GenerationOutput& out = r.output;
  if (out.finish == features::FinishReason::error)
    return send_error(client, out.input_rejected ? 400 : 500, out.error, keep_alive);
  if (out.finish == features::FinishReason::cancelled) return send_error(client, 503, "generation cancelled", false);
  features::GenerationOutput shown = out;
  shown.answer = mapped.echo + out.answer;  // echo: the prompt first
  return client.write(http_response(200, kJson, whole_response(ids, shown), keep_alive)) && keep_alive;
}

bool Routes::stream(const ResponseIds& ids, const MappedRequest& mapped, bool keep_alive, bool chunked,
                    ClientStream& client) {
  keep_alive = keep_alive && chunked;  // an unchunked stream ends when the connection closes
  SseWriter sse(client, keep_alive, chunked);
  // The event stream starts with the first text: a request that fails before any (a prompt over
  // the context) still gets a plain HTTP error, as OpenAI and vLLM answer.
  bool begun = false;
  auto begin_once = [&] { return std::exchange(begun, true) || sse.begin(); };
  bool first = true, thinking_streamed = false;
  // echo: the prompt goes before the first text (with it, so that an error before any text
  // still gets a plain HTTP error).
  auto with_echo = [&](std::string_view answer) { return first ? mapped.echo + std::string(answer) : std::string(answer); };
  // continuous_usage_stats: every chunk carries the latest running usage the generator gave.
  std::optional<features::Usage> running;
  auto usage_of_chunk = [&]() -> const features::Usage* {
    return mapped.continuous_usage && running ? &*running : nullptr;
  };
  auto forward = [&](const TextDelta& d) {
    if (d.usage) running = d.usage;
    std::string_view thinking = ids.api == Api::chat ? std::string_view(d.thinking) : std::string_view();
    if (thinking.empty() && d.answer.empty()) return true;
    if (!begin_once()) return false;
    thinking_streamed = thinking_streamed || !thinking.empty();
    bool ok = sse.event(chunk(ids, with_echo(d.answer), thinking, "", first, usage_of_chunk()));
    first = false;
    return ok;
  };
  PumpResult r = pump_generation(*generator_, mapped.input, client, forward);
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
  running = out.usage;
  if (!sse.event(chunk(ids, with_echo(r.unforwarded_answer), late_thinking, finish_reason_name(out.finish), first,
                       usage_of_chunk())))
    return false;
  if (mapped.include_usage && !sse.event(usage_chunk(ids, out.usage))) return false;
  return sse.done() && keep_alive;
}

}  // namespace coderx::serve
