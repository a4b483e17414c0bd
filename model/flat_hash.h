// Open-addressing hash tables used by the tokenizer's hot paths: token text → id and
// (left id, right id) → merge rule. Fixed capacity chosen at construction (power of two, load
// factor below 0.5), linear probing, one cache line touched per probe, no per-entry allocation,
// no erase.
// Who calls it: model/vocab.cpp only. Threading: immutable after filling; concurrent reads ok.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace coderx::model::detail {

inline std::size_t table_capacity(std::size_t n) {
  std::size_t cap = 16;
  while (cap < 2 * n + 1) cap <<= 1;
  return cap;
}

inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Maps texts to indexes into a string table owned elsewhere (it must outlive this table and
// not change). A slot keeps 32 bits of the hash, so a probe compares strings only on a likely hit.
class TextTable {
 public:
  TextTable(const std::string* texts, std::size_t n)
      : texts_(texts), slots_(table_capacity(n), Slot{0, -1}) {}

  // Points `key`'s entry at index `value` (overwriting a previous entry for the same text).
  void put(std::string_view key, std::int32_t value) {
    std::size_t h = hash(key);
    std::size_t i = slot(key, h);
    slots_[i] = Slot{static_cast<std::uint32_t>(h >> 32), value};
  }
  std::int32_t get(std::string_view key) const { return get(key, hash(key)); }
  // The same with the hash computed beforehand (see prefetch()).
  std::int32_t get(std::string_view key, std::size_t h) const { return slots_[slot(key, h)].value; }
  // Starts loading the slot a lookup of a key with hash h reads first (batched lookups).
  void prefetch(std::size_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }
  static std::size_t hash(std::string_view key) {
    return mix64(std::hash<std::string_view>{}(key));
  }

 private:
  struct Slot {
    std::uint32_t tag;
    std::int32_t value;  // -1 = empty
  };
  std::size_t slot(std::string_view key, std::size_t h) const {
    std::size_t mask = slots_.size() - 1;
    auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.value < 0) return i;
      if (s.tag == tag && texts_[s.value] == key) return i;
    }
  }
  const std::string* texts_;  // [n] the vector's buffer (stable when the vector is moved)
  std::vector<Slot> slots_;
};

// (left id, right id) → merge rank, packed into one 64-bit slot: left and right take 21 bits
// each, the rank 22 bits (vocabularies below 2^21 - 1 tokens, fewer than 2^22 merges; Vocab
// checks). 8 bytes per slot keeps the 515k-merge table at 8 MiB.
class MergeTable {
 public:
  static constexpr unsigned kIdBits = 21, kRankBits = 22;
  static constexpr std::uint64_t kIdMask = (1ull << kIdBits) - 1, kRankMask = (1ull << kRankBits) - 1;
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  explicit MergeTable(std::size_t n) {
    std::size_t cap = 16;
    while (cap < n + n / 2) cap <<= 1;
    slots_.assign(cap, kEmpty);
  }
  static std::uint64_t pair_key(std::uint32_t left, std::uint32_t right) {
    return (static_cast<std::uint64_t>(left) << kIdBits) | right;
  }
  // Inserts unless the pair is present; returns false when it was already there.
  bool insert(std::uint64_t key, std::uint32_t rank) {
    std::size_t i = slot(key);
    if (slots_[i] != kEmpty) return false;
    slots_[i] = (key << kRankBits) | rank;
    return true;
  }
  void prefetch(std::uint64_t key) const {
    __builtin_prefetch(&slots_[mix64(key) & (slots_.size() - 1)]);
  }
  // The rank of the pair, or -1.
  std::int32_t get(std::uint64_t key) const {
    std::uint64_t s = slots_[slot(key)];
    return s == kEmpty ? -1 : static_cast<std::int32_t>(s & kRankMask);
  }

 private:
  std::size_t slot(std::uint64_t key) const {
    std::size_t mask = slots_.size() - 1;
    std::size_t i = mix64(key) & mask;
    while (slots_[i] != kEmpty && (slots_[i] >> kRankBits) != key) i = (i + 1) & mask;
    return i;
  }
  std::vector<std::uint64_t> slots_;
};

}  // namespace coderx::model::detail
