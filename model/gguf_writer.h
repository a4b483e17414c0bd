// Streaming GGUF v3 writer (spec gemma4-moe.md §8.1), the counterpart of model/gguf.h.
// Callers: `coderx model make-test` (model/test_model), tests building hand-made files, tools.
//
// Metadata and tensor infos are collected first (small); write() then emits the header, the
// tensor table, and each tensor's bytes one at a time, either from a caller buffer or from a
// fill callback that streams them, so a multi-gigabyte file never sits in memory. Layout is the
// one llama.cpp writes: tensor data in the order added, each offset rounded up to the alignment
// with zero padding, no padding after the last tensor (and none after the table when there are
// no tensors).
//
// write() writes to a temporary file next to the target and renames it on success: a failure
// (I/O error, a fill callback returning an error or the wrong byte count) leaves no partial
// file and the target untouched. Not thread-safe; one writer per file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/error.h"
#include "model/gguf_value.h"
#include "model/quant/types.h"

namespace coderx::model {

// Receives one tensor's bytes from a fill callback; refuses more than the tensor's size.
class TensorSink {
 public:
  Result<void> write(const void* data, std::size_t n);
  std::uint64_t remaining() const { return remaining_; }

 private:
  friend class GgufWriter;
  TensorSink(std::FILE* file, std::string_view name, std::uint64_t size)
      : file_(file), name_(name), remaining_(size) {}
  std::FILE* file_;
  std::string_view name_;
  std::uint64_t remaining_;
};

// Must write exactly the tensor's byte size into the sink.
using TensorFill = std::function<Result<void>(TensorSink&)>;

class GgufWriter {
 public:
  GgufWriter() = default;

  // Metadata, kept in insertion order; setting an existing key replaces its value in place.
  // "general.alignment" (u32, a power of two) sets the data alignment (default 32).
  void set_u8(std::string_view key, std::uint8_t v);
  void set_u32(std::string_view key, std::uint32_t v);
  void set_i32(std::string_view key, std::int32_t v);
  void set_u64(std::string_view key, std::uint64_t v);
  void set_f32(std::string_view key, float v);
  void set_bool(std::string_view key, bool v);
  void set_string(std::string_view key, std::string_view v);
  void set_i32_array(std::string_view key, std::span<const std::int32_t> v);
  void set_f32_array(std::string_view key, std::span<const float> v);
  void set_bool_array(std::string_view key, std::span<const bool> v);
  void set_string_array(std::string_view key, std::span<const std::string> v);
  void set_string_array(std::string_view key, std::span<const std::string_view> v);
  // Copies a value read by GgufFile byte for byte (any type, nested arrays included).
  void set_value(std::string_view key, const Value& v);
  // A value given as its type and encoded bytes (what follows the type id on disk).
  void set_encoded(std::string_view key, ValueType type, std::span<const std::byte> encoded);
  void remove(std::string_view key);
  bool has(std::string_view key) const { return index_.count(std::string(key)) != 0; }

  // Tensors, written in the order added. Checks the name is new, 1–4 dims all > 0, ne[0]
  // a whole number of blocks of `type`, and at most 1 PiB of data. `data` must stay valid
  // until write() returns.
  Result<void> add_tensor(std::string_view name, quant::Type type,
                          std::span<const std::int64_t> shape, TensorFill fill);
  Result<void> add_tensor(std::string_view name, quant::Type type,
                          std::span<const std::int64_t> shape, std::span<const std::byte> data);
  void remove_tensor(std::string_view name);  // no-op when absent
  std::size_t tensor_count() const { return tensors_.size(); }

  // Bytes write() will produce: header, tensor table, padded tensor data.
  std::uint64_t file_bytes() const;
  // Refuses a target that exists and is not a regular file (a directory, /dev/null, a FIFO):
  // renaming over it would replace it.
  Result<void> write(const std::filesystem::path& path) const;

 private:
  struct Entry {
    std::string key;
    ValueType type;
    std::string bytes;  // encoded value
  };
  struct Tensor {
    std::string name;
    quant::Type type;
    std::vector<std::int64_t> shape;
    std::uint64_t n_bytes;
    std::uint64_t offset;
    TensorFill fill;
  };

  void put(std::string_view key, ValueType type, std::string bytes);
  std::uint32_t alignment() const;
  Result<void> write_to(std::FILE* file, const std::string& label) const;
  std::string encode_header() const;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<Tensor> tensors_;
  std::unordered_map<std::string, std::size_t> tensor_index_;
};

}  // namespace coderx::model
