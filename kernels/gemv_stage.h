// Host-side geometry of the staged GEMV rows (kernels/gemv_core.cuh staged_rows_dot): a row is
// copied to shared memory in segments of whole units (a quantisation block, or 32 elements of a
// float type), at most kStageSegBytes each, and x is staged with kStagePitch floats per
// 32-element chunk. Plain C++, unit-tested on the CPU (tests/kernels/launch_shape_test.cpp).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/weight_type.h"

namespace coderx::kernels {

constexpr int kStagePitch = 36;          // floats per staged chunk of x (32 + 4: no bank conflicts)
constexpr int kStageSegBytes = 2048;     // bytes of a row staged at once per warp
constexpr int kStageMaxCols = 8192;      // widest x the staged kernels take (36 KiB of shared memory)

struct StageGeometry {
  int unit_bytes = 0;         // bytes of one unit (a block, or 32 elements of F32/F16/BF16)
  int chunks_per_unit = 0;    // 32-element chunks per unit
  int units_per_segment = 0;  // whole units per staged segment (at least 1)
};

// The geometry for rows of `type`; units_per_segment = 0 when the type is unknown.
StageGeometry stage_geometry(WeightType type);

// Shared memory of a staged block: x of n_cols values at kStagePitch, then one segment per warp.
std::size_t stage_smem_bytes(std::int64_t n_cols, int warps);

}  // namespace coderx::kernels
