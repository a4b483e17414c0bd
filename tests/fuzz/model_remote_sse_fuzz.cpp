// libFuzzer target: the remote engine's response parsing — the server-sent-event parser and
// the chunk decoder — on arbitrary bytes. The first byte picks a chunk size; the rest is the
// stream. Invariants: feeding in chunks gives exactly the events of feeding at once (or fails
// the same way); every event decodes to a value or a format error without crashing; error
// bodies are described as valid UTF-8 without control characters, of bounded length.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "model/remote/openai_wire.h"
#include "model/remote/sse_parser.h"
#include "model/utf8.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "model_remote_sse_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace coderx::model::remote;
  if (size == 0) return 0;
  std::size_t piece = 1 + data[0] % 17;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  SseParser once(4096), chunked(4096);
  std::vector<SseEvent> a, b;
  bool ok_once = once.feed(stream, a);
  bool ok_chunked = true;
  for (std::size_t at = 0; at < stream.size() && ok_chunked; at += piece)
    ok_chunked = chunked.feed(stream.substr(at, piece), b);
  check(ok_once == ok_chunked, "chunking changed whether the stream fails");
  if (ok_once) {
    check(a.size() == b.size(), "chunking changed the number of events");
    for (std::size_t i = 0; i < a.size(); ++i)
      check(a[i].data == b[i].data && a[i].event == b[i].event, "chunking changed an event");
  }
  for (const SseEvent& e : a) {
    auto d = decode_chunk(e.data);
    check(d || d.error().code == coderx::model::Errc::format, "decode failed with a code other than format");
  }
  std::string described = describe_error_body(stream);
  check(described.size() <= 303, "error description too long");
  for (char c : described) check(static_cast<unsigned char>(c) >= ' ' && c != 127, "error description has a control character");
  check(coderx::model::utf8::make_valid(described) == described, "error description is not valid UTF-8");
  (void)decode_model_list(stream);
  return 0;
}
