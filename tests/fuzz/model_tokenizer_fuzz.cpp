// libFuzzer target: the tokenizer on arbitrary bytes, with the tiny "gemma4" vocabulary read
// from the fixture GGUF (path from $CODERX_TINY_VOCAB, default the compiled-in
// CODERX_FUZZ_SHARED_DIR/fixtures/models/gemma4-tiny-vocab.gguf).
// Invariants: decode(encode(x)) == x for text without "▁" (U+2581) — with and without special
// parsing (rendering specials when parsed); every id is in the vocabulary; the streaming
// detokenizer's output concatenates to decode(); BOS first when asked.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "model/detokenizer.h"
#include "model/vocab_gguf.h"

#ifndef CODERX_FUZZ_SHARED_DIR
#define CODERX_FUZZ_SHARED_DIR "../shared"
#endif

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "model_tokenizer_fuzz: %s\n", what);
    std::abort();
  }
}

const coderx::model::Tokenizer& tokenizer() {
  static std::unique_ptr<coderx::model::Tokenizer> tok = [] {
    const char* env = std::getenv("CODERX_TINY_VOCAB");
    std::string path = env ? env : CODERX_FUZZ_SHARED_DIR "/fixtures/models/gemma4-tiny-vocab.gguf";
    auto t = coderx::model::load_tokenizer(path);
    if (!t) {
      std::fprintf(stderr, "model_tokenizer_fuzz: %s\n", t.error().message.c_str());
      std::abort();
    }
    return std::make_unique<coderx::model::Tokenizer>(std::move(*t));
  }();
  return *tok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& tok = tokenizer();
  std::string text(reinterpret_cast<const char*>(data), size);
  bool has_escape = text.find("\xE2\x96\x81") != std::string::npos;
  for (bool special : {false, true}) {
    auto ids = tok.encode(text, {.add_bos = true, .parse_special = special});
    check(!ids.empty() && ids[0] == tok.bos(), "BOS missing");
    for (auto id : ids) check(tok.vocab().valid(id), "id outside the vocabulary");
    std::vector<coderx::model::TokenId> body(ids.begin() + 1, ids.end());
    auto back = tok.decode(body, special);
    check(back.has_value(), "decode failed");
    if (!has_escape) check(*back == text, "decode(encode(x)) != x");
    coderx::model::StreamingDetokenizer stream(tok, special);
    std::string joined;
    for (auto id : body) joined += *stream.push(id);
    joined += stream.finish();
    check(joined == *back, "streaming detokenizer differs from decode");
  }
  return 0;
}
