// The tokenizer's vocabulary as plain data (VocabData: token texts, types, merges, special ids)
// and its indexed form (Vocab: text → id and (left id, right id) → merge rank lookups).
//
// Who calls it: model/tokenizer (encoding, decoding), the GGUF vocab loader, the Hugging Face
// importer (lsp/cli/hf_tokenizer) and the test-model generator, which fill a VocabData.
// Threading: a built Vocab is immutable; share it freely between threads.
// Errors: Vocab::build returns Errc::format for inconsistent data (sizes that disagree, special
// ids out of range, a merge string without a separator). Merges whose parts are not tokens
// are skipped (they can never fire) and counted in skipped_merges().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace coderx::model {

using TokenId = std::int32_t;
inline constexpr TokenId kNoToken = -1;

// Values as stored in GGUF `tokenizer.ggml.token_type` (llama.cpp's llama_token_type).
enum class TokenType : std::int32_t {
  undefined = 0,
  normal = 1,
  unknown = 2,
  control = 3,       // rendered and parsed only when specials are requested
  user_defined = 4,  // always rendered as text and always parsed
  unused = 5,
  byte = 6,          // "<0xXX>": one raw byte
};

// Everything needed to rebuild a tokenizer; the GGUF tokenizer.* keys hold exactly this.
struct VocabData {
  std::vector<std::string> tokens;  // [n_vocab] token texts, spaces written as "▁" (U+2581)
  std::vector<TokenType> types;     // [n_vocab]
  std::vector<float> scores;        // [n_vocab] or empty (unused by BPE; kept for GGUF)
  std::vector<std::string> merges;  // in rank order, each "left right" (split at the first
                                    // space after the first byte, as llama.cpp does)
  TokenId bos_id = kNoToken;
  TokenId eos_id = kNoToken;
  TokenId unk_id = kNoToken;
  TokenId pad_id = kNoToken;
  bool add_bos = true;              // gemma4: llama.cpp forces true
  std::string chat_template;        // optional, informational
};

// Result of looking up an adjacent pair: the merge's rank (lower merges first; -1 = no merge)
// and the token the pair becomes.
struct MergeRule {
  std::int32_t rank;
  TokenId result;
};

class Vocab {
 public:
  static Result<Vocab> build(VocabData data);

  Vocab(Vocab&&) noexcept;
  Vocab& operator=(Vocab&&) noexcept;
  Vocab(const Vocab&) = delete;
  Vocab& operator=(const Vocab&) = delete;
  ~Vocab();

  std::size_t size() const { return data_.tokens.size(); }
  const VocabData& data() const { return data_; }
  std::string_view text(TokenId id) const { return data_.tokens[static_cast<std::size_t>(id)]; }
  TokenType type(TokenId id) const { return data_.types[static_cast<std::size_t>(id)]; }
  bool valid(TokenId id) const { return id >= 0 && static_cast<std::size_t>(id) < size(); }

  // Token whose text is exactly `text` (the last one when texts repeat), or kNoToken.
  TokenId find(std::string_view text) const;
  // The merge of the adjacent tokens (left, right); rank -1 when there is none. Both ids valid.
  MergeRule merge(TokenId left, TokenId right) const;
  // The "<0xXX>" token of a byte, or kNoToken.
  TokenId byte_token(std::uint8_t byte) const { return byte_tokens_[byte]; }
  // The byte a BYTE token stands for (only meaningful for TokenType::byte).
  std::uint8_t byte_value(TokenId id) const;

  std::size_t merge_count() const { return merge_count_; }
  std::size_t skipped_merges() const { return skipped_merges_; }

 private:
  struct Tables;
  Vocab() = default;
  Result<void> index();
  Result<void> index_merges();

  VocabData data_;
  std::vector<TokenId> byte_tokens_ = std::vector<TokenId>(256, kNoToken);
  std::vector<std::uint8_t> byte_values_;  // [n_vocab]
  std::unique_ptr<Tables> tables_;
  std::size_t merge_count_ = 0;
  std::size_t skipped_merges_ = 0;
};

}  // namespace coderx::model
