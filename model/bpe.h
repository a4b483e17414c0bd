// Step 4–5 of encoding (spec §4.1): byte-pair merging of one pre-split word by merge rank,
// then byte fallback for symbols that are not tokens. The word starts as single UTF-8
// characters (a byte that is not part of a well-formed character is a symbol of its own);
// repeatedly the adjacent pair with the lowest rank (leftmost on ties) is merged.
//
// Who calls it: model/tokenizer.cpp. Threading: BpeScratch is per thread/call; the Vocab is
// shared read-only. No allocation once the scratch buffers have grown to the word size.
// Merge lookups go through a 128×128 table for pairs of ASCII characters and a per-scratch
// direct-mapped cache before the vocabulary's hash table.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/vocab.h"

namespace coderx::model {

struct BpeScratch {
  struct Symbol {
    TokenId id;           // kNoToken when the text is not a token
    std::int32_t prev, next;
    std::uint32_t begin, size;
    std::int32_t ascii;   // the byte while the symbol is one ASCII character, else -1
  };
  // Direct-mapped cache of merge lookups (source code repeats the same pairs constantly).
  struct CacheEntry {
    std::uint64_t key = ~std::uint64_t{0};
    MergeRule rule{-1, kNoToken};
  };
  static constexpr unsigned kCacheBits = 16;
  static constexpr std::size_t kCacheSize = std::size_t{1} << kCacheBits;
  struct Candidate {
    std::int32_t rank, left, right;
    TokenId left_id, right_id, result;
  };
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
  std::vector<CacheEntry> cache;
  const void* cache_owner = nullptr;  // the BpeEncoder whose lookups the cache holds
  std::uint64_t cache_serial = 0;
};

class BpeEncoder {
 public:
  explicit BpeEncoder(const Vocab& vocab);
  // Appends the tokens of `word` (already escaped: "▁" for spaces) to out.
  void encode(std::string_view word, BpeScratch& scratch, std::vector<TokenId>& out) const;

 private:
  void push_candidate(BpeScratch& s, std::int32_t left) const;
  MergeRule lookup(BpeScratch& s, const BpeScratch::Symbol& l, const BpeScratch::Symbol& r) const;
  void emit(std::string_view word, const BpeScratch::Symbol& sym, std::vector<TokenId>& out) const;

  const Vocab* vocab_;
  std::array<TokenId, 128> ascii_ = {};  // id of each one-byte ASCII token (or kNoToken)
  std::vector<MergeRule> ascii_pairs_;   // [128 * 128] merges of two one-byte ASCII tokens
  std::uint64_t serial_;                 // distinguishes encoders for BpeScratch::cache
};

}  // namespace coderx::model
