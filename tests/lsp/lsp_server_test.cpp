// LspServer in process with a scripted engine: text sync, features, and the timing-dependent
// cases (cancel mid-generation, superseded requests, cancel storms, stale versions, priority)
// synchronised on the engine's calls — no sleeps.
#include "lsp/server/lsp_server.h"

#include <gtest/gtest.h>

#include <set>

#include "lsp_session.h"
#include "scripted_generator.h"

namespace coderx::testing {
namespace {

json::object pos(int line, int character) { return {{"line", line}, {"character", character}}; }
json::object doc(const std::string& uri) { return {{"uri", uri}}; }
json::object inline_params(const std::string& uri, int line, int character) {
  return {{"textDocument", doc(uri)}, {"position", pos(line, character)}, {"context", {{"triggerKind", 1}}}};
}
json::object range(int l0, int c0, int l1, int c1) { return {{"start", pos(l0, c0)}, {"end", pos(l1, c1)}}; }
// What VS Code advertises for edits: versioned documentChanges, change annotations, resolve.
json::object vscode_edit_caps() {
  return {{"workspace", {{"applyEdit", true},
                         {"workspaceEdit", {{"documentChanges", true}, {"changeAnnotationSupport", {{"groupsOnLabel", true}}}}}}},
          {"textDocument", {{"codeAction", {{"resolveSupport", {{"properties", {"edit"}}}}}}}}};
}

struct ServerTest : ::testing::Test {
  std::shared_ptr<ScriptedGenerator> engine = std::make_shared<ScriptedGenerator>();
  LspSession session{engine};
};

TEST_F(ServerTest, InlineCompletionReturnsTheTrimmedAnswerAtTheCursor) {
  session.initialize();
  session.open("file:///a.py", "def f(x):\n    \n");
  engine->answer = [](const auto&) { return std::string("return x + 1\nprint('after the block')"); };
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 1, 4));
  json::object r = session.response(1);
  ASSERT_TRUE(r.contains("result")) << r;
  auto items = r.at("result").at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  // The line indented less than the cursor's line ends the block.
  EXPECT_EQ(items[0].at("insertText").as_string(), "return x + 1");
  EXPECT_EQ(items[0].at("range"), json::value(range(1, 4, 1, 4)));
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].answer_prefix, "def f(x):\n    ");  // prefix continuation
  EXPECT_EQ(calls[0].budgets.thinking_tokens, 0);
}

TEST_F(ServerTest, MidLineCompletionIsOneLineAndTheCacheServesWhatTheUserTypes) {
  session.initialize();
  session.open("file:///a.py", "y = f()\n");
  engine->answer = [](const auto&) { return std::string("1, 2\nz = 3"); };
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 6));
  EXPECT_EQ(session.response(1).at("result").at("items").at(0).at("insertText").as_string(), "1, 2");
  // The user types "1"; the cached suggestion continues without a model call.
  session.notify("textDocument/didChange",
                 json::object{{"textDocument", {{"uri", "file:///a.py"}, {"version", 2}}},
                              {"contentChanges", json::array{{{"range", range(0, 6, 0, 6)}, {"text", "1"}}}}});
  session.request(2, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 7));
  EXPECT_EQ(session.response(2).at("result").at("items").at(0).at("insertText").as_string(), ", 2");
  EXPECT_EQ(engine->calls().size(), 1u);
}

