// CPU-only builds: no CUDA backend (see model/backend_cuda.h).
#include "model/backend_cuda.h"

namespace coderx::model {

DeviceProbe probe_cuda() {
  DeviceProbe probe;
  probe.unavailable = "this binary was built without CUDA";
  return probe;
}

Result<std::unique_ptr<Backend>> make_cuda_backend(const ModelView&, const CudaBackendOptions&) {
  return make_error(Errc::unsupported, "this binary was built without CUDA");
}

}  // namespace coderx::model
