// GGUF writer: llama.cpp's fixture files rewritten by our writer are byte-identical (same key
// order, tensor order, alignment padding and no trailing padding), files we write read back
// with identical values, streaming fills are checked, and a failed write leaves no file.
#include "model/gguf_writer.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "model/gguf.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Result<void> copy_into(const GgufFile& f, GgufWriter& w) {
  for (const KeyValue& kv : f.metadata()) w.set_value(kv.key, kv.value);
  for (const TensorInfo& t : f.tensors()) {
    auto shape = t.shape();
    if (auto r = w.add_tensor(t.name, t.type, shape, {t.data, t.n_bytes}); !r) return r;
  }
  return {};
}

TEST(GgufWriter, RewritingEachFixtureIsByteIdentical) {
  testing::TempDir dir;
  for (const char* name : {"gemma4-tiny-moe-F16.gguf", "gemma4-tiny-moe-Q8_0.gguf",
                           "gemma4-tiny-fb-Q4_K_M.gguf", "gemma4-tiny-vocab.gguf"}) {
    auto src = testing::fixture(std::string("models/") + name);
    auto f = GgufFile::open(src);
    ASSERT_TRUE(f) << f.error().message;
    GgufWriter w;
    ASSERT_TRUE(copy_into(*f, w));
    auto out = dir / name;
    auto r = w.write(out);
    ASSERT_TRUE(r) << r.error().message;
    std::string a = slurp(src), b = slurp(out);
    ASSERT_EQ(a.size(), b.size()) << name;
    EXPECT_TRUE(a == b) << name << " differs";
  }
}

TEST(GgufWriter, WrittenValuesReadBackIdentically) {
  GgufWriter w;
  w.set_u8("t.u8", 7);
  w.set_u32("t.u32", 123456);
  w.set_i32("t.i32", -42);
  w.set_u64("t.u64", 1ull << 50);
  w.set_f32("t.f32", 0.1f);
  w.set_bool("t.bool", true);
  w.set_string("t.str", "line\nwith ▁ unicode");
  std::vector<std::int32_t> ints{1, -2, 3};
  std::vector<float> floats{0.5f, -1e30f};
  bool bools[] = {true, false, true};
  std::vector<std::string> strings{"a", "", "<|turn>"};
  w.set_i32_array("t.ints", ints);
  w.set_f32_array("t.floats", floats);
  w.set_bool_array("t.bools", bools);
  w.set_string_array("t.strings", std::span<const std::string>(strings));
  w.set_u32("t.u32", 654321);  // replaces in place
  w.set_u32("general.alignment", 64);
  std::vector<float> a{1, 2, 3, 4, 5};
  std::vector<std::int64_t> shape_a{5};
  std::vector<std::int64_t> shape_b{32, 2};
  ASSERT_TRUE(w.add_tensor("a", quant::Type::F32, shape_a,
                           {reinterpret_cast<const std::byte*>(a.data()), 20}));
  ASSERT_TRUE(w.add_tensor("b", quant::Type::Q8_0, shape_b, [](TensorSink& s) -> Result<void> {
    std::vector<std::byte> block(34, std::byte{9});
    for (int i = 0; i < 2; ++i)
      if (auto r = s.write(block.data(), block.size()); !r) return r;
    return {};
  }));
  testing::TempDir dir;
  ASSERT_TRUE(w.write(dir / "t.gguf"));
  auto f = GgufFile::open(dir / "t.gguf");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->metadata().size(), 12u);
  EXPECT_EQ(f->metadata()[1].key, "t.u32");  // kept its first position
  EXPECT_EQ(f->get_u32("t.u32").value(), 654321u);
  EXPECT_EQ(f->get_u32("t.u8").value(), 7u);
  EXPECT_EQ(f->get_i32("t.i32").value(), -42);
  EXPECT_EQ(f->get_u64("t.u64").value(), 1ull << 50);
  EXPECT_EQ(f->get_f32("t.f32").value(), 0.1f);
  EXPECT_TRUE(f->get_bool("t.bool").value());
  EXPECT_EQ(f->get_string("t.str").value(), "line\nwith ▁ unicode");
  EXPECT_EQ(f->get_int_array("t.ints").value(), (std::vector<std::int64_t>{1, -2, 3}));
  EXPECT_EQ(f->get_f32_array("t.floats").value(), floats);
  EXPECT_EQ(f->get_bool_array("t.bools").value(), (std::vector<bool>{true, false, true}));
  auto s = f->get_string_array("t.strings").value();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[2], "<|turn>");
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->data_offset() % 64, 0u);
  const TensorInfo* ta = f->find_tensor("a");
  const TensorInfo* tb = f->find_tensor("b");
  EXPECT_EQ(std::memcmp(ta->data, a.data(), 20), 0);
  EXPECT_EQ(tb->offset, 64u);
  EXPECT_EQ(tb->n_bytes, 68u);
  EXPECT_EQ(tb->data[67], std::byte{9});
  EXPECT_EQ(f->bytes().size(), f->data_offset() + 64 + 68);  // no trailing padding
}