// A didChange the server cannot apply (a range that ends before it starts) would leave its copy
// behind the editor's: the user is told once, requests for the file are refused saying why,
// and a full-text change brings it back.
TEST_F(ServerTest, AChangeThatCannotBeAppliedIsReportedOnceAndAFullTextRecovers) {
  session.initialize();
  session.open("file:///a.py", "def f(x):\n    \n");
  engine->answer = [](const auto&) { return std::string("return x"); };
  auto change = [&](int version, json::array changes) {
    session.notify("textDocument/didChange", json::object{{"textDocument", {{"uri", "file:///a.py"}, {"version", version}}},
                                                          {"contentChanges", std::move(changes)}});
  };
  change(2, json::array{{{"range", range(1, 4, 0, 2)}, {"text", "x"}}});
  json::object shown = session.notification("window/showMessage");
  EXPECT_EQ(shown.at("params").at("type"), 2);
  std::string message(shown.at("params").at("message").as_string());
  EXPECT_NE(message.find("file:///a.py is out of sync with the editor"), std::string::npos) << message;
  EXPECT_NE(message.find("close and reopen it"), std::string::npos) << message;
  change(3, json::array{{{"range", range(1, 4, 1, 4)}, {"text", "r"}}});  // ignored, not told again
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 1, 4));
  json::object refused = session.response(1);
  EXPECT_EQ(LspSession::error_code(refused), -32602) << refused;
  EXPECT_NE(std::string(refused.at("error").at("message").as_string()).find("out of sync"), std::string::npos);
  for (const json::object& m : session.drain()) {  // sent, if at all, before the response
    const json::value* method = m.if_contains("method");
    EXPECT_FALSE(method && *method == "window/showMessage") << m;
  }
  EXPECT_TRUE(engine->calls().empty());

  change(4, json::array{{{"text", "def f(x):\n    \n"}}});
  session.request(2, "textDocument/inlineCompletion", inline_params("file:///a.py", 1, 4));
  json::object r = session.response(2);
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r.at("result").at("items").at(0).at("insertText").as_string(), "return x");
}

TEST_F(ServerTest, CompletionGivesOneAiItem) {
  session.initialize();
  session.open("file:///a.py", "def f(x):\n    \n");
  session.request(1, "textDocument/completion", json::object{{"textDocument", doc("file:///a.py")}, {"position", pos(1, 4)}});
  json::object r = session.response(1);
  auto items = r.at("result").at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("textEdit").at("newText").as_string(), "x + 1");
  EXPECT_TRUE(r.at("result").at("isIncomplete").as_bool());
}

// True when `s` is well-formed UTF-8 (no cut characters).
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// The label is the first line that is not blank (a suggestion at a line's end starts with a line
// break), and a long one is cut between characters, never inside one.
TEST_F(ServerTest, CompletionLabelsAreTheFirstNonBlankLineCutBetweenCharacters) {
  session.initialize();
  session.open("file:///a.py", "def f(x):\n");
  engine->answer = [](const auto&) { return std::string("\n    return x + 1"); };
  session.request(1, "textDocument/completion", json::object{{"textDocument", doc("file:///a.py")}, {"position", pos(0, 9)}});
  json::value item = session.response(1).at("result").at("items").at(0);
  EXPECT_EQ(item.at("label").as_string(), "return x + 1");
  EXPECT_EQ(item.at("textEdit").at("newText").as_string(), "\n    return x + 1");
  std::string wide;
  for (int i = 0; i < 4; ++i) wide += "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059";
  engine->answer = [&](const auto&) { return "a" + wide; };
  session.request(2, "textDocument/completion", json::object{{"textDocument", doc("file:///a.py")}, {"position", pos(1, 0)}});
  std::string label(session.response(2).at("result").at("items").at(0).at("label").as_string());
  EXPECT_TRUE(valid_utf8(label)) << label;
  EXPECT_LE(label.size(), 60u);
  EXPECT_TRUE(label.ends_with("...")) << label;
  EXPECT_EQ(label.substr(0, label.size() - 3), ("a" + wide).substr(0, label.size() - 3));

  session.request(3, "textDocument/codeAction",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 0, 3)},
                               {"context", {{"diagnostics", json::array{{{"range", range(0, 0, 0, 3)},
                                                                         {"message", "x\n" + wide}}}}}}});
  std::string title(session.response(3).at("result").at(0).at("title").as_string());
  EXPECT_TRUE(valid_utf8(title)) << title;
  EXPECT_TRUE(title.starts_with("coderx: fix 'x \u65e5")) << title;
}

TEST_F(ServerTest, CancelMidGenerationAnswersRequestCancelled) {
  session.initialize();
  session.open("file:///a.py", "x = \n");
  engine->hold(true);
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  ASSERT_TRUE(engine->wait_calls(1));
  session.notify("$/cancelRequest", json::object{{"id", 1}});
  EXPECT_EQ(LspSession::error_code(session.response(1)), -32800);
  EXPECT_EQ(engine->cancelled(), 1u);
}

