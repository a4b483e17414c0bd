#include "model/bpe.h"

#include <algorithm>

#include "model/utf8.h"

namespace coderx::model {

namespace {

// Heap order: the smallest rank on top, then the leftmost position.
bool later(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

}  // namespace

BpeEncoder::BpeEncoder(const Vocab& vocab) : vocab_(&vocab) {
  for (int c = 0; c < 128; ++c) {
    char ch = static_cast<char>(c);
    ascii_[static_cast<std::size_t>(c)] = vocab.find(std::string_view(&ch, 1));
  }
}

void BpeEncoder::push_candidate(BpeScratch& s, std::int32_t left) const {
  if (left < 0) return;
  std::int32_t right = s.symbols[static_cast<std::size_t>(left)].next;
  if (right < 0) return;
  TokenId l = s.symbols[static_cast<std::size_t>(left)].id;
  TokenId r = s.symbols[static_cast<std::size_t>(right)].id;
  if (l < 0 || r < 0) return;
  const MergeRule* rule = vocab_->merge(l, r);
  if (rule == nullptr) return;
  s.heap.push_back(BpeScratch::Candidate{rule->rank, left, right, l, r, rule->result});
  std::push_heap(s.heap.begin(), s.heap.end(), later);
}

void BpeEncoder::emit(std::string_view word, const BpeScratch::Symbol& sym,
                      std::vector<TokenId>& out) const {
  if (sym.id >= 0) {
    out.push_back(sym.id);
    return;
  }
  for (std::uint32_t i = 0; i < sym.size; ++i) {
    TokenId b = vocab_->byte_token(static_cast<std::uint8_t>(word[sym.begin + i]));
    // Without a byte token the byte is lost; a vocabulary for encoding arbitrary text has all
    // 256 (checked by Tokenizer construction, which warns otherwise).
    if (b >= 0) out.push_back(b);
  }
}

void BpeEncoder::encode(std::string_view word, BpeScratch& s, std::vector<TokenId>& out) const {
  s.symbols.clear();
  s.heap.clear();
  for (std::size_t i = 0; i < word.size();) {
    int n = utf8::char_length(word.substr(i));
    std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 1;
    auto c = static_cast<std::uint8_t>(word[i]);
    TokenId id = c < 128 ? ascii_[c] : vocab_->find(word.substr(i, len));
    auto idx = static_cast<std::int32_t>(s.symbols.size());
    s.symbols.push_back({id, idx - 1, idx + 1, static_cast<std::uint32_t>(i),
                         static_cast<std::uint32_t>(len)});
    i += len;
  }
  if (s.symbols.empty()) return;
  s.symbols.back().next = -1;
  for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(s.symbols.size()); ++i)
    push_candidate(s, i);
  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end(), later);
    BpeScratch::Candidate c = s.heap.back();
    s.heap.pop_back();
    auto& left = s.symbols[static_cast<std::size_t>(c.left)];
    auto& right = s.symbols[static_cast<std::size_t>(c.right)];
    // Stale: one side was merged into something else since the candidate was queued.
    if (left.size == 0 || right.size == 0 || left.next != c.right || left.id != c.left_id ||
        right.id != c.right_id)
      continue;
    left.id = c.result;
    left.size += right.size;
    left.next = right.next;
    right.size = 0;
    if (right.next >= 0) s.symbols[static_cast<std::size_t>(right.next)].prev = c.left;
    push_candidate(s, left.prev);
    push_candidate(s, c.left);
  }
  for (std::int32_t i = 0; i >= 0; i = s.symbols[static_cast<std::size_t>(i)].next)
    emit(word, s.symbols[static_cast<std::size_t>(i)], out);
}

}  // namespace coderx::model
