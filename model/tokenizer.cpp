#include "model/tokenizer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "model/bpe.h"
#include "model/special_split.h"

namespace coderx::model {

namespace {

constexpr std::string_view kSpaceEscape = "\xE2\x96\x81";  // "▁" U+2581

// Rendered bytes of every token in one buffer: token i is text_[offsets_[i], offsets_[i+1]).
class PieceTable {
 public:
  explicit PieceTable(const Vocab& vocab) : offsets_(vocab.size() + 1, 0), special_only_(vocab.size()) {
    for (std::size_t i = 0; i < vocab.size(); ++i) {
      auto id = static_cast<TokenId>(i);
      append(vocab, id);
      offsets_[i + 1] = text_.size();
    }
  }
  std::string_view get(TokenId id, bool render_special) const {
    auto i = static_cast<std::size_t>(id);
    if (special_only_[i] && !render_special) return {};
    return std::string_view(text_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }

 private:
  void append(const Vocab& vocab, TokenId id) {
    std::string_view t = vocab.text(id);
    switch (vocab.type(id)) {
      case TokenType::byte:
        text_.push_back(static_cast<char>(vocab.byte_value(id)));
        return;
      case TokenType::control:
      case TokenType::unknown:
        special_only_[static_cast<std::size_t>(id)] = true;
        text_.append(t);
        return;
      case TokenType::unused:
        return;
      default:  // normal, user_defined, undefined
        for (std::size_t p = 0; p < t.size();) {
          if (t.compare(p, kSpaceEscape.size(), kSpaceEscape) == 0) {
            text_.push_back(' ');
            p += kSpaceEscape.size();
          } else {
            text_.push_back(t[p++]);
          }
        }
    }
  }
  std::string text_;
  std::vector<std::size_t> offsets_;
  std::vector<bool> special_only_;
};

}  // namespace

struct Tokenizer::Impl {
  explicit Impl(Vocab v) : vocab(std::move(v)), splitter(vocab), bpe(vocab), pieces(vocab) {
    for (std::string_view t : {"<turn|>", "<|tool_response>"})
      if (TokenId id = vocab.find(t); id >= 0) eog.push_back(id);
    if (vocab.data().eos_id >= 0) eog.push_back(vocab.data().eos_id);
    int bytes = 0;
    for (int b = 0; b < 256; ++b) bytes += vocab.byte_token(static_cast<std::uint8_t>(b)) >= 0;
    if (bytes != 256)
      spdlog::warn("tokenizer: only {} of 256 byte tokens; text with other bytes loses them", bytes);
  }
  void encode_plain(std::string_view text, std::vector<TokenId>& out, BpeScratch& scratch,
                    std::string& escaped) const;

  Vocab vocab;
  SpecialSplitter splitter;
  BpeEncoder bpe;
  PieceTable pieces;
  std::vector<TokenId> eog;
};

// Steps 2–5 of spec §4.1 for one fragment of plain text.
void Tokenizer::Impl::encode_plain(std::string_view text, std::vector<TokenId>& out,
                                   BpeScratch& scratch, std::string& escaped) const {
  escaped.clear();
  for (char c : text) {
    if (c == ' ')
      escaped.append(kSpaceEscape);
    else
      escaped.push_back(c);
  }
  std::string_view s = escaped;
  for (std::size_t i = 0; i < s.size();) {
    bool newline = s[i] == '\n';
    std::size_t j = i;
    while (j < s.size() && (s[j] == '\n') == newline) ++j;
    std::string_view word = s.substr(i, j - i);
    TokenId whole = newline ? vocab.find(word) : kNoToken;
    if (whole >= 0)
      out.push_back(whole);
    else
      bpe.encode(word, scratch, out);
    i = j;
  }
}

Result<Tokenizer> Tokenizer::create(VocabData data) {
  auto vocab = Vocab::build(std::move(data));
  if (!vocab) return vocab.error();
  return Tokenizer(std::move(*vocab));
}

Tokenizer::Tokenizer(Vocab vocab) : impl_(std::make_unique<Impl>(std::move(vocab))) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

const Vocab& Tokenizer::vocab() const { return impl_->vocab; }

void Tokenizer::encode_append(std::string_view text, EncodeOptions options,
                              std::vector<TokenId>& out) const {
  const VocabData& d = impl_->vocab.data();
  if (options.add_bos && d.add_bos && d.bos_id >= 0) out.push_back(d.bos_id);
  // Per-thread work buffers (and merge cache), reused across calls.
  thread_local BpeScratch scratch;
  thread_local std::string escaped;
  for (const TextFragment& f : impl_->splitter.split(text, options.parse_special)) {
    if (f.token >= 0)
      out.push_back(f.token);
    else
      impl_->encode_plain(text.substr(f.begin, f.size), out, scratch, escaped);
  }
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 2);
  encode_append(text, options, out);
  return out;
}

std::size_t Tokenizer::count(std::string_view text) const {
  return encode(text, EncodeOptions{.add_bos = false}).size();
}

Result<std::string> Tokenizer::decode(std::span<const TokenId> ids, bool render_special) const {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!impl_->vocab.valid(ids[i]))
      return make_error(Errc::invalid_argument,
                        "token id " + std::to_string(ids[i]) + " at position " +
                            std::to_string(i) + " is outside the vocabulary of " +
                            std::to_string(impl_->vocab.size()) + " tokens");
    out.append(impl_->pieces.get(ids[i], render_special));
  }
  return out;
}

std::string_view Tokenizer::piece(TokenId id, bool render_special) const {
  return impl_->pieces.get(id, render_special);
}

TokenId Tokenizer::bos() const { return impl_->vocab.data().bos_id; }
TokenId Tokenizer::eos() const { return impl_->vocab.data().eos_id; }

bool Tokenizer::is_end_of_generation(TokenId id) const {
  return std::find(impl_->eog.begin(), impl_->eog.end(), id) != impl_->eog.end();
}

}  // namespace coderx::model