TEST_F(ServerTest, ANewCompletionCancelsThePreviousOneForTheSameDocument) {
  session.initialize();
  session.open("file:///a.py", "x = \n");
  session.open("file:///b.py", "y = \n");
  engine->hold(true);
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  ASSERT_TRUE(engine->wait_calls(1));
  session.request(2, "textDocument/inlineCompletion", inline_params("file:///b.py", 0, 4));
  session.request(3, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  EXPECT_EQ(LspSession::error_code(session.response(1)), -32800);  // superseded mid-generation
  engine->hold(false);
  EXPECT_TRUE(session.response(2).contains("result"));  // another document: untouched
  EXPECT_TRUE(session.response(3).contains("result"));
}

TEST_F(ServerTest, ACancelStormOfAThousandRequestsAnswersEachExactlyOnce) {
  session.initialize();
  session.open("file:///a.py", "x = \n");
  engine->hold(true);
  constexpr int n = 1000;
  for (int i = 1; i <= n; ++i) {
    std::string uri = "file:///a.py";
    session.request(i, i % 2 ? "textDocument/inlineCompletion" : "coderx/explain",
                    i % 2 ? inline_params(uri, 0, 4)
                          : json::object{{"textDocument", doc(uri)}, {"range", range(0, 0, 0, 4)}});
  }
  ASSERT_TRUE(engine->wait_calls(1));
  for (int i = 1; i <= n; ++i) session.notify("$/cancelRequest", json::object{{"id", i}});
  std::set<std::int64_t> answered;
  for (int i = 1; i <= n; ++i) {
    json::object r = session.response(i);
    EXPECT_EQ(LspSession::error_code(r), -32800) << r;
    answered.insert(i);
  }
  EXPECT_EQ(answered.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(session.dispatcher().in_flight(), 0u);
  for (const json::object& m : session.drain()) EXPECT_FALSE(m.contains("id")) << "extra answer " << m;
  // The server still serves.
  engine->hold(false);
  session.request(n + 1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  EXPECT_TRUE(session.response(n + 1).contains("result"));
}

TEST_F(ServerTest, DebouncedCompletionsThatGetSupersededNeverReachTheEngine) {
  session.initialize(json::object{{"debounceMs", 5000}});
  session.open("file:///a.py", "x = \n");
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  session.request(2, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  EXPECT_EQ(LspSession::error_code(session.response(1)), -32800);  // superseded while waiting
  session.notify("$/cancelRequest", json::object{{"id", 2}});
  EXPECT_EQ(LspSession::error_code(session.response(2)), -32800);
  EXPECT_TRUE(engine->calls().empty());
}

TEST_F(ServerTest, AnEditDuringGenerationGivesContentModified) {
  session.initialize();
  session.open("file:///a.py", "x = \n");
  engine->hold(true);
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  ASSERT_TRUE(engine->wait_calls(1));
  session.notify("textDocument/didChange",
                 json::object{{"textDocument", {{"uri", "file:///a.py"}, {"version", 2}}},
                              {"contentChanges", json::array{{{"text", "x = 2\n"}}}}});
  engine->release();
  EXPECT_EQ(LspSession::error_code(session.response(1)), -32801);
}

TEST_F(ServerTest, InlineCompletionGoesAheadOfQueuedExplainWork) {
  session.initialize();
  session.open("file:///a.py", "x = 1\n");
  engine->hold(true);
  json::object explain{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 0, 5)}};
  session.request(1, "coderx/explain", explain);
  ASSERT_TRUE(engine->wait_calls(1));
  session.request(2, "coderx/explain", explain);
  session.request(3, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 5));
  engine->hold(false);
  for (int id : {1, 2, 3}) EXPECT_TRUE(session.response(id).contains("result"));
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].kind, features::RequestKind::explain);
  EXPECT_EQ(calls[1].kind, features::RequestKind::inline_completion);
  EXPECT_EQ(calls[2].kind, features::RequestKind::explain);
}

TEST_F(ServerTest, BudgetsComeFromSettingsAndPerRequestOverrides) {
  session.initialize(json::object{{"budgets", {{"inlineCompletion", {{"answerTokens", 7}, {"deadlineMs", 900}}}}}});
  session.open("file:///a.py", "x = \n");
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  session.response(1);
  json::object params = inline_params("file:///a.py", 0, 3);  // another cursor: no cache hit
  params["budget"] = {{"answerTokens", 3}};
  session.request(2, "textDocument/inlineCompletion", params);
  session.response(2);
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].budgets.answer_tokens, 7);
  EXPECT_EQ(calls[0].budgets.deadline.count(), 900);
  EXPECT_EQ(calls[1].budgets.answer_tokens, 3);
  EXPECT_EQ(calls[1].budgets.deadline.count(), 900);
}

