// LSP text synchronisation and workspace notifications: didOpen / didChange (full and
// incremental) / didClose, workspace folders, watched files, configuration, plus the
// server-to-client notifications the server sends (logMessage, progress, coderx/status).
// Conversions via tag_invoke (see types_base.h). Plain values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lsp/protocol/types_base.h"
#include "lsp/protocol/types_lifecycle.h"

namespace coderx::lsp {

struct DidOpenTextDocumentParams {
  TextDocumentItem text_document;
};

// A full replacement when `range` is absent, else an incremental edit.
struct TextDocumentContentChangeEvent {
  std::optional<Range> range;
  std::string text;
};

struct DidChangeTextDocumentParams {
  VersionedTextDocumentIdentifier text_document;
  std::vector<TextDocumentContentChangeEvent> content_changes;
};

struct DidCloseTextDocumentParams {
  TextDocumentIdentifier text_document;
};

// The server asks for no text (save.includeText false): a save re-indexes the file from disk.
struct DidSaveTextDocumentParams {
  TextDocumentIdentifier text_document;
};

struct DidChangeWorkspaceFoldersParams {
  std::vector<WorkspaceFolder> added, removed;
};

enum class FileChangeType { created = 1, changed = 2, deleted = 3 };

struct FileEvent {
  std::string uri;
  FileChangeType type = FileChangeType::changed;
};

struct DidChangeWatchedFilesParams {
  std::vector<FileEvent> changes;
};

struct DidChangeConfigurationParams {
  json::value settings;
};

// $/progress with a WorkDoneProgress begin / report / end value.
struct WorkDoneProgress {
  enum class Kind { begin, report, end };
  Kind kind = Kind::begin;
  std::string title;                      // begin
  std::optional<std::string> message;
  std::optional<std::uint32_t> percentage;  // begin, report
  bool cancellable = false;               // begin
};

struct ProgressParams {
  ProgressToken token;
  WorkDoneProgress value;
};

// coderx/status: for editor status bars.
enum class ServerState { loading, ready, busy, error };
const char* to_string(ServerState s);

struct StatusParams {
  ServerState state = ServerState::ready;
  std::string message;
  std::uint32_t pending = 0;  // requests queued or running
  std::optional<std::string> model;  // the generator's description, once loaded
};

CODERX_LSP_JSON(DidOpenTextDocumentParams);
CODERX_LSP_JSON(TextDocumentContentChangeEvent);
CODERX_LSP_JSON(DidChangeTextDocumentParams);
CODERX_LSP_JSON(DidCloseTextDocumentParams);
CODERX_LSP_JSON(DidSaveTextDocumentParams);
CODERX_LSP_JSON(DidChangeWorkspaceFoldersParams);
CODERX_LSP_JSON(FileEvent);
CODERX_LSP_JSON(DidChangeWatchedFilesParams);
CODERX_LSP_JSON(DidChangeConfigurationParams);
CODERX_LSP_JSON(WorkDoneProgress);
CODERX_LSP_JSON(ProgressParams);
CODERX_LSP_JSON(StatusParams);

}  // namespace coderx::lsp
