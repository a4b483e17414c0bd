// LspServer with a workspace folder (in process, scripted engine): the index is built after
// `initialized` with work-done progress "indexing", its definitions from other files reach the
// completion prompt, watched-file events and saves update it, the cache goes to the configured
// directory; edits are parsed off the reader thread and requests see the latest tree.
#include "lsp/server/lsp_server.h"

#include <gtest/gtest.h>

#include <fstream>

#include "lsp/server/uri.h"
#include "lsp_session.h"
#include "scripted_generator.h"
#include "tests/support/paths.h"

namespace coderx::testing {
namespace {

namespace fs = std::filesystem;

using testing::write_file;

json::object pos(int line, int character) { return {{"line", line}, {"character", character}}; }

server::LspServerOptions options_with_cache(const fs::path& cache) {
  server::LspServerOptions o;
  o.index_cache_dir = cache;
  return o;
}

struct WorkspaceTest : ::testing::Test {
  TempDir root, cache;
  std::shared_ptr<ScriptedGenerator> engine = std::make_shared<ScriptedGenerator>();
  std::unique_ptr<LspSession> session;
  std::string main_uri;

  void SetUp() override {
    write_file(root / "lib/shapes.py", "def area_of_circle(radius):\n    return 3.14159 * radius * radius\n\n"
                                  "def unrelated():\n    pass\n");
    write_file(root / "main.py", "from lib.shapes import area_of_circle\n\nr = area_of_circle(2)\n");
    main_uri = server::path_to_uri(root / "main.py");
    session = std::make_unique<LspSession>(engine, options_with_cache(cache.path()));
  }

  void start(json::object capabilities = {}) {
    session->request(0, "initialize",
                     json::object{{"processId", nullptr}, {"rootUri", server::path_to_uri(root.path())},
                                  {"capabilities", capabilities}, {"initializationOptions", {{"debounceMs", 0}}}});
    session->response(0);
    session->notify("initialized", json::object{});
    session->server().wait_until_loaded();
  }
  json::object complete(std::int64_t id, int line, int character) {
    session->request(id, "textDocument/inlineCompletion",
                     json::object{{"textDocument", {{"uri", main_uri}}}, {"position", pos(line, character)},
                                  {"context", {{"triggerKind", 1}}}});
    return session->response(id);
  }
};

TEST_F(WorkspaceTest, DefinitionsFromTheIndexReachTheCompletionPrompt) {
  start();
  session->server().indexer().wait_idle();
  session->open(main_uri, "from lib.shapes import area_of_circle\n\nr = area_of_circle(2)\nx = \n");
  EXPECT_TRUE(complete(1, 3, 4).contains("result"));
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_NE(calls[0].user.find("--- lib/shapes.py:1-2 (definition)\ndef area_of_circle(radius):"), std::string::npos)
      << calls[0].user;
  // The imported file's other symbols come as a summary of signatures.
  EXPECT_NE(calls[0].user.find("(import_summary)\ndef area_of_circle(radius):\ndef unrelated():"), std::string::npos)
      << calls[0].user;
  EXPECT_EQ(calls[0].answer_prefix, "from lib.shapes import area_of_circle\n\nr = area_of_circle(2)\nx = ");
  // The cache went to the configured directory.
  EXPECT_FALSE(fs::is_empty(cache.path()));
}

TEST_F(WorkspaceTest, PromptsNameFilesByTheirWorkspacePathWhetherOrNotTheIndexIsReady) {
  start();  // no wait for the indexer: the names must not depend on it
  const std::string other_uri = server::path_to_uri(root / "lib/notes.py");
  std::string notes;
  for (int i = 0; i < 20; ++i) notes += "r = area_of_circle(" + std::to_string(i) + ")\n";
  session->open(other_uri, notes);
  session->notify("textDocument/didChange",
                  json::object{{"textDocument", {{"uri", other_uri}, {"version", 2}}},
                               {"contentChanges", json::array{{{"range", {{"start", pos(0, 0)}, {"end", pos(0, 0)}}},
                                                               {"text", "def freshly_written(q):\n    return q\n"}}}}});
  session->open(main_uri, "from lib.shapes import area_of_circle\n\nr = area_of_circle(2)\nx = \n");
  EXPECT_TRUE(complete(1, 3, 4).contains("result"));
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].user.starts_with("File: main.py (python)\n")) << calls[0].user;
  EXPECT_NE(calls[0].user.find("--- lib/notes.py:"), std::string::npos) << calls[0].user;
  EXPECT_EQ(calls[0].user.find("file://"), std::string::npos) << calls[0].user;
  EXPECT_EQ(calls[0].user.find(root.path().string()), std::string::npos) << calls[0].user;
}

