// The small built-in "gemma4" BPE vocabulary of generated test models (declared in
// model/test_model.h as add_builtin_vocab). Control and user-defined tokens sit at their real
// Gemma 4 ids (spec gemma4-moe.md §4.2) so chat rendering and the reasoning budget use the same
// ids as on the real model; token types follow §4.1.
#include <array>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/test_model.h"

namespace coderx::model {

namespace {

enum TokenType : std::int32_t { normal = 1, unknown = 2, control = 3, user_defined = 4,
                                unused = 5, byte = 6 };

struct Vocab {
  std::vector<std::string> tokens;
  std::vector<std::int32_t> types;
  std::vector<std::string> merges;
  std::unordered_set<std::string> known;

  void add(std::string text, std::int32_t type) {
    known.insert(text);
    tokens.push_back(std::move(text));
    types.push_back(type);
  }
  void set(std::size_t id, std::string text, std::int32_t type) {
    known.insert(text);
    tokens[id] = std::move(text);
    types[id] = type;
  }
};

const std::string kSpace = "\xE2\x96\x81";  // "▁" U+2581

// Fragments merged into tokens, in merge-rank order ("_" stands for "▁").
constexpr std::array<const char*, 96> kWords{{
    "_t", "he", "_a", "in", "re", "on", "er", "at", "en", "_the", "_s", "_o", "_w", "_c",
    "_f", "_i", "_p", "_b", "or", "an", "es", "is", "it", "ar", "_d", "_m", "_to", "_of",
    "_and", "_in", "_is", "ing", "ion", "tion", "_(", "()", "();", "_=", "_==", "_{", "_}",
    "__", "____", "________", "_return", "_if", "_else", "_for", "_while", "_int", "_void",
    "_const", "_def", "_class", "_self", "self", "_import", "_from", "_print", "_struct",
    "_std", "::", "->", "_let", "_fn", "_pub", "_use", "_var", "_function", "_true", "_false",
    "_None", "_null", "_new", "_auto", "_static", "_string", "_value", "_size", "_name",
    "_quick", "_brown", "_fox", "_jumps", "_over", "_lazy", "_dog", "_Hello", "Hello", "_world",
    "_capital", "_France", "_Paris", "_What", "_The", "_This",
}};

std::vector<std::string> chars_of(const std::string& word) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '_') out.push_back(kSpace);
    else out.push_back(std::string(1, word[i]));
  }
  return out;
}

void add_specials(Vocab& v) {
  for (int id = 0; id < 108; ++id) v.add("<unused" + std::to_string(id) + ">", unused);
  v.known.clear();
  const std::array<std::pair<int, const char*>, 5> base{
      {{0, "<pad>"}, {1, "<eos>"}, {2, "<bos>"}, {3, "<unk>"}, {4, "<mask>"}}};
  for (auto [id, text] : base) v.set(id, text, id == 3 ? unknown : control);
  const std::array<std::tuple<int, const char*, std::int32_t>, 13> gemma{{
      {46, "<|tool>", control}, {47, "<tool|>", control}, {48, "<|tool_call>", user_defined},
      {49, "<tool_call|>", user_defined}, {50, "<|tool_response>", user_defined},
      {51, "<tool_response|>", user_defined}, {52, "<|\"|>", user_defined},
      {98, "<|think|>", control}, {100, "<|channel>", user_defined},
      {101, "<channel|>", user_defined}, {105, "<|turn>", control}, {106, "<turn|>", control},
      {107, "\n", normal}}};
  for (auto [id, text, type] : gemma) v.set(static_cast<std::size_t>(id), text, type);
  for (std::size_t id = 0; id < 108; ++id) v.known.insert(v.tokens[id]);
}

void add_bytes_and_chars(Vocab& v) {
  static const char* hex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b)
    v.add(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">", byte);
  v.add(kSpace, normal);
  for (char c = 0x21; c < 0x7F; ++c) v.add(std::string(1, c), normal);
}

void add_merges(Vocab& v, std::uint32_t n_vocab) {
  for (const char* word : kWords) {
    std::vector<std::string> chars = chars_of(word);
    std::string cur = chars[0];
    for (std::size_t i = 1; i < chars.size() && v.tokens.size() < n_vocab; ++i) {
      std::string next = cur + chars[i];
      if (!v.known.count(next)) {
        v.merges.push_back(cur + " " + chars[i]);
        v.add(next, normal);
      }
      cur = next;
    }
  }
  for (std::uint32_t k = 0; v.tokens.size() < n_vocab; ++k)
    v.add("<unused_extra" + std::to_string(k) + ">", unused);
}

}  // namespace

Result<void> add_builtin_vocab(GgufWriter& w, std::uint32_t n_vocab) {
  if (n_vocab < 512)
    return make_error(Errc::invalid_argument, "the built-in vocabulary needs --vocab >= 512, got " +
                                                  std::to_string(n_vocab));
  Vocab v;
  add_specials(v);
  add_bytes_and_chars(v);
  add_merges(v, n_vocab);
  std::vector<float> scores(v.tokens.size(), 0.0f);
  w.set_string("tokenizer.ggml.model", "gemma4");
  w.set_string_array("tokenizer.ggml.tokens", std::span<const std::string>(v.tokens));
  w.set_f32_array("tokenizer.ggml.scores", scores);
  w.set_i32_array("tokenizer.ggml.token_type", v.types);
  w.set_string_array("tokenizer.ggml.merges", std::span<const std::string>(v.merges));
  w.set_u32("tokenizer.ggml.bos_token_id", 2);
  w.set_u32("tokenizer.ggml.eos_token_id", 1);
  w.set_u32("tokenizer.ggml.unknown_token_id", 3);
  w.set_u32("tokenizer.ggml.padding_token_id", 0);
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  w.set_bool("tokenizer.ggml.add_eos_token", false);
  w.set_bool("tokenizer.ggml.add_space_prefix", false);
  w.set_string("tokenizer.chat_template",
               "{{ bos_token }}{% for message in messages %}{{ '<|turn>' + message['role'] + "
               "'\n' + message['content'] | trim + '<turn|>\n' }}{% endfor %}"
               "{% if add_generation_prompt %}{{ '<|turn>model\n' }}{% endif %}");
  return {};
}

}  // namespace coderx::model
