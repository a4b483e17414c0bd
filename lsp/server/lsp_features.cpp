// LspServer's model-backed requests: inline completion, completion, code actions (+ resolve),
// workspace/executeCommand and coderx/explain. See lsp_server.h for the flow and threading.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "lsp/protocol/workspace_edit_fit.h"
#include "lsp/server/lsp_server.h"
#include "lsp/server/progress.h"
#include "lsp/server/uri.h"
#include "model/utf8.h"

namespace coderx::server {

namespace json = boost::json;
using lsp::ErrorCode;
using lsp::Responder;

namespace {

std::string usage_summary(const features::Usage& u) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "%lld prompt tokens (%lld cached), %lld thinking, %lld answer, %.0f ms",
                static_cast<long long>(u.prompt_tokens), static_cast<long long>(u.cached_tokens),
                static_cast<long long>(u.thinking_tokens), static_cast<long long>(u.answer_tokens),
                u.elapsed_ms);
  return buffer;
}

std::optional<features::RefactorKind> parse_kind(const std::string& kind) {
  using K = features::RefactorKind;
  for (K k : {K::rewrite, K::fix_diagnostic, K::document, K::add_tests, K::instruction})
    if (kind == features::to_string(k)) return k;
  return std::nullopt;
}

lsp::Usage usage_to_lsp(const features::Usage& u) {
  return {u.prompt_tokens, u.cached_tokens, u.thinking_tokens, u.answer_tokens, u.elapsed_ms};
}

// `uri` as a path relative to the workspace folder holding it, else the uri itself.
std::string display_path(const std::string& uri, const WorkspaceIndexer& indexer) {
  auto path = uri_to_path(uri);
  std::string rel = path ? indexer.locate(*path).path : "";
  return rel.empty() ? uri : rel;
}

// Answers a failed Assistant call: RequestCancelled when cancelled, else RequestFailed.
void answer_failure(Responder& r, const model::Error& e) {
  if (e.code == model::Errc::cancelled) return r.error(ErrorCode::RequestCancelled, "request cancelled");
  r.error(ErrorCode::RequestFailed, e.message);
}

// [begin, end) of a range; an empty range grows to its whole line, with its terminator ("\n",
// "\r\n" or "\r").
std::pair<std::uint32_t, std::uint32_t> selection_of(const DocumentInfo& doc, const lsp::Range& range) {
  std::uint32_t begin = doc.offset_of(range.start), end = doc.offset_of(range.end);
  if (end < begin) std::swap(begin, end);
  if (begin == end) {
    const context::LineIndex& lines = *doc.snapshot.lines;
    std::uint32_t line = lines.line_of(begin);
    begin = lines.line_start(line);
    end = line + 1 < lines.line_count() ? lines.line_start(line + 1)
                                        : static_cast<std::uint32_t>(doc.snapshot.text->size());
  }
  return {begin, end};
}

}  // namespace

struct LspServer::CompletionJob {
  features::RequestKind kind;
  std::string uri;
  lsp::Position position;
  int version = 0;
  features::Budgets budgets;
};

void LspServer::register_features() {
  dispatcher_.on_request<lsp::InlineCompletionParams>(
      "textDocument/inlineCompletion",
      [this](lsp::InlineCompletionParams p, Responder r) { on_inline_completion(std::move(p), std::move(r)); });
  dispatcher_.on_request<lsp::CompletionParams>(
      "textDocument/completion", [this](lsp::CompletionParams p, Responder r) { on_completion(std::move(p), std::move(r)); });
  dispatcher_.on_request<lsp::CodeActionParams>(
      "textDocument/codeAction", [this](lsp::CodeActionParams p, Responder r) { on_code_action(std::move(p), std::move(r)); });
  dispatcher_.on_request<lsp::CodeAction>(
      "codeAction/resolve", [this](lsp::CodeAction a, Responder r) { on_code_action_resolve(std::move(a), std::move(r)); });
  dispatcher_.on_request<lsp::ExecuteCommandParams>(
      "workspace/executeCommand",
      [this](lsp::ExecuteCommandParams p, Responder r) { on_execute_command(std::move(p), std::move(r)); });
  dispatcher_.on_request<lsp::ExplainParams>(
      "coderx/explain", [this](lsp::ExplainParams p, Responder r) { on_explain(std::move(p), std::move(r)); });
}

