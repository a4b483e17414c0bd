// libFuzzer target: the GGUF reader, then Gemma 4 config and weight validation, on arbitrary
// bytes (GgufFile::from_memory, no temp file). Any input must give a value or an Error, never a
// crash, a sanitizer report or an allocation sized by an unchecked count.
// Seeds: tests/fuzz/corpus/model_gguf_fuzz/ (small generated models and metadata files).
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/config.h"
#include "model/gguf.h"
#include "model/weights.h"

using namespace coderx::model;

namespace {

// Reads every value the way consumers do, so lazy accessors are exercised too.
void touch_metadata(const GgufFile& f) {
  for (const KeyValue& kv : f.metadata()) {
    const Value& v = kv.value;
    if (v.type != ValueType::array) continue;
    if (v.elem_type != ValueType::string && v.elem_type != ValueType::array && v.count > 0) {
      (void)v.int_at(0);
      (void)v.float_at(v.count - 1);
    }
    (void)f.get_int_array(kv.key);
    (void)f.get_string_array(kv.key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto file = GgufFile::from_memory({reinterpret_cast<const std::byte*>(data), size}, "fuzz");
  if (!file) return 0;
  touch_metadata(*file);
  auto config = load_config(*file);
  if (!config) return 0;
  auto weights = load_weights(*file, *config);
  if (!weights) return 0;
  volatile std::uint64_t sink = weights->memory.active_bytes_per_token;
  (void)sink;
  return 0;
}
