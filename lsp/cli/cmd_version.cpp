// `coderx version` / `coderx --version`: version, build options, CPU features and devices.
#include <cstdio>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "model/build_info.h"

namespace coderx::cli {

int run_version(Args args) {
  ArgParser parser("coderx version", "Print the version, build options and compute devices.");
  if (auto rc = parser.parse(args)) return *rc;
  model::DeviceSummary devices = model::compute_devices();
  std::printf("coderx %s\n", model::version().c_str());
  std::printf("build:    %s\n", model::build_options().c_str());
  std::printf("cpu:      %s\n", model::cpu_features().c_str());
  std::printf("cuda:     %s\n", devices.cuda_build.c_str());
  if (devices.devices.empty()) std::printf("devices:  none (%s)\n", devices.none_reason.c_str());
  for (const auto& d : devices.devices)
    std::printf("device:   %s, %s\n", d.name.c_str(), d.details.c_str());
  return 0;
}

}  // namespace coderx::cli
