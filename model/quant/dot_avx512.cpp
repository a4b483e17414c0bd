// The AVX-512 level: the same kernel templates as dot_avx2.cpp, compiled for AVX-512 F/BW/VL
// with VNNI, where every u8·s8 four-product sum is one vpdpbusd instead of maddubs + madd (exact:
// vpdpbusd does not saturate). Registered only on CPUs with AVX512-VNNI; without it the AVX-512
// level runs the AVX2 kernels.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/repack.h"
#include "model/quant/value_tables.h"

#define CODERX_KERNEL \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c,bmi2")))
#define CODERX_VNNI 1
// The helpers must come first.
// clang-format off
#include "model/quant/simd_helpers.h"
#include "model/quant/dot_legacy_simd.h"
#include "model/quant/dot_kquants_simd.h"
#include "model/quant/dot_q4_k_r8_simd.h"
#include "model/quant/dot_legacy_r8_simd.h"
#include "model/quant/dot_float_simd.h"
#include "model/quant/zmm_pairs_simd.h"
#include "model/quant/dot_q8_tile_zmm_simd.h"
#pragma GCC diagnostic pop  // zmm_pairs_simd.h's
// clang-format on

namespace coderx::model::quant {

void add_avx512_dot(KernelTable& t) {
  add_dot_legacy_simd(t);
  add_dot_kquants_simd(t);
  add_dot_q8_tile_zmm(t);  // before the R8 types copy the tile entries
  add_dot_q4_k_r8_simd(t);
  add_dot_legacy_r8_simd(t);
  add_dot_float_simd(t);
}

}  // namespace coderx::model::quant
