#include "model/gguf.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <numeric>

namespace coderx::model {

namespace {

constexpr int kMaxArrayDepth = 8;
constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 62;

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Names a field for messages without building strings on the hot path.
struct Field {
  std::string_view prefix;  // "key", "tensor" or "" for header fields
  std::string_view name;    // the key/tensor name once known
  std::uint64_t index = 0;  // key/tensor number while the name is not known yet
  std::string_view what;    // "type", "array count", ...
  std::uint64_t elem = std::numeric_limits<std::uint64_t>::max();  // array element

  std::string str() const {
    std::string s;
    if (!prefix.empty()) {
      s = std::string(prefix) + " ";
      s += name.empty() ? std::to_string(index) : std::string(name);
      s += " ";
    }
    s += what;
    if (elem != std::numeric_limits<std::uint64_t>::max()) s += " " + std::to_string(elem);
    return s;
  }
};

}  // namespace

std::string format_shape(std::span<const std::int64_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

// "x.gguf: is a named pipe (FIFO), not a GGUF file" for anything but a regular file.
Error not_regular(const std::string& label, const struct stat& st) {
  const char* kind = S_ISDIR(st.st_mode)    ? "is a directory"
                     : S_ISFIFO(st.st_mode) ? "is a named pipe (FIFO)"
                     : S_ISCHR(st.st_mode)  ? "is a character device"
                     : S_ISBLK(st.st_mode)  ? "is a block device"
                     : S_ISSOCK(st.st_mode) ? "is a socket"
                                            : "is not a regular file";
  return make_error(Errc::io, label + ": " + kind + ", not a GGUF file");
}

}  // namespace

struct GgufFile::Mapping {
  int fd = -1;
  void* addr = nullptr;
  std::size_t size = 0;
  ~Mapping() {
    if (addr) munmap(addr, size);
    if (fd >= 0) ::close(fd);
  }
};

// Walks the bytes once, filling a GgufFile. Every read is bounds-checked; every count is
// bounded by the bytes left before anything is sized by it.
class GgufParser {
 public:
  explicit GgufParser(GgufFile& file) : f_(file), b_(file.bytes_) {}

  Result<void> parse() {
    if (auto r = header(); !r) return r;
    if (auto r = key_values(); !r) return r;
    if (auto r = alignment(); !r) return r;
    if (auto r = tensor_infos(); !r) return r;
    return layout();
  }

 private:
  std::size_t left() const { return b_.size() - pos_; }

  Error fail(Errc code, const std::string& message) const {
    return make_error(code, f_.label_ + ": " + message);
  }
  Error truncated(const Field& field, std::size_t need) const {
    return fail(Errc::format, "truncated file: " + field.str() + " at offset " +
                                  std::to_string(pos_) + " needs " + std::to_string(need) +
                                  " bytes, " + std::to_string(left()) + " left");
  }

