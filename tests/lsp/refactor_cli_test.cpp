// `coderx refactor` in-process with a scripted model: inputs and globs, the unified diff
// (checked with `git apply`), atomic apply, refusing files changed on disk, parse rejection,
// function scope, exit codes, ignore files, binary and huge files, links. Also unified_diff(),
// atomic_replace() and the file readers on their own.
#include "lsp/cli/refactor_run.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>

#include "lsp/cli/atomic_write.h"
#include "lsp/cli/source_file.h"
#include "lsp/cli/git.h"
#include "lsp/cli/unified_diff.h"
#include "lsp/features/diff.h"
#include "scripted_generator.h"
#include "tests/support/paths.h"

namespace coderx::cli {

void PrintTo(const InputFile& f, std::ostream* os) { *os << f.path << (f.named ? " (named)" : ""); }

namespace {

using testing::ScriptedGenerator;
using testing::TempDir;

using testing::write_file;
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
    write_file(dir / "src/a.c", kA);
    write_file(dir / "src/b.c", kB);
    write_file(dir / "py/m.py", kPy);
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

// `--apply` on one file, which must fail: the reason holds `why`, the file still reads
// `content`, and the exit code says a file failed.
void expect_apply_fails(const Tree& t, std::shared_ptr<ScriptedGenerator> gen, const std::string& path,
                        const std::string& why, const std::string& content) {
  RefactorOptions o = t.options({path});
  o.apply = true;
  auto outcomes = run(o, std::move(gen));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::failed);
  EXPECT_NE(outcomes[0].reason.find(why), std::string::npos) << outcomes[0].reason;
  EXPECT_EQ(read(t.dir / path), content);
  EXPECT_EQ(refactor_exit_code(outcomes), 2);
}

TEST(RefactorCli, ExpandsFilesDirectoriesAndGlobs) {
  Tree t;
  auto all = expand_inputs(t.dir.path(), {"src", "py/*.py", "src/b.c"});
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<InputFile>{{"py/m.py", false}, {"src/a.c", false}, {"src/b.c", true}}));
  write_file(t.dir / "src/deep/er/c.c", kB);
  auto globs = expand_inputs(t.dir.path(), {"src/**/*.c", "./py/*"});
  ASSERT_TRUE(globs);
  EXPECT_EQ(*globs, (std::vector<InputFile>{{"py/m.py", false}, {"src/a.c", false}, {"src/b.c", false},
                                            {"src/deep/er/c.c", false}}));
  auto by_name = expand_inputs(t.dir.path(), {"c.?", "src/*.c"});  // no '/': any depth; '/': from the root
  ASSERT_TRUE(by_name);
  EXPECT_EQ(*by_name, (std::vector<InputFile>{{"src/a.c", false}, {"src/b.c", false}, {"src/deep/er/c.c", false}}));
  auto none = expand_inputs(t.dir.path(), {"*.rs"});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("'*.rs' matches no file"), std::string::npos) << none.error().message;
}

// Walking a directory or a glob leaves out hidden files and what the ignore files exclude (the
// root's rules apply below it too), but a file named outright is taken.
TEST(RefactorCli, DirectoriesAndGlobsHonourIgnoreFiles) {
  Tree t;
  write_file(t.dir / ".gitignore", "gen/\n*.log\n");
  write_file(t.dir / "src/.coderxignore", "b.c\n");
  write_file(t.dir / "src/gen/x.c", kB);
  write_file(t.dir / "src/run.log", "log\n");
  write_file(t.dir / ".git/config", "[core]\n");
  write_file(t.dir / "src/.hidden/h.c", kB);
  auto walked = expand_inputs(t.dir.path(), {"src", "*.c"});
  ASSERT_TRUE(walked);
  EXPECT_EQ(*walked, (std::vector<InputFile>{{"src/a.c", false}}));
  auto named = expand_inputs(t.dir.path(), {"src/gen/x.c", "src/run.log", "src/.hidden/h.c"});
  ASSERT_TRUE(named);
  EXPECT_EQ(*named, (std::vector<InputFile>{{"src/.hidden/h.c", true}, {"src/gen/x.c", true}, {"src/run.log", true}}));
  EXPECT_FALSE(expand_inputs(t.dir.path(), {"src/gen/*.c"}));
}

