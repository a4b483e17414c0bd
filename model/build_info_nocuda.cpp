// compute_devices() for CPU-only builds.
#include "model/build_info.h"

namespace coderx::model {

DeviceSummary compute_devices() {
  DeviceSummary summary;
  summary.cuda_build = std::string("not compiled (") + CODERX_CUDA_REASON + ")";
  summary.none_reason = "this build has no CUDA backend";
  return summary;
}

}  // namespace coderx::model
