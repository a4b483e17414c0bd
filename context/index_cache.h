// The on-disk cache of the workspace index: a versioned binary file (magic "CDRXIDX", format
// version, entry count, a checksum of the body) holding each file's key (path, size, mtime,
// content hash) and its symbols and imports. A missing, truncated, corrupt or other-version
// cache is ignored with a log line (the index then re-parses). Writes go to a temporary file
// renamed into place, so a crash never leaves half a cache.
// Used by WorkspaceIndex only. Threading: plain functions.
#pragma once

#include "context/error.h"
#include "context/index.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace coderx::context {

inline constexpr std::uint32_t kIndexCacheVersion = 1;

Result<void> write_index_cache(const std::filesystem::path& file,
                               const std::vector<const IndexedFile*>& files);
// Entries by path; errors: io (missing/unreadable) or format (corrupt, other version).
Result<std::map<std::string, IndexedFile>> read_index_cache(const std::filesystem::path& file);

}  // namespace coderx::context