// ---- context ----

features::WorkspaceProvider LspServer::workspace_for(const DocumentInfo& doc, std::stop_token stop) {
  return [this, doc, stop] {
    features::WorkspaceContext w;
    auto parsed = documents_.get_parsed(doc.uri, stop);  // the tree of the latest version
    w.snapshot = parsed && parsed->snapshot.version == doc.snapshot.version ? parsed->snapshot : doc.snapshot;
    if (auto path = uri_to_path(doc.uri)) {
      WorkspaceIndexer::Located where = indexer_.locate(*path);
      w.index = std::move(where.index);
      w.path = std::move(where.path);
    }
    for (context::RecentEdit& e : documents_.recent_edits()) {
      e.path = display_path(e.path, indexer_);
      w.recent_edits.push_back(std::move(e));
    }
    for (context::OpenDocument& d : documents_.open_documents(doc.uri)) {
      d.path = display_path(d.path, indexer_);
      w.open_documents.push_back(std::move(d));
    }
    return w;
  };
}

// ---- completion ----

void LspServer::supersede(const std::string& key, const Responder& r) {
  std::stop_source previous;
  {
    std::lock_guard lock(mu_);
    previous = std::exchange(latest_completion_[key], r.stop_source());
  }
  previous.request_stop();
}

void LspServer::on_inline_completion(lsp::InlineCompletionParams p, Responder r) {
  auto version = documents_.version(p.text_document.uri);
  if (!version) return r.error(ErrorCode::InvalidParams, documents_.unavailable(p.text_document.uri));
  ServerSettings s = settings();
  if (!s.inline_completion) return r.reply_with(lsp::InlineCompletionList{});
  std::optional<features::BudgetPatch> patch;
  if (p.budget) patch = to_patch(*p.budget);
  CompletionJob job{features::RequestKind::inline_completion, p.text_document.uri, p.position, *version,
                    s.budgets.for_request(features::RequestKind::inline_completion, patch)};
  submit_completion(std::move(job), std::move(r));
}

void LspServer::on_completion(lsp::CompletionParams p, Responder r) {
  auto version = documents_.version(p.text_document.uri);
  if (!version) return r.error(ErrorCode::InvalidParams, documents_.unavailable(p.text_document.uri));
  ServerSettings s = settings();
  if (!s.completion) return r.reply_with(lsp::CompletionList{false, {}});
  std::optional<features::BudgetPatch> patch;
  if (p.budget) patch = to_patch(*p.budget);
  CompletionJob job{features::RequestKind::completion, p.text_document.uri, p.position, *version,
                    s.budgets.for_request(features::RequestKind::completion, patch)};
  submit_completion(std::move(job), std::move(r));
}

namespace {

// `text` on one line (line breaks and tabs as spaces, ends trimmed), at most `max_bytes`, cut at a
// character boundary and ended with "..." when cut.
std::string one_line_label(std::string_view text, std::size_t max_bytes) {
  std::string line;
  for (char c : text) line += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  std::size_t first = line.find_first_not_of(' '), last = line.find_last_not_of(' ');
  line = first == std::string::npos ? "" : line.substr(first, last - first + 1);
  if (line.size() <= max_bytes) return line;
  return line.substr(0, model::utf8::complete_prefix(std::string_view(line).substr(0, max_bytes - 3))) + "...";
}

// A completion item's label: the first line of the suggestion that is not blank.
std::string completion_label(const std::string& text) {
  std::size_t at = text.find_first_not_of(" \t\r\n");
  if (at == std::string::npos) return "(blank lines)";
  at = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  return one_line_label(std::string_view(text).substr(at, text.find('\n', at) - at), 60);
}

void reply_completion(Responder& r, features::RequestKind kind, const std::string& text, lsp::Position at) {
  lsp::Range range{at, at};
  if (kind == features::RequestKind::inline_completion) {
    lsp::InlineCompletionList list;
    if (!text.empty()) list.items.push_back({text, range, std::nullopt});
    return r.reply_with(list);
  }
  lsp::CompletionList list{true, {}};
  if (!text.empty()) {
    lsp::CompletionItem item;
    item.label = completion_label(text);
    item.detail = "coderx";
    item.filter_text = "";
    item.sort_text = "~coderx";  // after the language server's own items
    item.text_edit = lsp::TextEdit{range, text, std::nullopt};
    list.items.push_back(std::move(item));
  }
  r.reply_with(list);
}

}  // namespace

