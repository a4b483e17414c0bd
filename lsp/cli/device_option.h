// The one `--device auto|cpu|cuda` option of every command that loads the embedded engine
// (generate, lsp, serve, refactor, explain, review, bench, model logits): where the forward
// pass runs (model/device_select.h). An unknown value is a usage error (exit 2, one line).
// Default auto: CUDA when a device is present and the model fits, else the CPU.
// Not thread-safe (registers on one parser).
#pragma once

#include <optional>

#include "lsp/cli/args.h"
#include "model/device_select.h"

namespace coderx::cli {

void add_device_option(ArgParser& parser, model::DeviceKind* out);
// The same, leaving `out` empty unless the option is given (a setting may decide instead).
void add_device_option(ArgParser& parser, std::optional<model::DeviceKind>* out);

}  // namespace coderx::cli
