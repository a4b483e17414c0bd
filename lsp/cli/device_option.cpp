#include "lsp/cli/device_option.h"

namespace coderx::cli {

namespace {

constexpr const char* kHelp =
    "where the model runs: auto (CUDA when a GPU is present and the model fits, default), cpu, "
    "or cuda (falls back to the CPU with a message when it cannot start)";

}  // namespace

void add_device_option(ArgParser& parser, model::DeviceKind* out) {
  parser.option("--device", "auto|cpu|cuda", kHelp, [out](const std::string& text) -> std::string {
    auto kind = model::parse_device(text);
    if (!kind) return kind.error().message;
    *out = *kind;
    return "";
  });
}

void add_device_option(ArgParser& parser, std::optional<model::DeviceKind>* out) {
  parser.option("--device", "auto|cpu|cuda", kHelp, [out](const std::string& text) -> std::string {
    auto kind = model::parse_device(text);
    if (!kind) return kind.error().message;
    *out = *kind;
    return "";
  });
}

}  // namespace coderx::cli
