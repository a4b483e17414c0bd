#include "lsp/cli/hf_tokenizer.h"

#include <array>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace coderx::cli {

namespace json = boost::json;
using model::Errc;
using model::make_error;
using model::Result;
using model::TokenId;
using model::TokenType;
using model::VocabData;

namespace {

constexpr std::size_t kGemma4VocabSize = 262144;

constexpr std::array<SpecialSlot, 19> kGemma4Slots{{
    {46, "<|tool>"},          {47, "<tool|>"},          {48, "<|tool_call>"},
    {49, "<tool_call|>"},     {50, "<|tool_response>"}, {51, "<tool_response|>"},
    {52, "<|\"|>"},           {98, "<|think|>"},        {100, "<|channel>"},
    {101, "<channel|>"},      {105, "<|turn>"},         {106, "<turn|>"},
    {255999, "<|image>"},     {256000, "<|audio>"},     {258880, "<|image|>"},
    {258881, "<|audio|>"},    {258882, "<image|>"},     {258883, "<audio|>"},
    {258884, "<|video|>"},
}};

constexpr std::array<std::string_view, 7> kAlwaysText{
    "<|channel>", "<channel|>", "<|tool_call>", "<tool_call|>",
    "<|tool_response>", "<tool_response|>", "<|\"|>"};

Result<json::value> read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io, path.string() + ": cannot open");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in.good() && !in.eof()) return make_error(Errc::io, path.string() + ": read failed");
  boost::system::error_code ec;
  json::value v = json::parse(buf.str(), ec);
  if (ec) return make_error(Errc::format, path.string() + ": not valid JSON: " + ec.message());
  return v;
}

bool is_byte_text(std::string_view t) {
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  return t.size() == 6 && t.substr(0, 3) == "<0x" && hex(t[3]) && hex(t[4]) && t[5] == '>';
}

// Token name from a config entry: "…" or {"content": "…"}.
std::optional<std::string> token_name(const json::object& cfg, std::string_view key) {
  const json::value* v = cfg.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_object())
    if (const json::value* c = v->as_object().if_contains("content"); c && c->is_string())
      return std::string(c->as_string());
  return std::nullopt;
}

struct Added {
  std::string text;
  bool special;
};

struct Parsed {
  VocabData data;
  std::unordered_map<TokenId, Added> added;
};

Result<void> read_vocab(const json::object& model, const std::string& where, Parsed& p) {
  const json::value* vocab = model.if_contains("vocab");
  if (vocab == nullptr || !vocab->is_object())
    return make_error(Errc::format, where + ": model.vocab is missing or not an object");
  const json::object& v = vocab->as_object();
  p.data.tokens.resize(v.size());
  std::vector<bool> seen(v.size(), false);
  for (const auto& kv : v) {
    if (!kv.value().is_int64() || kv.value().as_int64() < 0 ||
        static_cast<std::size_t>(kv.value().as_int64()) >= v.size())
      return make_error(Errc::format, where + ": model.vocab id of '" + std::string(kv.key()) +
                                          "' is not in [0, " + std::to_string(v.size()) + ")");
    auto id = static_cast<std::size_t>(kv.value().as_int64());
    if (seen[id]) return make_error(Errc::format, where + ": model.vocab repeats id " + std::to_string(id));
    seen[id] = true;
    p.data.tokens[id] = std::string(kv.key());
  }
  return {};
}

