// JSON text may escape a lone UTF-16 surrogate ("\ud83d": RFC 8259 allows it, and JavaScript's
// JSON.stringify writes one for half an emoji in an editor buffer), but Boost.JSON 1.81 rejects
// the whole message. Before parsing, each such escape becomes "\ufffd" (U+FFFD, also one UTF-16
// unit, so the client's positions still line up), and the message keeps its meaning.
// Used by decode_message (jsonrpc.cpp). Pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace coderx::lsp {

// `json` with every lone surrogate escape inside its strings replaced, or nullopt when there is
// none (the common case: nothing is copied).
std::optional<std::string> replace_lone_surrogates(std::string_view json);

}  // namespace coderx::lsp
