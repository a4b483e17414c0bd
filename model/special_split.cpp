#include "model/special_split.h"

#include <algorithm>
#include <map>

namespace coderx::model {

namespace {

bool is_special_type(TokenType t) {
  return t == TokenType::control || t == TokenType::user_defined || t == TokenType::unknown;
}

constexpr std::uint32_t kNone = 0xffffffffu;

}  // namespace

SpecialSplitter::SpecialSplitter(const Vocab& vocab) {
  std::vector<TokenId> specials;
  for (std::size_t i = 0; i < vocab.size(); ++i)
    if (is_special_type(vocab.type(static_cast<TokenId>(i))) && !vocab.text(static_cast<TokenId>(i)).empty())
      specials.push_back(static_cast<TokenId>(i));
  build(vocab, specials);
}

// Builds the trie in a temporary map form, then flattens it into nodes_/edges_.
void SpecialSplitter::build(const Vocab& vocab, const std::vector<TokenId>& specials) {
  std::vector<std::map<std::uint8_t, std::uint32_t>> children(1);
  std::vector<Node> nodes(1);
  for (TokenId id : specials) {
    std::string_view text = vocab.text(id);
    can_start_[static_cast<std::uint8_t>(text[0])] = true;
    std::uint32_t at = 0;
    for (char c : text) {
      auto b = static_cast<std::uint8_t>(c);
      auto it = children[at].find(b);
      if (it == children[at].end()) {
        auto next = static_cast<std::uint32_t>(nodes.size());
        children[at][b] = next;
        children.emplace_back();
        nodes.emplace_back();
        at = next;
      } else {
        at = it->second;
      }
    }
    nodes[at].token = id;  // the last of repeated texts wins, as in Vocab::find
    nodes[at].always = vocab.type(id) == TokenType::user_defined;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].first_edge = static_cast<std::uint32_t>(edges_.size());
    nodes[i].edge_count = static_cast<std::uint32_t>(children[i].size());
    for (auto [b, n] : children[i]) edges_.push_back(Edge{b, n});
  }
  nodes_ = std::move(nodes);
}

std::uint32_t SpecialSplitter::child(std::uint32_t node, std::uint8_t byte) const {
  const Node& n = nodes_[node];
  auto first = edges_.begin() + n.first_edge, last = first + n.edge_count;
  auto it = std::lower_bound(first, last, byte, [](const Edge& e, std::uint8_t b) { return e.byte < b; });
  return (it != last && it->byte == byte) ? it->node : kNone;
}

// Every occurrence of every eligible special text (overlaps included).
std::vector<SpecialSplitter::Match> SpecialSplitter::find_all(std::string_view text,
                                                              bool parse_special) const {
  std::vector<Match> matches;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    if (!can_start_[static_cast<std::uint8_t>(text[pos])]) continue;
    std::uint32_t at = 0;
    for (std::size_t j = pos; j < text.size(); ++j) {
      at = child(at, static_cast<std::uint8_t>(text[j]));
      if (at == kNone) break;
      const Node& n = nodes_[at];
      if (n.token != kNoToken && (parse_special || n.always))
        matches.push_back(Match{pos, j + 1 - pos, n.token});
    }
  }
  return matches;
}

std::vector<TextFragment> SpecialSplitter::split(std::string_view text, bool parse_special) const {
  std::vector<TextFragment> out;
  std::vector<Match> matches = find_all(text, parse_special);
  if (!matches.empty()) {
    // Priority: longer texts first, then lower id, then left to right.
    std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
      if (a.len != b.len) return a.len > b.len;
      if (a.token != b.token) return a.token < b.token;
      return a.pos < b.pos;
    });
    std::vector<bool> claimed(text.size(), false);
    std::vector<Match> accepted;
    for (const Match& m : matches) {
      bool free = std::none_of(claimed.begin() + static_cast<std::ptrdiff_t>(m.pos),
                               claimed.begin() + static_cast<std::ptrdiff_t>(m.pos + m.len),
                               [](bool c) { return c; });
      if (!free) continue;
      std::fill(claimed.begin() + static_cast<std::ptrdiff_t>(m.pos),
                claimed.begin() + static_cast<std::ptrdiff_t>(m.pos + m.len), true);
      accepted.push_back(m);
    }
    std::sort(accepted.begin(), accepted.end(),
              [](const Match& a, const Match& b) { return a.pos < b.pos; });
    std::size_t at = 0;
    for (const Match& m : accepted) {
      if (m.pos > at) out.push_back(TextFragment{at, m.pos - at, kNoToken});
      out.push_back(TextFragment{m.pos, m.len, m.token});
      at = m.pos + m.len;
    }
    if (at < text.size()) out.push_back(TextFragment{at, text.size() - at, kNoToken});
    return out;
  }
  if (!text.empty()) out.push_back(TextFragment{0, text.size(), kNoToken});
  return out;
}

}  // namespace coderx::model
