#include "model/gguf_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "model/gguf.h"

namespace coderx::model {

namespace {

template <class T>
void append(std::string& out, T v) {
  char b[sizeof v];
  std::memcpy(b, &v, sizeof v);
  out.append(b, sizeof v);
}

void append_string(std::string& out, std::string_view s) {
  append<std::uint64_t>(out, s.size());
  out.append(s);
}

std::string array_head(ValueType elem, std::size_t count) {
  std::string out;
  append(out, static_cast<std::uint32_t>(elem));
  append<std::uint64_t>(out, count);
  return out;
}

template <class T>
std::string scalar_bytes(T v) {
  std::string out;
  append(out, v);
  return out;
}

std::uint64_t round_up(std::uint64_t x, std::uint64_t a) { return (x + a - 1) / a * a; }

// No tensor (and no file) may exceed this; it keeps every size sum below overflow.
constexpr std::uint64_t kMaxTensorBytes = std::uint64_t{1} << 50;

Error too_large(const std::string& name, std::span<const std::int64_t> shape) {
  return make_error(Errc::invalid_argument, "tensor " + name + ": shape " + format_shape(shape) +
                                                " is too large (over 1 PiB)");
}

Error io_error(const std::string& label, const char* what) {
  return make_error(Errc::io, label + ": " + what + ": " + std::strerror(errno));
}

Result<void> write_bytes(std::FILE* f, const void* data, std::size_t n, const std::string& label) {
  if (n && std::fwrite(data, 1, n, f) != n) return io_error(label, "write failed");
  return {};
}

Result<void> write_zeros(std::FILE* f, std::uint64_t n, const std::string& label) {
  static const char zeros[256] = {};
  while (n) {
    std::size_t k = n < sizeof zeros ? static_cast<std::size_t>(n) : sizeof zeros;
    if (auto r = write_bytes(f, zeros, k, label); !r) return r;
    n -= k;
  }
  return {};
}

}  // namespace

Result<void> TensorSink::write(const void* data, std::size_t n) {
  if (n > remaining_)
    return make_error(Errc::invalid_argument,
                      "tensor " + std::string(name_) + ": fill wrote " + std::to_string(n) +
                          " bytes with only " + std::to_string(remaining_) + " left");
  if (n && std::fwrite(data, 1, n, file_) != n)
    return make_error(Errc::io, "tensor " + std::string(name_) + ": write failed: " +
                                    std::strerror(errno));
  remaining_ -= n;
  return {};
}

void GgufWriter::put(std::string_view key, ValueType type, std::string bytes) {
  auto it = index_.find(std::string(key));
  if (it != index_.end()) {
    entries_[it->second].type = type;
    entries_[it->second].bytes = std::move(bytes);
    return;
  }
  index_.emplace(std::string(key), entries_.size());
  entries_.push_back({std::string(key), type, std::move(bytes)});
}

void GgufWriter::set_u8(std::string_view key, std::uint8_t v) {
  put(key, ValueType::u8, scalar_bytes(v));
}
void GgufWriter::set_u32(std::string_view key, std::uint32_t v) {
  put(key, ValueType::u32, scalar_bytes(v));
}
void GgufWriter::set_i32(std::string_view key, std::int32_t v) {
  put(key, ValueType::i32, scalar_bytes(v));
}
void GgufWriter::set_u64(std::string_view key, std::uint64_t v) {
  put(key, ValueType::u64, scalar_bytes(v));
}
void GgufWriter::set_f32(std::string_view key, float v) {
  put(key, ValueType::f32, scalar_bytes(v));
}
void GgufWriter::set_bool(std::string_view key, bool v) {
  put(key, ValueType::boolean, scalar_bytes<std::uint8_t>(v ? 1 : 0));
}
void GgufWriter::set_string(std::string_view key, std::string_view v) {
  std::string out;
  append_string(out, v);
  put(key, ValueType::string, std::move(out));
}

void GgufWriter::set_i32_array(std::string_view key, std::span<const std::int32_t> v) {
  std::string out = array_head(ValueType::i32, v.size());
  for (std::int32_t x : v) append(out, x);
  put(key, ValueType::array, std::move(out));
}
void GgufWriter::set_f32_array(std::string_view key, std::span<const float> v) {
  std::string out = array_head(ValueType::f32, v.size());
  for (float x : v) append(out, x);
  put(key, ValueType::array, std::move(out));
}
void GgufWriter::set_bool_array(std::string_view key, std::span<const bool> v) {
  std::string out = array_head(ValueType::boolean, v.size());
  for (bool x : v) append<std::uint8_t>(out, x ? 1 : 0);
  put(key, ValueType::array, std::move(out));
}
void GgufWriter::set_string_array(std::string_view key, std::span<const std::string> v) {
  std::string out = array_head(ValueType::string, v.size());
  for (const std::string& s : v) append_string(out, s);
  put(key, ValueType::array, std::move(out));
}
void GgufWriter::set_string_array(std::string_view key, std::span<const std::string_view> v) {
  std::string out = array_head(ValueType::string, v.size());
  for (std::string_view s : v) append_string(out, s);
  put(key, ValueType::array, std::move(out));
}

void GgufWriter::set_value(std::string_view key, const Value& v) {
  set_encoded(key, v.type, v.encoded);
}

void GgufWriter::set_encoded(std::string_view key, ValueType type,
                             std::span<const std::byte> encoded) {
  put(key, type, std::string(reinterpret_cast<const char*>(encoded.data()), encoded.size()));
}

void GgufWriter::remove(std::string_view key) {
  auto it = index_.find(std::string(key));
  if (it == index_.end()) return;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (std::size_t k = 0; k < entries_.size(); ++k) index_.emplace(entries_[k].key, k);
}

std::uint32_t GgufWriter::alignment() const {
  auto it = index_.find("general.alignment");
  if (it == index_.end()) return kGgufDefaultAlignment;
  const Entry& e = entries_[it->second];
  std::uint32_t a = 0;
  if (e.type == ValueType::u32 && e.bytes.size() == 4) std::memcpy(&a, e.bytes.data(), 4);
  return a != 0 && (a & (a - 1)) == 0 ? a : kGgufDefaultAlignment;
}

Result<void> GgufWriter::add_tensor(std::string_view name, quant::Type type,
                                    std::span<const std::int64_t> shape, TensorFill fill) {
  std::string n(name);
  if (n.empty()) return make_error(Errc::invalid_argument, "tensor with an empty name");
  if (tensor_index_.count(n))
    return make_error(Errc::invalid_argument, "tensor " + n + " added twice");
  if (shape.empty() || shape.size() > kGgufMaxDims)
    return make_error(Errc::invalid_argument, "tensor " + n + ": 1 to 4 dimensions required");
  std::uint64_t rows = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] <= 0)
      return make_error(Errc::invalid_argument, "tensor " + n + ": shape " +
                                                    format_shape(shape) + " has a zero dim");
    if (d > 0 && rows > kMaxTensorBytes / static_cast<std::uint64_t>(shape[d]))
      return too_large(n, shape);
    if (d > 0) rows *= static_cast<std::uint64_t>(shape[d]);
  }
  if (!quant::row_fits(type, shape[0]))
    return make_error(Errc::invalid_argument,
                      "tensor " + n + ": row length " + std::to_string(shape[0]) +
                          " is not a multiple of the " +
                          std::string(quant::info(type).name) + " block size");
  const std::uint64_t row = quant::row_bytes(type, shape[0]);
  if (static_cast<std::uint64_t>(shape[0]) > kMaxTensorBytes || rows > kMaxTensorBytes / row)
    return too_large(n, shape);
  std::uint64_t bytes = rows * row;
  tensor_index_.emplace(n, tensors_.size());
  tensors_.push_back({n, type, {shape.begin(), shape.end()}, bytes, 0, std::move(fill)});
  return {};
}

