// map_hunks(): hunks map to the functions and classes that enclose or overlap them.
#include "context/review.h"

#include <gtest/gtest.h>

namespace coderx::context {
namespace {

std::vector<std::string> names(const HunkScope& h) {
  std::vector<std::string> out;
  for (const Symbol& s : h.enclosing) out.push_back(s.name);
  return out;
}

TEST(Review, HunksMapToEnclosingFunctionsAndClasses) {
  const std::string py =
      "import os\n"              // 0
      "\n"                       // 1
      "class Store:\n"           // 2
      "    def add(self, x):\n"  // 3
      "        return x\n"       // 4
      "\n"                       // 5
      "    def drop(self):\n"    // 6
      "        pass\n"           // 7
      "\n"                       // 8
      "def main():\n"            // 9
      "    Store().add(1)\n";    // 10
  auto out = map_hunks(language_by_id("python"), py, {{4, 4}, {4, 7}, {10, 10}, {0, 0}});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(names(out[0]), (std::vector<std::string>{"Store", "add"}));
  EXPECT_EQ(names(out[1]), (std::vector<std::string>{"Store", "add", "drop"}));
  EXPECT_EQ(names(out[2]), (std::vector<std::string>{"main"}));
  EXPECT_TRUE(out[3].enclosing.empty());
  EXPECT_EQ(out[0].enclosing[1].signature, "def add(self, x):");
}

TEST(Review, CFunctionAndNoGrammar) {
  const std::string c = "struct P { int x; };\n\nint get(struct P* p) {\n  return p->x;\n}\n";
  auto out = map_hunks(language_by_id("c"), c, {{3, 3}});
  EXPECT_EQ(names(out[0]), (std::vector<std::string>{"get"}));
  auto plain = map_hunks(nullptr, "text\n", {{0, 0}});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_TRUE(plain[0].enclosing.empty());
}

}  // namespace
}  // namespace coderx::context
