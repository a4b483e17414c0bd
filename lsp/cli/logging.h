// Process-wide logging setup for the coderx executable: spdlog to stderr (stdout belongs to
// JSON-RPC in `coderx lsp` and to results elsewhere). Level from --log-level, else the
// CODERX_LOG environment variable, else "info". Call once, before any thread starts.
#pragma once

#include <string>

namespace coderx::cli {

// `level`: trace, debug, info, warn, error, critical, off, or "" for the default.
// Returns an error message for an unknown level ("" on success).
std::string setup_logging(const std::string& level);

}  // namespace coderx::cli
