// GGUF reader against the llama.cpp-written fixtures (values from the fixtures README and the
// spec's §3 key list) and against small files built byte by byte here.
#include "model/gguf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/support/paths.h"

namespace coderx::model {
namespace {

using testing::fixture;

GgufFile open_fixture(const std::string& name) {
  auto f = GgufFile::open(fixture("models/" + name));
  EXPECT_TRUE(f) << (f ? "" : f.error().message);
  return std::move(f.value());
}

TEST(Gguf, OpensEveryFixture) {
  for (const char* name : {"gemma4-tiny-moe-F16.gguf", "gemma4-tiny-moe-Q8_0.gguf",
                           "gemma4-tiny-fb-Q4_K_M.gguf"}) {
    GgufFile f = open_fixture(name);
    EXPECT_EQ(f.version(), 3u);
    EXPECT_EQ(f.alignment(), 32u);
    // 6 layers: 5 sliding × 22 + 1 full × 21 + 3 globals (spec §3.2 count rule).
    EXPECT_EQ(f.tensors().size(), 5u * 22 + 21 + 3) << name;
    EXPECT_EQ(f.data_offset() % 32, 0u);
  }
  GgufFile vocab = open_fixture("gemma4-tiny-vocab.gguf");
  EXPECT_TRUE(vocab.tensors().empty());
  EXPECT_EQ(vocab.data_offset(), vocab.bytes().size());
}

TEST(Gguf, ReadsEveryMetadataTypeOfTheFixture) {
  GgufFile f = open_fixture("gemma4-tiny-moe-F16.gguf");
  EXPECT_EQ(f.get_string("general.architecture").value(), "gemma4");
  EXPECT_EQ(f.get_u32("gemma4.block_count").value(), 6u);
  EXPECT_EQ(f.get_u32("gemma4.embedding_length").value(), 256u);
  EXPECT_FLOAT_EQ(f.get_f32("gemma4.rope.freq_base").value(), 1e6f);
  EXPECT_FLOAT_EQ(f.get_f32("gemma4.final_logit_softcapping").value(), 30.0f);
  EXPECT_TRUE(f.get_bool("tokenizer.ggml.add_bos_token").value());
  EXPECT_EQ(f.get_int_array("gemma4.attention.head_count_kv").value(),
            (std::vector<std::int64_t>{2, 2, 2, 2, 2, 1}));
  EXPECT_EQ(f.get_bool_array("gemma4.attention.sliding_window_pattern").value(),
            (std::vector<bool>{true, true, true, true, true, false}));
  auto tokens = f.get_string_array("tokenizer.ggml.tokens").value();
  ASSERT_EQ(tokens.size(), 512u);  // README: vocab 512, ids 5 <|turn>, 6 <turn|>, 7 "\n"
  EXPECT_EQ(tokens[5], "<|turn>");
  EXPECT_EQ(tokens[6], "<turn|>");
  EXPECT_EQ(tokens[7], "\n");
  EXPECT_EQ(tokens[8], "<0x00>");
  EXPECT_EQ(tokens[263], "<0xFF>");
  EXPECT_EQ(f.get_f32_array("tokenizer.ggml.scores").value().size(), 512u);
}

TEST(Gguf, TypedGettersSayWhatIsWrong) {
  GgufFile f = open_fixture("gemma4-tiny-moe-F16.gguf");
  EXPECT_EQ(f.get_u32("general.name").error().message,
            "key general.name: expected u32, file has string");
  EXPECT_EQ(f.get_string("gemma4.block_count").error().message,
            "key gemma4.block_count: expected string, file has u32");
  EXPECT_EQ(f.get_f32_array("gemma4.attention.head_count_kv").error().message,
            "key gemma4.attention.head_count_kv: expected array of f32, file has array[i32,6]");
  auto missing = f.get_u32("gemma4.nope");
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(missing.error().message, "key gemma4.nope: missing");
}

TEST(Gguf, TensorTableOfTheFixture) {
  GgufFile f = open_fixture("gemma4-tiny-moe-F16.gguf");
  const TensorInfo* embd = f.find_tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->type, quant::Type::F16);
  EXPECT_EQ(embd->shape(), (std::vector<std::int64_t>{256, 512}));
  EXPECT_EQ(embd->n_bytes, 256u * 512 * 2);
  const TensorInfo* exps = f.find_tensor("blk.0.ffn_gate_up_exps.weight");
  ASSERT_NE(exps, nullptr);
  EXPECT_EQ(exps->shape(), (std::vector<std::int64_t>{256, 512, 8}));
  EXPECT_EQ(f.find_tensor("blk.5.attn_v.weight"), nullptr);  // K = V on the full layer
  const TensorInfo* freqs = f.find_tensor("rope_freqs.weight");
  ASSERT_NE(freqs, nullptr);
  float first, last;
  std::memcpy(&first, freqs->data, 4);
  std::memcpy(&last, freqs->data + 63 * 4, 4);
  EXPECT_EQ(first, 1.0f);
  EXPECT_EQ(last, 1e30f);
  // Data pointers lie inside the mapping and in offset order.
  for (const TensorInfo& t : f.tensors()) {
    EXPECT_GE(t.data, f.bytes().data() + f.data_offset());
    EXPECT_LE(t.data + t.n_bytes, f.bytes().data() + f.bytes().size());
  }
}

TEST(Gguf, Q4KMFixtureHasMixedTypes) {
  GgufFile f = open_fixture("gemma4-tiny-fb-Q4_K_M.gguf");
  auto type = [&](const char* n) { return f.find_tensor(n)->type; };
  EXPECT_EQ(type("token_embd.weight"), quant::Type::Q6_K);
  EXPECT_EQ(type("blk.0.attn_q.weight"), quant::Type::Q4_K);
  EXPECT_EQ(type("blk.0.ffn_down.weight"), quant::Type::Q5_0);      // Q4_K fallback (384)
  EXPECT_EQ(type("blk.5.ffn_down_exps.weight"), quant::Type::Q8_0);  // Q6_K fallback (192)
  EXPECT_EQ(type("blk.0.ffn_gate_inp.weight"), quant::Type::F32);
}

TEST(Gguf, MovedFileKeepsViewsValid) {
  GgufFile f = open_fixture("gemma4-tiny-moe-F16.gguf");
  std::string_view arch = f.get_string("general.architecture").value();
  const std::byte* data = f.find_tensor("output_norm.weight")->data;
  GgufFile g = std::move(f);
  EXPECT_EQ(arch, "gemma4");
  EXPECT_EQ(g.find_tensor("output_norm.weight")->data, data);
  EXPECT_EQ(g.get_string("general.architecture").value(), "gemma4");
}

TEST(Gguf, MissingFileIsAnIoError) {
  testing::TempDir dir;
  auto f = GgufFile::open(dir / "nope.gguf");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::io);
  EXPECT_NE(f.error().message.find("nope.gguf: cannot open"), std::string::npos);
}

