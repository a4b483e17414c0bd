#include "context/index_cache.h"

#include <cstring>
#include <fstream>

namespace coderx::context {

namespace {

constexpr char kMagic[8] = {'C', 'D', 'R', 'X', 'I', 'D', 'X', '\n'};

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  std::uint8_t u8() { std::uint8_t v = 0; raw(&v, 1); return v; }
  std::uint32_t u32() { std::uint32_t v = 0; raw(&v, 4); return v; }
  std::uint64_t u64() { std::uint64_t v = 0; raw(&v, 8); return v; }
  std::string str() {
    const std::uint32_t n = u32();
    if (!ok_ || n > in_.size() - pos_) { ok_ = false; return {}; }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of items each at least `min_bytes` long: rejected when the rest cannot hold them.
  std::uint32_t count(std::size_t min_bytes) {
    const std::uint32_t n = u32();
    if (!ok_ || static_cast<std::uint64_t>(n) * min_bytes > in_.size() - pos_) ok_ = false;
    return ok_ ? n : 0;
  }
  void raw(void* p, std::size_t n) {
    if (!ok_ || n > in_.size() - pos_) { ok_ = false; return; }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void write_file(Writer& w, const IndexedFile& f) {
  w.str(f.path);
  w.str(f.language ? f.language->id : "");
  w.u64(f.size);
  w.u64(static_cast<std::uint64_t>(f.mtime_ns));
  w.u64(f.hash);
  w.u32(static_cast<std::uint32_t>(f.symbols.size()));
  for (const Symbol& s : f.symbols) {
    w.str(s.name);
    w.u8(static_cast<std::uint8_t>(s.kind));
    w.u32(s.bytes.start); w.u32(s.bytes.end); w.u32(s.start_line); w.u32(s.end_line);
    w.str(s.signature);
    w.str(s.container);
  }
  w.u32(static_cast<std::uint32_t>(f.imports.size()));
  for (const ImportRef& i : f.imports) {
    w.str(i.path);
    w.u32(i.line);
    w.u8(i.system ? 1 : 0);
  }
}

bool read_file_entry(Reader& r, IndexedFile& f) {
  f.path = r.str();
  f.language = language_by_id(r.str());
  f.size = r.u64();
  f.mtime_ns = static_cast<std::int64_t>(r.u64());
  f.hash = r.u64();
  const std::uint32_t n_sym = r.count(4 + 1 + 16 + 8);
  f.symbols.resize(n_sym);
  for (Symbol& s : f.symbols) {
    s.name = r.str();
    const std::uint8_t kind = r.u8();
    if (kind > static_cast<std::uint8_t>(SymbolKind::other)) return false;
    s.kind = static_cast<SymbolKind>(kind);
    s.bytes.start = r.u32(); s.bytes.end = r.u32(); s.start_line = r.u32(); s.end_line = r.u32();
    s.signature = r.str();
    s.container = r.str();
  }
  const std::uint32_t n_imp = r.count(4 + 4 + 1);
  f.imports.resize(n_imp);
  for (ImportRef& i : f.imports) {
    i.path = r.str();
    i.line = r.u32();
    i.system = r.u8() != 0;
  }
  return r.ok() && f.language != nullptr;
}

}  // namespace

Result<void> write_index_cache(const std::filesystem::path& file, const std::vector<const IndexedFile*>& files) {
  Writer body;
  body.u64(files.size());
  for (const IndexedFile* f : files) write_file(body, *f);
  Writer head;
  head.raw(kMagic, 8);
  head.u32(kIndexCacheVersion);
  head.u64(content_hash(body.bytes()));
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(head.bytes().data(), static_cast<std::streamsize>(head.bytes().size()));
    out.write(body.bytes().data(), static_cast<std::streamsize>(body.bytes().size()));
    if (!out) return make_error(Errc::io, "cannot write index cache " + tmp.string());
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) return make_error(Errc::io, "cannot rename " + tmp.string() + ": " + ec.message());
  return {};
}

Result<std::map<std::string, IndexedFile>> read_index_cache(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(Errc::io, "no index cache at " + file.string());
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string where = "index cache " + file.string();
  if (data.size() < 20 || std::memcmp(data.data(), kMagic, 8) != 0)
    return make_error(Errc::format, where + ": not a coderx index cache");
  Reader head(std::string_view(data).substr(8, 12));
  const std::uint32_t version = head.u32();
  const std::uint64_t checksum = head.u64();
  if (version != kIndexCacheVersion)
    return make_error(Errc::format, where + ": format version " + std::to_string(version) +
                                        ", expected " + std::to_string(kIndexCacheVersion));
  const std::string_view body = std::string_view(data).substr(20);
  if (content_hash(body) != checksum) return make_error(Errc::format, where + ": checksum mismatch");
  Reader r(body);
  const std::uint64_t n = r.u64();
  if (n > body.size() / 32) return make_error(Errc::format, where + ": implausible entry count");
  std::map<std::string, IndexedFile> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    IndexedFile f;
    if (!read_file_entry(r, f)) return make_error(Errc::format, where + ": corrupt entry " + std::to_string(i));
    out.emplace(f.path, std::move(f));
  }
  if (!r.done()) return make_error(Errc::format, where + ": trailing bytes");
  return out;
}

}  // namespace coderx::context
