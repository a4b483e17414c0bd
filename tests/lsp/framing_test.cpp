// FrameReader: Content-Length framing, split input, limits, dropped oversized bodies.
#include "lsp/protocol/framing.h"

#include <gtest/gtest.h>

namespace coderx::lsp {
namespace {

TEST(Framing, FrameWritesContentLengthOfBytes) {
  EXPECT_EQ(frame("{}"), "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(frame("\xc3\xa9"), "Content-Length: 2\r\n\r\n\xc3\xa9");  // bytes, not characters
}

TEST(Framing, ReadsMessagesSplitAtEveryByte) {
  std::string stream = frame(R"({"a":1})") + "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" +
                       frame(R"({"b":22})").substr(0) + frame("");
  FrameReader reader;
  std::vector<std::string> bodies;
  for (char c : stream) {
    reader.feed(std::string_view(&c, 1));
    while (auto f = reader.next()) bodies.push_back(f->body);
  }
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[0], R"({"a":1})");
  EXPECT_EQ(bodies[1], R"({"b":22})");
  EXPECT_EQ(bodies[2], "");
  EXPECT_FALSE(reader.broken());
}

TEST(Framing, HeaderNameIsCaseInsensitiveAndSpacesAreTrimmed) {
  FrameReader reader;
  reader.feed("content-length:   3 \r\n\r\nabc");
  auto f = reader.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body, "abc");
}

TEST(Framing, MalformedHeadersBreakTheStream) {
  for (std::string bad : {"Content-Length: x\r\n\r\n", "Content-Length: -1\r\n\r\n",
                          "Content-Length: \r\n\r\n", "Content-Type: a\r\n\r\n",
                          "Content-Length: 99999999999999999999999\r\n\r\n"}) {
    FrameReader reader;
    reader.feed(bad);
    EXPECT_FALSE(reader.next()) << bad;
    EXPECT_TRUE(reader.broken()) << bad;
  }
}

TEST(Framing, HeaderLongerThanTheLimitBreaksTheStreamWithoutWaitingForItsEnd) {
  FrameReader reader(FramingLimits{64, 1024});
  reader.feed(std::string(65, 'X'));
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.broken());
  EXPECT_NE(reader.error().find("header"), std::string::npos);
}

TEST(Framing, OversizedBodyIsDroppedWithoutBufferingAndTheStreamGoesOn) {
  FrameReader reader(FramingLimits{1024, 100});
  reader.feed("Content-Length: 1000000\r\n\r\n");
  auto dropped = reader.next();
  ASSERT_TRUE(dropped);
  EXPECT_NE(dropped->dropped.find("1000000"), std::string::npos);
  std::string chunk(4096, 'x');
  for (int i = 0; i < 244; ++i) {  // 999,424 bytes of the body
    reader.feed(chunk);
    EXPECT_LE(reader.buffered(), 0u);
    EXPECT_FALSE(reader.next());
  }
  reader.feed(std::string(576, 'x') + frame("{}"));  // the body's last bytes, then a message
  auto next = reader.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "{}");
  EXPECT_TRUE(next->dropped.empty());
}

TEST(Framing, BodyAtTheLimitIsAccepted) {
  FrameReader reader(FramingLimits{1024, 5});
  reader.feed(frame("12345"));
  auto f = reader.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body, "12345");
}

}  // namespace
}  // namespace coderx::lsp
