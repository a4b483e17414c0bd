// Where tests find things: the shared fixtures, the source tree, the built coderx binary, and
// a fresh temporary directory per test. Used by every test folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace coderx::testing {

std::filesystem::path shared_dir();    // ../shared (fixtures, spec)
std::filesystem::path fixture(const std::string& relative);  // shared_dir()/fixtures/relative
std::filesystem::path source_dir();    // the repository root
std::filesystem::path coderx_binary(); // the built `coderx` executable

// Writes `text` to `path` as is (binary), creating the folders on its way.
void write_file(const std::filesystem::path& path, std::string_view text);

// A new empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace coderx::testing
