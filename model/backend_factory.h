// Builds the backend a caller asked for (model/backend.h): CUDA when the device choice
// (model/device_select.h) allows it, the device has room for the model (model/device_memory.h)
// and the CUDA backend starts; otherwise the CPU backend. Every fallback is logged as one line
// naming the reason (a warning when CUDA was asked for explicitly, info under auto).
// Who calls it: model/engine.cpp, `coderx bench`, `coderx model logits`.
// Threading: call from one thread; logs through spdlog. Never fails: the CPU always works.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "model/backend.h"
#include "model/device_select.h"
#include "model/kv_cache.h"
#include "model/model_view.h"

namespace coderx::model {

struct BackendOptions {
  DeviceKind device = DeviceKind::cpu;
  int threads = 0;               // CPU compute threads; 0 = all cores
  bool reference_ops = false;    // RefOps (implies the CPU)
  KvCacheOptions kv;             // per-sequence KV geometry
  int n_sequences = 1;           // KV caches that will exist at once (device memory estimate)
  std::int64_t max_tokens = 512; // largest batch of one run() (device workspace)
  bool repack = true;                       // CPU: CpuBackendOptions::repack
  bool repack_in_background = false;        // CPU: CpuBackendOptions::repack_in_background
  std::span<const std::byte> weights_file;  // CPU: CpuBackendOptions::weights_file
};

std::unique_ptr<Backend> make_backend(const ModelView& model, const BackendOptions& options);

}  // namespace coderx::model
