// The tokenizer.* keys of a GGUF file (spec §3.1) ↔ VocabData.
//
// read_vocab: tokenizer.ggml.model must be "gemma4"; tokens and merges are required, token
// types optional (absent = all NORMAL, except "<0xXX>" texts = BYTE), scores optional; the
// special ids are optional; add_bos_token is forced true as llama.cpp does for gemma4 (old
// files say false). write_vocab writes the same keys as llama.cpp's converter
// (tokenizer.ggml.model/tokens/scores/token_type/merges, bos/eos/unknown/padding ids,
// add_bos_token, add_eos_token = false, add_space_prefix = false, chat_template when known).
//
// Who calls it: the model loader and CLI (--model), `coderx model import-tokenizer`, the
// test-model generator. Threading: pure functions. Errors: Errc::format / Errc::unsupported
// naming the key.
#pragma once

#include "model/error.h"
#include "model/gguf.h"
#include "model/gguf_writer.h"
#include "model/tokenizer.h"
#include "model/vocab.h"

namespace coderx::model {

Result<VocabData> read_vocab(const GgufFile& file);
void write_vocab(GgufWriter& writer, const VocabData& vocab);

// Opens `path` and builds its tokenizer (convenience for CLI and tests).
Result<Tokenizer> load_tokenizer(const std::filesystem::path& path);

}  // namespace coderx::model