// --- hand-built byte streams -------------------------------------------------------------

struct Bytes {
  std::string s;
  template <class T>
  Bytes& put(T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
    return *this;
  }
  Bytes& str(std::string_view v) {
    put<std::uint64_t>(v.size());
    s.append(v);
    return *this;
  }
  std::span<const std::byte> span() const {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
  }
};

Bytes header(std::uint64_t n_tensors, std::uint64_t n_kv) {
  Bytes b;
  b.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put(n_tensors).put(n_kv);
  return b;
}

std::string parse_error(const Bytes& b) {
  auto f = GgufFile::from_memory(b.span(), "t.gguf");
  return f ? std::string("(parsed)") : f.error().message;
}

TEST(Gguf, EveryScalarTypeAndNestedArrays) {
  Bytes b = header(0, 13);
  b.str("a.u8").put<std::uint32_t>(0).put<std::uint8_t>(200);
  b.str("a.i8").put<std::uint32_t>(1).put<std::int8_t>(-5);
  b.str("a.u16").put<std::uint32_t>(2).put<std::uint16_t>(60000);
  b.str("a.i16").put<std::uint32_t>(3).put<std::int16_t>(-30000);
  b.str("a.u32").put<std::uint32_t>(4).put<std::uint32_t>(4000000000u);
  b.str("a.i32").put<std::uint32_t>(5).put<std::int32_t>(-7);
  b.str("a.f32").put<std::uint32_t>(6).put<float>(2.5f);
  b.str("a.bool").put<std::uint32_t>(7).put<std::uint8_t>(1);
  b.str("a.str").put<std::uint32_t>(8).str("héllo");
  b.str("a.u64").put<std::uint32_t>(10).put<std::uint64_t>(1ull << 40);
  b.str("a.i64").put<std::uint32_t>(11).put<std::int64_t>(-(1ll << 40));
  b.str("a.f64").put<std::uint32_t>(12).put<double>(0.125);
  // [[1,2],[3]] as an array of u16 arrays.
  b.str("a.nested").put<std::uint32_t>(9).put<std::uint32_t>(9).put<std::uint64_t>(2);
  b.put<std::uint32_t>(2).put<std::uint64_t>(2).put<std::uint16_t>(1).put<std::uint16_t>(2);
  b.put<std::uint32_t>(2).put<std::uint64_t>(1).put<std::uint16_t>(3);
  auto f = GgufFile::from_memory(b.span(), "t.gguf");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->get_u32("a.u8").value(), 200u);
  EXPECT_EQ(f->get_i32("a.i8").value(), -5);
  EXPECT_EQ(f->get_u32("a.u16").value(), 60000u);
  EXPECT_EQ(f->get_i32("a.i16").value(), -30000);
  EXPECT_EQ(f->get_u32("a.u32").value(), 4000000000u);
  EXPECT_FALSE(f->get_i32("a.u32"));  // does not fit
  EXPECT_FALSE(f->get_u32("a.i32"));  // negative
  EXPECT_EQ(f->get_f32("a.f32").value(), 2.5f);
  EXPECT_TRUE(f->get_bool("a.bool").value());
  EXPECT_EQ(f->get_string("a.str").value(), "héllo");
  EXPECT_EQ(f->get_u64("a.u64").value(), 1ull << 40);
  EXPECT_EQ(f->find("a.i64")->i, -(1ll << 40));
  EXPECT_EQ(f->get_f32("a.f64").value(), 0.125f);
  const Value* nested = f->find("a.nested");
  ASSERT_NE(nested, nullptr);
  ASSERT_EQ(nested->arrays.size(), 2u);
  EXPECT_EQ(nested->arrays[0].count, 2u);
  EXPECT_EQ(nested->arrays[0].int_at(1), 2);
  EXPECT_EQ(nested->arrays[1].int_at(0), 3);
  EXPECT_EQ(describe_type(*nested), "array[array,2]");
}