TEST_F(ServerTest, CodeActionResolvesToAnAnnotatedVersionedEdit) {
  session.initialize({}, vscode_edit_caps());
  session.open("file:///a.py", "def f(x):\n    return x*2\n");
  engine->answer = [](const auto&) { return std::string("Here:\n```python\ndef f(x):\n    return 2 * x\n```\n"); };
  session.request(1, "textDocument/codeAction",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 2, 0)},
                               {"context", {{"diagnostics", json::array{}}}}});
  auto actions = session.response(1).at("result").as_array();
  ASSERT_GE(actions.size(), 3u);
  json::value rewrite = actions[0];
  EXPECT_EQ(rewrite.at("kind").as_string(), "refactor.rewrite");
  EXPECT_FALSE(rewrite.as_object().contains("edit"));  // computed on resolve
  session.request(2, "codeAction/resolve", rewrite);
  json::object resolved = session.response(2).at("result").as_object();
  const json::value& change = resolved.at("edit").at("documentChanges").at(0);
  EXPECT_EQ(change.at("textDocument").at("version").as_int64(), 1);
  const json::value& edit = change.at("edits").at(0);
  EXPECT_EQ(edit.at("newText").as_string(), "def f(x):\n    return 2 * x\n");
  EXPECT_EQ(edit.at("range"), json::value(range(0, 0, 2, 0)));
  std::string annotation(edit.at("annotationId").as_string());
  EXPECT_TRUE(resolved.at("edit").at("changeAnnotations").at(annotation).at("needsConfirmation").as_bool());
}

TEST_F(ServerTest, ExplainStreamsProgressAndReturnsMarkdown) {
  session.initialize();
  session.open("file:///a.py", "x = 1\n");
  engine->answer = [](const auto&) { return std::string(100, 'm'); };
  session.request(1, "coderx/explain",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 0, 5)}, {"workDoneToken", "t"}});
  json::object explained = session.response(1);
  EXPECT_EQ(explained.at("result").at("markdown").as_string(), std::string(100, 'm'));
  EXPECT_EQ(explained.at("result").at("usage").at("answerTokens").as_int64(), 25);  // the scripted engine's count
  json::object begin = session.notification("$/progress");
  EXPECT_EQ(begin.at("params").at("value").at("kind").as_string(), "begin");
  json::object report = session.notification("$/progress");
  EXPECT_EQ(report.at("params").at("value").at("kind").as_string(), "report");
  json::object end = session.notification("$/progress");
  EXPECT_EQ(end.at("params").at("value").at("kind").as_string(), "end");
  EXPECT_NE(end.at("params").at("value").at("message").as_string().find("answer"), json::string::npos);
}

TEST_F(ServerTest, StatusNamesTheModelOnceLoaded) {
  session.initialize();
  for (int i = 0; i < 2; ++i) {
    json::object status = session.notification("coderx/status");
    if (status.at("params").at("state").as_string() != "ready") continue;
    EXPECT_EQ(status.at("params").at("model").as_string(), "scripted");
    return;
  }
  ADD_FAILURE() << "no ready status";
}

TEST_F(ServerTest, TheRefactorCommandReturnsTheEditAndItsUsageWithoutApplyingIt) {
  session.initialize({}, vscode_edit_caps());
  session.open("file:///a.py", "def f(x):\n    return x*2\n");
  engine->answer = [](const auto&) { return std::string("```python\ndef f(x):\n    return 2 * x\n```"); };
  json::object args{{"uri", "file:///a.py"}, {"range", range(0, 0, 2, 0)}, {"kind", "instruction"},
                    {"instruction", "use 2 * x"}};
  session.request(1, "workspace/executeCommand",
                  json::object{{"command", "coderx.refactor"}, {"arguments", json::array{args}}});
  json::object result = session.response(1).at("result").as_object();
  const json::value& edit = result.at("edit").at("documentChanges").at(0).at("edits").at(0);
  EXPECT_EQ(edit.at("newText").as_string(), "def f(x):\n    return 2 * x\n");
  EXPECT_GT(result.at("usage").at("promptTokens").as_int64(), 0);
  for (const json::object& m : session.drain())
    EXPECT_NE(m.contains("method") ? m.at("method").as_string() : "", "workspace/applyEdit");
}

