// file:// URIs <-> local paths (RFC 8089 as LSP clients send them: percent-encoded UTF-8,
// "file:///abs/path", Windows drive letters left as they are). Used by the server to map
// documents and watched-file events onto the workspace index. Pure functions; thread-safe.
// Errors: uri_to_path() returns nullopt for other schemes and malformed escapes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace coderx::server {

std::optional<std::filesystem::path> uri_to_path(std::string_view uri);
std::string path_to_uri(const std::filesystem::path& path);
// A '/'-separated path as a URI path: bytes other than unreserved characters and '/' become
// %XX (RFC 3986), UTF-8 byte by byte ("sp ace.c" -> "sp%20ace.c").
std::string percent_encode_path(std::string_view path);

}  // namespace coderx::server
