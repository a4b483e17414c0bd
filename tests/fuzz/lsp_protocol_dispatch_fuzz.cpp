// libFuzzer target over framing + dispatch: arbitrary bytes are framed (FrameReader with small
// limits) and every frame is dispatched to a Dispatcher with typed handlers of the LSP structs.
// Invariants checked: every output message is valid JSON-RPC, and every request is answered
// exactly once: per id, answers never exceed the requests (and messages the dispatcher must
// answer with that id) seen so far, and equal them at the end.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "lsp/protocol/dispatcher.h"
#include "lsp/protocol/framing.h"
#include "lsp/protocol/types_features.h"
#include "lsp/protocol/types_lifecycle.h"
#include "lsp/protocol/types_sync.h"

namespace {

using namespace coderx::lsp;

using Counts = std::map<std::string, int>;

void check_output(const std::string& body, Counts& answers, Counts& requests) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) std::abort();
  const json::object& o = v.as_object();
  if (o.at("jsonrpc") != "2.0") std::abort();
  if (o.contains("method")) return;  // a notification or server request
  const json::value& id = o.at("id");
  if (id.is_null()) return;
  std::string key = json::serialize(id);
  if (++answers[key] > requests[key]) std::abort();
}

// The key an answer to this id carries: ids with invalid UTF-8 go out with U+FFFD in place of
// the bad bytes (the server only writes valid JSON), so the key is read back from a serialised reply.
std::string answer_key(const RequestId& id) {
  return json::serialize(json::parse(serialize_result(id, nullptr)).as_object().at("id"));
}

void count_request(std::string_view body, Counts& requests) {
  Incoming in = decode_message(body);
  if (in.id && (in.kind == Incoming::Kind::request || in.kind == Incoming::Kind::invalid))
    ++requests[answer_key(*in.id)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Counts answers, requests;
  std::vector<Responder> held;
  Dispatcher d([&](std::string body) { check_output(body, answers, requests); });
  d.on_request<InitializeParams>("initialize", [](InitializeParams p, Responder r) {
    InitializeResult result;
    result.capabilities.position_encoding = negotiate_position_encoding(p.capabilities);
    r.reply_with(result);
  });
  d.on_request<InlineCompletionParams>("textDocument/inlineCompletion", [&](InlineCompletionParams, Responder r) {
    held.push_back(std::move(r));  // answered later, maybe after a cancel
  });
  d.on_request<CodeActionParams>("textDocument/codeAction", [](CodeActionParams p, Responder r) {
    r.reply(json::value_from(CodeAction{"t", "quickfix", p.diagnostics, {}, {}, json::value_from(p.range)}));
  });
  d.on_request<CodeAction>("codeAction/resolve", [](CodeAction a, Responder r) { r.reply_with(a); });
  d.on_request<ExecuteCommandParams>("workspace/executeCommand", [](ExecuteCommandParams p, Responder r) {
    if (!p.arguments.empty()) (void)json::value_to<RefactorArgs>(p.arguments[0]);  // may throw: InternalError
    r.reply(nullptr);
  });
  d.on_notification<DidOpenTextDocumentParams>("textDocument/didOpen", [](DidOpenTextDocumentParams) {});
  d.on_notification<DidChangeTextDocumentParams>("textDocument/didChange", [](DidChangeTextDocumentParams) {});
  d.on_notification<DidChangeWatchedFilesParams>("workspace/didChangeWatchedFiles", [](DidChangeWatchedFilesParams) {});
  d.on_notification<DidChangeWorkspaceFoldersParams>("workspace/didChangeWorkspaceFolders",
                                                     [](DidChangeWorkspaceFoldersParams) {});

  FrameReader reader(FramingLimits{512, 64 * 1024});
  // First byte chooses the chunking so split headers are exercised.
  std::size_t chunk = size ? 1 + data[0] % 64 : 1;
  for (std::size_t at = size ? 1 : 0; at < size && !d.exited(); at += chunk) {
    reader.feed(std::string_view(reinterpret_cast<const char*>(data) + at, std::min(chunk, size - at)));
    while (auto f = reader.next()) {
      if (!f->dropped.empty()) d.dispatch_dropped(f->dropped);
      else {
        count_request(f->body, requests);
        d.dispatch(f->body);
      }
      if (held.size() > 2) {  // answer the oldest; cancelled ones as the server would
        Responder r = std::move(held.front());
        held.erase(held.begin());
        if (r.cancelled()) r.error(ErrorCode::RequestCancelled, "cancelled");
        else r.reply_with(InlineCompletionList{});
      }
    }
    if (reader.broken()) break;
  }
  held.clear();  // unanswered: InternalError, once
  if (answers != requests) std::abort();
  return 0;
}
