// file:// URIs <-> paths: percent-decoding, an authority, other schemes, malformed escapes, and
// the round trip through path_to_uri.
#include "lsp/server/uri.h"

#include <gtest/gtest.h>

namespace coderx::server {
namespace {

TEST(Uri, FileUrisDecodeToPaths) {
  EXPECT_EQ(uri_to_path("file:///home/me/a.py"), std::filesystem::path("/home/me/a.py"));
  EXPECT_EQ(uri_to_path("file:///tmp/with%20space/%C3%A9.rs"), std::filesystem::path("/tmp/with space/\xC3\xA9.rs"));
  EXPECT_EQ(uri_to_path("file://localhost/etc/x"), std::filesystem::path("/etc/x"));
  EXPECT_FALSE(uri_to_path("untitled:Untitled-1"));
  EXPECT_FALSE(uri_to_path("file:///bad%2"));
  EXPECT_FALSE(uri_to_path("file:///bad%zz"));
}

TEST(Uri, PathsRoundTrip) {
  for (const char* p : {"/a/b.py", "/tmp/with space/#hash%.txt", "/x/\xC3\xA9t\xC3\xA9.go"}) {
    std::string uri = path_to_uri(p);
    EXPECT_EQ(uri.find(' '), std::string::npos);
    EXPECT_EQ(uri_to_path(uri), std::filesystem::path(p)) << uri;
  }
}

}  // namespace
}  // namespace coderx::server