// A refactor asked for an older text would replace the wrong lines: refused before any model call.
TEST_F(ServerTest, ARefactorForAnOlderVersionIsRefusedWithBothVersions) {
  session.initialize();
  session.open("file:///a.py", "x = 1\n", 4);
  json::object args{{"uri", "file:///a.py"}, {"range", range(0, 0, 1, 0)}, {"kind", "rewrite"}, {"version", 3}};
  session.request(1, "workspace/executeCommand",
                  json::object{{"command", "coderx.refactor"}, {"arguments", json::array{args}}});
  json::object r = session.response(1);
  EXPECT_EQ(LspSession::error_code(r), -32801) << r;
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("asked for (version 3, now 4)"), std::string::npos) << r;
  EXPECT_TRUE(engine->calls().empty());
}

// An answer cut off by the budget or the deadline would replace the selection with half of the
// code: it is an error, not an edit.
TEST_F(ServerTest, ARefactorCutShortIsAnErrorNotAnEdit) {
  session.initialize();
  session.open("file:///a.py", "def f(x):\n    return x*2\n");
  engine->answer = [](const auto&) { return std::string("```python\ndef f(x):\n    return\n```"); };
  engine->finish = features::FinishReason::answer_budget;
  json::object args{{"uri", "file:///a.py"}, {"range", range(0, 0, 2, 0)}, {"kind", "rewrite"}};
  session.request(1, "workspace/executeCommand",
                  json::object{{"command", "coderx.refactor"}, {"arguments", json::array{args}}});
  json::object r = session.response(1);
  ASSERT_TRUE(r.contains("error")) << r;
  EXPECT_EQ(r.at("error").at("code").as_int64(), -32803);
  std::string message(r.at("error").at("message").as_string());
  EXPECT_NE(message.find("cut short (answer_budget"), std::string::npos) << message;
  EXPECT_NE(message.find("no edit was made"), std::string::npos) << message;
}

// VS Code sends an empty range when nothing is selected: the action takes the whole line, with
// its "\r\n", and the new line keeps the document's CRLF.
TEST_F(ServerTest, AnEmptyRangeOnACrlfLineTakesTheWholeLine) {
  session.initialize({}, vscode_edit_caps());
  session.open("file:///a.py", "a = 1\r\nb = 2\r\n");
  engine->answer = [](const auto&) { return std::string("```python\na = 2\n```"); };
  session.request(1, "textDocument/codeAction",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 3, 0, 3)},
                               {"context", {{"diagnostics", json::array{}}}}});
  json::value rewrite = session.response(1).at("result").at(0);
  session.request(2, "codeAction/resolve", rewrite);
  json::object resolved = session.response(2).at("result").as_object();
  const json::value& edit = resolved.at("edit").at("documentChanges").at(0).at("edits").at(0);
  EXPECT_EQ(edit.at("range"), json::value(range(0, 0, 1, 0)));
  EXPECT_EQ(edit.at("newText").as_string(), "a = 2\r\n");
}

// A code action resolved for `caps` (the rewrite action over the whole of a two-line function).
json::object resolved_rewrite(LspSession& session, ScriptedGenerator& engine, json::object caps) {
  session.initialize({}, std::move(caps));
  session.open("file:///a.py", "def f(x):\n    return x*2\n");
  engine.answer = [](const auto&) { return std::string("```python\ndef f(x):\n    return 2 * x\n```"); };
  session.request(1, "textDocument/codeAction",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 2, 0)},
                               {"context", {{"diagnostics", json::array{}}}}});
  session.request(2, "codeAction/resolve", session.response(1).at("result").at(0));
  return session.response(2).at("result").at("edit").as_object();
}

// Neovim 0.7, Helix and eglot advertise neither documentChanges nor change annotations: they get
// the plain `changes` map, whose edits carry no annotation id they would not know.
TEST_F(ServerTest, AClientWithoutDocumentChangesGetsThePlainChangesMap) {
  json::object edit = resolved_rewrite(session, *engine, {{"textDocument", {{"codeAction", {{"resolveSupport", {{"properties", {"edit"}}}}}}}}});
  EXPECT_FALSE(edit.contains("documentChanges")) << edit;
  EXPECT_FALSE(edit.contains("changeAnnotations")) << edit;
  const json::array& edits = edit.at("changes").at("file:///a.py").as_array();
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].at("newText").as_string(), "def f(x):\n    return 2 * x\n");
  EXPECT_EQ(edits[0].at("range"), json::value(range(0, 0, 2, 0)));
  EXPECT_FALSE(edits[0].as_object().contains("annotationId"));
}