Result<void> GgufWriter::add_tensor(std::string_view name, quant::Type type,
                                    std::span<const std::int64_t> shape,
                                    std::span<const std::byte> data) {
  auto fill = [data](TensorSink& sink) { return sink.write(data.data(), data.size()); };
  return add_tensor(name, type, shape, TensorFill(fill));
}

void GgufWriter::remove_tensor(std::string_view name) {
  auto it = tensor_index_.find(std::string(name));
  if (it == tensor_index_.end()) return;
  tensors_.erase(tensors_.begin() + static_cast<std::ptrdiff_t>(it->second));
  tensor_index_.clear();
  for (std::size_t k = 0; k < tensors_.size(); ++k) tensor_index_.emplace(tensors_[k].name, k);
}

std::string GgufWriter::encode_header() const {
  std::string out;
  append(out, kGgufMagic);
  append(out, kGgufVersion);
  append<std::uint64_t>(out, tensors_.size());
  append<std::uint64_t>(out, entries_.size());
  for (const Entry& e : entries_) {
    append_string(out, e.key);
    append(out, static_cast<std::uint32_t>(e.type));
    out += e.bytes;
  }
  std::uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    offset = round_up(offset, alignment());
    append_string(out, t.name);
    append<std::uint32_t>(out, static_cast<std::uint32_t>(t.shape.size()));
    for (std::int64_t ne : t.shape) append<std::uint64_t>(out, static_cast<std::uint64_t>(ne));
    append(out, static_cast<std::uint32_t>(t.type));
    append<std::uint64_t>(out, offset);
    offset += t.n_bytes;
  }
  return out;
}

