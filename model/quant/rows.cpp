// Temporary float-only implementation of rows.h (F32, F16, BF16); the block formats are added
// by the quantisation work. Unsupported types abort in debug builds and yield zeros otherwise.
#include "model/quant/rows.h"

#include <cassert>
#include <cstring>

#include "model/quant/half.h"

namespace coderx::model::quant {

namespace {

template <class Convert>
void decode(const void* src, float* dst, std::int64_t n, Convert convert) {
  const auto* p = static_cast<const std::uint16_t*>(src);
  for (std::int64_t i = 0; i < n; ++i) dst[i] = convert(p[i]);
}

}  // namespace

void dequantize_row_ref(Type type, const void* src, float* dst, std::int64_t n) {
  switch (type) {
    case Type::F32: std::memcpy(dst, src, static_cast<std::size_t>(n) * 4); return;
    case Type::F16: decode(src, dst, n, f16_to_f32); return;
    case Type::BF16: decode(src, dst, n, bf16_to_f32); return;
    default: assert(false && "dequantize_row_ref: type not implemented yet");
  }
  std::memset(dst, 0, static_cast<std::size_t>(n) * 4);
}

void dequantize_row(Type type, const void* src, float* dst, std::int64_t n) {
  dequantize_row_ref(type, src, dst, n);
}

std::size_t activation_bytes(Type weight_type, std::int64_t n) {
  return row_bytes(info(weight_type).activation_type, n);
}

void quantize_activation(Type weight_type, const float* x, void* dst, std::int64_t n) {
  quantize_row(info(weight_type).activation_type, x, dst, n);
}

float dot_row_ref(Type weight_type, const void* weight_row, const void* activation, std::int64_t n) {
  Type act = info(weight_type).activation_type;
  double sum = 0;
  float w[256], a[256];
  for (std::int64_t i = 0; i < n; i += 256) {
    std::int64_t m = n - i < 256 ? n - i : 256;
    dequantize_row_ref(weight_type, static_cast<const char*>(weight_row) + row_bytes(weight_type, i), w, m);
    dequantize_row_ref(act, static_cast<const char*>(activation) + row_bytes(act, i), a, m);
    for (std::int64_t k = 0; k < m; ++k) sum += static_cast<double>(w[k]) * a[k];
  }
  return static_cast<float>(sum);
}

float dot_row(Type weight_type, const void* weight_row, const void* activation, std::int64_t n) {
  return dot_row_ref(weight_type, weight_row, activation, n);
}

bool can_quantize(Type type) { return type == Type::F32 || type == Type::F16 || type == Type::BF16; }

void quantize_row(Type type, const float* src, void* dst, std::int64_t n) {
  auto* out = static_cast<std::uint16_t*>(dst);
  switch (type) {
    case Type::F32: std::memcpy(dst, src, static_cast<std::size_t>(n) * 4); return;
    case Type::F16: for (std::int64_t i = 0; i < n; ++i) out[i] = f32_to_f16(src[i]); return;
    case Type::BF16: for (std::int64_t i = 0; i < n; ++i) out[i] = f32_to_bf16(src[i]); return;
    default: assert(false && "quantize_row: type not implemented yet");
  }
}

std::string_view simd_level() { return "scalar"; }

}  // namespace coderx::model::quant
