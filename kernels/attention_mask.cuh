// Which keys a query attends to (spec §2.3 step 6): key positions up to its own, and on sliding
// layers fewer than `window` positions back (window 0: full causal). Shared by the split-K
// kernel (attention.cu) and the tensor-core kernel (attention_tc.cu). Pure device functions.
#pragma once

#include <cstdint>

namespace coderx::kernels::detail {

__device__ __forceinline__ bool key_visible(std::int64_t query_pos, std::int64_t key_pos, std::int64_t window) {
  return key_pos <= query_pos && (window <= 0 || query_pos - key_pos < window);
}

// The earliest key position a query at query_pos sees.
__device__ __forceinline__ std::int64_t first_visible_key(std::int64_t query_pos, std::int64_t window) {
  return window > 0 ? max(std::int64_t{0}, query_pos - window + 1) : std::int64_t{0};
}

}  // namespace coderx::kernels::detail
