#include "lsp/cli/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace coderx::cli {

std::string setup_logging(const std::string& level) {
  std::string name = level;
  if (name.empty()) {
    const char* env = std::getenv("CODERX_LOG");
    name = env && *env ? env : "info";
  }
  spdlog::level::level_enum parsed = spdlog::level::from_str(name);
  if (parsed == spdlog::level::off && name != "off")
    return "unknown log level '" + name + "' (trace, debug, info, warn, error, critical, off)";
  auto logger = spdlog::stderr_color_mt("coderx");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
  return "";
}

}  // namespace coderx::cli
