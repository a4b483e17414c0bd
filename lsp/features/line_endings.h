// Keeping a document's line-ending style in the text the model writes for it: models write "\n",
// and an edit to a CRLF file (Windows checkouts, some generated files) must not leave a mix.
// A document is CRLF when its first line break is "\r\n" (as editors and git decide).
// Used by Assistant::refactor. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace coderx::features {

bool uses_crlf(std::string_view document);

// `text` with every "\n" not already after "\r" written as "\r\n".
std::string to_crlf(std::string_view text);

}  // namespace coderx::features
