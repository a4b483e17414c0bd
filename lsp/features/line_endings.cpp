#include "lsp/features/line_endings.h"

namespace coderx::features {

bool uses_crlf(std::string_view document) {
  std::size_t nl = document.find('\n');
  return nl != std::string_view::npos && nl > 0 && document[nl - 1] == '\r';
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace coderx::features
