// A file of known bytes for tests that map files (the page warmer, the 2 MiB page remap): byte i
// is pattern_byte(i), so any page read back can be checked against its offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace coderx::testing {

inline std::uint8_t pattern_byte(std::size_t i) {
  return static_cast<std::uint8_t>(i * 131 % 251);
}

// Writes `bytes` pattern bytes to path (replacing it); false where that failed.
bool write_pattern_file(const std::filesystem::path& path, std::size_t bytes);

}  // namespace coderx::testing
