#include "lsp/protocol/types_lifecycle.h"

#include <algorithm>
#include <initializer_list>

#include "lsp/protocol/json_fields.h"

namespace coderx::lsp {

const char* to_string(PositionEncoding e) { return e == PositionEncoding::utf8 ? "utf-8" : "utf-16"; }

PositionEncoding negotiate_position_encoding(const ClientCapabilities& caps) {
  const auto& offered = caps.position_encodings;
  bool utf8 = std::find(offered.begin(), offered.end(), "utf-8") != offered.end();
  return utf8 ? PositionEncoding::utf8 : PositionEncoding::utf16;
}

namespace {

const json::value* at_path(const json::value& root, std::initializer_list<const char*> path) {
  const json::value* v = &root;
  for (const char* key : path) {
    const json::object* o = v->if_object();
    if (!o || !(v = o->if_contains(key))) return nullptr;
  }
  return v;
}

bool flag_at(const json::value& root, std::initializer_list<const char*> path) {
  const json::value* v = at_path(root, path);
  return v && v->is_bool() && v->get_bool();
}

}  // namespace

WorkspaceFolder tag_invoke(json::value_to_tag<WorkspaceFolder>, const json::value& v) {
  const json::object& o = expect_object(v, "WorkspaceFolder");
  return {get_field<std::string>(o, "uri"), get_or<std::string>(o, "name", "")};
}
void tag_invoke(json::value_from_tag, json::value& v, const WorkspaceFolder& x) {
  v = {{"uri", x.uri}, {"name", x.name}};
}

ClientCapabilities tag_invoke(json::value_to_tag<ClientCapabilities>, const json::value& v) {
  ClientCapabilities c;
  if (const json::value* enc = at_path(v, {"general", "positionEncodings"}); enc && enc->is_array())
    for (const json::value& e : enc->get_array())
      if (e.is_string()) c.position_encodings.emplace_back(e.get_string());
  c.workspace_configuration = flag_at(v, {"workspace", "configuration"});
  c.workspace_folders = flag_at(v, {"workspace", "workspaceFolders"});
  c.watched_files_dynamic = flag_at(v, {"workspace", "didChangeWatchedFiles", "dynamicRegistration"});
  c.work_done_progress = flag_at(v, {"window", "workDoneProgress"});
  c.inline_completion = at_path(v, {"textDocument", "inlineCompletion"}) != nullptr;
  c.change_annotations = at_path(v, {"workspace", "workspaceEdit", "changeAnnotationSupport"}) != nullptr;
  c.document_changes = flag_at(v, {"workspace", "workspaceEdit", "documentChanges"});
  c.apply_edit = flag_at(v, {"workspace", "applyEdit"});
  c.code_action_resolve = at_path(v, {"textDocument", "codeAction", "resolveSupport"}) != nullptr;
  return c;
}
void tag_invoke(json::value_from_tag, json::value& v, const ClientCapabilities& x) {
  json::object o;
  o["general"] = {{"positionEncodings", json::value_from(x.position_encodings)}};
  json::object edit{{"documentChanges", x.document_changes}};
  if (x.change_annotations) edit["changeAnnotationSupport"] = json::object();
  o["workspace"] = {{"configuration", x.workspace_configuration},
                    {"workspaceFolders", x.workspace_folders},
                    {"applyEdit", x.apply_edit},
                    {"workspaceEdit", std::move(edit)},
                    {"didChangeWatchedFiles", {{"dynamicRegistration", x.watched_files_dynamic}}}};
  o["window"] = {{"workDoneProgress", x.work_done_progress}};
  json::object text_document;
  if (x.inline_completion) text_document["inlineCompletion"] = json::object();
  if (x.code_action_resolve) text_document["codeAction"] = {{"resolveSupport", {{"properties", {"edit"}}}}};
  if (!text_document.empty()) o["textDocument"] = std::move(text_document);
  v = std::move(o);
}

InitializeParams tag_invoke(json::value_to_tag<InitializeParams>, const json::value& v) {
  const json::object& o = expect_object(v, "InitializeParams");
  InitializeParams p;
  p.process_id = get_optional<std::int64_t>(o, "processId");
  if (const json::object* ci = get_object(o, "clientInfo"))
    p.client_info = ClientInfo{get_or<std::string>(*ci, "name", ""),
                               get_or<std::string>(*ci, "version", "")};
  p.root_uri = get_optional<std::string>(o, "rootUri");
  if (const json::value* caps = o.if_contains("capabilities"))
    p.capabilities = json::value_to<ClientCapabilities>(*caps);
  if (const json::value* opts = o.if_contains("initializationOptions")) p.initialization_options = *opts;
  p.trace = get_or<std::string>(o, "trace", "off");
  p.workspace_folders = get_or<std::vector<WorkspaceFolder>>(o, "workspaceFolders", {});
  return p;
}
void tag_invoke(json::value_from_tag, json::value& v, const InitializeParams& x) {
  json::object o;
  o["processId"] = x.process_id ? json::value(*x.process_id) : json::value(nullptr);
  if (x.root_uri) o["rootUri"] = *x.root_uri;
  o["capabilities"] = json::value_from(x.capabilities);
  if (!x.initialization_options.is_null()) o["initializationOptions"] = x.initialization_options;
  o["trace"] = x.trace;
  o["workspaceFolders"] = json::value_from(x.workspace_folders);
  v = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& v, const ServerCapabilities& x) {
  json::object o;
  o["positionEncoding"] = to_string(x.position_encoding);
  o["textDocumentSync"] = {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}};
  if (x.inline_completion) o["inlineCompletionProvider"] = true;
  o["completionProvider"] = {{"triggerCharacters", json::value_from(x.completion_trigger_characters)},
                             {"resolveProvider", false}};
  o["codeActionProvider"] = {{"codeActionKinds", json::value_from(x.code_action_kinds)},
                             {"resolveProvider", true}};
  o["executeCommandProvider"] = {{"commands", json::value_from(x.execute_commands)}};
  o["workspace"] = {{"workspaceFolders",
                     {{"supported", x.workspace_folders}, {"changeNotifications", x.workspace_folders}}}};
  v = std::move(o);
}

InitializeResult tag_invoke(json::value_to_tag<InitializeResult>, const json::value& v) {
  const json::object& o = expect_object(v, "InitializeResult");
  InitializeResult r;
  if (const json::object* info = get_object(o, "serverInfo")) {
    r.server_name = get_or<std::string>(*info, "name", "");
    r.server_version = get_or<std::string>(*info, "version", "");
  }
  return r;
}
void tag_invoke(json::value_from_tag, json::value& v, const InitializeResult& x) {
  v = {{"capabilities", json::value_from(x.capabilities)},
       {"serverInfo", {{"name", x.server_name}, {"version", x.server_version}}}};
}

InitializedParams tag_invoke(json::value_to_tag<InitializedParams>, const json::value&) { return {}; }
void tag_invoke(json::value_from_tag, json::value& v, const InitializedParams&) { v = json::object(); }

}  // namespace coderx::lsp
