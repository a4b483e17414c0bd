#include "lsp/server/lsp_server.h"

#include <spdlog/spdlog.h>

#include "lsp/server/progress.h"
#include "lsp/server/uri.h"

namespace coderx::server {

namespace json = boost::json;
using lsp::ErrorCode;
using lsp::MessageType;
using lsp::Responder;

LspServer::LspServer(lsp::Dispatcher& dispatcher, LspServerOptions options)
    : dispatcher_(dispatcher),
      options_(std::move(options)),
      settings_(options_.settings),
      indexer_(IndexerOptions{options_.index_cache_dir.value_or(default_index_cache_dir()), 1}),
      scheduler_([this](std::size_t load) { on_load_changed(load); }) {
  register_lifecycle();
  register_sync();
  register_workspace();
  register_features();
}

LspServer::~LspServer() {
  scheduler_.shutdown();
  if (loader_.joinable()) loader_.join();  // it reports to the scheduler: join it while that lives
}

bool LspServer::model_loading() const {
  std::lock_guard lock(mu_);
  return loader_.joinable() && !loaded_;
}

ServerSettings LspServer::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

std::vector<lsp::WorkspaceFolder> LspServer::workspace_folders() const {
  std::lock_guard lock(mu_);
  return folders_;
}

std::shared_ptr<features::Assistant> LspServer::assistant() const {
  std::lock_guard lock(mu_);
  return assistant_;
}

void LspServer::wait_until_loaded() {
  std::unique_lock lock(mu_);
  loaded_cv_.wait(lock, [&] { return loaded_; });
}

// ---- lifecycle ----

void LspServer::register_lifecycle() {
  dispatcher_.on_request<lsp::InitializeParams>(
      "initialize", [this](lsp::InitializeParams p, Responder r) { on_initialize(std::move(p), std::move(r)); });
  dispatcher_.on_notification<lsp::InitializedParams>("initialized",
                                                      [this](lsp::InitializedParams) { on_initialized(); });
  dispatcher_.on_shutdown([this] { scheduler_.shutdown(); });
}

void LspServer::on_initialize(lsp::InitializeParams p, Responder r) {
  lsp::PositionEncoding encoding = lsp::negotiate_position_encoding(p.capabilities);
  documents_.set_encoding(encoding == lsp::PositionEncoding::utf8 ? context::PositionEncoding::utf8
                                                                  : context::PositionEncoding::utf16);
  dispatcher_.set_trace_level(p.trace);
  {
    std::lock_guard lock(mu_);
    client_ = p.capabilities;
    folders_ = p.workspace_folders;
    if (folders_.empty() && p.root_uri) folders_.push_back({*p.root_uri, ""});
  }
  apply_client_settings(p.initialization_options, "initializationOptions");
  lsp::InitializeResult result;
  result.server_version = options_.version;
  result.capabilities.position_encoding = encoding;
  result.capabilities.code_action_kinds = {"quickfix", "refactor.rewrite", "refactor"};
  result.capabilities.execute_commands = {"coderx.explain", "coderx.refactor"};
  spdlog::info("initialize from {} ({} position encoding)",
               p.client_info ? p.client_info->name : "an unnamed client", lsp::to_string(encoding));
  r.reply_with(result);
}

void LspServer::on_initialized() {
  if (loader_.joinable()) return spdlog::warn("'initialized' received twice; ignored");
  set_status(lsp::ServerState::loading, "loading the model");
  pull_configuration();
  register_file_watcher();
  start_loading();
  start_indexing();
}

// Indexes the workspace folders on the indexer's thread, with work-done progress "indexing".
void LspServer::start_indexing() {
  if (!options_.index_workspace) return;
  std::vector<std::filesystem::path> roots;
  bool progress_supported;
  {
    std::lock_guard lock(mu_);
    progress_supported = client_.work_done_progress;
    for (const lsp::WorkspaceFolder& f : folders_)
      if (auto path = uri_to_path(f.uri)) roots.push_back(*path);
      else spdlog::warn("workspace folder {} is not a file: URI; not indexed", f.uri);
  }
  auto progress = std::make_shared<std::shared_ptr<Progress>>();
  IndexingCallbacks callbacks;
  callbacks.begin = [this, progress, progress_supported](const std::string& message) {
    *progress = Progress::create(dispatcher_, progress_supported, "coderx/index/" + message);
    (*progress)->begin("coderx: indexing", message);
  };
  callbacks.end = [progress](const std::string& summary) {
    if (*progress) (*progress)->end(summary);
  };
  indexer_.set_folders(std::move(roots), std::move(callbacks));
}

void LspServer::on_file_event(const std::string& uri, lsp::FileChangeType type) {
  if (auto path = uri_to_path(uri)) indexer_.file_event(*path, type);
}

void LspServer::start_loading() {
  bool progress_supported;
  {
    std::lock_guard lock(mu_);
    progress_supported = client_.work_done_progress;
  }
  auto progress = Progress::create(dispatcher_, progress_supported, "coderx/load");
  progress->begin("coderx", "loading the model");
  loader_ = std::jthread([this, progress] {
    std::shared_ptr<features::TextGenerator> generator;
    std::string error;
    if (options_.load_generator) {
      auto loaded = options_.load_generator(settings());
      if (loaded) generator = *loaded; else error = loaded.error().message;
    } else {
      error = "no model configured (start with --model)";
    }
    if (!generator) generator = std::make_shared<features::UnavailableGenerator>(error);
    auto assistant = std::make_shared<features::Assistant>(generator, options_.assistant);
    {
      std::lock_guard lock(mu_);
      assistant_ = std::move(assistant);
      if (error.empty()) model_ = generator->describe();
      loaded_ = true;
    }
    loaded_cv_.notify_all();
    progress->end(error.empty() ? "model ready: " + generator->describe() : error);
    if (error.empty()) {
      set_status(lsp::ServerState::ready, generator->describe());
    } else {
      spdlog::warn("running without a model: {}", error);
      dispatcher_.log_message(MessageType::warning, "coderx: " + error);
      set_status(lsp::ServerState::error, error);
    }
  });
}

void LspServer::set_status(lsp::ServerState state, const std::string& message) {
  lsp::StatusParams params{state, message, static_cast<std::uint32_t>(scheduler_.load()), std::nullopt};
  {
    std::lock_guard lock(mu_);
    status_ = state;
    params.model = model_;
  }
  dispatcher_.notify("coderx/status", json::value_from(params));
}

// busy while model work is queued or running; only transitions are sent.
void LspServer::on_load_changed(std::size_t load) {
  lsp::ServerState next;
  std::optional<std::string> model;
  {
    std::lock_guard lock(mu_);
    if (status_ != lsp::ServerState::ready && status_ != lsp::ServerState::busy) return;
    next = load > 0 ? lsp::ServerState::busy : lsp::ServerState::ready;
    if (next == status_) return;
    status_ = next;
    model = model_;
  }
  lsp::StatusParams params{next, next == lsp::ServerState::busy ? "working" : "idle",
                           static_cast<std::uint32_t>(load), model};
  dispatcher_.notify("coderx/status", json::value_from(params));
}

// ---- text sync ----

void LspServer::warn_out_of_sync(const std::string& uri) {
  // window/showMessage, type 2 = Warning: the editor shows it; once per loss.
  dispatcher_.notify("window/showMessage",
                     json::object{{"type", 2},
                                  {"message", "coderx: " + documents_.unavailable(uri) +
                                                  " (no completions or actions there until then)"}});
}

void LspServer::register_sync() {
  dispatcher_.on_notification<lsp::DidOpenTextDocumentParams>(
      "textDocument/didOpen", [this](lsp::DidOpenTextDocumentParams p) { documents_.open(p.text_document); });
  dispatcher_.on_notification<lsp::DidChangeTextDocumentParams>(
      "textDocument/didChange", [this](lsp::DidChangeTextDocumentParams p) {
        const bool was_lost = documents_.out_of_sync(p.text_document.uri);
        if (auto done = documents_.change(p); !done) {
          spdlog::warn("didChange: {}", done.error().message);
          if (!was_lost && documents_.out_of_sync(p.text_document.uri)) warn_out_of_sync(p.text_document.uri);
        }
      });
  dispatcher_.on_notification<lsp::DidCloseTextDocumentParams>(
      "textDocument/didClose", [this](lsp::DidCloseTextDocumentParams p) {
        if (!documents_.close(p.text_document.uri))
          spdlog::warn("didClose ignored: {} is not open", p.text_document.uri);
        std::lock_guard lock(mu_);
        for (const char* kind : {"inline:", "completion:"}) latest_completion_.erase(kind + p.text_document.uri);
      });
  dispatcher_.on_notification<lsp::DidSaveTextDocumentParams>(
      "textDocument/didSave", [this](lsp::DidSaveTextDocumentParams p) {
        on_file_event(p.text_document.uri, lsp::FileChangeType::changed);
      });
}

// ---- workspace and configuration ----

void LspServer::register_workspace() {
  dispatcher_.on_notification<lsp::DidChangeWorkspaceFoldersParams>(
      "workspace/didChangeWorkspaceFolders", [this](lsp::DidChangeWorkspaceFoldersParams p) {
        {
          std::lock_guard lock(mu_);
          for (const auto& removed : p.removed)
            std::erase_if(folders_, [&](const auto& f) { return f.uri == removed.uri; });
          for (const auto& added : p.added) folders_.push_back(added);
        }
        start_indexing();
      });
  dispatcher_.on_notification<lsp::DidChangeWatchedFilesParams>(
      "workspace/didChangeWatchedFiles", [this](lsp::DidChangeWatchedFilesParams p) {
        watched_events_ += p.changes.size();
        spdlog::debug("{} watched-file events", p.changes.size());
        for (const lsp::FileEvent& e : p.changes) on_file_event(e.uri, e.type);
      });
  dispatcher_.on_notification<lsp::DidChangeConfigurationParams>(
      "workspace/didChangeConfiguration", [this](lsp::DidChangeConfigurationParams p) {
        apply_client_settings(p.settings, "didChangeConfiguration");
        pull_configuration();
      });
}

void LspServer::apply_client_settings(const json::value& value, const char* source) {
  std::vector<std::string> errors;
  {
    std::lock_guard lock(mu_);
    errors = apply_settings(settings_, value);
  }
  for (const std::string& e : errors) {
    spdlog::warn("{}: {}", source, e);
    dispatcher_.log_message(MessageType::warning, std::string("coderx settings (") + source + "): " + e);
  }
}

// workspace/configuration only where the client supports it; the answer is applied whenever it
// arrives (nothing waits for it).
void LspServer::pull_configuration() {
  {
    std::lock_guard lock(mu_);
    if (!client_.workspace_configuration) return;
  }
  json::object params{{"items", json::array{json::object{{"section", "coderx"}}}}};
  dispatcher_.call("workspace/configuration", params,
                   [this](const json::value* result, const lsp::ResponseError* error) {
                     if (error) return spdlog::warn("workspace/configuration failed: {}", error->message);
                     if (result && result->is_array() && !result->get_array().empty())
                       apply_client_settings(result->get_array()[0], "workspace/configuration");
                   });
}

void LspServer::register_file_watcher() {
  {
    std::lock_guard lock(mu_);
    if (!client_.watched_files_dynamic) return;
  }
  json::object watcher{{"globPattern", "**/*"}};
  json::object registration{{"id", "coderx-watched-files"},
                            {"method", "workspace/didChangeWatchedFiles"},
                            {"registerOptions", {{"watchers", json::array{watcher}}}}};
  dispatcher_.call("client/registerCapability",
                   json::object{{"registrations", json::array{registration}}},
                   [](const json::value*, const lsp::ResponseError* error) {
                     if (error) spdlog::warn("file watcher registration failed: {}", error->message);
                   });
}

}  // namespace coderx::server
