// libFuzzer target: Content-Length framing. Arbitrary bytes, fed in arbitrary chunks, never
// crash the reader, never yield a body longer than the limit, and every yielded body re-frames
// to exactly the bytes it came from.
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
    while (auto body = reader.next()) {
      if (body->size() > limits.max_body_bytes) std::abort();
      if (coderx::lsp::frame(*body).find(*body) == std::string::npos) std::abort();
    }
    if (!reader.error().empty()) break;
  }
  return 0;
}