TEST(GgufWriter, FailedWriteLeavesNoFile) {
  testing::TempDir dir;
  auto target = dir / "out.gguf";
  {
    std::ofstream(target) << "old";
  }
  GgufWriter w;
  w.set_u32("k", 1);
  std::vector<std::int64_t> shape{8};
  ASSERT_TRUE(w.add_tensor("short", quant::Type::F32, shape, [](TensorSink& s) -> Result<void> {
    float x[4] = {};
    return s.write(x, sizeof x);  // 16 of 32 bytes
  }));
  auto r = w.write(target);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "tensor short: fill wrote 16 of 32 bytes");
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);

  GgufWriter too_much;
  ASSERT_TRUE(too_much.add_tensor("long", quant::Type::F32, shape, [](TensorSink& s) {
    float x[16] = {};
    return s.write(x, sizeof x);
  }));
  EXPECT_EQ(too_much.write(target).error().message,
            "tensor long: fill wrote 64 bytes with only 32 left");
  auto fail = [](TensorSink&) -> Result<void> { return make_error(Errc::cancelled, "stop"); };
  GgufWriter cancelled;
  ASSERT_TRUE(cancelled.add_tensor("c", quant::Type::F32, shape, fail));
  EXPECT_EQ(cancelled.write(target).error().message, "stop");
  EXPECT_EQ(slurp(target), "old");
  EXPECT_FALSE(GgufWriter().write(dir / "missing-dir" / "x.gguf"));
}

TEST(GgufWriter, RefusesBadTensors) {
  GgufWriter w;
  std::vector<std::int64_t> q4{48};
  EXPECT_FALSE(w.add_tensor("q", quant::Type::Q4_K, q4, std::span<const std::byte>()));
  std::vector<std::int64_t> zero{4, 0};
  EXPECT_FALSE(w.add_tensor("z", quant::Type::F32, zero, std::span<const std::byte>()));
  std::vector<std::int64_t> ok{4};
  EXPECT_TRUE(w.add_tensor("o", quant::Type::F32, ok, std::span<const std::byte>()));
  EXPECT_FALSE(w.add_tensor("o", quant::Type::F32, ok, std::span<const std::byte>()));
}

TEST(GgufWriter, RefusesTensorsOverOnePebibyte) {
  GgufWriter w;
  // 2^26 × 2^26 float32 = 2^54 bytes: over the limit, and the naive product of the dims of
  // the second would wrap a 64-bit byte count.
  std::vector<std::int64_t> big{std::int64_t{1} << 26, std::int64_t{1} << 26};
  std::vector<std::int64_t> wraps{std::int64_t{1} << 40, std::int64_t{1} << 40, 16};
  auto r = w.add_tensor("big", quant::Type::F32, big, std::span<const std::byte>());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "tensor big: shape [67108864,67108864] is too large (over 1 PiB)");
  EXPECT_FALSE(w.add_tensor("wraps", quant::Type::F32, wraps, std::span<const std::byte>()));
  EXPECT_EQ(w.tensor_count(), 0u);
  // 2^24 × 2^24 Q8_0 bytes (34 per 32 values) = 2^48 × 34/32: under the limit, accepted.
  std::vector<std::int64_t> ok{std::int64_t{1} << 24, std::int64_t{1} << 24};
  EXPECT_TRUE(w.add_tensor("ok", quant::Type::Q8_0, ok, std::span<const std::byte>()));
}

TEST(GgufWriter, FileBytesIsTheSizeWritten) {
  testing::TempDir dir;
  GgufWriter w;
  w.set_u32("k", 1);
  std::vector<std::byte> a(20, std::byte{1}), b(68, std::byte{2});
  std::vector<std::int64_t> sa{5}, sb{17};
  ASSERT_TRUE(w.add_tensor("a", quant::Type::F32, sa, a));
  ASSERT_TRUE(w.add_tensor("b", quant::Type::F32, sb, b));
  ASSERT_TRUE(w.write(dir / "x.gguf"));
  EXPECT_EQ(w.file_bytes(), std::filesystem::file_size(dir / "x.gguf"));
}

TEST(GgufWriter, RefusesATargetThatIsNotARegularFile) {
  testing::TempDir dir;
  GgufWriter w;
  w.set_u32("k", 1);
  std::filesystem::create_directory(dir / "folder.gguf");
  auto r = w.write(dir / "folder.gguf");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, (dir / "folder.gguf").string() + ": is a directory; name a file to write");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "folder.gguf"));
  const auto fifo = dir / "pipe.gguf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(w.write(fifo));
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));  // not replaced by a renamed file
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            2);  // no temporary file left behind
}

}  // namespace
}  // namespace coderx::model