// Binary and too large files reached through a directory are skipped and never shown to the
// model; named outright they fail. Neither changes the file or the exit code's meaning.
TEST(RefactorCli, SkipsBinaryAndHugeFilesItWasNotNamed) {
  Tree t;
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR old_name", 24);
  write_file(t.dir / "src/logo.png", png);
  std::string huge = "int old_name;\n";
  while (huge.size() <= kMaxSourceBytes) huge += huge;
  write_file(t.dir / "src/huge.c", huge);
  auto gen = renamer();
  RefactorOptions o = t.options({"src"});
  o.apply = true;
  auto outcomes = run(o, gen);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::applied);  // src/a.c
  EXPECT_EQ(outcomes[2].path, "src/huge.c");
  EXPECT_EQ(outcomes[2].status, FileOutcome::Status::skipped);
  EXPECT_NE(outcomes[2].reason.find("too large"), std::string::npos) << outcomes[2].reason;
  EXPECT_EQ(outcomes[3].path, "src/logo.png");
  EXPECT_EQ(outcomes[3].status, FileOutcome::Status::skipped);
  EXPECT_EQ(outcomes[3].reason, "looks binary (a NUL byte in its first 8 KiB); left alone");
  EXPECT_EQ(refactor_exit_code(outcomes), 0);
  EXPECT_EQ(gen->calls().size(), 2u);  // a.c and b.c only
  EXPECT_EQ(read(t.dir / "src/logo.png"), png);
  EXPECT_EQ(read(t.dir / "src/huge.c"), huge);
  auto named = run(t.options({"src/logo.png"}), gen);
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].status, FileOutcome::Status::failed);
  EXPECT_EQ(refactor_exit_code(named), 2);
  EXPECT_EQ(gen->calls().size(), 2u);
}

// --apply through a symbolic link edits the file it points at and keeps the link; a file with
// two hard links is refused rather than split from its other name.
TEST(RefactorCli, ApplyKeepsSymbolicLinksAndRefusesHardLinks) {
  Tree t;
  std::filesystem::create_symlink("src/a.c", t.dir / "link.c");
  RefactorOptions o = t.options({"link.c"});
  o.apply = true;
  auto outcomes = run(o, renamer());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::applied) << outcomes[0].reason;
  EXPECT_TRUE(std::filesystem::is_symlink(t.dir / "link.c"));
  EXPECT_EQ(read(t.dir / "src/a.c"), "int new_name(int x) {\n  return x + 1;\n}\n");

  std::filesystem::create_hard_link(t.dir / "py/m.py", t.dir / "py/same.py");
  auto hard = run(t.options({"py/m.py"}), renamer());
  ASSERT_EQ(hard.size(), 1u);
  EXPECT_EQ(hard[0].status, FileOutcome::Status::changed);  // check mode only prints a diff
  o = t.options({"py/m.py"});
  o.apply = true;
  hard = run(o, renamer());
  ASSERT_EQ(hard.size(), 1u);
  EXPECT_EQ(hard[0].status, FileOutcome::Status::failed);
  EXPECT_NE(hard[0].reason.find("2 hard links"), std::string::npos) << hard[0].reason;
  EXPECT_EQ(read(t.dir / "py/m.py"), kPy);
  EXPECT_EQ(read(t.dir / "py/same.py"), kPy);
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
  write_file(t.dir / "p.diff", patch);
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
    write_file(t.dir / "src/a.c", "int edited_meanwhile;\n");
    return std::string("```\nint x;\n```\n");
  };
  expect_apply_fails(t, gen, "src/a.c", "changed on disk", "int edited_meanwhile;\n");
}

TEST(RefactorCli, RejectsEditsThatNoLongerParse) {
  Tree t;
  auto gen = std::make_shared<ScriptedGenerator>();
  gen->answer = [](const features::GenerationInput&) { return std::string("```\ndef broken(:\n```\n"); };
  expect_apply_fails(t, gen, "py/m.py", "no longer parses", kPy);
}

