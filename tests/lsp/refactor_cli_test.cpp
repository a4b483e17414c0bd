// `coderx refactor` in-process with a scripted model: inputs and globs, the unified diff
// (checked with `git apply`), atomic apply, refusing files changed on disk, parse rejection,
// function scope, exit codes. Also unified_diff() and atomic_replace() on their own.
#include "lsp/cli/refactor_run.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "lsp/cli/atomic_write.h"
#include "lsp/cli/git.h"
#include "lsp/cli/unified_diff.h"
#include "lsp/features/diff.h"
#include "scripted_generator.h"
#include "tests/support/paths.h"

namespace coderx::cli {
namespace {

using testing::ScriptedGenerator;
using testing::TempDir;

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}
std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The selected code of a refactor prompt (between "Selected code:\n```lang\n" and "```").
std::string selected(const std::string& user) {
  std::size_t at = user.find("Selected code:\n```");
  std::size_t body = user.find('\n', at + 15) + 1;
  return user.substr(body, user.find("```", body) - body);
}

// A model that renames `old_name` to `new_name` in whatever it is shown.
std::shared_ptr<ScriptedGenerator> renamer() {
  auto gen = std::make_shared<ScriptedGenerator>();
  gen->answer = [](const features::GenerationInput& in) {
    std::string code = selected(in.user);
    for (std::size_t at; (at = code.find("old_name")) != std::string::npos;) code.replace(at, 8, "new_name");
    return "```\n" + code + "```\n";
  };
  return gen;
}

const std::string kA = "int old_name(int x) {\n  return x + 1;\n}\n";
const std::string kB = "int keep(void) { return 2; }\n";
const std::string kPy = "def old_name(a):\n    return a\n";

struct Tree {
  TempDir dir;
  Tree() {
    write(dir / "src/a.c", kA);
    write(dir / "src/b.c", kB);
    write(dir / "py/m.py", kPy);
  }
  RefactorOptions options(std::vector<std::string> inputs) const {
    RefactorOptions o;
    o.instruction = "rename old_name to new_name";
    o.inputs = std::move(inputs);
    o.root = dir.path();
    return o;
  }
};

std::vector<FileOutcome> run(const RefactorOptions& o, std::shared_ptr<features::TextGenerator> gen) {
  auto r = refactor_files(o, std::move(gen), {});
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : std::vector<FileOutcome>{};
}

TEST(RefactorCli, ExpandsFilesDirectoriesAndGlobs) {
  Tree t;
  auto all = expand_inputs(t.dir.path(), {"src", "py/*.py"});
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<std::string>{"py/m.py", "src/a.c", "src/b.c"}));
  EXPECT_FALSE(expand_inputs(t.dir.path(), {"*.rs"}));
}

TEST(RefactorCli, CheckModeDiffAppliesWithGitApply) {
  Tree t;
  auto outcomes = run(t.options({"src", "py"}), renamer());
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::changed);    // py/m.py
  EXPECT_EQ(outcomes[1].status, FileOutcome::Status::changed);    // src/a.c
  EXPECT_EQ(outcomes[2].status, FileOutcome::Status::unchanged);  // src/b.c
  EXPECT_EQ(refactor_exit_code(outcomes), 1);
  EXPECT_EQ(read(t.dir / "src/a.c"), kA);  // check mode writes nothing
  std::string patch = outcomes[0].diff + outcomes[1].diff;
  write(t.dir / "p.diff", patch);
  ASSERT_TRUE(run_git(t.dir.path(), {"init", "-q"}));
  auto applied = run_git(t.dir.path(), {"apply", "p.diff"});
  ASSERT_TRUE(applied) << applied.error().message << "\n" << patch;
  EXPECT_EQ(read(t.dir / "src/a.c"), "int new_name(int x) {\n  return x + 1;\n}\n");
  EXPECT_EQ(read(t.dir / "py/m.py"), "def new_name(a):\n    return a\n");
}

