#include "model/bpe.h"

#include <algorithm>
#include <atomic>

#include "model/utf8.h"

namespace coderx::model {

namespace {

// Heap order: the smallest rank on top, then the leftmost position.
bool later(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

std::atomic<std::uint64_t> next_serial{1};

}  // namespace

BpeEncoder::BpeEncoder(const Vocab& vocab) : vocab_(&vocab), serial_(next_serial++) {
  for (int c = 0; c < 128; ++c) {
    char ch = static_cast<char>(c);
    ascii_[static_cast<std::size_t>(c)] = vocab.find(std::string_view(&ch, 1));
  }
  ascii_pairs_.assign(128 * 128, MergeRule{-1, kNoToken});
  for (std::size_t l = 0; l < 128; ++l)
    for (std::size_t r = 0; r < 128; ++r)
      if (ascii_[l] >= 0 && ascii_[r] >= 0) ascii_pairs_[l * 128 + r] = vocab.merge(ascii_[l], ascii_[r]);
}

MergeRule BpeEncoder::lookup(BpeScratch& s, const BpeScratch::Symbol& l,
                             const BpeScratch::Symbol& r) const {
  if (l.ascii >= 0 && r.ascii >= 0)
    return ascii_pairs_[static_cast<std::size_t>(l.ascii * 128 + r.ascii)];
  if (s.cache_owner != this || s.cache_serial != serial_) {
    s.cache.assign(BpeScratch::kCacheSize, BpeScratch::CacheEntry{});
    s.cache_owner = this;
    s.cache_serial = serial_;
  }
  std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(l.id)) << 32) |
                      static_cast<std::uint32_t>(r.id);
  BpeScratch::CacheEntry& e = s.cache[(key * 0x9E3779B97F4A7C15ULL) >> (64 - BpeScratch::kCacheBits)];
  if (e.key != key) e = BpeScratch::CacheEntry{key, vocab_->merge(l.id, r.id)};
  return e.rule;
}

void BpeEncoder::push_candidate(BpeScratch& s, std::int32_t left) const {
  if (left < 0) return;
  std::int32_t right = s.symbols[static_cast<std::size_t>(left)].next;
  if (right < 0) return;
  const BpeScratch::Symbol& ls = s.symbols[static_cast<std::size_t>(left)];
  const BpeScratch::Symbol& rs = s.symbols[static_cast<std::size_t>(right)];
  if (ls.id < 0 || rs.id < 0) return;
  MergeRule rule = lookup(s, ls, rs);
  if (rule.rank < 0) return;
  s.heap.push_back(BpeScratch::Candidate{rule.rank, left, right, ls.id, rs.id, rule.result});
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
                         static_cast<std::uint32_t>(len), c < 128 && id >= 0 ? c : -1});
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
    left.ascii = -1;
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
