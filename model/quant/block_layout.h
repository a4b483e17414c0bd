// Byte offsets of every block format (spec gemma4-moe.md §8, formats-extra.md §1) and unaligned
// little-endian loads/stores. Internal to model/quant: the decoders, dot products and quantisers
// read blocks only through these offsets, never through C structs, so any byte address works
// (weights in an mmap'ed GGUF are not aligned to the block's natural alignment).
// Pure constants and inline functions; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>

#include "model/quant/half.h"

namespace coderx::model::quant::layout {

// Legacy 32-element blocks (§8.3) and the Q8_1 activation block (formats-extra §1.6).
namespace q4_0 {
inline constexpr int kD = 0, kQs = 2, kBytes = 18;
}
namespace q4_1 {
inline constexpr int kD = 0, kM = 2, kQs = 4, kBytes = 20;
}
namespace q5_0 {
inline constexpr int kD = 0, kQh = 2, kQs = 6, kBytes = 22;
}
namespace q5_1 {
inline constexpr int kD = 0, kM = 2, kQh = 4, kQs = 8, kBytes = 24;
}
namespace q8_0 {
inline constexpr int kD = 0, kQs = 2, kBytes = 34;
}
namespace q8_1 {
inline constexpr int kD = 0, kS = 2, kQs = 4, kBytes = 36;
}
namespace iq4_nl {
inline constexpr int kD = 0, kQs = 2, kBytes = 18;
}

// K-quants, 256-element super-blocks (§8.4, formats-extra §1.2–1.5).
namespace q2_k {
inline constexpr int kScales = 0, kQs = 16, kD = 80, kDmin = 82, kBytes = 84;
}
namespace q3_k {
inline constexpr int kHmask = 0, kQs = 32, kScales = 96, kD = 108, kBytes = 110;
}
namespace q4_k {
inline constexpr int kD = 0, kDmin = 2, kScales = 4, kQs = 16, kBytes = 144;
}
namespace q5_k {
inline constexpr int kD = 0, kDmin = 2, kScales = 4, kQh = 16, kQs = 48, kBytes = 176;
}
namespace q6_k {
inline constexpr int kQl = 0, kQh = 128, kScales = 192, kD = 208, kBytes = 210;
}
namespace q8_k {
inline constexpr int kD = 0, kQs = 4, kBsums = 260, kBytes = 292;
}
namespace iq4_xs {
inline constexpr int kD = 0, kScalesH = 2, kScalesL = 4, kQs = 8, kBytes = 136;
}

// FP4 types (§8.5).
namespace mxfp4 {
inline constexpr int kE = 0, kQs = 1, kBytes = 17;
}
namespace nvfp4 {
inline constexpr int kD = 0, kQs = 4, kBytes = 36;
}

inline float load_f16(const std::uint8_t* p) {
  std::uint16_t h;
  std::memcpy(&h, p, 2);
  return f16_to_f32(h);
}
inline float load_f32(const std::uint8_t* p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}
inline std::uint16_t load_u16(const std::uint8_t* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline std::int16_t load_i16(const std::uint8_t* p) {
  std::int16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline std::uint32_t load_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void store_f16(std::uint8_t* p, float f) {
  std::uint16_t h = f32_to_f16(f);
  std::memcpy(p, &h, 2);
}
inline void store_f32(std::uint8_t* p, float f) {
  std::memcpy(p, &f, 4);
}
inline void store_i16(std::uint8_t* p, std::int16_t v) {
  std::memcpy(p, &v, 2);
}
inline void store_u16(std::uint8_t* p, std::uint16_t v) {
  std::memcpy(p, &v, 2);
}
inline void store_u32(std::uint8_t* p, std::uint32_t v) {
  std::memcpy(p, &v, 4);
}

}  // namespace coderx::model::quant::layout
