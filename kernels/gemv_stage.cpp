#include "kernels/gemv_stage.h"

#include <algorithm>

namespace coderx::kernels {

StageGeometry stage_geometry(WeightType type) {
  const WeightTypeInfo* info = weight_type_info(static_cast<std::uint32_t>(type));
  if (!info) return {};
  StageGeometry g;
  const int unit_elems = std::max(info->block_elems, 32);
  g.unit_bytes = static_cast<int>(weight_row_bytes(type, unit_elems));
  g.chunks_per_unit = unit_elems / 32;
  g.units_per_segment = std::max(1, kStageSegBytes / g.unit_bytes);
  return g;
}

std::size_t stage_smem_bytes(std::int64_t n_cols, int warps) {
  return static_cast<std::size_t>(n_cols / 32) * kStagePitch * sizeof(float) +
         static_cast<std::size_t>(warps) * (kStageSegBytes + 16);
}

}  // namespace coderx::kernels