// A byte order mark is not part of the code the model rewrites, so a model that does not write
// one back cannot drop it.
TEST(RefactorCli, AByteOrderMarkIsKept) {
  TempDir dir;
  write_file(dir / "bom.c", "\xEF\xBB\xBF" + kA);
  auto gen = renamer();
  RefactorOptions o;
  o.instruction = "rename";
  o.inputs = {"bom.c"};
  o.root = dir.path();
  o.apply = true;
  auto outcomes = run(o, gen);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, FileOutcome::Status::applied) << outcomes[0].reason;
  EXPECT_EQ(read(dir / "bom.c"), "\xEF\xBB\xBFint new_name(int x) {\n  return x + 1;\n}\n");
  ASSERT_EQ(gen->calls().size(), 1u);
  EXPECT_EQ(selected(gen->calls()[0].user), kA);
}

TEST(RefactorCli, AnAnswerCutShortIsNotApplied) {
  Tree t;
  auto gen = renamer();
  gen->finish = features::FinishReason::deadline;
  expect_apply_fails(t, gen, "src/a.c", "cut short (deadline", kA);
}

TEST(RefactorCli, FunctionScopeAsksPerFunction) {
  TempDir dir;
  write_file(dir / "f.c", "int old_name(void) { return 1; }\n\nint g(void) { return old_name(); }\n");
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
  write_file(dir / "f", "one\n");
  auto first = read_file_stamped(dir / "f", 100);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->content, "one\n");
  ASSERT_TRUE(atomic_replace(dir / "f", "two\n", first->stamp));
  EXPECT_EQ(read(dir / "f"), "two\n");
  auto again = atomic_replace(dir / "f", "three\n", first->stamp);  // stale stamp
  ASSERT_FALSE(again);
  EXPECT_EQ(read(dir / "f"), "two\n");
  EXPECT_FALSE(read_file_stamped(dir / "missing", 100));
  EXPECT_NE(content_hash("a"), content_hash("b"));
}

TEST(AtomicWrite, ReadRefusesDirectoriesSpecialFilesAndFilesOverTheLimit) {
  TempDir dir;
  write_file(dir / "f", "12345");
  EXPECT_TRUE(read_file_stamped(dir / "f", 5));
  auto large = read_file_stamped(dir / "f", 4);
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, model::Errc::unsupported);
  EXPECT_NE(large.error().message.find("f is too large (5 bytes; the limit is 4)"), std::string::npos)
      << large.error().message;
  auto directory = read_file_stamped(dir.path(), 100);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message, dir.path().string() + " is a directory");
  auto device = read_file_stamped("/dev/zero", 100);  // endless: must not be read at all
  ASSERT_FALSE(device);
  EXPECT_EQ(device.error().message, "/dev/zero is not a regular file");
  const std::filesystem::path fifo = dir / "pipe.py";  // opening one would wait for a writer
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto read = std::async(std::launch::async, [&] { return read_file_stamped(fifo, 100); });
  const bool done = read.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  if (!done) {  // unblock the stuck open so that the test ends
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  ASSERT_TRUE(done) << "read_file_stamped still blocked on a FIFO after 20 s";
  auto refused = read.get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, fifo.string() + " is not a regular file");
}

TEST(SourceFile, RefusesBinaryFilesByTheirFirst8KiB) {
  TempDir dir;
  std::string late_nul(9000, 'a');
  late_nul[8500] = '\0';
  write_file(dir / "late", late_nul);
  EXPECT_TRUE(read_source_file(dir / "late"));
  std::string early_nul = late_nul;
  early_nul[8191] = '\0';
  write_file(dir / "early", early_nul);
  auto binary = read_source_file(dir / "early");
  ASSERT_FALSE(binary);
  EXPECT_EQ(binary.error().code, model::Errc::unsupported);
  EXPECT_NE(binary.error().message.find("looks binary"), std::string::npos);
}

}  // namespace
}  // namespace coderx::cli
