#include "tests/support/paths.h"

#include <random>
#include <system_error>

namespace coderx::testing {

std::filesystem::path shared_dir() { return CODERX_SHARED_DIR; }
std::filesystem::path fixture(const std::string& relative) {
  return shared_dir() / "fixtures" / relative;
}
std::filesystem::path source_dir() { return CODERX_SOURCE_DIR; }
std::filesystem::path coderx_binary() { return CODERX_BIN; }

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
