// fit_to_client: the three shapes a WorkspaceEdit takes, checked on an edit over two documents.
#include "lsp/protocol/workspace_edit_fit.h"

#include <gtest/gtest.h>

namespace coderx::lsp {
namespace {

TextEdit edit_at(int line, std::string text) {
  return {{{line, 0}, {line, 1}}, std::move(text), "coderx.refactor"};
}

WorkspaceEdit two_documents() {
  WorkspaceEdit e;
  e.document_changes.push_back({{"file:///a.py", 3}, {edit_at(0, "a0"), edit_at(4, "a4")}});
  e.document_changes.push_back({{"file:///b.py", 7}, {edit_at(1, "b1")}});
  e.change_annotations["coderx.refactor"] = {"coderx: rewrite", true, std::nullopt};
  return e;
}

ClientCapabilities client(bool document_changes, bool annotations) {
  ClientCapabilities c;
  c.document_changes = document_changes;
  c.change_annotations = annotations;
  return c;
}

TEST(WorkspaceEditFit, AFullClientGetsTheEditUnchanged) {
  json::value fitted = json::value_from(fit_to_client(two_documents(), client(true, true)));
  EXPECT_EQ(fitted, json::value_from(two_documents()));
  EXPECT_FALSE(fitted.as_object().contains("changes"));
}

TEST(WorkspaceEditFit, WithoutAnnotationSupportTheIdsAndTheMapGo) {
  WorkspaceEdit e = fit_to_client(two_documents(), client(true, false));
  EXPECT_TRUE(e.change_annotations.empty());
  ASSERT_EQ(e.document_changes.size(), 2u);
  for (const TextDocumentEdit& change : e.document_changes)
    for (const TextEdit& t : change.edits) EXPECT_FALSE(t.annotation_id.has_value());
  EXPECT_EQ(e.document_changes[1].text_document.version, 7);
}

// Without documentChanges there is nowhere for annotations either, whatever the client says.
TEST(WorkspaceEditFit, WithoutDocumentChangesEachDocumentKeepsItsEditsInOrder) {
  for (bool annotations : {false, true}) {
    json::object o = json::value_from(fit_to_client(two_documents(), client(false, annotations))).as_object();
    EXPECT_FALSE(o.contains("documentChanges"));
    EXPECT_FALSE(o.contains("changeAnnotations"));
    const json::object& changes = o.at("changes").as_object();
    ASSERT_EQ(changes.size(), 2u);
    const json::array& a = changes.at("file:///a.py").as_array();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].at("newText").as_string(), "a0");
    EXPECT_EQ(a[1].at("newText").as_string(), "a4");
    EXPECT_EQ(changes.at("file:///b.py").at(0).at("newText").as_string(), "b1");
    for (const json::value& t : a) EXPECT_FALSE(t.as_object().contains("annotationId"));
  }
}

// What a client sends back (a resolved action's edit) reads back in either shape.
TEST(WorkspaceEditFit, BothShapesReadBack) {
  for (bool document_changes : {false, true}) {
    WorkspaceEdit fitted = fit_to_client(two_documents(), client(document_changes, false));
    json::value once = json::value_from(fitted);
    EXPECT_EQ(json::value_from(json::value_to<WorkspaceEdit>(once)), once);
  }
}

}  // namespace
}  // namespace coderx::lsp