Result<void> read_merges(const json::object& model, const std::string& where, Parsed& p) {
  const json::value* merges = model.if_contains("merges");
  if (merges == nullptr || !merges->is_array())
    return make_error(Errc::format, where + ": model.merges is missing or not an array");
  p.data.merges.reserve(merges->as_array().size());
  for (const json::value& m : merges->as_array()) {
    if (m.is_string()) {
      p.data.merges.emplace_back(m.as_string());
    } else if (m.is_array() && m.as_array().size() == 2 && m.as_array()[0].is_string() &&
               m.as_array()[1].is_string()) {
      std::string s(m.as_array()[0].as_string());
      s.push_back(' ');
      s.append(m.as_array()[1].as_string());
      p.data.merges.push_back(std::move(s));
    } else {
      return make_error(Errc::format, where + ": merge " + std::to_string(p.data.merges.size()) +
                                          " is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }
  return {};
}

Result<void> read_added(const json::object& root, const std::string& where, Parsed& p) {
  const json::value* added = root.if_contains("added_tokens");
  if (added == nullptr) return {};
  if (!added->is_array()) return make_error(Errc::format, where + ": added_tokens is not an array");
  for (const json::value& a : added->as_array()) {
    const json::object* o = a.if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    const json::value* content = o ? o->if_contains("content") : nullptr;
    if (!id || !id->is_int64() || id->as_int64() < 0 || id->as_int64() > 0x7fffffff ||
        !content || !content->is_string())
      return make_error(Errc::format, where + ": an added_tokens entry lacks an id or content");
    const json::value* special = o->if_contains("special");
    p.added[static_cast<TokenId>(id->as_int64())] =
        Added{std::string(content->as_string()), special && special->is_bool() && special->as_bool()};
  }
  return {};
}

// Places added tokens into the token table (growing it when an id is past the end).
Result<void> place_added(const std::string& where, Parsed& p) {
  std::size_t n = p.data.tokens.size();
  for (const auto& [id, a] : p.added) {
    auto i = static_cast<std::size_t>(id);
    if (i > n + p.added.size())
      return make_error(Errc::format, where + ": added token id " + std::to_string(id) +
                                          " leaves a gap after the vocabulary");
    if (i >= p.data.tokens.size()) p.data.tokens.resize(i + 1);
    p.data.tokens[i] = a.text;
  }
  for (std::size_t i = n; i < p.data.tokens.size(); ++i)  // ids past model.vocab
    if (p.added.count(static_cast<TokenId>(i)) == 0)
      return make_error(Errc::format, where + ": no token has id " + std::to_string(i));
  return {};
}

void patch_gemma4(Parsed& p) {
  p.data.tokens.resize(std::min(p.data.tokens.size(), kGemma4VocabSize));
  for (auto it = p.added.begin(); it != p.added.end();)
    it = static_cast<std::size_t>(it->first) >= kGemma4VocabSize ? p.added.erase(it) : std::next(it);
  for (const SpecialSlot& s : kGemma4Slots) {
    if (static_cast<std::size_t>(s.id) >= p.data.tokens.size()) continue;
    p.data.tokens[static_cast<std::size_t>(s.id)] = s.text;
    p.added[s.id] = Added{s.text, true};
  }
}

void assign_types(Parsed& p) {
  std::size_t n = p.data.tokens.size();
  p.data.types.assign(n, TokenType::normal);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& t = p.data.tokens[i];
    auto it = p.added.find(static_cast<TokenId>(i));
    TokenType& type = p.data.types[i];
    if (is_byte_text(t))
      type = TokenType::byte;
    else if (it != p.added.end() && it->second.special)
      type = TokenType::control;
    for (std::string_view always : kAlwaysText)
      if (t == always) type = TokenType::user_defined;
  }
  p.data.scores.assign(n, -1000.0f);
}

TokenId find_text(const VocabData& d, std::string_view text) {
  for (std::size_t i = 0; i < d.tokens.size(); ++i)
    if (d.tokens[i] == text) return static_cast<TokenId>(i);
  return model::kNoToken;
}

Result<void> apply_config(const std::optional<std::filesystem::path>& path, bool patched, Parsed& p) {
  std::string bos = "<bos>", eos = "<eos>", unk = "<unk>", pad = "<pad>";
  if (path) {
    auto cfg = read_json(*path);
    if (!cfg) return cfg.error();
    if (!cfg->is_object()) return make_error(Errc::format, path->string() + ": not a JSON object");
    const json::object& o = cfg->as_object();
    if (!patched) {
      bos = token_name(o, "bos_token").value_or(bos);
      eos = token_name(o, "eos_token").value_or(eos);
      if (const json::value* t = o.if_contains("chat_template"); t && t->is_string())
        p.data.chat_template = std::string(t->as_string());
    }
    unk = token_name(o, "unk_token").value_or(unk);
    pad = token_name(o, "pad_token").value_or(pad);
    if (const json::value* b = o.if_contains("add_bos_token"); b && b->is_bool())
      p.data.add_bos = b->as_bool() || patched;  // llama.cpp forces BOS for gemma4
  }
  p.data.bos_id = find_text(p.data, bos);
  p.data.eos_id = find_text(p.data, eos);
  p.data.unk_id = find_text(p.data, unk);
  p.data.pad_id = find_text(p.data, pad);
  return {};
}

}  // namespace

std::span<const SpecialSlot> gemma4_special_slots() { return kGemma4Slots; }

Result<VocabData> import_hf_tokenizer(const HfTokenizerFiles& files) {
  std::string where = files.tokenizer_json.string();
  auto root = read_json(files.tokenizer_json);
  if (!root) return root.error();
  const json::object* o = root->if_object();
  const json::value* model = o ? o->if_contains("model") : nullptr;
  if (model == nullptr || !model->is_object())
    return make_error(Errc::format, where + ": no \"model\" object (not a tokenizer.json?)");
  const json::value* type = model->as_object().if_contains("type");
  if (type && (!type->is_string() || type->as_string() != "BPE"))
    return make_error(Errc::unsupported, where + ": model.type is not BPE");
  Parsed p;
  for (auto step : {read_vocab, read_merges})
    if (auto r = step(model->as_object(), where, p); !r) return r.error();
  if (auto r = read_added(*o, where, p); !r) return r.error();
  if (auto r = place_added(where, p); !r) return r.error();
  bool gemma3 = p.data.tokens.size() > 105 && p.data.tokens[105] == "<start_of_turn>";
  bool patched = files.patch == Gemma4Patch::always ||
                 (files.patch == Gemma4Patch::auto_detect && gemma3);
  if (patched) patch_gemma4(p);
  assign_types(p);
  if (auto r = apply_config(files.config_json, patched, p); !r) return r.error();
  return std::move(p.data);
}

}  // namespace coderx::cli
