// LSP lifecycle structures: InitializeParams (with the client capabilities the server uses),
// ServerCapabilities / InitializeResult, workspace folders, and position-encoding negotiation.
// Conversions via tag_invoke (see types_base.h). Plain values; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lsp/protocol/types_base.h"

namespace coderx::lsp {

enum class PositionEncoding { utf16, utf8 };
const char* to_string(PositionEncoding e);

struct WorkspaceFolder {
  std::string uri;
  std::string name;
};

// The client capabilities the server looks at (read leniently: a malformed capability counts as
// absent, it never fails initialize).
struct ClientCapabilities {
  std::vector<std::string> position_encodings;  // general.positionEncodings
  bool workspace_configuration = false;         // workspace.configuration
  bool workspace_folders = false;               // workspace.workspaceFolders
  bool watched_files_dynamic = false;           // workspace.didChangeWatchedFiles.dynamicRegistration
  bool work_done_progress = false;              // window.workDoneProgress
  bool inline_completion = false;               // textDocument.inlineCompletion present
  bool change_annotations = false;              // workspace.workspaceEdit.changeAnnotationSupport
  bool document_changes = false;                // workspace.workspaceEdit.documentChanges
  bool apply_edit = false;                      // workspace.applyEdit
  bool code_action_resolve = false;             // textDocument.codeAction.resolveSupport
};

struct ClientInfo {
  std::string name;
  std::string version;
};

struct InitializeParams {
  std::optional<std::int64_t> process_id;
  std::optional<ClientInfo> client_info;
  std::optional<std::string> root_uri;
  ClientCapabilities capabilities;
  json::value initialization_options;  // null when absent; coderx settings (server/settings.h)
  std::string trace = "off";
  std::vector<WorkspaceFolder> workspace_folders;
};

// utf-8 when the client offers it (no conversion needed), else the mandatory utf-16.
PositionEncoding negotiate_position_encoding(const ClientCapabilities& caps);

struct ServerCapabilities {
  PositionEncoding position_encoding = PositionEncoding::utf16;
  bool inline_completion = true;
  std::vector<std::string> completion_trigger_characters;
  std::vector<std::string> code_action_kinds;
  std::vector<std::string> execute_commands;
  bool workspace_folders = true;
};

struct InitializeResult {
  ServerCapabilities capabilities;
  std::string server_name = "coderx";
  std::string server_version;
};

struct InitializedParams {};

CODERX_LSP_JSON(WorkspaceFolder);
CODERX_LSP_JSON(ClientCapabilities);
CODERX_LSP_JSON(InitializeParams);
CODERX_LSP_JSON(InitializeResult);
CODERX_LSP_JSON(InitializedParams);
void tag_invoke(json::value_from_tag, json::value& v, const ServerCapabilities& x);

}  // namespace coderx::lsp
