// The routes of `coderx serve`:
//   GET  /health               {"status":"ok","engine":...} (no API key needed; HEAD too)
//   GET  /v1/models            the one served model (HEAD too); /v1/models/{id} that model
//   POST /v1/chat/completions  chat (stream or not), thinking as reasoning_content
//   POST /v1/completions       text completion (stream or not)
// API key check (401; the "Bearer" scheme in any case), bad JSON or fields → 400, unknown path
// → 404, wrong method → 405 with an Allow header, all with OpenAI-style error objects (a HEAD
// request gets the head alone). An HTTP/1.0 client gets its event stream unchunked, ended by
// closing the connection. Generation runs through generation_pump (a client that
// disconnects cancels its generation); concurrent requests reach the generator concurrently
// (the embedded engine batches them).
//
// Who calls it: http_server, once per request, on the connection's thread.
// Threading: handle() is called from many connection threads at once; Routes is immutable
// apart from an atomic id counter. Errors never escape: each becomes an HTTP error answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "lsp/features/generator.h"
#include "lsp/serve/client_stream.h"
#include "lsp/serve/request_mapping.h"
#include "lsp/serve/response_json.h"
#include "lsp/serve/serve_options.h"

namespace coderx::serve {

class Routes {
 public:
  Routes(std::shared_ptr<features::TextGenerator> generator, ServeOptions options);

  // Answers `request` on `client`; false when the connection must be closed afterwards.
  bool handle(const IncomingRequest& request, ClientStream& client);

  // Writes an error answer (also used by http_server for unreadable requests).
  static bool send_error(ClientStream& client, int status, std::string_view message, bool keep_alive);

 private:
  bool authorized(const IncomingRequest& request) const;
  // The answer to anything but a generation: /health, /v1/models, 401, 404, 405 (with Allow).
  std::string fixed_response(const IncomingRequest& request) const;
  bool generate(Api api, const IncomingRequest& request, ClientStream& client);
  bool stream(const ResponseIds& ids, const MappedRequest& mapped, bool keep_alive, bool chunked, ClientStream& client);
  bool whole(const ResponseIds& ids, const MappedRequest& mapped, bool keep_alive, ClientStream& client);
  ResponseIds make_ids(Api api, const std::string& model);

  std::shared_ptr<features::TextGenerator> generator_;
  ServeOptions options_;
  std::atomic<std::uint64_t> next_id_{1};
};

}  // namespace coderx::serve