TEST(Gguf, HeaderErrors) {
  Bytes bad_magic;
  bad_magic.put<std::uint32_t>(0x4C4C5547).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(0);
  EXPECT_EQ(parse_error(bad_magic), "t.gguf: not a GGUF file: magic is \"GULL\", expected \"GGUF\"");
  Bytes v2;
  v2.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(2).put<std::uint64_t>(0).put<std::uint64_t>(0);
  EXPECT_EQ(parse_error(v2), "t.gguf: GGUF version 2 is not supported (only version 3)");
  Bytes short_file;
  short_file.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint32_t>(0);
  EXPECT_EQ(parse_error(short_file),
            "t.gguf: truncated file: tensor count at offset 8 needs 8 bytes, 4 left");
  EXPECT_EQ(parse_error(header(0, 1ull << 63)),
            "t.gguf: metadata count 9223372036854775808 at offset 16 is more than the 0 bytes "
            "left can hold (truncated or corrupt file)");
}

TEST(Gguf, ValueErrors) {
  Bytes huge = header(0, 1);
  huge.str("k").put<std::uint32_t>(8).put<std::uint64_t>(1ull << 63);
  EXPECT_EQ(parse_error(huge),
            "t.gguf: key k value: string length 9223372036854775808 at offset 37 exceeds the 0 "
            "bytes left in the file (truncated or corrupt file)");
  Bytes count = header(0, 1);
  count.str("k").put<std::uint32_t>(9).put<std::uint32_t>(4).put<std::uint64_t>(1ull << 62);
  EXPECT_EQ(parse_error(count),
            "t.gguf: key k: array count 4611686018427387904 at offset 41 is more than the 0 "
            "bytes left can hold (truncated or corrupt file)");
  Bytes type = header(0, 1);
  type.str("k").put<std::uint32_t>(13).put<std::uint32_t>(0);
  EXPECT_EQ(parse_error(type), "t.gguf: key k: unknown value type 13 at offset 33");
  Bytes dup = header(0, 2);
  dup.str("k").put<std::uint32_t>(4).put<std::uint32_t>(1);
  dup.str("k").put<std::uint32_t>(4).put<std::uint32_t>(2);
  EXPECT_EQ(parse_error(dup), "t.gguf: key k appears twice");
  Bytes align = header(0, 1);
  align.str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(24);
  EXPECT_EQ(parse_error(align), "t.gguf: key general.alignment: 24 is not a power of two");
  Bytes deep = header(0, 1);
  deep.str("k").put<std::uint32_t>(9);
  for (int i = 0; i < 20; ++i) deep.put<std::uint32_t>(9).put<std::uint64_t>(1);
  EXPECT_NE(parse_error(deep).find("arrays nested deeper than 8"), std::string::npos);
}

