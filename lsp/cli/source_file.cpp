#include "lsp/cli/source_file.h"

#include "context/binary_sniff.h"

namespace coderx::cli {

model::Result<ReadFile> read_source_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  auto file = read_file_stamped(path, max_bytes);
  if (file && context::looks_binary(file->content))
    return model::make_error(model::Errc::unsupported,
                             path.string() + " looks binary (a NUL byte in its first 8 KiB); left alone");
  return file;
}

}  // namespace coderx::cli
