#include "model/huge_pages.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace coderx::model {

namespace {

constexpr std::size_t kHuge = std::size_t{2} << 20;
constexpr std::size_t kStep = std::size_t{64} << 20;

#if defined(__linux__)
// Linux uapi values, for older headers.
#ifndef MADV_PAGEOUT
constexpr int MADV_PAGEOUT = 21;
#endif
#ifndef MADV_POPULATE_READ
constexpr int MADV_POPULATE_READ = 22;
#endif
#endif

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t parse_hex(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v, 16);
  return v;
}

// "7f0f2a200000-7f123ee3f000 r--s …": whether the range on this header line holds addr.
bool header_holds(std::string_view line, std::uintptr_t addr) {
  const std::size_t dash = line.find('-'), space = line.find(' ');
  if (dash == std::string_view::npos || space == std::string_view::npos || dash > space)
    return false;
  const std::uint64_t begin = parse_hex(line.substr(0, dash));
  const std::uint64_t end = parse_hex(line.substr(dash + 1, space - dash - 1));
  return begin <= addr && addr < end;
}

// "FilePmdMapped:   11644928 kB" → its bytes; −1 for other lines.
std::int64_t pmd_line_bytes(std::string_view line) {
  constexpr std::string_view kKey = "FilePmdMapped:";
  if (!line.starts_with(kKey)) return -1;
  line.remove_prefix(kKey.size());
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  std::int64_t kb = 0;
  std::from_chars(line.data(), line.data() + line.size(), kb);
  return kb * 1024;
}

#if defined(__linux__)
bool advise(std::uintptr_t begin, std::uintptr_t end, int advice) {
  return madvise(reinterpret_cast<void*>(begin), end - begin, advice) == 0;
}
#endif

}  // namespace

std::size_t huge_mapped_in_smaps(std::string_view smaps, const void* addr) {
  const auto target = reinterpret_cast<std::uintptr_t>(addr);
  bool inside = false;
  while (!smaps.empty()) {
    const std::size_t eol = smaps.find('\n');
    const std::string_view line = smaps.substr(0, eol);
    smaps.remove_prefix(eol == std::string_view::npos ? smaps.size() : eol + 1);
    // Header lines start with the range in hex; field lines with a capitalised name.
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line.front())) &&
        line.find('-') < line.find(':')) {
      inside = header_holds(line, target);
      continue;
    }
    if (inside)
      if (const std::int64_t bytes = pmd_line_bytes(line); bytes >= 0)
        return static_cast<std::size_t>(bytes);
  }
  return 0;
}

std::size_t huge_mapped_bytes(const void* addr) {
  return huge_mapped_in_smaps(read_file("/proc/self/smaps"), addr);
}

bool huge_pages_enabled() {
  const std::string setting = read_file("/sys/kernel/mm/transparent_hugepage/enabled");
  return !setting.empty() && setting.find("[never]") == std::string::npos;
}

void advise_huge_pages(std::span<const std::byte> bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data()) / page * page;
  const auto end = reinterpret_cast<std::uintptr_t>(bytes.data() + bytes.size());
  if (end > begin) advise(begin, end, MADV_HUGEPAGE);
#else
  (void)bytes;
#endif
}

std::size_t remap_huge_pages(std::span<const std::byte> bytes, std::stop_token stop) {
#if defined(__linux__)
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<std::uintptr_t>(bytes.data()) / page * page;
  const auto last = reinterpret_cast<std::uintptr_t>(bytes.data() + bytes.size());
  if (last - first < 2 * kHuge) return 0;
  // Steps end on 2 MiB boundaries, so that no 2 MiB page straddles two of them.
  std::uintptr_t begin = first;
  bool checked = false;
  while (begin < last && !stop.stop_requested()) {
    const std::uintptr_t end = std::min(last, (begin + kStep) / kHuge * kHuge);
    if (!advise(begin, end, MADV_PAGEOUT) || !advise(begin, end, MADV_DONTNEED)) break;
    const std::size_t without = checked ? 0 : huge_mapped_bytes(bytes.data());
    if (!advise(begin, end, MADV_POPULATE_READ)) break;
    if (!checked) {
      const std::size_t with = huge_mapped_bytes(bytes.data());
      if (with < without || with - without < (end - begin) / 2) return end - first;
      checked = true;
    }
    begin = end;
  }
  return std::min<std::size_t>(begin - first, bytes.size());
#else
  (void)bytes;
  (void)stop;
  return 0;
#endif
}

}  // namespace coderx::model
