// GGUF v3 reader (spec gemma4-moe.md §8.1): maps the file read-only, parses and validates the
// header, every metadata value and the tensor table, and gives typed access by name.
// Callers: model/config and model/weights (Gemma 4 views), the tokenizer (tokenizer.* keys),
// `coderx model info`, the GGUF writer (copying values verbatim).
//
// Lifetime: GgufFile owns the mapping (and keeps the file descriptor open) until destroyed;
// every string_view, span and data pointer it hands out stays valid that long, also across a
// move (the mapping does not move). Movable, not copyable. Const methods are thread-safe.
//
// Errors: open() validates everything structural and returns Errc::format / Errc::io /
// Errc::unsupported with the field and offset, e.g.
//   "model.gguf: truncated file: tensor 3 type at offset 22490 needs 4 bytes, 2 left".
// No allocation is sized by a count from the file before that count is bounded by the bytes
// that remain. Typed getters return Errc::not_found or Errc::format with the key named:
//   "key gemma4.block_count: expected u32, file has string".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/error.h"
#include "model/gguf_value.h"
#include "model/quant/types.h"

namespace coderx::model {

inline constexpr std::uint32_t kGgufMagic = 0x46554747;  // "GGUF" little-endian
inline constexpr std::uint32_t kGgufVersion = 3;
inline constexpr std::uint32_t kGgufDefaultAlignment = 32;
inline constexpr std::uint32_t kGgufMaxDims = 4;

struct KeyValue {
  std::string_view key;
  Value value;
};

struct TensorInfo {
  std::string_view name;
  quant::Type type = quant::Type::F32;
  std::uint32_t n_dims = 0;
  std::array<std::int64_t, kGgufMaxDims> ne{1, 1, 1, 1};  // ne[0] is contiguous; unused = 1
  std::uint64_t offset = 0;     // relative to the data section
  std::uint64_t n_bytes = 0;    // rows × row_bytes
  std::size_t row_bytes = 0;    // bytes of one row of ne[0] elements
  const std::byte* data = nullptr;  // into the mapping

  std::int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  std::int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  std::vector<std::int64_t> shape() const { return {ne.begin(), ne.begin() + n_dims}; }
};

// "[704,2816,98]"
std::string format_shape(std::span<const std::int64_t> shape);

class GgufFile {
 public:
  static Result<GgufFile> open(const std::filesystem::path& path);
  // Parses bytes owned by the caller (must outlive the GgufFile); `label` names it in messages.
  static Result<GgufFile> from_memory(std::span<const std::byte> bytes, std::string label);

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;
  ~GgufFile();

  const std::string& label() const { return label_; }  // the path or memory label
  std::uint32_t version() const { return version_; }
  std::uint32_t alignment() const { return alignment_; }
  std::uint64_t data_offset() const { return data_offset_; }  // start of the data section
  std::span<const std::byte> bytes() const { return bytes_; }

  std::span<const KeyValue> metadata() const { return kvs_; }
  const Value* find(std::string_view key) const;  // nullptr when absent
  std::span<const TensorInfo> tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;

  // Typed getters. Integer getters accept any integer type whose value fits the target;
  // float getters accept f32 and f64.
  Result<std::uint32_t> get_u32(std::string_view key) const;
  Result<std::int32_t> get_i32(std::string_view key) const;
  Result<std::uint64_t> get_u64(std::string_view key) const;
  Result<float> get_f32(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;
  Result<std::string_view> get_string(std::string_view key) const;
  Result<const Value*> get_array(std::string_view key, ValueType elem) const;  // elem checked
  Result<std::vector<std::int64_t>> get_int_array(std::string_view key) const;
  Result<std::vector<float>> get_f32_array(std::string_view key) const;
  Result<std::vector<bool>> get_bool_array(std::string_view key) const;
  Result<std::span<const std::string_view>> get_string_array(std::string_view key) const;

 private:
  friend class GgufParser;
  GgufFile() = default;
  Result<const Value*> require(std::string_view key) const;
  Error type_error(std::string_view key, std::string_view expected, const Value& v) const;

  std::string label_;
  struct Mapping;
  std::unique_ptr<Mapping> mapping_;  // null for from_memory
  std::span<const std::byte> bytes_;
  std::uint32_t version_ = 0;
  std::uint32_t alignment_ = kGgufDefaultAlignment;
  std::uint64_t data_offset_ = 0;
  std::vector<KeyValue> kvs_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, std::size_t> kv_index_;
  std::unordered_map<std::string_view, std::size_t> tensor_index_;
};

}  // namespace coderx::model