// One F32 tensor table entry.
void tensor(Bytes& b, std::string_view name, std::vector<std::uint64_t> ne, std::uint32_t type,
            std::uint64_t offset) {
  b.str(name).put<std::uint32_t>(static_cast<std::uint32_t>(ne.size()));
  for (std::uint64_t n : ne) b.put(n);
  b.put(type).put(offset);
}

void pad_to_data(Bytes& b, std::size_t data_bytes) {
  b.s.resize((b.s.size() + 31) / 32 * 32 + data_bytes, '\0');
}

TEST(Gguf, TensorErrors) {
  auto one = [](std::vector<std::uint64_t> ne, std::uint32_t type, std::uint64_t offset,
                std::size_t data) {
    Bytes b = header(1, 0);
    tensor(b, "w", std::move(ne), type, offset);
    pad_to_data(b, data);
    return parse_error(b);
  };
  EXPECT_EQ(one({4}, 0, 0, 16), "(parsed)");
  EXPECT_EQ(one({4}, 0, 0, 12), "t.gguf: tensor w: data [64, 80) runs past the end of the file (76 bytes)");
  EXPECT_EQ(one({4}, 0, 8, 64), "t.gguf: tensor w: offset 8 is not a multiple of the alignment 32");
  EXPECT_EQ(one({4}, 77, 0, 64), "t.gguf: tensor w: unknown ggml type 77 at offset 45");
  EXPECT_EQ(one({48}, 12, 0, 4096),
            "t.gguf: tensor w: row length 48 is not a multiple of the Q4_K block size 256");
  EXPECT_EQ(one({4, 0}, 0, 0, 64), "t.gguf: tensor w: dimension 1 is 0 (zero-sized)");
  EXPECT_EQ(one({1ull << 40, 1ull << 40}, 0, 0, 64),
            "t.gguf: tensor w: dimension 1 is 1099511627776 (too large)");
  // 2^62 f32 elements are 2^64 bytes: the row size wraps to 0 unless checked (found by fuzzing).
  EXPECT_EQ(one({1ull << 62}, 0, 0, 64), "t.gguf: tensor w: a row of 4611686018427387904 elements is too large");
  EXPECT_EQ(one({(1ull << 62) - 32}, 8, 0, 64),  // (2^57 − 1) Q8_0 blocks of 34 bytes
            "t.gguf: tensor w: data [64, 4899916394579099678) runs past the end of the file (128 bytes)");
  Bytes five = header(1, 0);
  tensor(five, "w", {1, 1, 1, 1, 1}, 0, 0);
  EXPECT_EQ(parse_error(five), "t.gguf: tensor w: n_dims 5 at offset 33 (must be 1 to 4)");

  Bytes overlap = header(2, 0);
  tensor(overlap, "a", {16}, 0, 0);
  tensor(overlap, "b", {16}, 0, 32);
  pad_to_data(overlap, 128);
  EXPECT_EQ(parse_error(overlap),
            "t.gguf: tensors a and b overlap: a covers data bytes [0, 64), b starts at 32");
  Bytes dup = header(2, 0);
  tensor(dup, "a", {4}, 0, 0);
  tensor(dup, "a", {4}, 0, 32);
  pad_to_data(dup, 64);
  EXPECT_EQ(parse_error(dup), "t.gguf: tensor a appears twice");
}

TEST(Gguf, HonoursGeneralAlignment) {
  Bytes b = header(2, 1);
  b.str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(64);
  tensor(b, "a", {4}, 0, 0);
  tensor(b, "b", {4}, 0, 64);
  std::size_t end = b.s.size();
  b.s.resize((end + 63) / 64 * 64 + 80, '\0');
  auto f = GgufFile::from_memory(b.span(), "t.gguf");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->data_offset(), (end + 63) / 64 * 64);
  EXPECT_EQ(f->find_tensor("b")->data, f->bytes().data() + f->data_offset() + 64);
}

}  // namespace
}  // namespace coderx::model
