// lsp/serve/sse_writer framing, read back by the remote engine's independent SSE parser
// (model/remote/sse_parser): every payload, multi-line or not, comes back unchanged.
#include <gtest/gtest.h>

#include "lsp/serve/sse_writer.h"
#include "model/remote/sse_parser.h"

namespace coderx::serve {
namespace {

TEST(ServeSseWriter, EventsRoundTripThroughTheClientParser) {
  std::vector<std::string> payloads{"{\"a\":1}", "two\nlines", "", "trailing\n", "[DONE]", "data: inside"};
  std::string stream;
  for (const std::string& p : payloads) stream += sse_event(p);
  EXPECT_EQ(sse_event("a\nb"), "data: a\ndata: b\n\n");
  model::remote::SseParser parser;
  std::vector<model::remote::SseEvent> events;
  ASSERT_TRUE(parser.feed(stream, events));
  ASSERT_EQ(events.size(), payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) EXPECT_EQ(events[i].data, payloads[i]) << i;
}

}  // namespace
}  // namespace coderx::serve
