// CompletionCache: exact hits, hits while the user types the suggestion, misses, LRU bound.
#include "lsp/features/completion_cache.h"

#include <gtest/gtest.h>

namespace coderx::features {
namespace {

TEST(CompletionCache, ServesTheRestOfASuggestionAsTheUserTypesIt) {
  CompletionCache cache;
  cache.store("u", "x = ", "\n", "foo(1)");
  EXPECT_EQ(cache.lookup("u", "x = ", "\n"), "foo(1)");
  EXPECT_EQ(cache.lookup("u", "x = fo", "\n"), "o(1)");
  EXPECT_EQ(cache.lookup("u", "x = foo(1", "\n"), ")");
  EXPECT_FALSE(cache.lookup("u", "x = foo(1)", "\n"));  // fully typed: nothing left
  EXPECT_FALSE(cache.lookup("u", "x = bar", "\n"));     // typed something else
  EXPECT_FALSE(cache.lookup("u", "x = ", "\n\n"));      // the text after the cursor differs
  EXPECT_FALSE(cache.lookup("v", "x = ", "\n"));        // another document
}

TEST(CompletionCache, KeepsTheMostRecentlyUsedEntries) {
  CompletionCache cache(2);
  cache.store("u", "a", "", "1");
  cache.store("u", "b", "", "2");
  EXPECT_TRUE(cache.lookup("u", "a", ""));  // a is now the most recent
  cache.store("u", "c", "", "3");           // evicts b
  EXPECT_TRUE(cache.lookup("u", "a", ""));
  EXPECT_FALSE(cache.lookup("u", "b", ""));
  EXPECT_EQ(cache.size(), 2u);
  cache.store("u", "d", "", "");  // empty completions are not stored
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace coderx::features