TEST_F(ServerTest, ChangeAnnotationsGoOnlyToClientsThatSupportThem) {
  json::object caps = vscode_edit_caps();
  caps["workspace"].as_object()["workspaceEdit"].as_object().erase("changeAnnotationSupport");
  json::object edit = resolved_rewrite(session, *engine, caps);
  EXPECT_FALSE(edit.contains("changeAnnotations")) << edit;
  const json::value& change = edit.at("documentChanges").at(0);
  EXPECT_EQ(change.at("textDocument").at("version").as_int64(), 1);
  EXPECT_FALSE(change.at("edits").at(0).as_object().contains("annotationId"));
}

// A client without codeAction/resolve runs the action's command and ignores its result (Emacs
// eglot, Sublime LSP): the server also sends the edit as workspace/applyEdit, without waiting.
TEST_F(ServerTest, WithoutResolveTheActionsCommandAlsoSendsTheEditAsApplyEdit) {
  session.initialize({}, json::object{{"workspace", {{"applyEdit", true}}}});
  session.open("file:///a.py", "def f(x):\n    return x*2\n");
  engine->answer = [](const auto&) { return std::string("```python\ndef f(x):\n    return 2 * x\n```"); };
  session.request(1, "textDocument/codeAction",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 2, 0)},
                               {"context", {{"diagnostics", json::array{}}}}});
  json::object command = session.response(1).at("result").at(0).at("command").as_object();
  EXPECT_TRUE(command.at("arguments").at(0).at("apply").as_bool());
  session.request(2, "workspace/executeCommand", command);
  json::object apply = session.take_request("workspace/applyEdit");
  EXPECT_EQ(apply.at("params").at("label").as_string(), "coderx: rewrite");
  const json::value& edit = apply.at("params").at("edit").at("changes").at("file:///a.py").at(0);
  EXPECT_EQ(edit.at("newText").as_string(), "def f(x):\n    return 2 * x\n");
  EXPECT_TRUE(session.response(2).contains("result"));
}

TEST_F(ServerTest, AClientThatCannotApplyEditsIsNotSentThem) {
  session.initialize();
  session.open("file:///a.py", "x = 1\n");
  engine->answer = [](const auto&) { return std::string("```python\nx = 2\n```"); };
  session.request(1, "textDocument/codeAction",
                  json::object{{"textDocument", doc("file:///a.py")}, {"range", range(0, 0, 1, 0)},
                               {"context", {{"diagnostics", json::array{}}}}});
  json::object command = session.response(1).at("result").at(0).at("command").as_object();
  EXPECT_FALSE(command.at("arguments").at(0).as_object().contains("apply"));
  session.request(2, "workspace/executeCommand", command);
  EXPECT_TRUE(session.response(2).contains("result"));
  for (const json::object& m : session.drain())
    EXPECT_NE(m.contains("method") ? m.at("method").as_string() : "", "workspace/applyEdit");
}

// The client's own workDoneToken carries the refactor's progress (no token of ours is created);
// a token that is neither an integer nor a string is not echoed back.
TEST_F(ServerTest, TheRefactorCommandReportsProgressOnTheClientsToken) {
  session.initialize({}, json::object{{"window", {{"workDoneProgress", true}}}});
  session.open("file:///a.py", "def f(x):\n    return x*2\n");
  engine->answer = [](const auto&) { return std::string("```python\ndef f(x):\n    return 2 * x\n```"); };
  json::object args{{"uri", "file:///a.py"}, {"range", range(0, 0, 2, 0)}, {"kind", "rewrite"}};
  session.request(1, "workspace/executeCommand",
                  json::object{{"command", "coderx.refactor"}, {"arguments", json::array{args}}, {"workDoneToken", "t1"}});
  ASSERT_TRUE(session.response(1).contains("result"));
  session.request(2, "workspace/executeCommand",
                  json::object{{"command", "coderx.refactor"}, {"arguments", json::array{args}}, {"workDoneToken", {{"a", 1}}}});
  ASSERT_TRUE(session.response(2).contains("result"));
  std::vector<std::string> kinds;
  for (const json::object& m : session.drain()) {
    std::string method = m.contains("method") ? std::string(m.at("method").as_string()) : "";
    if (method == "window/workDoneProgress/create") {
      EXPECT_FALSE(m.at("params").at("token").as_string().starts_with("coderx/refactor")) << m;
    }
    if (method != "$/progress") continue;
    const json::value& token = m.at("params").at("token");
    EXPECT_TRUE(token.is_string()) << m;
    if (token == "t1") kinds.emplace_back(m.at("params").at("value").at("kind").as_string());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"begin", "end"}));
}

