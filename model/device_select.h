// Which backend the engine runs on (`--device auto|cpu|cuda`, config key "device"): parsing the
// user's choice and deciding from what the machine offers. Pure: the probe of the device and
// the memory estimate (model/device_memory.h) are inputs, so every rule is tested on the CPU.
//   cpu   → the CPU, always.
//   cuda  → CUDA when built with it, a device is present and the model fits; otherwise the CPU,
//           with a warning that names the reason.
//   auto  → the same choice, but falling back to the CPU is not a warning (an info line).
// Who calls it: model/engine.cpp (Engine::load), the CLI and the LSP settings (parse_device).
// Thread-safe; no side effects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/error.h"

namespace coderx::model {

enum class DeviceKind { auto_select, cpu, cuda };

// "auto", "cpu" or "cuda"; anything else is Errc::invalid_argument naming the value.
Result<DeviceKind> parse_device(std::string_view text);
const char* to_string(DeviceKind kind);

// What the machine offers (model/backend_cuda.h: probe_cuda()).
struct DeviceProbe {
  bool cuda_built = false;      // this binary has the CUDA backend
  std::string name;             // device 0, e.g. "NVIDIA H200"; "" when none
  std::uint64_t free_bytes = 0; // free memory on device 0
  std::string unavailable;      // why no device can be used ("" when one can)
};

struct DeviceDecision {
  bool use_cuda = false;
  bool warn = false;    // the user asked for CUDA and will not get it
  std::string message;  // one line: the device chosen, or why not CUDA
};

// needed_bytes: model/device_memory.h estimate (weights + KV caches + workspace).
DeviceDecision choose_device(DeviceKind requested, const DeviceProbe& probe, std::uint64_t needed_bytes);

// "12.3 GiB" (one decimal) for messages.
std::string format_gib(std::uint64_t bytes);

}  // namespace coderx::model
