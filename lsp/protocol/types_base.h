// Basic LSP structures shared by many methods (Position, Range, text document identifiers,
// edits, WorkspaceEdit with change annotations) with Boost.JSON conversions (tag_invoke).
// value_to throws FieldError/system_error on bad input; only the dispatcher calls it (and turns
// failures into InvalidParams). Plain values; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace coderx::lsp {

namespace json = boost::json;

struct Position {
  std::uint32_t line = 0;
  std::uint32_t character = 0;  // in the negotiated position encoding (utf-16 or utf-8 units)
  bool operator==(const Position&) const = default;
};

struct Range {
  Position start, end;
  bool operator==(const Range&) const = default;
};

struct TextDocumentIdentifier {
  std::string uri;
};

struct VersionedTextDocumentIdentifier {
  std::string uri;
  std::optional<std::int32_t> version;  // null in OptionalVersionedTextDocumentIdentifier
};

struct TextDocumentItem {
  std::string uri;
  std::string language_id;
  std::int32_t version = 0;
  std::string text;
};

struct TextDocumentPositionParams {
  TextDocumentIdentifier text_document;
  Position position;
};

struct TextEdit {
  Range range;
  std::string new_text;
  std::optional<std::string> annotation_id;  // AnnotatedTextEdit when set
};

struct TextDocumentEdit {
  VersionedTextDocumentIdentifier text_document;
  std::vector<TextEdit> edits;
};

struct ChangeAnnotation {
  std::string label;
  bool needs_confirmation = false;
  std::optional<std::string> description;
};

// One of two shapes (the client's capabilities decide, see workspace_edit_fit.h): versioned
// `documentChanges`, or the plain `changes` map (uri -> edits) for clients without them.
struct WorkspaceEdit {
  std::vector<TextDocumentEdit> document_changes;
  std::map<std::string, std::vector<TextEdit>> changes;
  std::map<std::string, ChangeAnnotation> change_annotations;
};

// A progress token (integer or string), kept as JSON.
using ProgressToken = json::value;

#define CODERX_LSP_JSON(T)                                   \
  T tag_invoke(json::value_to_tag<T>, const json::value& v); \
  void tag_invoke(json::value_from_tag, json::value& v, const T& x)

CODERX_LSP_JSON(Position);
CODERX_LSP_JSON(Range);
CODERX_LSP_JSON(TextDocumentIdentifier);
CODERX_LSP_JSON(VersionedTextDocumentIdentifier);
CODERX_LSP_JSON(TextDocumentItem);
CODERX_LSP_JSON(TextDocumentPositionParams);
CODERX_LSP_JSON(TextEdit);
CODERX_LSP_JSON(TextDocumentEdit);
CODERX_LSP_JSON(ChangeAnnotation);
CODERX_LSP_JSON(WorkspaceEdit);

}  // namespace coderx::lsp
