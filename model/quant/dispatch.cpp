// rows.h entry points: picks the kernel table of the SIMD level in use and forwards to it.
// Tables are built once (thread-safe static initialisation); the level in use is an atomic
// chosen at first use from the CPU and CODERX_SIMD, and may be changed by set_simd_level().
#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "model/quant/kernel_table.h"
#include "model/quant/repack.h"
#include "model/quant/rows.h"

namespace coderx::model::quant {
namespace {

KernelTable make_ref_table() {
  KernelTable t;
  add_dequant_ref_float(t);
  add_dequant_ref_legacy(t);
  add_dequant_ref_kquants(t);
  add_dequant_ref_iq4_xs(t);
  add_dequant_ref_fp4(t);
  add_dot_ref_float(t);
  add_dot_ref_legacy(t);
  add_dot_ref_kquants(t);
  add_dot_ref_fp4(t);
  add_activation_quantizers(t);
  add_quantizers_legacy(t);
  add_quantizers_kquants(t);
  add_quantizers_fp4(t);
  return t;
}

SimdLevel detect_cpu() {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl");
  if (avx2 && avx512) return SimdLevel::Avx512;
  return avx2 ? SimdLevel::Avx2 : SimdLevel::Scalar;
}

struct Tables {
  KernelTable ref = make_ref_table();
  KernelTable avx2;
  KernelTable avx512;
  SimdLevel cpu = detect_cpu();
  Tables() {
    avx2 = ref;
    if (cpu >= SimdLevel::Avx2) {
      add_avx2_dot(avx2);
      add_avx2_dequant(avx2);
      add_avx2_activation_quantizers(avx2);
    }
    avx512 = avx2;
    if (cpu >= SimdLevel::Avx512 && __builtin_cpu_supports("avx512vnni")) add_avx512_dot(avx512);
  }
  const KernelTable& at(SimdLevel level) const {
    return level == SimdLevel::Avx512 ? avx512 : level == SimdLevel::Avx2 ? avx2 : ref;
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

SimdLevel initial_level() {
  SimdLevel level = tables().cpu;
  if (const char* env = std::getenv("CODERX_SIMD")) {
    const std::string v = env;
    if (v == "scalar")
      level = SimdLevel::Scalar;
    else if (v == "avx2")
      level = std::min(level, SimdLevel::Avx2);
    else if (v != "avx512")
      spdlog::warn("CODERX_SIMD={} is not scalar, avx2 or avx512; ignored", v);
  }
  return level;
}

std::atomic<int>& level_slot() {
  static std::atomic<int> level{static_cast<int>(initial_level())};
  return level;
}

const KernelTable& active() {
  return tables().at(static_cast<SimdLevel>(level_slot().load(std::memory_order_relaxed)));
}

const std::uint8_t* bytes(const void* p) {
  return static_cast<const std::uint8_t*>(p);
}

// The table entry for `type`; every Type enumerator has a decoder and a dot product.
template <class Fn>
Fn entry(const Fn (&fns)[kTypeSlots], Type type) {
  const int s = slot(type);
  assert(s >= 0 && s < kTypeSlots && fns[s] && "quant: unknown Type");
  return fns[s];
}

}  // namespace

void dequantize_row_ref(Type type, const void* src, float* dst, std::int64_t n) {
  entry(tables().ref.dequant, type)(bytes(src), dst, n);
}

void dequantize_row(Type type, const void* src, float* dst, std::int64_t n) {
  entry(active().dequant, type)(bytes(src), dst, n);
}

std::size_t activation_bytes(Type weight_type, std::int64_t n) {
  return row_bytes(info(weight_type).activation_type, n);
}

void quantize_activation(Type weight_type, const float* x, void* dst, std::int64_t n) {
  const QuantFn quantize = entry(active().quantize, info(weight_type).activation_type);
  quantize(x, static_cast<std::uint8_t*>(dst), n);
}

float dot_row(Type weight_type, const void* weight_row, const void* activation, std::int64_t n) {
  return entry(active().dot, weight_type)(bytes(weight_row), bytes(activation), n);
}

float dot_row_ref(Type weight_type, const void* weight_row, const void* activation,
                  std::int64_t n) {
  return entry(tables().ref.dot, weight_type)(bytes(weight_row), bytes(activation), n);
}

namespace {

// The rows of whole groups of a repacked matrix (Q4_K_R8 …) back in the plain type's rows, in
// this thread's buffer (valid until the next call on this thread).
const std::uint8_t* unpacked_rows(Type repacked, const std::uint8_t* w, std::size_t stride,
                                  std::int64_t n_rows, std::int64_t n) {
  thread_local std::vector<std::uint8_t> rows;
  rows.resize(static_cast<std::size_t>(n_rows) * stride);
  for (std::int64_t g = 0; g < n_rows; g += kRepackRows)
    unpack_group(repacked, w + g * stride, n, rows.data() + g * stride, stride);
  return rows.data();
}

// dot_rows of a repacked type: a group at a time (dot8), or unpacked and row by row where the
// level has no dot8.
void dot_rows_repacked(const KernelTable& t, Type type, const std::uint8_t* w, std::size_t stride,
                       std::int64_t n_rows, const std::uint8_t* a, std::int64_t n, float* out) {
  assert(n_rows % kRepackRows == 0 && "repacked rows: whole groups only");
  constexpr std::int64_t R = kRepackRows;
  if (const Dot8Fn dot8 = t.dot8[slot(type)]) {
    for (std::int64_t g = 0; g + R <= n_rows; g += R) dot8(w + g * stride, a, n, out + g);
    return;
  }
  const std::uint8_t* rows = unpacked_rows(type, w, stride, n_rows, n);
  const DotFn dot = entry(t.dot, *plain_type(type));
  for (std::int64_t r = 0; r < n_rows; ++r) out[r] = dot(rows + r * stride, a, n);
}

// dot_rows_cols of a repacked type for a few activations (decode streams): dot8_cols on each
// group, kDotCols activations at a time, the last ones padded with the last activation.
void dot_rows_cols_repacked(Dot8ColsFn dot8_cols, const std::uint8_t* w, std::size_t stride,
                            std::int64_t n_rows, const void* const* acts, std::int64_t n_act,
                            std::int64_t n, float* out, std::int64_t out_stride) {
  constexpr std::int64_t R = kRepackRows;
  for (std::int64_t c = 0; c < n_act; c += kDotCols) {
    const std::uint8_t* group[kDotCols];
    for (int i = 0; i < kDotCols; ++i) group[i] = bytes(acts[std::min(c + i, n_act - 1)]);
    const std::int64_t real = std::min<std::int64_t>(kDotCols, n_act - c);
    for (std::int64_t r0 = 0; r0 + R <= n_rows; r0 += R) {
      float sums[kDotCols * R];
      dot8_cols(w + r0 * stride, group, n, sums);
      for (std::int64_t i = 0; i < real; ++i)
        std::copy_n(sums + i * R, R, out + (c + i) * out_stride + r0);
    }
  }
}

// dot_rows_cols of a repacked type for a few activations: each group against each activation in
// turn through dot8, the group staying in L1 after the first. At two activations, on one thread
// from cache (bench_gemv --mb 4 --threads 1 --tokens 2, against --tokens 1), the padded column
// kernels ran at 18 (Q5_0_R8 tiles), 35 (Q8_0_R8 tiles) and 50 (Q4_K_R8 dot8_cols) G MAC/s,
// dot8 at 47, 61 and 70.
void dot_rows_cols_by_dot8(Dot8Fn dot8, const std::uint8_t* w, std::size_t stride,
                           std::int64_t n_rows, const void* const* acts, std::int64_t n_act,
                           std::int64_t n, float* out, std::int64_t out_stride) {
  constexpr std::int64_t R = kRepackRows;
  for (std::int64_t r0 = 0; r0 + R <= n_rows; r0 += R)
    for (std::int64_t c = 0; c < n_act; ++c)
      dot8(w + r0 * stride, bytes(acts[c]), n, out + c * out_stride + r0);
}

}  // namespace

void dot_rows(Type weight_type, const void* weight, std::size_t row_stride, std::int64_t n_rows,
              const void* activation, std::int64_t n, float* out) {
  const KernelTable& t = active();
  const std::uint8_t* w = bytes(weight);
  if (plain_type(weight_type))
    return dot_rows_repacked(t, weight_type, w, row_stride, n_rows, bytes(activation), n, out);
  const DotFn dot = entry(t.dot, weight_type);
  std::int64_t r = 0;
  if (Dot4Fn dot4 = t.dot4[slot(weight_type)])
    for (; r + 4 <= n_rows; r += 4)
      dot4(w + r * row_stride, row_stride, bytes(activation), n, out + r);
  for (; r < n_rows; ++r) out[r] = dot(w + r * row_stride, bytes(activation), n);
}

namespace {

// Storage for packed rows and column preparations, which kernels read with aligned loads.
struct alignas(32) Vector {
  std::uint8_t bytes[32];
};

// The rows that a column kernel reads: the weight rows themselves (tiles of one row), or the
// rows packed in tiles (KernelTable::pack) when enough activations pass over them to pay for
// the packing; rows past the last whole tile are then read from the weights.
struct ColumnRows {
  DotColsFn dot_cols;
  const std::uint8_t* tiles;
  std::size_t stride;  // bytes from one tile to the next
  std::int64_t tile_rows, n_tiles;
};

ColumnRows column_rows(const KernelTable& t, int s, const std::uint8_t* w, std::size_t stride,
                       std::int64_t n_rows, std::int64_t n_act, std::int64_t n) {
  const std::int64_t rows = t.pack[s] ? std::max(t.tile_rows[s], 1) : 1;
  const bool repacked = plain_type(static_cast<Type>(s)).has_value();  // its groups pack cheaply
  if (!t.pack[s] || (n_act < 2 * kDotCols && !repacked) || n_rows < rows)
    return {t.dot_cols[s], w, stride, 1, n_rows};
  thread_local std::vector<Vector> packed;
  const std::size_t tile_stride =
      (static_cast<std::size_t>(rows * (n / 32) * t.packed_bytes[s]) + sizeof(Vector) - 1) /
      sizeof(Vector) * sizeof(Vector);
  const std::int64_t n_tiles = n_rows / rows;
  const std::size_t need = tile_stride * static_cast<std::size_t>(n_tiles) / sizeof(Vector);
  if (packed.size() < need) packed.resize(need);
  auto* dst = reinterpret_cast<std::uint8_t*>(packed.data());
  for (std::int64_t i = 0; i < n_tiles; ++i)
    t.pack[s](w + i * rows * stride, stride, n, dst + i * tile_stride);
  return {t.dot_cols_packed[s], dst, tile_stride, rows, n_tiles};
}

// What the type's column kernel needs of these activations besides their values (null if
// nothing); thread-local storage, valid until the next call.
const std::uint8_t* column_prep(const KernelTable& t, int s, const std::uint8_t* const* acts,
                                std::int64_t n) {
  if (!t.col_prep[s]) return nullptr;
  thread_local std::vector<Vector> prep;
  prep.resize(static_cast<std::size_t>(n / 32 * t.col_prep_bytes[s]) / sizeof(Vector) + 1);
  t.col_prep[s](acts, n, prep.front().bytes);
  return prep.front().bytes;
}

// Rows [0, n_rows) against activations acts[0..kDotCols): the column kernel for the rows whose
// canonical kernel it mirrors (dot4 groups when the type has dot4), on tiles while whole ones
// last and then on the weight rows w; dot for the rest.
void dot_row_block_cols(const KernelTable& t, Type type, const ColumnRows& cols,
                        const std::uint8_t* w, std::size_t stride, std::int64_t n_rows,
                        const std::uint8_t* const* acts, std::int64_t n, float* out,
                        std::int64_t out_stride) {
  constexpr int kMaxTileRows = 8;  // the largest KernelTable::tile_rows
  const int s = slot(type);
  const std::int64_t mirrored = t.dot4[s] ? n_rows / 4 * 4 : n_rows;
  const std::uint8_t* prep = column_prep(t, s, acts, n);
  float sums[kDotCols * kMaxTileRows];
  const std::int64_t rows = cols.tile_rows, tiled = std::min(cols.n_tiles, mirrored / rows) * rows;
  for (std::int64_t r0 = 0; r0 < tiled; r0 += rows) {
    cols.dot_cols(cols.tiles + r0 / rows * cols.stride, acts, prep, n, sums);
    for (int c = 0; c < kDotCols; ++c)
      for (std::int64_t r = 0; r < rows; ++r) out[c * out_stride + r0 + r] = sums[c * rows + r];
  }
  for (std::int64_t r = tiled; r < mirrored; ++r) {
    t.dot_cols[s](w + r * stride, acts, prep, n, sums);
    for (int c = 0; c < kDotCols; ++c) out[c * out_stride + r] = sums[c];
  }
  for (std::int64_t r = mirrored; r < n_rows; ++r)
    for (int c = 0; c < kDotCols; ++c) out[c * out_stride + r] = t.dot[s](w + r * stride, acts[c], n);
}

}  // namespace

void dot_rows_cols(Type weight_type, const void* weight, std::size_t row_stride,
                   std::int64_t n_rows, const void* const* acts, std::int64_t n_act,
                   std::int64_t n, float* out, std::int64_t out_stride) {
  const KernelTable& t = active();
  if (const auto plain = plain_type(weight_type)) {
    assert(n_rows % kRepackRows == 0 && "repacked rows: whole groups only");
    if (n_act == 1) return dot_rows(weight_type, weight, row_stride, n_rows, acts[0], n, out);
    // A column kernel padded to kDotCols activations wastes the padding's share of its work:
    // below a half (dot8_cols) or at any padding (tiles, which also pack per call), dot8 once per
    // activation does better.
    const Dot8ColsFn dot8_cols = t.dot8_cols[slot(weight_type)];
    const std::int64_t by_dot8_below = dot8_cols ? kDotCols / 2 + 1 : kDotCols;
    if (const Dot8Fn dot8 = t.dot8[slot(weight_type)]; dot8 && n_act < by_dot8_below)
      return dot_rows_cols_by_dot8(dot8, bytes(weight), row_stride, n_rows, acts, n_act, n, out,
                                   out_stride);
    if (dot8_cols && n_act < 2 * kDotCols)
      return dot_rows_cols_repacked(dot8_cols, bytes(weight), row_stride, n_rows, acts, n_act, n,
                                    out, out_stride);
    // The plain type's tiles, packed from the groups (below: cheap, so from two activations on)
    // where the level can, else on the rows unpacked once per call.
    if (!t.pack[slot(weight_type)]) {
      const std::uint8_t* rows = unpacked_rows(weight_type, bytes(weight), row_stride, n_rows, n);
      return dot_rows_cols(*plain, rows, row_stride, n_rows, acts, n_act, n, out, out_stride);
    }
  }
  const int s = slot(weight_type);
  std::int64_t c = 0;
  if (t.dot_cols[s] || plain_type(weight_type)) {
    const ColumnRows cols = column_rows(t, s, bytes(weight), row_stride, n_rows, n_act, n);
    for (; c + kDotCols <= n_act; c += kDotCols) {
      const std::uint8_t* group[kDotCols];
      for (int i = 0; i < kDotCols; ++i) group[i] = bytes(acts[c + i]);
      dot_row_block_cols(t, weight_type, cols, bytes(weight), row_stride, n_rows, group, n,
                         out + c * out_stride, out_stride);
    }
    if (c > 0 && c < n_act) {  // the last, partial group: padded with its last activation
      const std::uint8_t* group[kDotCols];
      for (int i = 0; i < kDotCols; ++i) group[i] = bytes(acts[std::min(c + i, n_act - 1)]);
      thread_local std::vector<float> padded;
      padded.resize(static_cast<std::size_t>(kDotCols * n_rows));
      dot_row_block_cols(t, weight_type, cols, bytes(weight), row_stride, n_rows, group, n,
                         padded.data(), n_rows);
      for (; c < n_act; ++c)
        std::copy_n(padded.data() + (c % kDotCols) * n_rows, n_rows, out + c * out_stride);
    }
  }
  for (; c < n_act; ++c)
    dot_rows(weight_type, weight, row_stride, n_rows, acts[c], n, out + c * out_stride);
}

bool can_quantize(Type type) {
  const int s = slot(type);
  return s >= 0 && s < kTypeSlots && tables().ref.quantize[s] != nullptr;
}

void quantize_row(Type type, const float* src, void* dst, std::int64_t n) {
  QuantFn fn = can_quantize(type) ? tables().ref.quantize[slot(type)] : nullptr;
  assert(fn && "quantize_row: check can_quantize() first");
  if (fn) fn(src, static_cast<std::uint8_t*>(dst), n);
}

SimdLevel cpu_simd_level() {
  return tables().cpu;
}

SimdLevel set_simd_level(SimdLevel level) {
  const SimdLevel effective = std::min(level, tables().cpu);
  level_slot().store(static_cast<int>(effective));
  return effective;
}

SimdLevel current_simd_level() {
  return static_cast<SimdLevel>(level_slot().load(std::memory_order_relaxed));
}

std::string_view simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::Avx512:
      return "avx512";
    case SimdLevel::Avx2:
      return "avx2";
    case SimdLevel::Scalar:
      return "scalar";
  }
  return "scalar";
}

std::string_view simd_level() {
  return simd_level_name(static_cast<SimdLevel>(level_slot().load(std::memory_order_relaxed)));
}

}  // namespace coderx::model::quant
