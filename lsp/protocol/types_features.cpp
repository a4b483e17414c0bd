#include "lsp/protocol/types_features.h"

#include "lsp/protocol/json_fields.h"

namespace coderx::lsp {

BudgetOverride tag_invoke(json::value_to_tag<BudgetOverride>, const json::value& v) {
  const json::object& o = expect_object(v, "budget");
  return {get_optional<std::int64_t>(o, "contextTokens"), get_optional<std::int64_t>(o, "thinkingTokens"),
          get_optional<std::int64_t>(o, "answerTokens"), get_optional<std::int64_t>(o, "deadlineMs")};
}
void tag_invoke(json::value_from_tag, json::value& v, const BudgetOverride& x) {
  json::object o;
  put_optional(o, "contextTokens", x.context_tokens);
  put_optional(o, "thinkingTokens", x.thinking_tokens);
  put_optional(o, "answerTokens", x.answer_tokens);
  put_optional(o, "deadlineMs", x.deadline_ms);
  v = std::move(o);
}

InlineCompletionParams tag_invoke(json::value_to_tag<InlineCompletionParams>, const json::value& v) {
  const json::object& o = expect_object(v, "params");
  InlineCompletionParams p;
  p.text_document = get_field<TextDocumentIdentifier>(o, "textDocument");
  p.position = get_field<Position>(o, "position");
  if (const json::object* ctx = get_object(o, "context"))
    p.trigger_kind = get_or<int>(*ctx, "triggerKind", 2);
  p.work_done_token = get_optional<json::value>(o, "workDoneToken");
  p.budget = get_optional<BudgetOverride>(o, "budget");
  return p;
}
void tag_invoke(json::value_from_tag, json::value& v, const InlineCompletionParams& x) {
  json::object o{{"textDocument", json::value_from(x.text_document)},
                 {"position", json::value_from(x.position)},
                 {"context", {{"triggerKind", x.trigger_kind}}}};
  put_optional(o, "workDoneToken", x.work_done_token);
  put_optional(o, "budget", x.budget);
  v = std::move(o);
}

InlineCompletionItem tag_invoke(json::value_to_tag<InlineCompletionItem>, const json::value& v) {
  const json::object& o = expect_object(v, "InlineCompletionItem");
  return {get_field<std::string>(o, "insertText"), get_optional<Range>(o, "range"),
          get_optional<std::string>(o, "filterText")};
}
void tag_invoke(json::value_from_tag, json::value& v, const InlineCompletionItem& x) {
  json::object o{{"insertText", x.insert_text}};
  put_optional(o, "range", x.range);
  put_optional(o, "filterText", x.filter_text);
  v = std::move(o);
}

InlineCompletionList tag_invoke(json::value_to_tag<InlineCompletionList>, const json::value& v) {
  return {get_field<std::vector<InlineCompletionItem>>(expect_object(v, "InlineCompletionList"), "items")};
}
void tag_invoke(json::value_from_tag, json::value& v, const InlineCompletionList& x) {
  v = {{"items", json::value_from(x.items)}};
}

CompletionParams tag_invoke(json::value_to_tag<CompletionParams>, const json::value& v) {
  const json::object& o = expect_object(v, "params");
  return {get_field<TextDocumentIdentifier>(o, "textDocument"), get_field<Position>(o, "position"),
          get_optional<BudgetOverride>(o, "budget")};
}
void tag_invoke(json::value_from_tag, json::value& v, const CompletionParams& x) {
  json::object o{{"textDocument", json::value_from(x.text_document)},
                 {"position", json::value_from(x.position)}};
  put_optional(o, "budget", x.budget);
  v = std::move(o);
}

CompletionItem tag_invoke(json::value_to_tag<CompletionItem>, const json::value& v) {
  const json::object& o = expect_object(v, "CompletionItem");
  CompletionItem c;
  c.label = get_field<std::string>(o, "label");
  c.kind = get_or<int>(o, "kind", 1);
  c.detail = get_or<std::string>(o, "detail", "");
  c.filter_text = get_optional<std::string>(o, "filterText");
  c.sort_text = get_optional<std::string>(o, "sortText");
  c.text_edit = get_optional<TextEdit>(o, "textEdit");
  c.insert_text_format = get_or<int>(o, "insertTextFormat", 1);
  return c;
}
void tag_invoke(json::value_from_tag, json::value& v, const CompletionItem& x) {
  json::object o{{"label", x.label}, {"kind", x.kind}, {"detail", x.detail},
                 {"insertTextFormat", x.insert_text_format}};
  put_optional(o, "filterText", x.filter_text);
  put_optional(o, "sortText", x.sort_text);
  put_optional(o, "textEdit", x.text_edit);
  v = std::move(o);
}

CompletionList tag_invoke(json::value_to_tag<CompletionList>, const json::value& v) {
  const json::object& o = expect_object(v, "CompletionList");
  return {get_or<bool>(o, "isIncomplete", false), get_field<std::vector<CompletionItem>>(o, "items")};
}
void tag_invoke(json::value_from_tag, json::value& v, const CompletionList& x) {
  v = {{"isIncomplete", x.is_incomplete}, {"items", json::value_from(x.items)}};
}

Diagnostic tag_invoke(json::value_to_tag<Diagnostic>, const json::value& v) {
  const json::object& o = expect_object(v, "Diagnostic");
  return {get_field<Range>(o, "range"), get_field<std::string>(o, "message"),
          get_optional<int>(o, "severity"), get_optional<std::string>(o, "source")};
}
void tag_invoke(json::value_from_tag, json::value& v, const Diagnostic& x) {
  json::object o{{"range", json::value_from(x.range)}, {"message", x.message}};
  put_optional(o, "severity", x.severity);
  put_optional(o, "source", x.source);
  v = std::move(o);
}

CodeActionParams tag_invoke(json::value_to_tag<CodeActionParams>, const json::value& v) {
  const json::object& o = expect_object(v, "params");
  CodeActionParams p;
  p.text_document = get_field<TextDocumentIdentifier>(o, "textDocument");
  p.range = get_field<Range>(o, "range");
  if (const json::object* ctx = get_object(o, "context")) {
    p.diagnostics = get_or<std::vector<Diagnostic>>(*ctx, "diagnostics", {});
    p.only = get_optional<std::vector<std::string>>(*ctx, "only");
  }
  return p;
}
void tag_invoke(json::value_from_tag, json::value& v, const CodeActionParams& x) {
  json::object ctx{{"diagnostics", json::value_from(x.diagnostics)}};
  put_optional(ctx, "only", x.only);
  v = {{"textDocument", json::value_from(x.text_document)}, {"range", json::value_from(x.range)},
       {"context", std::move(ctx)}};
}

Command tag_invoke(json::value_to_tag<Command>, const json::value& v) {
  const json::object& o = expect_object(v, "Command");
  return {get_or<std::string>(o, "title", ""), get_field<std::string>(o, "command"),
          get_or<json::array>(o, "arguments", {})};
}
void tag_invoke(json::value_from_tag, json::value& v, const Command& x) {
  v = {{"title", x.title}, {"command", x.command}, {"arguments", x.arguments}};
}

RefactorArgs tag_invoke(json::value_to_tag<RefactorArgs>, const json::value& v) {
  const json::object& o = expect_object(v, "RefactorArgs");
  RefactorArgs a;
  a.uri = get_field<std::string>(o, "uri");
  a.version = get_optional<std::int32_t>(o, "version");
  a.range = get_field<Range>(o, "range");
  a.kind = get_or<std::string>(o, "kind", "rewrite");
  a.instruction = get_or<std::string>(o, "instruction", "");
  a.budget = get_optional<BudgetOverride>(o, "budget");
  a.apply = get_or<bool>(o, "apply", false);
  return a;
}
void tag_invoke(json::value_from_tag, json::value& v, const RefactorArgs& x) {
  json::object o{{"uri", x.uri}, {"range", json::value_from(x.range)}, {"kind", x.kind},
                 {"instruction", x.instruction}};
  put_optional(o, "version", x.version);
  put_optional(o, "budget", x.budget);
  if (x.apply) o["apply"] = true;
  v = std::move(o);
}

ApplyWorkspaceEditParams tag_invoke(json::value_to_tag<ApplyWorkspaceEditParams>, const json::value& v) {
  const json::object& o = expect_object(v, "ApplyWorkspaceEditParams");
  return {get_or<std::string>(o, "label", ""), get_field<WorkspaceEdit>(o, "edit")};
}
void tag_invoke(json::value_from_tag, json::value& v, const ApplyWorkspaceEditParams& x) {
  v = {{"label", x.label}, {"edit", json::value_from(x.edit)}};
}

CodeAction tag_invoke(json::value_to_tag<CodeAction>, const json::value& v) {
  const json::object& o = expect_object(v, "CodeAction");
  CodeAction a;
  a.title = get_field<std::string>(o, "title");
  a.kind = get_or<std::string>(o, "kind", "");
  a.diagnostics = get_or<std::vector<Diagnostic>>(o, "diagnostics", {});
  a.edit = get_optional<WorkspaceEdit>(o, "edit");
  a.command = get_optional<Command>(o, "command");
  if (const json::value* d = o.if_contains("data")) a.data = *d;
  return a;
}
void tag_invoke(json::value_from_tag, json::value& v, const CodeAction& x) {
  json::object o{{"title", x.title}, {"kind", x.kind}};
  if (!x.diagnostics.empty()) o["diagnostics"] = json::value_from(x.diagnostics);
  put_optional(o, "edit", x.edit);
  put_optional(o, "command", x.command);
  if (!x.data.is_null()) o["data"] = x.data;
  v = std::move(o);
}

ExecuteCommandParams tag_invoke(json::value_to_tag<ExecuteCommandParams>, const json::value& v) {
  const json::object& o = expect_object(v, "params");
  return {get_field<std::string>(o, "command"), get_or<json::array>(o, "arguments", {}),
          get_optional<json::value>(o, "workDoneToken")};
}
void tag_invoke(json::value_from_tag, json::value& v, const ExecuteCommandParams& x) {
  json::object o{{"command", x.command}, {"arguments", x.arguments}};
  put_optional(o, "workDoneToken", x.work_done_token);
  v = std::move(o);
}

ExplainParams tag_invoke(json::value_to_tag<ExplainParams>, const json::value& v) {
  const json::object& o = expect_object(v, "params");
  return {get_field<TextDocumentIdentifier>(o, "textDocument"), get_field<Range>(o, "range"),
          get_optional<json::value>(o, "workDoneToken"), get_optional<BudgetOverride>(o, "budget")};
}
void tag_invoke(json::value_from_tag, json::value& v, const ExplainParams& x) {
  json::object o{{"textDocument", json::value_from(x.text_document)}, {"range", json::value_from(x.range)}};
  put_optional(o, "workDoneToken", x.work_done_token);
  put_optional(o, "budget", x.budget);
  v = std::move(o);
}

Usage tag_invoke(json::value_to_tag<Usage>, const json::value& v) {
  const json::object& o = expect_object(v, "Usage");
  return {get_or<std::int64_t>(o, "promptTokens", 0), get_or<std::int64_t>(o, "cachedTokens", 0),
          get_or<std::int64_t>(o, "thinkingTokens", 0), get_or<std::int64_t>(o, "answerTokens", 0),
          get_or<double>(o, "ms", 0)};
}
void tag_invoke(json::value_from_tag, json::value& v, const Usage& x) {
  v = {{"promptTokens", x.prompt_tokens}, {"cachedTokens", x.cached_tokens}, {"thinkingTokens", x.thinking_tokens},
       {"answerTokens", x.answer_tokens}, {"ms", x.ms}};
}

ExplainResult tag_invoke(json::value_to_tag<ExplainResult>, const json::value& v) {
  const json::object& o = expect_object(v, "ExplainResult");
  ExplainResult r{get_field<std::string>(o, "markdown"), {}};
  if (o.contains("usage")) r.usage = get_field<Usage>(o, "usage");
  return r;
}
void tag_invoke(json::value_from_tag, json::value& v, const ExplainResult& x) {
  v = {{"markdown", x.markdown}, {"usage", json::value_from(x.usage)}};
}

RefactorCommandResult tag_invoke(json::value_to_tag<RefactorCommandResult>, const json::value& v) {
  const json::object& o = expect_object(v, "RefactorCommandResult");
  RefactorCommandResult r{get_field<WorkspaceEdit>(o, "edit"), {}};
  if (o.contains("usage")) r.usage = get_field<Usage>(o, "usage");
  return r;
}
void tag_invoke(json::value_from_tag, json::value& v, const RefactorCommandResult& x) {
  v = {{"edit", json::value_from(x.edit)}, {"usage", json::value_from(x.usage)}};
}

}  // namespace coderx::lsp
