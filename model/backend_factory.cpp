#include "model/backend_factory.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "model/backend_cpu.h"
#include "model/backend_cuda.h"
#include "model/device_memory.h"

namespace coderx::model {

namespace {

// The CUDA backend, or null (with one log line saying why) when the CPU must run the model.
std::unique_ptr<Backend> try_cuda(const ModelView& model, const BackendOptions& o, DeviceKind want) {
  CudaBackendOptions cuda;
  cuda.max_context = o.kv.max_context;
  cuda.slack = o.kv.slack;
  cuda.max_tokens = std::max<std::int64_t>(1, o.max_tokens);
  const DeviceMemoryParams params{cuda.max_context, cuda.slack, std::max(1, o.n_sequences), cuda.max_tokens};
  const DeviceDecision decision = choose_device(want, probe_cuda(), estimate_device_memory(model, params).total());
  if (!decision.use_cuda) {
    if (decision.warn) {
      spdlog::warn("{}", decision.message);
    } else {
      spdlog::info("{}", decision.message);
    }
    return nullptr;
  }
  auto backend = make_cuda_backend(model, cuda);
  if (!backend) {
    spdlog::warn("CUDA backend failed to start: {}; running on the CPU", backend.error().message);
    return nullptr;
  }
  spdlog::info("{}", decision.message);
  return std::move(*backend);
}

}  // namespace

std::unique_ptr<Backend> make_backend(const ModelView& model, const BackendOptions& o) {
  const DeviceKind want = o.reference_ops ? DeviceKind::cpu : o.device;
  if (want != DeviceKind::cpu)
    if (auto cuda = try_cuda(model, o, want)) return cuda;
  CpuBackendOptions cpu{o.threads, o.reference_ops, o.kv};
  cpu.repack = o.repack;
  cpu.repack_in_background = o.repack_in_background;
  cpu.weights_file = o.weights_file;
  return std::make_unique<CpuBackend>(model, cpu);
}

}  // namespace coderx::model
