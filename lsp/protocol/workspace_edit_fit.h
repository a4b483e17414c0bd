// A WorkspaceEdit in the shape the client said it understands. The server builds every edit in
// the richest shape (versioned `documentChanges`, annotated with a `needsConfirmation` change
// annotation); clients that do not advertise `workspace.workspaceEdit.documentChanges` get the
// plain `changes` map instead, and clients without `changeAnnotationSupport` get no annotations
// (Helix, Emacs eglot and Neovim 0.7 advertise neither). Pure function.
#pragma once

#include "lsp/protocol/types_base.h"
#include "lsp/protocol/types_lifecycle.h"

namespace coderx::lsp {

WorkspaceEdit fit_to_client(WorkspaceEdit edit, const ClientCapabilities& client);

}  // namespace coderx::lsp
