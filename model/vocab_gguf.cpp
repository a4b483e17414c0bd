#include "model/vocab_gguf.h"

namespace coderx::model {

namespace {

std::string where(const GgufFile& file, std::string_view key) {
  return file.label() + ": " + std::string(key);
}

// An optional u32 id key; kNoToken when absent.
Result<TokenId> optional_id(const GgufFile& file, std::string_view key) {
  if (file.find(key) == nullptr) return kNoToken;
  auto v = file.get_u32(key);
  if (!v) return v.error();
  if (*v > 0x7fffffffu) return make_error(Errc::format, where(file, key) + " is too large");
  return static_cast<TokenId>(*v);
}

Result<void> read_types(const GgufFile& file, VocabData& d) {
  std::size_t n = d.tokens.size();
  if (file.find("tokenizer.ggml.token_type") == nullptr) {
    d.types.assign(n, TokenType::normal);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& t = d.tokens[i];
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') d.types[i] = TokenType::byte;
    }
    return {};
  }
  auto types = file.get_int_array("tokenizer.ggml.token_type");
  if (!types) return types.error();
  if (types->size() != n)
    return make_error(Errc::format, where(file, "tokenizer.ggml.token_type") + " has " +
                                        std::to_string(types->size()) + " entries for " +
                                        std::to_string(n) + " tokens");
  d.types.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t t = (*types)[i];
    if (t < 0 || t > 6)
      return make_error(Errc::format, where(file, "tokenizer.ggml.token_type") + "[" +
                                          std::to_string(i) + "] = " + std::to_string(t) +
                                          " is not a token type (0–6)");
    d.types[i] = static_cast<TokenType>(t);
  }
  return {};
}

Result<void> read_strings(const GgufFile& file, std::string_view key, std::vector<std::string>& out) {
  auto strings = file.get_string_array(key);
  if (!strings) return strings.error();
  out.reserve(strings->size());
  for (std::string_view s : *strings) out.emplace_back(s);
  return {};
}

}  // namespace

Result<VocabData> read_vocab(const GgufFile& file) {
  auto model = file.get_string("tokenizer.ggml.model");
  if (!model) return model.error();
  if (*model != "gemma4")
    return make_error(Errc::unsupported, where(file, "tokenizer.ggml.model") + " is '" +
                                             std::string(*model) + "'; only 'gemma4' is supported");
  VocabData d;
  if (auto r = read_strings(file, "tokenizer.ggml.tokens", d.tokens); !r) return r.error();
  if (auto r = read_strings(file, "tokenizer.ggml.merges", d.merges); !r) return r.error();
  if (auto r = read_types(file, d); !r) return r.error();
  if (file.find("tokenizer.ggml.scores") != nullptr) {
    auto scores = file.get_f32_array("tokenizer.ggml.scores");
    if (!scores) return scores.error();
    d.scores = std::move(*scores);
  }
  struct IdKey {
    const char* key;
    TokenId* out;
  };
  for (IdKey k : {IdKey{"tokenizer.ggml.bos_token_id", &d.bos_id},
                  IdKey{"tokenizer.ggml.eos_token_id", &d.eos_id},
                  IdKey{"tokenizer.ggml.unknown_token_id", &d.unk_id},
                  IdKey{"tokenizer.ggml.padding_token_id", &d.pad_id}}) {
    auto id = optional_id(file, k.key);
    if (!id) return id.error();
    *k.out = *id;
  }
  d.add_bos = true;  // llama.cpp forces BOS for gemma4 whatever the file says
  if (file.find("tokenizer.chat_template") != nullptr) {
    auto tmpl = file.get_string("tokenizer.chat_template");
    if (!tmpl) return tmpl.error();
    d.chat_template = std::string(*tmpl);
  }
  return d;
}

void write_vocab(GgufWriter& w, const VocabData& d) {
  w.set_string("tokenizer.ggml.model", "gemma4");
  w.set_string_array("tokenizer.ggml.tokens", std::span<const std::string>(d.tokens));
  std::vector<float> scores = d.scores;
  if (scores.size() != d.tokens.size()) scores.assign(d.tokens.size(), -1000.0f);
  w.set_f32_array("tokenizer.ggml.scores", scores);
  std::vector<std::int32_t> types(d.types.size());
  for (std::size_t i = 0; i < types.size(); ++i) types[i] = static_cast<std::int32_t>(d.types[i]);
  w.set_i32_array("tokenizer.ggml.token_type", types);
  w.set_string_array("tokenizer.ggml.merges", std::span<const std::string>(d.merges));
  auto id = [&](const char* key, TokenId v) {
    if (v >= 0) w.set_u32(key, static_cast<std::uint32_t>(v));
  };
  id("tokenizer.ggml.bos_token_id", d.bos_id);
  id("tokenizer.ggml.eos_token_id", d.eos_id);
  id("tokenizer.ggml.unknown_token_id", d.unk_id);
  id("tokenizer.ggml.padding_token_id", d.pad_id);
  w.set_bool("tokenizer.ggml.add_bos_token", d.add_bos);
  w.set_bool("tokenizer.ggml.add_eos_token", false);
  w.set_bool("tokenizer.ggml.add_space_prefix", false);
  if (!d.chat_template.empty()) w.set_string("tokenizer.chat_template", d.chat_template);
}

Result<Tokenizer> load_tokenizer(const std::filesystem::path& path) {
  auto file = GgufFile::open(path);
  if (!file) return file.error();
  auto data = read_vocab(*file);
  if (!data) return data.error();
  auto tok = Tokenizer::create(std::move(*data));
  if (!tok) return make_error(tok.error().code, path.string() + ": " + tok.error().message);
  return tok;
}

}  // namespace coderx::model