TEST_F(WorkspaceTest, WatchedFilesAndSavesUpdateTheIndex) {
  start();
  session->server().indexer().wait_idle();
  write_file(root / "lib/volume.py", "def volume_of_sphere(radius):\n    return 4.18879 * radius ** 3\n");
  session->notify("workspace/didChangeWatchedFiles",
                  json::object{{"changes", json::array{{{"uri", server::path_to_uri(root / "lib/volume.py")}, {"type", 1}}}}});
  write_file(root / "lib/shapes.py", "def area_of_square(side):\n    return side * side\n");
  session->notify("textDocument/didSave", json::object{{"textDocument", {{"uri", server::path_to_uri(root / "lib/shapes.py")}}}});
  session->server().indexer().wait_idle();
  session->open(main_uri, "v = volume_of_sphere(1)\ns = area_of_square(2)\nt = area_of_circle(3)\n\n");
  EXPECT_TRUE(complete(1, 3, 0).contains("result"));
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_NE(calls[0].user.find("def volume_of_sphere(radius):"), std::string::npos) << calls[0].user;
  EXPECT_NE(calls[0].user.find("def area_of_square(side):"), std::string::npos) << calls[0].user;
  EXPECT_EQ(calls[0].user.find("def area_of_circle"), std::string::npos) << "the saved file replaced it";
}

TEST_F(WorkspaceTest, AddedAndRemovedWorkspaceFoldersAreIndexedAndDropped) {
  start();
  TempDir other;
  write_file(other / "tools/run.py", "def run_everything():\n    pass\n");
  json::object folder{{"uri", server::path_to_uri(other.path())}, {"name", "other"}};
  session->notify("workspace/didChangeWorkspaceFolders",
                  json::object{{"event", {{"added", json::array{folder}}, {"removed", json::array{}}}}});
  session->server().indexer().wait_idle();
  auto where = session->server().indexer().locate(other.path() / "tools/run.py");
  ASSERT_TRUE(where.index);
  EXPECT_EQ(where.path, "tools/run.py");
  EXPECT_FALSE(where.index->find_definitions("run_everything").empty());
  session->notify("workspace/didChangeWorkspaceFolders",
                  json::object{{"event", {{"added", json::array{}}, {"removed", json::array{folder}}}}});
  session->server().indexer().wait_idle();
  EXPECT_FALSE(session->server().indexer().locate(other.path() / "tools/run.py").index);
  EXPECT_TRUE(session->server().indexer().locate(root.path() / "main.py").index);
}

TEST_F(WorkspaceTest, IndexingReportsWorkDoneProgress) {
  start(json::object{{"window", {{"workDoneProgress", true}}}});
  // Two tokens are created: the model load and the indexing; accept both.
  for (int i = 0; i < 2; ++i) {
    json::object create = session->take_request("window/workDoneProgress/create");
    session->send(json::object{{"jsonrpc", "2.0"}, {"id", create.at("id")}, {"result", nullptr}});
  }
  session->server().indexer().wait_idle();
  bool ended = false;
  for (int i = 0; i < 4 && !ended; ++i) {
    json::object p = session->notification("$/progress");
    const json::value& v = p.at("params").at("value");
    ended = v.at("kind").as_string() == "end" && v.at("message").as_string().starts_with("indexed 2 files");
  }
  EXPECT_TRUE(ended);
}

TEST_F(WorkspaceTest, ARequestRightAfterAnEditSeesTheNewText) {
  start();
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "value_" + std::to_string(i) + " = compute(" + std::to_string(i) + ")\n";
  session->open(main_uri, text + "\n");
  // Edit and ask at once: the request must use version 2 (text and tree), not a stale one.
  session->notify("textDocument/didChange",
                  json::object{{"textDocument", {{"uri", main_uri}, {"version", 2}}},
                               {"contentChanges", json::array{{{"range", {{"start", pos(2000, 0)}, {"end", pos(2000, 0)}}},
                                                               {"text", "def fresh(a):\n    return "}}}}});
  EXPECT_TRUE(complete(1, 2001, 11).contains("result"));
  auto calls = engine->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].answer_prefix.ends_with("def fresh(a):\n    return ")) << calls[0].answer_prefix.substr(0, 80);
  auto parsed = session->server().documents().get_parsed(main_uri);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->snapshot.version, 2);
  EXPECT_TRUE(parsed->snapshot.tree_current);
}

}  // namespace
}  // namespace coderx::testing
