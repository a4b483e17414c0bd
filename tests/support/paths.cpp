#include "tests/support/paths.h"

#include <fstream>
#include <random>
#include <system_error>

namespace coderx::testing {

std::filesystem::path shared_dir() { return CODERX_SHARED_DIR; }
std::filesystem::path fixture(const std::string& relative) {
  return shared_dir() / "fixtures" / relative;
}
std::filesystem::path source_dir() { return CODERX_SOURCE_DIR; }
std::filesystem::path coderx_binary() { return CODERX_BIN; }

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("coderx-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace coderx::testing
