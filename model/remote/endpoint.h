// Where a remote OpenAI-compatible engine lives: parsed from the `--engine` URL.
//
//   openai://HOST:PORT[/v1]     plain HTTP (vLLM, llama-server, `coderx serve`)
//   http://HOST:PORT[/v1]       the same
//   openais://HOST[:PORT][/v1]  HTTPS (certificate and host name verified; port 443 by default)
//   https://HOST[:PORT][/v1]    the same
// Optional query: `?api_key_env=NAME` names the environment variable holding the bearer token
// (default CODERX_API_KEY; sent whenever that variable is non-empty).
//
// Who calls it: model/remote/chat_client and lsp/cli (to recognise a remote engine).
// Pure functions on values; thread-safe. Errors: Errc::invalid_argument naming the bad part.
#pragma once

#include <string>
#include <string_view>

#include "model/error.h"

namespace coderx::model::remote {

struct Endpoint {
  bool tls = false;
  std::string host;               // name or IP literal (IPv6 without brackets)
  std::string port;               // decimal
  std::string base_path = "/v1";  // prefix of /chat/completions, no trailing '/'
  std::string api_key_env = "CODERX_API_KEY";
  std::string display;            // the URL as the user wrote it, minus the query (for messages)
};

// True when `engine` uses one of the schemes above (the CLI's way to tell remote from "canned").
bool is_remote_engine(std::string_view engine);

Result<Endpoint> parse_endpoint(std::string_view url);

}  // namespace coderx::model::remote