TEST(RefactorCli, ApplyWritesAndKeepsPermissions) {
  Tree t;
  ::chmod((t.dir / "src/a.c").c_str(), 0750);
  RefactorOptions o = t.options({"src/*.c"});
  o.apply = true;
  o.jobs = 4;
  auto outcomes = run(o, renamer());
  EXPECT_EQ(refactor_exit_code(outcomes), 0);
  EXPECT_EQ(read(t.dir / "src/a.c"), "int new_name(int x) {\n  return x + 1;\n}\n");
  struct stat st {};
  ASSERT_EQ(::stat((t.dir / "src/a.c").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  for (auto& e : std::filesystem::directory_iterator(t.dir / "src"))
    EXPECT_EQ(e.path().filename().string().find(".coderx-"), std::string::npos) << e.path();
}

TEST(RefactorCli, RefusesFileChangedOnDisk) {
  Tree t;
  auto gen = std::make_shared<ScriptedGenerator>();
  // The model "takes a while"; meanwhile someone edits the file.
  gen->answer = [&](const features::GenerationInput&) {
    write(t.dir / "src/a.c", "int edited_meanwhile;\n");
    return std::string("```\nint x;\n```\n");
  };
  RefactorOptions o = t.options({"src/a.c"});
  o.apply = true;
  auto outcomes = run(o, gen);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::failed);
  EXPECT_NE(outcomes[0].reason.find("changed on disk"), std::string::npos) << outcomes[0].reason;
  EXPECT_EQ(read(t.dir / "src/a.c"), "int edited_meanwhile;\n");
  EXPECT_EQ(refactor_exit_code(outcomes), 2);
}

TEST(RefactorCli, RejectsEditsThatNoLongerParse) {
  Tree t;
  auto gen = std::make_shared<ScriptedGenerator>();
  gen->answer = [](const features::GenerationInput&) { return std::string("```\ndef broken(:\n```\n"); };
  RefactorOptions o = t.options({"py/m.py"});
  o.apply = true;
  auto outcomes = run(o, gen);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::failed);
  EXPECT_NE(outcomes[0].reason.find("no longer parses"), std::string::npos);
  EXPECT_EQ(read(t.dir / "py/m.py"), kPy);
}

TEST(RefactorCli, FunctionScopeAsksPerFunction) {
  TempDir dir;
  write(dir / "f.c", "int old_name(void) { return 1; }\n\nint g(void) { return old_name(); }\n");
  auto gen = renamer();
  RefactorOptions o;
  o.instruction = "rename";
  o.inputs = {"f.c"};
  o.root = dir.path();
  o.scope = RefactorScope::function;
  auto outcomes = run(o, gen);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(gen->calls().size(), 2u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::changed);
  EXPECT_NE(outcomes[0].diff.find("+int g(void) { return new_name(); }"), std::string::npos) << outcomes[0].diff;
}

TEST(UnifiedDiff, ParsesBackAndHandlesMissingFinalNewline) {
  EXPECT_EQ(unified_diff("x", "a\n", "a\n"), "");
  std::string old_text, new_text;
  for (int i = 0; i < 20; ++i) old_text += "line" + std::to_string(i) + "\n";
  new_text = old_text;
  new_text.replace(new_text.find("line10"), 6, "LINE10");
  std::string d = unified_diff("d/x.txt", old_text, new_text);
  auto parsed = features::parse_unified_diff(d);
  ASSERT_TRUE(parsed) << d;
  ASSERT_EQ(parsed->size(), 1u);
  ASSERT_EQ((*parsed)[0].hunks.size(), 1u);
  const auto& h = (*parsed)[0].hunks[0];
  EXPECT_EQ(h.old_start, 8u);
  EXPECT_EQ(h.old_count, 7u);
  EXPECT_EQ(h.new_count, 7u);
  std::string nonl = unified_diff("x", "a\nb", "a\nc");
  EXPECT_NE(nonl.find("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"), std::string::npos)
      << nonl;
  std::string from_empty = unified_diff("x", "", "a\n");
  EXPECT_NE(from_empty.find("@@ -0,0 +1,1 @@"), std::string::npos) << from_empty;
}

TEST(AtomicWrite, StampDetectsChangesAndReplaceIsWhole) {
  TempDir dir;
  write(dir / "f", "one\n");
  auto first = read_file_stamped(dir / "f");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->content, "one\n");
  ASSERT_TRUE(atomic_replace(dir / "f", "two\n", first->stamp));
  EXPECT_EQ(read(dir / "f"), "two\n");
  auto again = atomic_replace(dir / "f", "three\n", first->stamp);  // stale stamp
  ASSERT_FALSE(again);
  EXPECT_EQ(read(dir / "f"), "two\n");
  EXPECT_FALSE(read_file_stamped(dir / "missing"));
  EXPECT_NE(content_hash("a"), content_hash("b"));
}

}  // namespace
}  // namespace coderx::cli
