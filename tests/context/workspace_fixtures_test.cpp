// Fixture workspaces per language (tests/context/workspaces/<lang>/expected.txt, written by
// hand): expected symbols (name, kind, container), imports and where they resolve, named
// enclosing scopes at a position, and gather finding a definition from another file.
#include "context/gather.h"
#include "context/index.h"
#include "tests/support/paths.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace coderx::context {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t word_count(std::string_view s) {
  std::size_t n = 0;
  bool in_word = false;
  for (char c : s) {
    const bool w = !std::isspace(static_cast<unsigned char>(c));
    n += w && !in_word;
    in_word = w;
  }
  return n;
}

struct Loc {
  std::string path;
  std::uint32_t line, col;  // 1-based
};

Loc parse_loc(const std::string& s) {
  const auto c2 = s.rfind(':');
  const auto c1 = s.rfind(':', c2 - 1);
  return {s.substr(0, c1), static_cast<std::uint32_t>(std::stoul(s.substr(c1 + 1, c2 - c1 - 1))),
          static_cast<std::uint32_t>(std::stoul(s.substr(c2 + 1)))};
}

class Fixture : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path root() const { return testing::source_dir() / "tests/context/workspaces" / GetParam(); }
  Document open(const std::string& rel) const {
    return Document(language_for_file(rel, read(root() / rel).substr(0, 100)), read(root() / rel), 1);
  }
};

void check_symbol(const WorkspaceIndex& idx, std::istringstream& in) {
  std::string path, name, kind, container;
  in >> path >> name >> kind >> container;
  auto file = idx.file(path);
  ASSERT_TRUE(file) << path << " not indexed";
  bool found = false;
  for (const Symbol& s : file->symbols)
    found = found || (s.name == name && to_string(s.kind) == kind && (container.empty() || s.container == container));
  std::string have;
  for (const Symbol& s : file->symbols)
    have += " " + s.name + ":" + std::string(to_string(s.kind)) + "@" + s.container;
  EXPECT_TRUE(found) << path << ": no " << kind << " " << name << " in" << have;
}

void check_import(const WorkspaceIndex& idx, std::istringstream& in) {
  std::string path, raw, arrow, target;
  in >> path >> raw >> arrow >> target;
  auto file = idx.file(path);
  ASSERT_TRUE(file) << path;
  auto resolved = idx.resolved_imports(path);
  for (std::size_t i = 0; i < file->imports.size(); ++i) {
    if (file->imports[i].path != raw) continue;
    if (target.empty()) EXPECT_TRUE(resolved[i].empty()) << raw << " -> " << resolved[i].front();
    else EXPECT_EQ(resolved[i], std::vector<std::string>{target}) << path << ": " << raw;
    return;
  }
  std::string have;
  for (const auto& imp : file->imports) have += " [" + imp.path + "]";
  ADD_FAILURE() << path << ": no import " << raw << "; have" << have;
}

TEST_P(Fixture, MatchesExpectations) {
  auto index = WorkspaceIndex::build(root());
  ASSERT_TRUE(index) << index.error().message;
  const WorkspaceIndex& idx = **index;
  std::ifstream expected(root() / "expected.txt");
  ASSERT_TRUE(expected);
  std::string line;
  while (std::getline(expected, line)) {
    std::istringstream in(line);
    std::string what;
    in >> what;
    SCOPED_TRACE(line);
    if (what == "symbol") check_symbol(idx, in);
    if (what == "import") check_import(idx, in);
    if (what == "scope") {
      std::string at, part, want, have;
      in >> at;
      while (in >> part) want += (want.empty() ? "" : " ") + part;
      const Loc loc = parse_loc(at);
      Document doc = open(loc.path);
      const auto byte = doc.offset_of({loc.line - 1, loc.col - 1});
      for (const Scope& s : enclosing_scopes(*doc.language(), doc.syntax().root_at(byte), doc.text(), byte))
        if (s.kind != "block" && !s.name.empty()) have += (have.empty() ? "" : " ") + s.kind + ":" + s.name;
      EXPECT_EQ(have, want);
    }
    if (what == "gather") {
      std::string at, def_path;
      in >> at >> def_path;
      std::string needle;
      std::getline(in, needle);
      needle = needle.substr(needle.find_first_not_of(' '));
      const Loc loc = parse_loc(at);
      Document doc = open(loc.path);
      DocumentSnapshot snap = doc.snapshot();
      GatherRequest req;
      req.document = &snap;
      req.path = loc.path;
      req.start_byte = req.end_byte = doc.offset_of({loc.line - 1, loc.col - 1});
      req.budget_tokens = 400;
      req.count_tokens = word_count;
      req.index = &idx;
      GatherResult r = gather(req);
      bool found = false;
      for (const Snippet& s : r.snippets)
        found = found || (s.kind == SnippetKind::definition && s.path == def_path && s.text.find(needle) != std::string::npos);
      EXPECT_TRUE(found) << "no definition from " << def_path << " containing \"" << needle << "\"";
      EXPECT_LE(r.tokens_used, req.budget_tokens);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Languages, Fixture,
                         ::testing::Values("python", "c", "js", "ts", "go", "rust", "java", "bash"));

}  // namespace
}  // namespace coderx::context
