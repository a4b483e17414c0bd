#include "lsp/protocol/types_base.h"

#include "lsp/protocol/json_fields.h"

namespace coderx::lsp {

Position tag_invoke(json::value_to_tag<Position>, const json::value& v) {
  const json::object& o = expect_object(v, "Position");
  return {get_field<std::uint32_t>(o, "line"), get_field<std::uint32_t>(o, "character")};
}
void tag_invoke(json::value_from_tag, json::value& v, const Position& x) {
  v = {{"line", x.line}, {"character", x.character}};
}

Range tag_invoke(json::value_to_tag<Range>, const json::value& v) {
  const json::object& o = expect_object(v, "Range");
  return {get_field<Position>(o, "start"), get_field<Position>(o, "end")};
}
void tag_invoke(json::value_from_tag, json::value& v, const Range& x) {
  v = {{"start", json::value_from(x.start)}, {"end", json::value_from(x.end)}};
}

TextDocumentIdentifier tag_invoke(json::value_to_tag<TextDocumentIdentifier>, const json::value& v) {
  return {get_field<std::string>(expect_object(v, "TextDocumentIdentifier"), "uri")};
}
void tag_invoke(json::value_from_tag, json::value& v, const TextDocumentIdentifier& x) {
  v = {{"uri", x.uri}};
}

VersionedTextDocumentIdentifier tag_invoke(json::value_to_tag<VersionedTextDocumentIdentifier>,
                                           const json::value& v) {
  const json::object& o = expect_object(v, "VersionedTextDocumentIdentifier");
  return {get_field<std::string>(o, "uri"), get_optional<std::int32_t>(o, "version")};
}
void tag_invoke(json::value_from_tag, json::value& v, const VersionedTextDocumentIdentifier& x) {
  json::object o{{"uri", x.uri}};
  o["version"] = x.version ? json::value(*x.version) : json::value(nullptr);
  v = std::move(o);
}

TextDocumentItem tag_invoke(json::value_to_tag<TextDocumentItem>, const json::value& v) {
  const json::object& o = expect_object(v, "TextDocumentItem");
  return {get_field<std::string>(o, "uri"), get_or<std::string>(o, "languageId", ""),
          get_field<std::int32_t>(o, "version"), get_field<std::string>(o, "text")};
}
void tag_invoke(json::value_from_tag, json::value& v, const TextDocumentItem& x) {
  v = {{"uri", x.uri}, {"languageId", x.language_id}, {"version", x.version}, {"text", x.text}};
}

TextDocumentPositionParams tag_invoke(json::value_to_tag<TextDocumentPositionParams>,
                                      const json::value& v) {
  const json::object& o = expect_object(v, "params");
  return {get_field<TextDocumentIdentifier>(o, "textDocument"), get_field<Position>(o, "position")};
}
void tag_invoke(json::value_from_tag, json::value& v, const TextDocumentPositionParams& x) {
  v = {{"textDocument", json::value_from(x.text_document)},
       {"position", json::value_from(x.position)}};
}

TextEdit tag_invoke(json::value_to_tag<TextEdit>, const json::value& v) {
  const json::object& o = expect_object(v, "TextEdit");
  return {get_field<Range>(o, "range"), get_field<std::string>(o, "newText"),
          get_optional<std::string>(o, "annotationId")};
}
void tag_invoke(json::value_from_tag, json::value& v, const TextEdit& x) {
  json::object o{{"range", json::value_from(x.range)}, {"newText", x.new_text}};
  put_optional(o, "annotationId", x.annotation_id);
  v = std::move(o);
}

TextDocumentEdit tag_invoke(json::value_to_tag<TextDocumentEdit>, const json::value& v) {
  const json::object& o = expect_object(v, "TextDocumentEdit");
  return {get_field<VersionedTextDocumentIdentifier>(o, "textDocument"),
          get_field<std::vector<TextEdit>>(o, "edits")};
}
void tag_invoke(json::value_from_tag, json::value& v, const TextDocumentEdit& x) {
  v = {{"textDocument", json::value_from(x.text_document)}, {"edits", json::value_from(x.edits)}};
}

ChangeAnnotation tag_invoke(json::value_to_tag<ChangeAnnotation>, const json::value& v) {
  const json::object& o = expect_object(v, "ChangeAnnotation");
  return {get_field<std::string>(o, "label"), get_or<bool>(o, "needsConfirmation", false),
          get_optional<std::string>(o, "description")};
}
void tag_invoke(json::value_from_tag, json::value& v, const ChangeAnnotation& x) {
  json::object o{{"label", x.label}, {"needsConfirmation", x.needs_confirmation}};
  put_optional(o, "description", x.description);
  v = std::move(o);
}

WorkspaceEdit tag_invoke(json::value_to_tag<WorkspaceEdit>, const json::value& v) {
  const json::object& o = expect_object(v, "WorkspaceEdit");
  WorkspaceEdit e;
  e.document_changes = get_or<std::vector<TextDocumentEdit>>(o, "documentChanges", {});
  e.changes = get_or<std::map<std::string, std::vector<TextEdit>>>(o, "changes", {});
  e.change_annotations =
      get_or<std::map<std::string, ChangeAnnotation>>(o, "changeAnnotations", {});
  return e;
}
void tag_invoke(json::value_from_tag, json::value& v, const WorkspaceEdit& x) {
  json::object o;
  if (!x.document_changes.empty() || x.changes.empty()) o["documentChanges"] = json::value_from(x.document_changes);
  if (!x.changes.empty()) o["changes"] = json::value_from(x.changes);
  if (!x.change_annotations.empty()) o["changeAnnotations"] = json::value_from(x.change_annotations);
  v = std::move(o);
}

}  // namespace coderx::lsp
