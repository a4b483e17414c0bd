#include "lsp/protocol/types_sync.h"

#include "lsp/protocol/json_fields.h"

namespace coderx::lsp {

DidOpenTextDocumentParams tag_invoke(json::value_to_tag<DidOpenTextDocumentParams>,
                                     const json::value& v) {
  return {get_field<TextDocumentItem>(expect_object(v, "params"), "textDocument")};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidOpenTextDocumentParams& x) {
  v = {{"textDocument", json::value_from(x.text_document)}};
}

TextDocumentContentChangeEvent tag_invoke(json::value_to_tag<TextDocumentContentChangeEvent>,
                                          const json::value& v) {
  const json::object& o = expect_object(v, "TextDocumentContentChangeEvent");
  return {get_optional<Range>(o, "range"), get_field<std::string>(o, "text")};
}
void tag_invoke(json::value_from_tag, json::value& v, const TextDocumentContentChangeEvent& x) {
  json::object o{{"text", x.text}};
  put_optional(o, "range", x.range);
  v = std::move(o);
}

DidChangeTextDocumentParams tag_invoke(json::value_to_tag<DidChangeTextDocumentParams>,
                                       const json::value& v) {
  const json::object& o = expect_object(v, "params");
  return {get_field<VersionedTextDocumentIdentifier>(o, "textDocument"),
          get_field<std::vector<TextDocumentContentChangeEvent>>(o, "contentChanges")};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidChangeTextDocumentParams& x) {
  v = {{"textDocument", json::value_from(x.text_document)},
       {"contentChanges", json::value_from(x.content_changes)}};
}

DidCloseTextDocumentParams tag_invoke(json::value_to_tag<DidCloseTextDocumentParams>,
                                      const json::value& v) {
  return {get_field<TextDocumentIdentifier>(expect_object(v, "params"), "textDocument")};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidCloseTextDocumentParams& x) {
  v = {{"textDocument", json::value_from(x.text_document)}};
}

DidSaveTextDocumentParams tag_invoke(json::value_to_tag<DidSaveTextDocumentParams>, const json::value& v) {
  return {get_field<TextDocumentIdentifier>(expect_object(v, "params"), "textDocument")};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidSaveTextDocumentParams& x) {
  v = {{"textDocument", json::value_from(x.text_document)}};
}

DidChangeWorkspaceFoldersParams tag_invoke(json::value_to_tag<DidChangeWorkspaceFoldersParams>,
                                           const json::value& v) {
  const json::value event_value = get_field<json::value>(expect_object(v, "params"), "event");  // owned: the
  const json::object& event = expect_object(event_value, "event");  // reference below points into it
  return {get_or<std::vector<WorkspaceFolder>>(event, "added", {}),
          get_or<std::vector<WorkspaceFolder>>(event, "removed", {})};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidChangeWorkspaceFoldersParams& x) {
  v = {{"event", {{"added", json::value_from(x.added)}, {"removed", json::value_from(x.removed)}}}};
}

FileEvent tag_invoke(json::value_to_tag<FileEvent>, const json::value& v) {
  const json::object& o = expect_object(v, "FileEvent");
  int type = get_field<int>(o, "type");
  if (type < 1 || type > 3) throw FieldError("type: expected 1, 2 or 3");
  return {get_field<std::string>(o, "uri"), static_cast<FileChangeType>(type)};
}
void tag_invoke(json::value_from_tag, json::value& v, const FileEvent& x) {
  v = {{"uri", x.uri}, {"type", static_cast<int>(x.type)}};
}

DidChangeWatchedFilesParams tag_invoke(json::value_to_tag<DidChangeWatchedFilesParams>,
                                       const json::value& v) {
  return {get_field<std::vector<FileEvent>>(expect_object(v, "params"), "changes")};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidChangeWatchedFilesParams& x) {
  v = {{"changes", json::value_from(x.changes)}};
}

DidChangeConfigurationParams tag_invoke(json::value_to_tag<DidChangeConfigurationParams>,
                                        const json::value& v) {
  const json::object& o = expect_object(v, "params");
  const json::value* s = o.if_contains("settings");
  return {s ? *s : json::value()};
}
void tag_invoke(json::value_from_tag, json::value& v, const DidChangeConfigurationParams& x) {
  v = {{"settings", x.settings}};
}

WorkDoneProgress tag_invoke(json::value_to_tag<WorkDoneProgress>, const json::value& v) {
  const json::object& o = expect_object(v, "WorkDoneProgress");
  std::string kind = get_field<std::string>(o, "kind");
  WorkDoneProgress p;
  if (kind == "begin") p.kind = WorkDoneProgress::Kind::begin;
  else if (kind == "report") p.kind = WorkDoneProgress::Kind::report;
  else if (kind == "end") p.kind = WorkDoneProgress::Kind::end;
  else throw FieldError("kind: unknown '" + kind + "'");
  p.title = get_or<std::string>(o, "title", "");
  p.message = get_optional<std::string>(o, "message");
  p.percentage = get_optional<std::uint32_t>(o, "percentage");
  p.cancellable = get_or<bool>(o, "cancellable", false);
  return p;
}
void tag_invoke(json::value_from_tag, json::value& v, const WorkDoneProgress& x) {
  json::object o;
  using K = WorkDoneProgress::Kind;
  o["kind"] = x.kind == K::begin ? "begin" : x.kind == K::report ? "report" : "end";
  if (x.kind == K::begin) {
    o["title"] = x.title;
    o["cancellable"] = x.cancellable;
  }
  put_optional(o, "message", x.message);
  if (x.kind != K::end) put_optional(o, "percentage", x.percentage);
  v = std::move(o);
}

ProgressParams tag_invoke(json::value_to_tag<ProgressParams>, const json::value& v) {
  const json::object& o = expect_object(v, "ProgressParams");
  return {get_field<json::value>(o, "token"), get_field<WorkDoneProgress>(o, "value")};
}
void tag_invoke(json::value_from_tag, json::value& v, const ProgressParams& x) {
  v = {{"token", x.token}, {"value", json::value_from(x.value)}};
}

const char* to_string(ServerState s) {
  switch (s) {
    case ServerState::loading: return "loading";
    case ServerState::ready: return "ready";
    case ServerState::busy: return "busy";
    case ServerState::error: return "error";
  }
  return "error";
}

StatusParams tag_invoke(json::value_to_tag<StatusParams>, const json::value& v) {
  const json::object& o = expect_object(v, "StatusParams");
  std::string state = get_field<std::string>(o, "state");
  StatusParams p;
  for (ServerState s : {ServerState::loading, ServerState::ready, ServerState::busy, ServerState::error})
    if (state == to_string(s)) p.state = s;
  p.message = get_or<std::string>(o, "message", "");
  p.pending = get_or<std::uint32_t>(o, "pending", 0);
  if (o.contains("model")) p.model = get_or<std::string>(o, "model", "");
  return p;
}
void tag_invoke(json::value_from_tag, json::value& v, const StatusParams& x) {
  json::object o{{"state", to_string(x.state)}, {"message", x.message}, {"pending", x.pending}};
  if (x.model) o["model"] = *x.model;
  v = std::move(o);
}

}  // namespace coderx::lsp
