// launch_shape.h is header-only today; this file keeps coderx_kernels a real library in
// CPU-only builds (host-side logic lands here as it grows).
#include "kernels/launch_shape.h"

namespace coderx::kernels {
static_assert(blocks_for(0, 32) == 0 && blocks_for(33, 32) == 2);
}  // namespace coderx::kernels
