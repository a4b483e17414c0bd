// .gitignore / .coderxignore rules: blank lines and "#" comments, "!" negation, trailing "/"
// (directories only), anchoring by a leading or inner "/", "*", "?", "[...]" (not crossing
// "/"), and "**" (any number of directories). Later rules win; the caller does not descend
// into an ignored directory, so (as in git) a file under it cannot be re-included.
// Used by the workspace walker (walk.h): one IgnoreRules per directory that has such a file.
// Threading: immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coderx::context {

class IgnoreRules {
 public:
  IgnoreRules() = default;
  // `base`: the directory holding the file, relative to the root ("" for the root), "/"-separated.
  IgnoreRules(std::string_view file_text, std::string base);

  // For `path` relative to the root: true (ignored), false (re-included by "!"), or nullopt
  // when no rule matches.
  std::optional<bool> match(std::string_view path, bool is_dir) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string pattern;  // relative to base, without the leading "/", "!" or trailing "/"
    bool negate = false;
    bool dir_only = false;
    bool anchored = false;  // contains "/": matched against the whole relative path
  };
  std::string base_;
  std::vector<Rule> rules_;
};

// Glob matching with gitignore semantics for "*", "?", "[...]" and "**", in O(pattern × path)
// time whatever the pattern (a hostile .gitignore cannot stall the walk).
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace coderx::context