Result<void> GgufWriter::write_to(std::FILE* f, const std::string& label) const {
  std::string header = encode_header();
  if (auto r = write_bytes(f, header.data(), header.size(), label); !r) return r;
  std::uint64_t pos = header.size();
  for (const Tensor& t : tensors_) {
    std::uint64_t start = round_up(pos, alignment());
    if (auto r = write_zeros(f, start - pos, label); !r) return r;
    TensorSink sink(f, t.name, t.n_bytes);
    if (auto r = t.fill(sink); !r) return r;
    if (sink.remaining() != 0)
      return make_error(Errc::invalid_argument,
                        "tensor " + t.name + ": fill wrote " +
                            std::to_string(t.n_bytes - sink.remaining()) + " of " +
                            std::to_string(t.n_bytes) + " bytes");
    pos = start + t.n_bytes;
  }
  return {};
}

std::uint64_t GgufWriter::file_bytes() const {
  std::uint64_t pos = encode_header().size();
  for (const Tensor& t : tensors_) pos = round_up(pos, alignment()) + t.n_bytes;
  return pos;
}

Result<void> GgufWriter::write(const std::filesystem::path& path) const {
  std::string label = path.string();
  std::error_code ec;
  const auto target = std::filesystem::status(path, ec);  // follows a link
  // The rename below would replace a directory's name or a device node such as /dev/null.
  if (std::filesystem::exists(target) && !std::filesystem::is_regular_file(target))
    return make_error(Errc::invalid_argument,
                      label + (std::filesystem::is_directory(target)
                                   ? ": is a directory"
                                   : ": exists and is not a regular file (a device or a pipe)") +
                          "; name a file to write");
  std::string tmp = label + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return io_error(label, "cannot create a temporary file");
  fchmod(fd, 0644);
  std::FILE* f = fdopen(fd, "wb");
  if (!f) {
    ::close(fd);
    std::remove(tmp.c_str());
    return io_error(label, "cannot open the temporary file");
  }
  std::unique_ptr<char[]> buffer(new char[1 << 20]);
  std::setvbuf(f, buffer.get(), _IOFBF, 1 << 20);
  Result<void> r = write_to(f, label);
  if (std::fflush(f) != 0 && r) r = io_error(label, "write failed");
  if (std::fclose(f) != 0 && r) r = io_error(label, "close failed");
  if (r && std::rename(tmp.c_str(), path.c_str()) != 0) r = io_error(label, "rename failed");
  if (!r) std::remove(tmp.c_str());
  return r;
}

}  // namespace coderx::model
