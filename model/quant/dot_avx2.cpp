// The AVX2 (+FMA, F16C) level: dot products for every weight type (the kernel bodies live in
// the *_simd.h templates, instantiated here with the AVX2 target and maddubs-based u8·s8 sums).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/repack.h"
#include "model/quant/value_tables.h"

#define CODERX_KERNEL __attribute__((target("avx2,fma,f16c,bmi2")))
#define CODERX_VNNI 0
// The helpers must come first.
// clang-format off
#include "model/quant/simd_helpers.h"
#include "model/quant/dot_legacy_simd.h"
#include "model/quant/dot_kquants_simd.h"
#include "model/quant/dot_q4_k_r8_simd.h"
#include "model/quant/dot_legacy_r8_simd.h"
#include "model/quant/dot_float_simd.h"
// clang-format on

namespace coderx::model::quant {

void add_avx2_dot(KernelTable& t) {
  add_dot_legacy_simd(t);
  add_dot_kquants_simd(t);
  add_dot_q4_k_r8_simd(t);
  add_dot_legacy_r8_simd(t);
  add_dot_float_simd(t);
}

}  // namespace coderx::model::quant
