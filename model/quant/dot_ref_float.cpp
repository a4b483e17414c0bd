// Scalar reference dot products for float weights against float activations of the same type
// (F32·F32, F16·F16, BF16·BF16; spec gemma4-moe.md §7.13). Like llama.cpp's generic
// ggml_vec_dot_f16/bf16/f32, each product is formed in f32 and summed in double.
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

float dot_f32(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += static_cast<double>(load_f32(w + 4 * i) * load_f32(a + 4 * i));
  return static_cast<float>(sum);
}

float dot_f16(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += static_cast<double>(load_f16(w + 2 * i) * load_f16(a + 2 * i));
  return static_cast<float>(sum);
}

float dot_bf16(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float x = bf16_to_f32(load_u16(w + 2 * i)), y = bf16_to_f32(load_u16(a + 2 * i));
    sum += static_cast<double>(x * y);
  }
  return static_cast<float>(sum);
}

}  // namespace

void add_dot_ref_float(KernelTable& t) {
  t.dot[slot(Type::F32)] = dot_f32;
  t.dot[slot(Type::F16)] = dot_f16;
  t.dot[slot(Type::BF16)] = dot_bf16;
}

}  // namespace coderx::model::quant