void LspServer::submit_completion(CompletionJob job, Responder r) {
  bool is_inline = job.kind == features::RequestKind::inline_completion;
  supersede((is_inline ? "inline:" : "completion:") + job.uri, r);
  Job j;
  j.priority = is_inline ? Priority::inline_completion : Priority::completion;
  j.not_before = std::chrono::steady_clock::now() + settings().debounce;
  j.responder = std::move(r);
  j.run = [this, job = std::move(job)](Responder& r, std::stop_token stop) {
    auto doc = documents_.get(job.uri);
    if (!doc || doc->snapshot.version != job.version)
      return r.error(ErrorCode::ContentModified, "the document changed before the completion started");
    auto assistant = this->assistant();
    if (!assistant) return reply_completion(r, job.kind, "", job.position);  // still loading
    std::uint32_t cursor = doc->offset_of(job.position);
    features::CompleteRequest request{job.kind, {doc->uri, doc->language_id, *doc->snapshot.text}, cursor,
                                      job.budgets, workspace_for(*doc, stop)};
    auto result = assistant->complete(request, stop);
    if (!result) {
      if (result.error().code == model::Errc::cancelled)
        return r.error(ErrorCode::RequestCancelled, "request cancelled");
      spdlog::debug("{}: no completion: {}", job.uri, result.error().message);
      return reply_completion(r, job.kind, "", job.position);
    }
    if (documents_.version(job.uri) != job.version)
      return r.error(ErrorCode::ContentModified, "the document changed during the completion");
    spdlog::debug("{} {}: {}{}", features::to_string(job.kind), job.uri, usage_summary(result->usage),
                  result->cached ? " (cached result)" : "");
    reply_completion(r, job.kind, result->text, doc->position_of(cursor));
  };
  scheduler_.submit(std::move(j));
}

// ---- code actions and refactors ----

void LspServer::on_code_action(lsp::CodeActionParams p, Responder r) {
  auto version = documents_.version(p.text_document.uri);
  json::array actions;
  if (!version) return r.reply(actions);
  bool resolve, apply_edit;
  {
    std::lock_guard lock(mu_);
    resolve = client_.code_action_resolve;
    apply_edit = client_.apply_edit;
  }
  auto wanted = [&](const std::string& kind) {
    if (!p.only) return true;
    for (const std::string& k : *p.only)
      if (kind == k || kind.rfind(k + ".", 0) == 0) return true;
    return false;
  };
  auto add = [&](std::string title, std::string kind, std::string refactor, std::string instruction,
                 std::vector<lsp::Diagnostic> diagnostics) {
    if (!wanted(kind)) return;
    lsp::RefactorArgs args{p.text_document.uri, *version, p.range, std::move(refactor), std::move(instruction), {},
                           !resolve && apply_edit};
    lsp::CodeAction action{std::move(title), std::move(kind), std::move(diagnostics), {}, {}, {}};
    if (resolve)
      action.data = json::value_from(args);
    else
      action.command = lsp::Command{action.title, "coderx.refactor", json::array{json::value_from(args)}};
    actions.push_back(json::value_from(action));
  };
  for (const lsp::Diagnostic& d : p.diagnostics)
    add("coderx: fix '" + one_line_label(d.message, 60) + "'", "quickfix", "fix", d.message, {d});
  add("coderx: rewrite the selection", "refactor.rewrite", "rewrite", "", {});
  add("coderx: add documentation", "refactor.rewrite", "document", "", {});
  add("coderx: add tests", "refactor", "tests", "", {});
  r.reply(actions);
}

