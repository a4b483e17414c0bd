// model/remote/sse_parser against hand-written event streams (the WHATWG rules): every line
// ending, every split point of the bytes, comments, multi-line data, the size limit.
#include <gtest/gtest.h>

#include "model/remote/sse_parser.h"

namespace coderx::model::remote {
namespace {

std::vector<SseEvent> parse_in_pieces(std::string_view bytes, std::size_t piece) {
  SseParser p;
  std::vector<SseEvent> out;
  for (std::size_t at = 0; at < bytes.size(); at += piece) EXPECT_TRUE(p.feed(bytes.substr(at, piece), out));
  return out;
}

TEST(SseParser, SameEventsForEveryChunkingAndLineEnding) {
  for (const char* eol : {"\n", "\r\n", "\r"}) {
    std::string e(eol);
    std::string stream = ": keep-alive" + e + "data: {\"a\":1}" + e + e + "event: error" + e + "data: x" + e +
                         "data:y" + e + "id: 7" + e + "retry: 10" + e + e + "data: [DONE]" + e + e;
    for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
      auto events = parse_in_pieces(stream, piece);
      ASSERT_EQ(events.size(), 3u) << "piece " << piece;
      EXPECT_EQ(events[0].data, "{\"a\":1}");
      EXPECT_EQ(events[0].event, "");
      EXPECT_EQ(events[1].data, "x\ny");  // one leading space is removed, none added
      EXPECT_EQ(events[1].event, "error");
      EXPECT_EQ(events[2].data, "[DONE]");
    }
  }
}

TEST(SseParser, EventsWithoutDataAndUnfinishedEventsAreNotDispatched) {
  SseParser p;
  std::vector<SseEvent> out;
  EXPECT_TRUE(p.feed("event: ping\n\n: comment\n\ndata: pending", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(p.feed("\n", out));
  EXPECT_TRUE(out.empty());  // no blank line yet
  EXPECT_TRUE(p.feed("\n", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "pending");
  EXPECT_EQ(out[0].event, "");  // the ping's event name did not leak into the next event
}

TEST(SseParser, EmptyDataFieldStillMakesAnEvent) {
  SseParser p;
  std::vector<SseEvent> out;
  EXPECT_TRUE(p.feed("data\n\ndata:\n\n", out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data, "");
  EXPECT_EQ(out[1].data, "");
}

TEST(SseParser, OverlongEventFailsAndStaysFailed) {
  SseParser p(64);
  std::vector<SseEvent> out;
  EXPECT_TRUE(p.feed("data: " + std::string(40, 'a') + "\n", out));
  EXPECT_FALSE(p.feed("data: " + std::string(40, 'b') + "\n\n", out));
  EXPECT_NE(p.error().find("64 bytes"), std::string::npos);
  EXPECT_FALSE(p.feed("data: ok\n\n", out));
  EXPECT_TRUE(out.empty());
  SseParser line_limit(16);
  EXPECT_FALSE(line_limit.feed(std::string(100, 'x'), out));  // one endless line, no newline
}

}  // namespace
}  // namespace coderx::model::remote
