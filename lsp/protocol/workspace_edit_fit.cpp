#include "lsp/protocol/workspace_edit_fit.h"

#include <utility>

namespace coderx::lsp {

namespace {

void drop_annotations(WorkspaceEdit& edit) {
  edit.change_annotations.clear();
  for (TextDocumentEdit& change : edit.document_changes)
    for (TextEdit& e : change.edits) e.annotation_id.reset();
}

void to_changes_map(WorkspaceEdit& edit) {
  for (TextDocumentEdit& change : edit.document_changes) {
    std::vector<TextEdit>& list = edit.changes[change.text_document.uri];
    for (TextEdit& e : change.edits) list.push_back(std::move(e));
  }
  edit.document_changes.clear();
}

}  // namespace

WorkspaceEdit fit_to_client(WorkspaceEdit edit, const ClientCapabilities& client) {
  // Annotations hang on documentChanges' edits only: the `changes` map cannot carry them.
  if (!client.change_annotations || !client.document_changes) drop_annotations(edit);
  if (!client.document_changes) to_changes_map(edit);
  return edit;
}

}  // namespace coderx::lsp
