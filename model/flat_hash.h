// Open-addressing hash tables used by the tokenizer's hot paths: token text → id and
// (left id, right id) → merge rule. Fixed capacity chosen at construction (power of two, load
// factor ≤ 0.5), linear probing, no per-entry allocation, no erase.
// Who calls it: model/vocab.cpp only. Threading: immutable after filling; concurrent reads ok.
#pragma once

#include <cstdint>
#include <functional>
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

// Maps string_views (owned elsewhere, must outlive the table) to int32 values.
class TextTable {
 public:
  explicit TextTable(std::size_t n) : keys_(table_capacity(n)), values_(keys_.size(), -1) {}

  // Inserts or overwrites.
  void put(std::string_view key, std::int32_t value) {
    std::size_t i = slot(key);
    keys_[i] = key;
    values_[i] = value;
  }
  std::int32_t get(std::string_view key) const { return values_[slot(key)]; }

 private:
  std::size_t slot(std::string_view key) const {
    std::size_t mask = keys_.size() - 1;
    std::size_t i = std::hash<std::string_view>{}(key)&mask;
    while (values_[i] >= 0 && keys_[i] != key) i = (i + 1) & mask;
    return i;
  }
  std::vector<std::string_view> keys_;
  std::vector<std::int32_t> values_;  // -1 = empty slot
};

// Maps a 64-bit key (never ~0) to a small value type V.
template <class V>
class U64Table {
 public:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  explicit U64Table(std::size_t n) : keys_(table_capacity(n), kEmpty), values_(keys_.size()) {}

  // Inserts unless present; returns false when the key was already there.
  bool insert(std::uint64_t key, const V& value) {
    std::size_t i = slot(key);
    if (keys_[i] == key) return false;
    keys_[i] = key;
    values_[i] = value;
    return true;
  }
  const V* get(std::uint64_t key) const {
    std::size_t i = slot(key);
    return keys_[i] == key ? &values_[i] : nullptr;
  }

 private:
  std::size_t slot(std::uint64_t key) const {
    std::size_t mask = keys_.size() - 1;
    std::size_t i = mix64(key) & mask;
    while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask;
    return i;
  }
  std::vector<std::uint64_t> keys_;
  std::vector<V> values_;
};

}  // namespace coderx::model::detail
