// Weight quantisers for the legacy 32-element blocks Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL (Q8_0 is
// the activation quantiser, activation_quant.cpp). Round-to-nearest with the block scale taken
// after its own f16 rounding, so every element's error is at most half a step (d/2) except the
// far end of the asymmetric Q4_0/Q5_0 range (at most d). IQ4_NL searches a few scales for the
// smallest squared error. Used to write test models; not bit-identical to llama-quantize.
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/quant_search.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

// Symmetric 2^bits-level block: the largest-magnitude element maps to code 0 (value −2^(bits−1)·d).
void quantize_symmetric(const float* x, std::uint8_t* blk, int bits, int qs_offset, int qh_offset) {
  const int half = 1 << (bits - 1), top = (1 << bits) - 1;
  store_f16(blk, signed_abs_max(x, 32) / static_cast<float>(-half));
  const float d = load_f16(blk);
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  std::uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    const int lo = round_clamp(x[j] * id + static_cast<float>(half), 0, top);
    const int hi = round_clamp(x[j + 16] * id + static_cast<float>(half), 0, top);
    blk[qs_offset + j] = static_cast<std::uint8_t>((lo & 15) | ((hi & 15) << 4));
    qh |= static_cast<std::uint32_t>(lo >> 4) << j | static_cast<std::uint32_t>(hi >> 4)
                                                         << (j + 16);
  }
  if (qh_offset >= 0) store_u32(blk + qh_offset, qh);
}

// Affine block: value = q·d + m with m = the block minimum.
void quantize_affine(const float* x, std::uint8_t* blk, int bits, int qs_offset, int qh_offset) {
  const int top = (1 << bits) - 1;
  float lo = x[0], hi = x[0];
  for (int j = 1; j < 32; ++j) lo = std::min(lo, x[j]), hi = std::max(hi, x[j]);
  store_f16(blk, (hi - lo) / static_cast<float>(top));
  store_f16(blk + 2, lo);
  const float d = load_f16(blk), m = load_f16(blk + 2);
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  std::uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    const int a = round_clamp((x[j] - m) * id, 0, top);
    const int b = round_clamp((x[j + 16] - m) * id, 0, top);
    blk[qs_offset + j] = static_cast<std::uint8_t>((a & 15) | ((b & 15) << 4));
    qh |= static_cast<std::uint32_t>(a >> 4) << j | static_cast<std::uint32_t>(b >> 4) << (j + 16);
  }
  if (qh_offset >= 0) store_u32(blk + qh_offset, qh);
}

template <int kBytes, void (*Block)(const float*, std::uint8_t*, int, int, int), int kBits, int kQs,
          int kQh>
void quantize_rows(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b) Block(x + 32 * b, dst + kBytes * b, kBits, kQs, kQh);
}

}  // namespace

// Chooses the IQ4 grid codes for `count` elements at scale d; returns the squared error.
float iq4_assign(const float* x, int count, float d, std::uint8_t* codes) {
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  float err = 0.0f;
  for (int i = 0; i < count; ++i) {
    codes[i] = static_cast<std::uint8_t>(nearest_index16(kIq4Values, x[i] * id));
    const float diff = x[i] - d * static_cast<float>(kIq4Values[codes[i]]);
    err += diff * diff;
  }
  return err;
}

// The scale (before any rounding of its own) with the smallest IQ4 squared error among a few
// candidates that map the largest-magnitude element to either end of the grid.
float iq4_best_scale(const float* x, int count) {
  const float m = signed_abs_max(x, count);
  if (m == 0.0f) return 0.0f;
  std::uint8_t codes[256];
  float best = m / -127.0f, best_err = iq4_assign(x, count, best, codes);
  for (float end : {-127.0f, 113.0f})
    for (int step = -6; step <= 6; ++step) {
      const float d = m / (end * (1.0f + 0.02f * static_cast<float>(step)));
      const float err = iq4_assign(x, count, d, codes);
      if (err < best_err) best_err = err, best = d;
    }
  return best;
}

namespace {

void quantize_iq4_nl(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, x += 32, dst += iq4_nl::kBytes) {
    store_f16(dst + iq4_nl::kD, iq4_best_scale(x, 32));
    std::uint8_t codes[32];
    iq4_assign(x, 32, load_f16(dst + iq4_nl::kD), codes);
    for (int j = 0; j < 16; ++j)
      dst[iq4_nl::kQs + j] = static_cast<std::uint8_t>(codes[j] | (codes[j + 16] << 4));
  }
}

}  // namespace

void add_quantizers_legacy(KernelTable& t) {
  t.quantize[slot(Type::Q4_0)] = quantize_rows<q4_0::kBytes, quantize_symmetric, 4, q4_0::kQs, -1>;
  t.quantize[slot(Type::Q5_0)] =
      quantize_rows<q5_0::kBytes, quantize_symmetric, 5, q5_0::kQs, q5_0::kQh>;
  t.quantize[slot(Type::Q4_1)] = quantize_rows<q4_1::kBytes, quantize_affine, 4, q4_1::kQs, -1>;
  t.quantize[slot(Type::Q5_1)] =
      quantize_rows<q5_1::kBytes, quantize_affine, 5, q5_1::kQs, q5_1::kQh>;
  t.quantize[slot(Type::IQ4_NL)] = quantize_iq4_nl;
}

}  // namespace coderx::model::quant
