#include "model/device_select.h"

#include <cstdio>

namespace coderx::model {

Result<DeviceKind> parse_device(std::string_view text) {
  if (text == "auto") return DeviceKind::auto_select;
  if (text == "cpu") return DeviceKind::cpu;
  if (text == "cuda") return DeviceKind::cuda;
  return make_error(Errc::invalid_argument,
                    "unknown device '" + std::string(text) + "' (known: auto, cpu, cuda)");
}

const char* to_string(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::auto_select: return "auto";
    case DeviceKind::cpu: return "cpu";
    case DeviceKind::cuda: return "cuda";
  }
  return "?";
}

std::string format_gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

namespace {

DeviceDecision on_cpu(DeviceKind requested, const std::string& reason) {
  return DeviceDecision{false, requested == DeviceKind::cuda,
                        "CUDA backend unavailable: " + reason + "; running on the CPU"};
}

}  // namespace

DeviceDecision choose_device(DeviceKind requested, const DeviceProbe& probe, std::uint64_t needed_bytes) {
  if (requested == DeviceKind::cpu) return DeviceDecision{false, false, "device: cpu (requested)"};
  if (!probe.cuda_built) return on_cpu(requested, "this binary was built without CUDA");
  if (!probe.unavailable.empty() || probe.name.empty())
    return on_cpu(requested, probe.unavailable.empty() ? "no CUDA device" : probe.unavailable);
  if (needed_bytes > probe.free_bytes)
    return on_cpu(requested, "not enough device memory on " + probe.name + " (need " + format_gib(needed_bytes) +
                                 ", " + format_gib(probe.free_bytes) + " free)");
  return DeviceDecision{true, false,
                        "device: cuda (" + probe.name + ", needs " + format_gib(needed_bytes) + " of " +
                            format_gib(probe.free_bytes) + " free)"};
}

}  // namespace coderx::model
