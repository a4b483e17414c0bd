// Internal to lsp/server/model_ref*.cpp: the per-store resolvers and shared helpers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lsp/server/model_ref.h"

namespace coderx::server::detail {

// "~/x" → "$HOME/x"; "$VAR/x" and "${VAR}/x" expanded from the process environment.
std::string expand_path(std::string_view s, const ModelRefEnv& env);
// Trims whitespace, then one pair of surrounding quotes (as Ollama reads its variables).
std::string trim_env(std::string_view s);

model::Result<std::filesystem::path> resolve_ollama(std::string_view name, const ModelRefEnv& env);
model::Result<std::filesystem::path> resolve_hf(std::string_view ref, const ModelRefEnv& env);

// The content of a small regular file (a manifest, a ref), at most `max_bytes`. A FIFO, device
// or directory is refused without blocking; Errc::not_found when there is no such file.
model::Result<std::string> read_small_file(const std::filesystem::path& p, std::uint64_t max_bytes);

// "  - PATH (why)" lines for the not-found message.
std::string looked_list(const std::vector<std::string>& looked);

}  // namespace coderx::server::detail
