// Step 1 of encoding (spec §4.1): cut text at special-token texts. USER_DEFINED tokens are
// always cut out; CONTROL and UNKNOWN tokens only when parse_special is set. Matching follows
// llama.cpp's priority: longer token texts claim their occurrences first (ties: lower id), each
// token's occurrences are taken left to right without overlap, inside what is still plain text.
// Implemented with a byte trie over the special texts, so the cost is one short trie walk per
// byte that can start a special text, independent of how many specials exist.
//
// Who calls it: model/tokenizer.cpp. Threading: immutable after construction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/vocab.h"

namespace coderx::model {

// A piece of the input: either plain text [begin, begin+size) or a special token there.
struct TextFragment {
  std::size_t begin = 0;
  std::size_t size = 0;
  TokenId token = kNoToken;  // kNoToken: plain text
};

class SpecialSplitter {
 public:
  explicit SpecialSplitter(const Vocab& vocab);

  // Fragments covering `text` in order; empty plain fragments are omitted.
  std::vector<TextFragment> split(std::string_view text, bool parse_special) const;

 private:
  struct Node {
    std::uint32_t first_edge = 0;  // edges_[first_edge, first_edge + edge_count)
    std::uint32_t edge_count = 0;
    TokenId token = kNoToken;      // a special whose text ends here
    bool always = false;           // that special is USER_DEFINED (matched without parse_special)
  };
  struct Edge {
    std::uint8_t byte;
    std::uint32_t node;
  };
  struct Match {
    std::size_t pos, len;
    TokenId token;
  };

  void build(const Vocab& vocab, const std::vector<TokenId>& specials);
  std::vector<Match> find_all(std::string_view text, bool parse_special) const;
  std::uint32_t child(std::uint32_t node, std::uint8_t byte) const;

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;       // grouped per node, sorted by byte
  bool can_start_[256] = {};
};

}  // namespace coderx::model