TEST_F(ServerTest, AnUnknownCommandIsNamedAsUnknown) {
  session.initialize();
  session.request(1, "workspace/executeCommand", json::object{{"command", "bogus.cmd"}});
  json::object r = session.response(1);
  EXPECT_EQ(r.at("error").at("code").as_int64(), -32602);
  EXPECT_EQ(r.at("error").at("message").as_string(), "unknown command 'bogus.cmd' (known: coderx.refactor, coderx.explain)");
  session.request(2, "workspace/executeCommand", json::object{{"command", "coderx.explain"}});
  EXPECT_EQ(session.response(2).at("error").at("message").as_string(), "coderx.explain: expected one argument");
}

TEST_F(ServerTest, RequestsForUnknownDocumentsFailAndNotificationsAreIgnored) {
  session.initialize();
  session.notify("textDocument/didChange",
                 json::object{{"textDocument", {{"uri", "file:///none"}, {"version", 2}}},
                              {"contentChanges", json::array{{{"text", "x"}}}}});
  session.notify("textDocument/didClose", json::object{{"textDocument", doc("file:///none")}});
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///none", 0, 0));
  EXPECT_EQ(LspSession::error_code(session.response(1)), -32602);
  EXPECT_EQ(session.server().documents().count(), 0u);
}

TEST_F(ServerTest, PositionsPastTheEndAndInsideSurrogatePairsClamp) {
  session.initialize();
  // Plain text: completing inside a Python string would be cut (it does not end a token).
  session.open("file:///a.txt", "s = '\xF0\x9F\x98\x80'\n", 1, "plaintext");  // U+1F600: two UTF-16 units
  engine->answer = [](const auto&) { return std::string("z"); };
  // One at a time: a newer completion for the same document would supersede the older one.
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.txt", 0, 6));  // between the halves
  json::object r1 = session.response(1);
  EXPECT_EQ(r1.at("result").at("items").at(0).at("range").at("start"), json::value(pos(0, 5)));
  session.request(2, "textDocument/inlineCompletion", inline_params("file:///b.py", 0, 6));
  EXPECT_EQ(LspSession::error_code(session.response(2)), -32602);
  session.request(3, "textDocument/inlineCompletion", inline_params("file:///a.txt", 99, 99));
  json::object r3 = session.response(3);
  EXPECT_EQ(r3.at("result").at("items").at(0).at("range").at("start"), json::value(pos(1, 0)));
  auto calls = engine->calls();
  EXPECT_EQ(calls[0].answer_prefix, "s = '");
}

TEST_F(ServerTest, Utf8IsNegotiatedWhenOffered) {
  session.request(0, "initialize",
                  json::object{{"capabilities", {{"general", {{"positionEncodings", {"utf-16", "utf-8"}}}}}}});
  EXPECT_EQ(session.response(0).at("result").at("capabilities").at("positionEncoding").as_string(), "utf-8");
}

TEST_F(ServerTest, WorkspaceConfigurationIsPulledWithoutBlocking) {
  session.initialize({}, json::object{{"workspace", {{"configuration", true}}}});
  json::object pull = session.take_request("workspace/configuration");
  // Requests are served while the client has not answered.
  session.open("file:///a.py", "x = \n");
  session.request(1, "textDocument/inlineCompletion", inline_params("file:///a.py", 0, 4));
  EXPECT_TRUE(session.response(1).contains("result"));
  session.send(json::object{{"jsonrpc", "2.0"}, {"id", pull.at("id")}, {"result", json::array{{{"debounceMs", 5}}}}});
  EXPECT_EQ(session.server().settings().debounce.count(), 5);
}

}  // namespace
}  // namespace coderx::testing
