#include "tests/support/pattern_file.h"

#include <fstream>
#include <vector>

namespace coderx::testing {

bool write_pattern_file(const std::filesystem::path& path, std::size_t bytes) {
  std::vector<char> data(bytes);
  for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<char>(pattern_byte(i));
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(out.flush());
}

}  // namespace coderx::testing