  Result<const std::byte*> take(const Field& field, std::size_t n) {
    if (left() < n) return truncated(field, n);
    const std::byte* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  Result<std::uint32_t> u32(const Field& field) {
    auto p = take(field, 4);
    if (!p) return p.error();
    return load<std::uint32_t>(*p);
  }
  Result<std::uint64_t> u64(const Field& field) {
    auto p = take(field, 8);
    if (!p) return p.error();
    return load<std::uint64_t>(*p);
  }
  Result<std::string_view> str(const Field& field) {
    std::size_t at = pos_;
    Field len_field = field;
    std::string what = std::string(field.what) + " length";
    len_field.what = what;
    auto n = u64(len_field);
    if (!n) return n.error();
    if (*n > left())
      return fail(Errc::format, field.str() + ": string length " + std::to_string(*n) +
                                    " at offset " + std::to_string(at) + " exceeds the " +
                                    std::to_string(left()) + " bytes left in the file (truncated or corrupt file)");
    const char* p = reinterpret_cast<const char*>(b_.data() + pos_);
    pos_ += static_cast<std::size_t>(*n);
    return std::string_view(p, static_cast<std::size_t>(*n));
  }

  Result<void> header() {
    auto magic = u32({"", "", 0, "magic"});
    if (!magic) return magic.error();
    if (*magic != kGgufMagic) {
      char text[5] = {};
      std::memcpy(text, b_.data(), 4);
      for (char& c : text)
        if (c && (c < 32 || c > 126)) c = '?';
      return fail(Errc::format, "not a GGUF file: magic is \"" + std::string(text) +
                                    "\", expected \"GGUF\"");
    }
    auto version = u32({"", "", 0, "version"});
    if (!version) return version.error();
    if (*version != kGgufVersion)
      return fail(Errc::unsupported, "GGUF version " + std::to_string(*version) +
                                         " is not supported (only version 3)");
    f_.version_ = *version;
    auto n_tensors = u64({"", "", 0, "tensor count"});
    if (!n_tensors) return n_tensors.error();
    auto n_kv = u64({"", "", 0, "metadata count"});
    if (!n_kv) return n_kv.error();
    n_tensors_ = *n_tensors;
    n_kv_ = *n_kv;
    // Smallest KV: key length (8) + 1 byte key + type (4) + 1-byte value = 14 bytes.
    if (n_kv_ > left() / 14)
      return fail(Errc::format, "metadata count " + std::to_string(n_kv_) +
                                    " at offset 16 is more than the " + std::to_string(left()) +
                                    " bytes left can hold (truncated or corrupt file)");
    // Smallest tensor info: name (8+1) + n_dims (4) + ne[0] (8) + type (4) + offset (8).
    if (n_tensors_ > left() / 33)
      return fail(Errc::format, "tensor count " + std::to_string(n_tensors_) +
                                    " at offset 8 is more than the " + std::to_string(left()) +
                                    " bytes left can hold (truncated or corrupt file)");
    return {};
  }

  Result<void> key_values() {
    f_.kvs_.reserve(static_cast<std::size_t>(n_kv_));
    for (std::uint64_t k = 0; k < n_kv_; ++k) {
      auto key = str({"key", "", k, "name"});
      if (!key) return key.error();
      if (key->empty())
        return fail(Errc::format, "key " + std::to_string(k) + " has an empty name");
      Field type_field{"key", *key, k, "type"};
      std::size_t type_at = pos_;
      auto type = u32(type_field);
      if (!type) return type.error();
      if (!value_type_known(*type))
        return fail(Errc::format, "key " + std::string(*key) + ": unknown value type " +
                                      std::to_string(*type) + " at offset " +
                                      std::to_string(type_at));
      auto value = read_value(static_cast<ValueType>(*type), *key, 0);
      if (!value) return value.error();
      if (!f_.kv_index_.emplace(*key, f_.kvs_.size()).second)
        return fail(Errc::format, "key " + std::string(*key) + " appears twice");
      f_.kvs_.push_back({*key, std::move(*value)});
    }
    return {};
  }

  Result<Value> read_value(ValueType type, std::string_view key, int depth) {
    std::size_t start = pos_;
    Value v;
    v.type = type;
    if (type == ValueType::string) {
      auto s = str({"key", key, 0, "value"});
      if (!s) return s.error();
      v.str = *s;
    } else if (type == ValueType::array) {
      if (auto r = read_array(v, key, depth); !r) return r.error();
    } else {
      auto p = take({"key", key, 0, "value"}, scalar_size(type));
      if (!p) return p.error();
      decode_scalar(v, *p);
    }
    v.encoded = b_.subspan(start, pos_ - start);
    return v;
  }

  static void decode_scalar(Value& v, const std::byte* p) {
    switch (v.type) {
      case ValueType::u8: v.u = load<std::uint8_t>(p); break;
      case ValueType::i8: v.i = load<std::int8_t>(p); break;
      case ValueType::u16: v.u = load<std::uint16_t>(p); break;
      case ValueType::i16: v.i = load<std::int16_t>(p); break;
      case ValueType::u32: v.u = load<std::uint32_t>(p); break;
      case ValueType::i32: v.i = load<std::int32_t>(p); break;
      case ValueType::u64: v.u = load<std::uint64_t>(p); break;
      case ValueType::i64: v.i = load<std::int64_t>(p); break;
      case ValueType::f32: v.f = load<float>(p); break;
      case ValueType::f64: v.f = load<double>(p); break;
      case ValueType::boolean: v.u = load<std::uint8_t>(p) != 0; break;
      default: break;
    }
    if (v.type == ValueType::u8 || v.type == ValueType::u16 || v.type == ValueType::u32 ||
        v.type == ValueType::boolean)
      v.i = static_cast<std::int64_t>(v.u);
    if (v.type == ValueType::i8 || v.type == ValueType::i16 || v.type == ValueType::i32 ||
        v.type == ValueType::i64)
      v.u = static_cast<std::uint64_t>(v.i);
  }

  Result<void> read_array(Value& v, std::string_view key, int depth) {
    if (depth >= kMaxArrayDepth)
      return fail(Errc::format, "key " + std::string(key) + ": arrays nested deeper than " +
                                    std::to_string(kMaxArrayDepth) + " at offset " +
                                    std::to_string(pos_));
    std::size_t type_at = pos_;
    auto elem = u32({"key", key, 0, "array element type"});
    if (!elem) return elem.error();
    if (!value_type_known(*elem))
      return fail(Errc::format, "key " + std::string(key) + ": unknown array element type " +
                                    std::to_string(*elem) + " at offset " +
                                    std::to_string(type_at));
    v.elem_type = static_cast<ValueType>(*elem);
    std::size_t count_at = pos_;
    auto count = u64({"key", key, 0, "array count"});
    if (!count) return count.error();
    std::size_t min_size = scalar_size(v.elem_type);
    if (v.elem_type == ValueType::string) min_size = 8;
    if (v.elem_type == ValueType::array) min_size = 12;
    if (*count > left() / min_size)
      return fail(Errc::format, "key " + std::string(key) + ": array count " +
                                    std::to_string(*count) + " at offset " +
                                    std::to_string(count_at) + " is more than the " +
                                    std::to_string(left()) +
                                    " bytes left can hold (truncated or corrupt file)");
    v.count = *count;
    if (v.elem_type == ValueType::string) return read_string_elems(v, key);
    if (v.elem_type == ValueType::array) return read_array_elems(v, key, depth);
    std::size_t n = static_cast<std::size_t>(v.count) * min_size;
    v.raw_elems = b_.subspan(pos_, n);
    pos_ += n;
    return {};
  }

  Result<void> read_string_elems(Value& v, std::string_view key) {
    v.strings.reserve(static_cast<std::size_t>(v.count));
    for (std::uint64_t e = 0; e < v.count; ++e) {
      Field field{"key", key, 0, "element"};
      field.elem = e;
      auto s = str(field);
      if (!s) return s.error();
      v.strings.push_back(*s);
    }
    return {};
  }

  Result<void> read_array_elems(Value& v, std::string_view key, int depth) {
    v.arrays.reserve(static_cast<std::size_t>(v.count));
    for (std::uint64_t e = 0; e < v.count; ++e) {
      auto inner = read_value(ValueType::array, key, depth + 1);
      if (!inner) return inner.error();
      v.arrays.push_back(std::move(*inner));
    }
    return {};
  }

  Result<void> alignment() {
    const Value* a = f_.find("general.alignment");
    if (!a) return {};
    if (a->type != ValueType::u32)
      return fail(Errc::format, "key general.alignment: expected u32, file has " +
                                    describe_type(*a));
    if (a->u == 0 || (a->u & (a->u - 1)) != 0)
      return fail(Errc::format, "key general.alignment: " + std::to_string(a->u) +
                                    " is not a power of two");
    f_.alignment_ = static_cast<std::uint32_t>(a->u);
    return {};
  }

  Result<void> tensor_infos() {
    // Bounded in header(): n_tensors_ ≤ bytes left / 33.
    f_.tensors_.reserve(static_cast<std::size_t>(n_tensors_));
    for (std::uint64_t t = 0; t < n_tensors_; ++t) {
      auto info = tensor_info(t);
      if (!info) return info.error();
      if (!f_.tensor_index_.emplace(info->name, f_.tensors_.size()).second)
        return fail(Errc::format, "tensor " + std::string(info->name) + " appears twice");
      f_.tensors_.push_back(*info);
    }
    return {};
  }

  Result<TensorInfo> tensor_info(std::uint64_t t) {
    TensorInfo info;
    auto name = str({"tensor", "", t, "name"});
    if (!name) return name.error();
    if (name->empty())
      return fail(Errc::format, "tensor " + std::to_string(t) + " has an empty name");
    info.name = *name;
    std::size_t dims_at = pos_;
    auto n_dims = u32({"tensor", info.name, t, "n_dims"});
    if (!n_dims) return n_dims.error();
    if (*n_dims == 0 || *n_dims > kGgufMaxDims)
      return fail(Errc::format, "tensor " + std::string(info.name) + ": n_dims " +
                                    std::to_string(*n_dims) + " at offset " +
                                    std::to_string(dims_at) + " (must be 1 to 4)");
    info.n_dims = *n_dims;
    if (auto r = dims(info, t); !r) return r.error();
    std::size_t type_at = pos_;
    auto type = u32({"tensor", info.name, t, "type"});
    if (!type) return type.error();
    auto type_info = quant::type_info(*type);
    if (!type_info)
      return fail(Errc::unsupported, "tensor " + std::string(info.name) +
                                         ": unknown ggml type " + std::to_string(*type) +
                                         " at offset " + std::to_string(type_at));
    info.type = type_info->type;
    auto offset = u64({"tensor", info.name, t, "offset"});
    if (!offset) return offset.error();
    info.offset = *offset;
    if (auto r = size_of(info); !r) return r.error();
    return info;
  }

  Result<void> dims(TensorInfo& info, std::uint64_t t) {
    std::uint64_t total = 1;
    for (std::uint32_t d = 0; d < info.n_dims; ++d) {
      Field field{"tensor", info.name, t, "ne"};
      field.elem = d;
      auto ne = u64(field);
      if (!ne) return ne.error();
      if (*ne == 0 || *ne > kMaxDim || total > kMaxDim / *ne)
        return fail(Errc::format, "tensor " + std::string(info.name) + ": dimension " +
                                      std::to_string(d) + " is " + std::to_string(*ne) +
                                      (*ne == 0 ? " (zero-sized)" : " (too large)"));
      total *= *ne;
      info.ne[d] = static_cast<std::int64_t>(*ne);
    }
    return {};
  }

  Result<void> size_of(TensorInfo& info) {
    const quant::TypeInfo& ti = quant::info(info.type);
    if (!quant::row_fits(info.type, info.ne[0]))
      return fail(Errc::format, "tensor " + std::string(info.name) + ": row length " +
                                    std::to_string(info.ne[0]) + " is not a multiple of the " +
                                    std::string(ti.name) + " block size " +
                                    std::to_string(ti.block_elems));
    const std::uint64_t blocks = static_cast<std::uint64_t>(info.ne[0]) / static_cast<std::uint64_t>(ti.block_elems);
    if (blocks > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(ti.block_bytes))
      return fail(Errc::format, "tensor " + std::string(info.name) + ": a row of " + std::to_string(info.ne[0]) +
                                    " elements is too large");
    info.row_bytes = quant::row_bytes(info.type, info.ne[0]);
    std::uint64_t rows = static_cast<std::uint64_t>(info.n_rows());
    if (rows > std::numeric_limits<std::uint64_t>::max() / info.row_bytes)
      return fail(Errc::format, "tensor " + std::string(info.name) + " is too large");
    info.n_bytes = rows * info.row_bytes;
    return {};
  }

  Result<void> layout() {
    std::uint64_t a = f_.alignment_;
    std::uint64_t end_of_infos = pos_;
    f_.data_offset_ = f_.tensors_.empty() ? end_of_infos : (end_of_infos + a - 1) / a * a;
    std::uint64_t size = b_.size();
    for (TensorInfo& t : f_.tensors_) {
      if (auto r = place(t, size); !r) return r;
    }
    return check_overlaps();
  }

  Result<void> place(TensorInfo& t, std::uint64_t size) {
    std::string name(t.name);
    if (t.offset % f_.alignment_ != 0)
      return fail(Errc::format, "tensor " + name + ": offset " + std::to_string(t.offset) +
                                    " is not a multiple of the alignment " +
                                    std::to_string(f_.alignment_));
    std::uint64_t avail = size > f_.data_offset_ ? size - f_.data_offset_ : 0;
    if (t.offset > avail || t.n_bytes > avail - t.offset)
      return fail(Errc::format, "tensor " + name + ": data [" +
                                    std::to_string(f_.data_offset_ + t.offset) + ", " +
                                    std::to_string(f_.data_offset_ + t.offset + t.n_bytes) +
                                    ") runs past the end of the file (" + std::to_string(size) +
                                    " bytes)");
    t.data = b_.data() + f_.data_offset_ + t.offset;
    return {};
  }

  Result<void> check_overlaps() {
    std::vector<std::size_t> order(f_.tensors_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto& ts = f_.tensors_;
    std::sort(order.begin(), order.end(),
              [&](std::size_t x, std::size_t y) { return ts[x].offset < ts[y].offset; });
    for (std::size_t k = 1; k < order.size(); ++k) {
      const TensorInfo& prev = ts[order[k - 1]];
      const TensorInfo& cur = ts[order[k]];
      if (prev.offset + prev.n_bytes > cur.offset)
        return fail(Errc::format, "tensors " + std::string(prev.name) + " and " +
                                      std::string(cur.name) + " overlap: " +
                                      std::string(prev.name) + " covers data bytes [" +
                                      std::to_string(prev.offset) + ", " +
                                      std::to_string(prev.offset + prev.n_bytes) + "), " +
                                      std::string(cur.name) + " starts at " +
                                      std::to_string(cur.offset));
    }
    return {};
  }

  GgufFile& f_;
  std::span<const std::byte> b_;
  std::size_t pos_ = 0;
  std::uint64_t n_tensors_ = 0;
  std::uint64_t n_kv_ = 0;
};

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

Result<GgufFile> GgufFile::from_memory(std::span<const std::byte> bytes, std::string label) {
  GgufFile f;
  f.label_ = std::move(label);
  f.bytes_ = bytes;
  GgufParser parser(f);
  if (auto r = parser.parse(); !r) return r.error();
  return f;
}

Result<GgufFile> GgufFile::open(const std::filesystem::path& path) {
  GgufFile f;
  f.label_ = path.string();
  struct stat st {};
  // Checked before opening: a socket cannot be opened at all, and the kind is the better message.
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return not_regular(f.label_, st);
  auto m = std::make_unique<Mapping>();
  // O_NONBLOCK: should the path become a FIFO after the check, opening it must not wait for a
  // writer (it has no effect on a regular file).
  m->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (m->fd < 0)
    return make_error(Errc::io, f.label_ + ": cannot open: " + std::strerror(errno));
  if (fstat(m->fd, &st) != 0)
    return make_error(Errc::io, f.label_ + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return not_regular(f.label_, st);
  if (st.st_size == 0)
    return make_error(Errc::format, f.label_ + ": not a GGUF file: the file is empty (0 bytes)");
  m->size = static_cast<std::size_t>(st.st_size);
  if (m->size > 0) {
    void* addr = mmap(nullptr, m->size, PROT_READ, MAP_SHARED, m->fd, 0);
    if (addr == MAP_FAILED)
      return make_error(Errc::io, f.label_ + ": cannot map: " + std::strerror(errno));
    m->addr = addr;
    f.bytes_ = {static_cast<const std::byte*>(addr), m->size};
  }
  f.mapping_ = std::move(m);
  GgufParser parser(f);
  if (auto r = parser.parse(); !r) return r.error();
  return f;
}

const Value* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace coderx::model
