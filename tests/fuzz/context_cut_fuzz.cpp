// libFuzzer target: cut() on arbitrary prefix / candidate / suffix (split at 0x01 bytes) for a
// random language or none. The result must never be longer than the candidate.
#include "context/cut.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace coderx::context;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto languages = all_languages();
  const std::size_t pick = data[0] % (languages.size() + 1);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    const auto sep = rest.find('\x01');
    parts[i] = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view{} : rest.substr(sep + 1);
  }
  parts[2] = rest;
  CutRequest r;
  r.language = pick < languages.size() ? &languages[pick] : nullptr;
  r.prefix = parts[0];
  r.candidate = parts[1];
  r.suffix = parts[2];
  r.single_line = (data[0] & 0x80) != 0;
  const CutResult out = cut(r);
  if (out.text.size() > r.candidate.size()) std::abort();
  return 0;
}
