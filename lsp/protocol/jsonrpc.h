// JSON-RPC 2.0 messages as the LSP base protocol uses them: error codes, request ids, decoding a
// message body into an Incoming (request, notification, response or invalid) and serialising
// outgoing messages. Pure functions over values; thread-safe. Decoding never throws: malformed
// input becomes an Incoming of kind `invalid` carrying the error to answer with.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace coderx::lsp {

namespace json = boost::json;

enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  UnknownErrorCode = -32001,
  RequestFailed = -32803,
  ServerCancelled = -32802,
  ContentModified = -32801,
  RequestCancelled = -32800,
};

struct ResponseError {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
};

using RequestId = std::variant<std::int64_t, std::string>;

json::value id_to_json(const RequestId& id);
std::string id_to_string(const RequestId& id);  // for logs and maps: 7 or "abc"

struct Incoming {
  enum class Kind { request, notification, response, invalid };
  Kind kind = Kind::invalid;
  std::optional<RequestId> id;           // request, response; invalid when the id was readable
  std::string method;                    // request, notification
  json::value params;                    // request, notification (null when absent)
  json::value result;                    // response (success)
  std::optional<ResponseError> error;    // response (failure) or invalid (what to answer)
};

Incoming decode_message(std::string_view body);

// Serialisers return the JSON text of one message (not framed). `id` nullopt serialises as null.
std::string serialize_result(const std::optional<RequestId>& id, const json::value& result);
std::string serialize_error(const std::optional<RequestId>& id, const ResponseError& error);
std::string serialize_notification(std::string_view method, const json::value& params);
std::string serialize_request(const RequestId& id, std::string_view method,
                              const json::value& params);

}  // namespace coderx::lsp