void LspServer::on_code_action_resolve(lsp::CodeAction action, Responder r) {
  std::string error;
  auto args = lsp::Dispatcher::convert_params<lsp::RefactorArgs>(action.data, error);
  if (!args) return r.error(ErrorCode::InvalidParams, "not a coderx code action: " + error);
  submit_refactor(std::move(*args), std::move(r), [action](Responder& r, lsp::WorkspaceEdit edit, lsp::Usage) mutable {
    action.edit = std::move(edit);
    r.reply_with(action);
  });
}

void LspServer::submit_refactor(lsp::RefactorArgs args, Responder r, RefactorDelivery deliver,
                                std::optional<json::value> work_done_token) {
  auto kind = parse_kind(args.kind);
  if (!kind) return r.error(ErrorCode::InvalidParams, "unknown refactor kind '" + args.kind + "'");
  auto budget_patch = args.budget ? std::optional(to_patch(*args.budget)) : std::nullopt;
  features::Budgets budgets = settings().budgets.for_request(features::RequestKind::refactor, budget_patch);
  lsp::ClientCapabilities client;
  {
    std::lock_guard lock(mu_);
    client = client_;
  }
  Job j;
  j.priority = Priority::interactive;
  j.responder = std::move(r);
  j.run = [=, this](Responder& r, std::stop_token stop) {
    auto doc = documents_.get(args.uri);
    if (!doc) return r.error(ErrorCode::InvalidParams, documents_.unavailable(args.uri));
    if (args.version && *args.version != doc->snapshot.version)
      return r.error(ErrorCode::ContentModified, "the document changed since the refactor was asked for (version " +
                                                     std::to_string(*args.version) + ", now " +
                                                     std::to_string(doc->snapshot.version) + ")");
    auto assistant = this->assistant();
    if (!assistant) return r.error(ErrorCode::RequestFailed, "the model is still loading");
    auto [begin, end] = selection_of(*doc, args.range);
    auto progress = work_done_token ? Progress::with_token(dispatcher_, work_done_token)
                                    : Progress::create(dispatcher_, client.work_done_progress,
                                                       "coderx/refactor/" + lsp::id_to_string(r.id()));
    progress->begin("coderx: " + args.kind, "thinking");
    features::RefactorRequest request{*kind, {doc->uri, doc->language_id, *doc->snapshot.text}, begin, end,
                                      args.instruction, budgets, workspace_for(*doc, stop)};
    auto result = assistant->refactor(request, stop);
    progress->end(result ? usage_summary(result->usage) : result.error().message);
    if (!result) return answer_failure(r, result.error());
    spdlog::info("refactor {} {}: {}", args.kind, args.uri, usage_summary(result->usage));
    if (documents_.version(args.uri) != doc->snapshot.version)
      return r.error(ErrorCode::ContentModified, "the document changed during the refactor");
    lsp::TextEdit edit{{doc->position_of(result->begin), doc->position_of(result->end)}, result->new_text,
                       "coderx.refactor"};
    lsp::WorkspaceEdit workspace_edit;
    workspace_edit.document_changes.push_back({{args.uri, doc->snapshot.version}, {edit}});
    workspace_edit.change_annotations["coderx.refactor"] =
        lsp::ChangeAnnotation{"coderx: " + args.kind, true, usage_summary(result->usage)};
    deliver(r, lsp::fit_to_client(std::move(workspace_edit), client), usage_to_lsp(result->usage));
  };
  scheduler_.submit(std::move(j));
}

