// libFuzzer target: Content-Length framing. Arbitrary bytes, fed in arbitrary chunks, never
// crash the reader, never yield a body longer than the limit, and every yielded body re-frames
// to exactly the bytes it came from; a dropped (oversized) frame carries no body and a reason,
// and the reader never holds much more than the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lsp/protocol/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  coderx::lsp::FramingLimits limits{256, 4096};
  coderx::lsp::FrameReader reader(limits);
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (std::size_t i = 0; i < bytes.size(); i += chunk) {
    reader.feed(bytes.substr(i, chunk));
    while (auto f = reader.next()) {
      if (!f->dropped.empty() && !f->body.empty()) std::abort();
      if (f->body.size() > limits.max_body_bytes) std::abort();
      if (coderx::lsp::frame(f->body).find(f->body) == std::string::npos) std::abort();
    }
    if (reader.buffered() > limits.max_header_bytes + limits.max_body_bytes + 4 + chunk) std::abort();
    if (!reader.error().empty()) break;
  }
  return 0;
}
