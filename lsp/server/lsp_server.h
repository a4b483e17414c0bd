// LspServer: the LSP adapter. Registers every handler on a Dispatcher and owns the session's
// state: open documents, settings, workspace folders, the Assistant (created when the text
// generator has loaded), the Scheduler that runs model work, and the coderx/status notification.
//
// Flow of an inline completion: the reader thread decodes the params (binder), converts the
// position to a byte offset on the document's snapshot, cancels the previous completion for
// that document, and submits a job (debounced, highest priority) that owns the Responder; the
// worker calls Assistant::complete with the request's stop token and answers exactly once:
// items, an empty list, RequestCancelled, or ContentModified when the document moved on.
//
// Context: each request's prompt is gathered (features/prompts.h) from the document's parsed
// tree, the workspace index of its folder (built after `initialized` and kept up to date from
// watched-file events and saves by the WorkspaceIndexer, off the reader thread), recent edits
// and the other open documents.
//
// Threading: handlers run on the dispatcher's reader thread and never block (no handler waits
// on a server-to-client request; edits are applied there but parsed on the document store's
// thread); model work runs on the scheduler's worker; the generator loads on its own thread;
// the index builds on the indexer's. The destructor cancels and joins everything.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <filesystem>
#include <memory>
#include <optional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "lsp/features/assistant.h"
#include "lsp/protocol/dispatcher.h"
#include "lsp/protocol/types_features.h"
#include "lsp/protocol/types_lifecycle.h"
#include "lsp/protocol/types_sync.h"
#include "lsp/server/document_store.h"
#include "lsp/server/scheduler.h"
#include "lsp/server/settings.h"
#include "lsp/server/workspace_indexer.h"

namespace coderx::server {

// Called with the settings in force when loading starts (initializationOptions applied).
using GeneratorLoader =
    std::function<model::Result<std::shared_ptr<features::TextGenerator>>(const ServerSettings&)>;

struct LspServerOptions {
  // Loads the text generator (model) on a background thread after `initialized`; empty: the
  // server runs without a model (features answer empty results / RequestFailed).
  GeneratorLoader load_generator;
  features::AssistantOptions assistant;
  ServerSettings settings;  // defaults before the client's settings
  std::string version = "0";
  bool index_workspace = true;  // build the workspace index from the workspace folders
  // Where the index caches go; nullopt: default_index_cache_dir() (XDG); empty: no cache.
  std::optional<std::filesystem::path> index_cache_dir;
};

class LspServer {
 public:
  LspServer(lsp::Dispatcher& dispatcher, LspServerOptions options);
  ~LspServer();
  // True while the model is still being loaded (the loader thread runs).
  bool model_loading() const;
  LspServer(const LspServer&) = delete;
  LspServer& operator=(const LspServer&) = delete;

  const DocumentStore& documents() const { return documents_; }
  ServerSettings settings() const;
  std::vector<lsp::WorkspaceFolder> workspace_folders() const;
  std::size_t watched_file_events() const { return watched_events_.load(); }
  const WorkspaceIndexer& indexer() const { return indexer_; }
  // Blocks until the generator has loaded (or failed); for tests and the CLI.
  void wait_until_loaded();

 private:
  // lsp_server.cpp: lifecycle, text sync, workspace, configuration, status
  void register_lifecycle();
  void register_sync();
  void register_workspace();
  void on_initialize(lsp::InitializeParams params, lsp::Responder r);
  void on_initialized();
  void start_loading();
  void pull_configuration();
  void register_file_watcher();
  void start_indexing();
  void on_file_event(const std::string& uri, lsp::FileChangeType type);
  void apply_client_settings(const boost::json::value& value, const char* source);
  void set_status(lsp::ServerState state, const std::string& message);
  // Tells the user that the server's copy of `uri` no longer follows the editor's.
  void warn_out_of_sync(const std::string& uri);
  void on_load_changed(std::size_t load);
  std::shared_ptr<features::Assistant> assistant() const;

  // lsp_features.cpp: model-backed requests
  void register_features();
  void on_inline_completion(lsp::InlineCompletionParams p, lsp::Responder r);
  void on_completion(lsp::CompletionParams p, lsp::Responder r);
  void on_code_action(lsp::CodeActionParams p, lsp::Responder r);
  void on_code_action_resolve(lsp::CodeAction action, lsp::Responder r);
  void on_execute_command(lsp::ExecuteCommandParams p, lsp::Responder r);
  void on_explain(lsp::ExplainParams p, lsp::Responder r);
  struct CompletionJob;
  void submit_completion(CompletionJob job, lsp::Responder r);
  using RefactorDelivery = std::function<void(lsp::Responder&, lsp::WorkspaceEdit, lsp::Usage)>;
  // Progress goes to the client's `work_done_token` when it sent one, else to a created token.
  void submit_refactor(lsp::RefactorArgs args, lsp::Responder r, RefactorDelivery deliver,
                       std::optional<boost::json::value> work_done_token = std::nullopt);
  // workspace/applyEdit for a client that ignores the command's result (see RefactorArgs::apply).
  void send_apply_edit(const std::string& label, const lsp::WorkspaceEdit& edit);
  // What gather needs for `doc`, collected when the Assistant asks for it (on the worker).
  features::WorkspaceProvider workspace_for(const DocumentInfo& doc, std::stop_token stop);
  void submit_explain(lsp::ExplainParams p, lsp::Responder r);
  void supersede(const std::string& uri, const lsp::Responder& r);

  lsp::Dispatcher& dispatcher_;
  LspServerOptions options_;
  DocumentStore documents_;

  mutable std::mutex mu_;  // guards everything below up to the scheduler
  ServerSettings settings_;
  lsp::ClientCapabilities client_;
  std::vector<lsp::WorkspaceFolder> folders_;
  std::shared_ptr<features::Assistant> assistant_;
  std::optional<std::string> model_;  // the generator's description once loaded
  bool loaded_ = false;
  lsp::ServerState status_ = lsp::ServerState::loading;
  std::map<std::string, std::stop_source> latest_completion_;  // per document: cancel-previous
  std::condition_variable loaded_cv_;

  std::atomic<std::size_t> watched_events_{0};
  WorkspaceIndexer indexer_;
  std::jthread loader_;
  Scheduler scheduler_;  // last: destroyed first, while the rest is still alive
};

}  // namespace coderx::server