void LspServer::send_apply_edit(const std::string& label, const lsp::WorkspaceEdit& edit) {
  // Never waited on: the reply only says whether the client applied it.
  dispatcher_.call("workspace/applyEdit", json::value_from(lsp::ApplyWorkspaceEditParams{label, edit}),
                   [label](const json::value* result, const lsp::ResponseError* error) {
                     if (error) return spdlog::warn("{}: the client refused the edit: {}", label, error->message);
                     const json::object* o = result ? result->if_object() : nullptr;
                     const json::value* applied = o ? o->if_contains("applied") : nullptr;
                     if (!applied || !applied->is_bool() || !applied->get_bool())
                       spdlog::info("{}: the client did not apply the edit", label);
                   });
}

void LspServer::on_execute_command(lsp::ExecuteCommandParams p, Responder r) {
  if (p.command != "coderx.refactor" && p.command != "coderx.explain")
    return r.error(ErrorCode::InvalidParams, "unknown command '" + p.command + "' (known: coderx.refactor, coderx.explain)");
  if (p.arguments.empty()) return r.error(ErrorCode::InvalidParams, p.command + ": expected one argument");
  std::string error;
  if (p.command == "coderx.refactor") {
    auto args = lsp::Dispatcher::convert_params<lsp::RefactorArgs>(p.arguments[0], error);
    if (!args) return r.error(ErrorCode::InvalidParams, error);
    // The edit goes back in the result; the client applies it once the user confirms. A code
    // action's command for a client without codeAction/resolve also sends it as applyEdit.
    bool apply = args->apply;
    std::string label = "coderx: " + args->kind;
    return submit_refactor(
        std::move(*args), std::move(r),
        [this, apply, label](Responder& r, lsp::WorkspaceEdit edit, lsp::Usage usage) {
          if (apply) send_apply_edit(label, edit);
          r.reply_with(lsp::RefactorCommandResult{std::move(edit), usage});
        },
        p.work_done_token);
  }
  if (p.command == "coderx.explain") {
    auto params = lsp::Dispatcher::convert_params<lsp::ExplainParams>(p.arguments[0], error);
    if (!params) return r.error(ErrorCode::InvalidParams, error);
    if (!params->work_done_token) params->work_done_token = p.work_done_token;
    return submit_explain(std::move(*params), std::move(r));
  }
}

// ---- explain ----

void LspServer::on_explain(lsp::ExplainParams p, Responder r) { submit_explain(std::move(p), std::move(r)); }

void LspServer::submit_explain(lsp::ExplainParams p, Responder r) {
  auto budget_patch = p.budget ? std::optional(to_patch(*p.budget)) : std::nullopt;
  features::Budgets budgets = settings().budgets.for_request(features::RequestKind::explain, budget_patch);
  Job j;
  j.priority = Priority::interactive;
  j.responder = std::move(r);
  j.run = [this, p = std::move(p), budgets](Responder& r, std::stop_token stop) {
    auto doc = documents_.get(p.text_document.uri);
    if (!doc) return r.error(ErrorCode::InvalidParams, documents_.unavailable(p.text_document.uri));
    auto assistant = this->assistant();
    if (!assistant) return r.error(ErrorCode::RequestFailed, "the model is still loading");
    auto [begin, end] = selection_of(*doc, p.range);
    auto progress = Progress::with_token(dispatcher_, p.work_done_token);
    progress->begin("coderx: explain", "");
    std::string streamed;
    std::size_t reported = 0;
    auto on_text = [&](std::string_view delta) {
      streamed.append(delta);
      if (streamed.size() - reported < 64) return;
      reported = streamed.size();
      progress->report(streamed);
    };
    features::ExplainRequest request{{doc->uri, doc->language_id, *doc->snapshot.text}, begin, end, budgets,
                                     workspace_for(*doc, stop)};
    auto result = assistant->explain(request, stop, on_text);
    progress->end(result ? usage_summary(result->usage) : result.error().message);
    if (!result) return answer_failure(r, result.error());
    spdlog::info("explain {}: {}", p.text_document.uri, usage_summary(result->usage));
    r.reply_with(lsp::ExplainResult{result->markdown, usage_to_lsp(result->usage)});
  };
  scheduler_.submit(std::move(j));
}

}  // namespace coderx::server
