#include "model/vocab.h"

#include <algorithm>
#include <cstdio>

#include "model/flat_hash.h"

namespace coderx::model {

struct Vocab::Tables {
  Tables(const std::string* texts, std::size_t n_tokens, std::size_t n_merges)
      : by_text(texts, n_tokens), merges(n_merges) {}
  detail::TextTable by_text;
  detail::MergeTable merges;
  std::vector<TokenId> merge_results;  // [n_merges] by rank
};

Vocab::~Vocab() = default;
Vocab::Vocab(Vocab&&) noexcept = default;
Vocab& Vocab::operator=(Vocab&&) noexcept = default;

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "<0xAB>" → 0xAB, or -1.
int parse_byte_token(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return -1;
  int hi = hex_digit(text[3]), lo = hex_digit(text[4]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

Result<void> check_special(const char* name, TokenId id, std::size_t n) {
  if (id == kNoToken || (id >= 0 && static_cast<std::size_t>(id) < n)) return {};
  return make_error(Errc::format, std::string("tokenizer: ") + name + " id " +
                                      std::to_string(id) + " is outside the vocabulary of " +
                                      std::to_string(n) + " tokens");
}

}  // namespace

Result<Vocab> Vocab::build(VocabData data) {
  std::size_t n = data.tokens.size();
  if (n == 0) return make_error(Errc::format, "tokenizer: the vocabulary is empty");
  if (n >= detail::MergeTable::kIdMask)
    return make_error(Errc::format, "tokenizer: " + std::to_string(n) + " tokens; at most " +
                                        std::to_string(detail::MergeTable::kIdMask - 1) + " supported");
  if (data.merges.size() > detail::MergeTable::kRankMask)
    return make_error(Errc::format, "tokenizer: " + std::to_string(data.merges.size()) +
                                        " merges; at most " +
                                        std::to_string(detail::MergeTable::kRankMask) + " supported");
  if (data.types.size() != n)
    return make_error(Errc::format, "tokenizer: " + std::to_string(n) + " tokens but " +
                                        std::to_string(data.types.size()) + " token types");
  if (!data.scores.empty() && data.scores.size() != n)
    return make_error(Errc::format, "tokenizer: " + std::to_string(n) + " tokens but " +
                                        std::to_string(data.scores.size()) + " scores");
  for (auto [name, id] : {std::pair{"bos", data.bos_id}, {"eos", data.eos_id},
                          {"unknown", data.unk_id}, {"padding", data.pad_id}})
    if (auto r = check_special(name, id, n); !r) return r.error();
  Vocab vocab;
  vocab.data_ = std::move(data);
  if (auto r = vocab.index(); !r) return r.error();
  return vocab;
}

Result<void> Vocab::index() {
  std::size_t n = data_.tokens.size();
  tables_ = std::make_unique<Tables>(data_.tokens.data(), n, data_.merges.size());
  tables_->merge_results.assign(data_.merges.size(), kNoToken);
  byte_values_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& t = data_.tokens[i];
    tables_->by_text.put(t, static_cast<TokenId>(i));
    if (data_.types[i] != TokenType::byte) continue;
    int b = parse_byte_token(t);
    if (b < 0)
      return make_error(Errc::format, "tokenizer: token " + std::to_string(i) + " '" + t +
                                          "' has type BYTE but is not of the form <0xXX>");
    byte_values_[i] = static_cast<std::uint8_t>(b);
    if (byte_tokens_[static_cast<std::size_t>(b)] == kNoToken)
      byte_tokens_[static_cast<std::size_t>(b)] = static_cast<TokenId>(i);
  }
  return index_merges();
}

// Merges are indexed in batches: first every part's hash is computed and its table slot
// prefetched, then the lookups run; this turns a chain of cache misses into parallel loads.
Result<void> Vocab::index_merges() {
  struct Pending {
    std::string_view left, right;
    std::string joined;
    std::size_t h_left, h_right, h_joined;
    std::uint64_t key;
    TokenId result;
  };
  constexpr std::size_t kBatch = 32;
  std::vector<Pending> batch(kBatch);
  const detail::TextTable& text = tables_->by_text;
  for (std::size_t base = 0; base < data_.merges.size(); base += kBatch) {
    std::size_t count = std::min(kBatch, data_.merges.size() - base);
    for (std::size_t k = 0; k < count; ++k) {
      std::string_view m = data_.merges[base + k];
      std::size_t space = m.size() > 1 ? m.find(' ', 1) : std::string_view::npos;
      if (space == std::string_view::npos)
        return make_error(Errc::format, "tokenizer: merge " + std::to_string(base + k) +
                                            " has no space between its two parts");
      Pending& p = batch[k];
      p.left = m.substr(0, space);
      p.right = m.substr(space + 1);
      p.joined.assign(p.left).append(p.right);
      p.h_left = detail::TextTable::hash(p.left);
      p.h_right = detail::TextTable::hash(p.right);
      p.h_joined = detail::TextTable::hash(p.joined);
      text.prefetch(p.h_left);
      text.prefetch(p.h_right);
      text.prefetch(p.h_joined);
    }
    for (std::size_t k = 0; k < count; ++k) {
      Pending& p = batch[k];
      TokenId l = text.get(p.left, p.h_left), r = text.get(p.right, p.h_right);
      p.result = text.get(p.joined, p.h_joined);
      if (l < 0 || r < 0 || p.result < 0) {
        p.result = kNoToken;
        continue;
      }
      p.key = detail::MergeTable::pair_key(static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(r));
      tables_->merges.prefetch(p.key);
    }
    for (std::size_t k = 0; k < count; ++k) {
      const Pending& p = batch[k];
      if (p.result < 0) {
        ++skipped_merges_;
        continue;
      }
      tables_->merge_results[base + k] = p.result;
      if (tables_->merges.insert(p.key, static_cast<std::uint32_t>(base + k))) ++merge_count_;
    }
  }
  return {};
}

TokenId Vocab::find(std::string_view text) const { return tables_->by_text.get(text); }

MergeRule Vocab::merge(TokenId left, TokenId right) const {
  std::int32_t rank = tables_->merges.get(detail::MergeTable::pair_key(
      static_cast<std::uint32_t>(left), static_cast<std::uint32_t>(right)));
  if (rank < 0) return MergeRule{-1, kNoToken};
  return MergeRule{rank, tables_->merge_results[static_cast<std::size_t>(rank)]};
}

std::uint8_t Vocab::byte_value(TokenId id) const { return byte_values_[static_cast<std::size_t>(id)]; }

}  // namespace coderx::model
