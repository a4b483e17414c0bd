#include "model/huge_pages.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#if defined(__linux__)
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace coderx::model {

namespace {

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

// The PAGEMAP_SCAN ioctl of /proc/self/pagemap (Linux 6.7, uapi linux/fs.h), declared here for
// older headers.
struct PageRegion {
  std::uint64_t start, end, categories;
};
struct PmScanArg {
  std::uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
  std::uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
constexpr std::uint64_t kPageIsHuge = 1 << 6;
constexpr unsigned long kPagemapScan = _IOWR('f', 16, PmScanArg);

// Bytes of [begin, end) (page-aligned) mapped through huge entries, from PAGEMAP_SCAN; −1 where
// the kernel has no such ioctl. Walks only that range's page tables.
std::int64_t scan_huge_bytes(std::uintptr_t begin, std::uintptr_t end) {
  const int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  PageRegion regions[64];
  std::int64_t total = 0;
  while (begin < end) {
    PmScanArg arg{};
    arg.size = sizeof arg;
    arg.start = begin;
    arg.end = end;
    arg.vec = reinterpret_cast<std::uintptr_t>(regions);
    arg.vec_len = std::size(regions);
    arg.category_mask = arg.return_mask = kPageIsHuge;
    const int n = ioctl(fd, kPagemapScan, &arg);
    if (n < 0) {
      total = -1;
      break;
    }
    for (int i = 0; i < n; ++i)
      total += static_cast<std::int64_t>(regions[i].end - regions[i].start);
    if (arg.walk_end <= begin) break;  // no progress: stop rather than loop
    begin = arg.walk_end;
  }
  ::close(fd);
  return total;
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

std::size_t huge_mapped_bytes(std::span<const std::byte> bytes) {
#if defined(__linux__)
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data()) / page * page;
  const auto end =
      (reinterpret_cast<std::uintptr_t>(bytes.data() + bytes.size()) + page - 1) / page * page;
  if (const std::int64_t scanned = scan_huge_bytes(begin, end); scanned >= 0)
    return static_cast<std::size_t>(scanned);
#endif
  return huge_mapped_in_smaps(read_file("/proc/self/smaps"), bytes.data());
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

void release_pages(std::span<const std::byte> bytes) {
#if defined(__linux__)
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(bytes.data()) + page - 1) / page * page;
  const auto end = reinterpret_cast<std::uintptr_t>(bytes.data() + bytes.size()) / page * page;
  if (end > begin) advise(begin, end, MADV_DONTNEED);
#else
  (void)bytes;
#endif
}

std::size_t remap_huge_pages(std::span<const std::byte> bytes, std::stop_token stop) {
#if defined(__linux__)
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<std::uintptr_t>(bytes.data()) / page * page;
  const auto last =
      (reinterpret_cast<std::uintptr_t>(bytes.data() + bytes.size()) + page - 1) / page * page;
  if (last - first < 2 * kHugePageBytes) return 0;
  std::size_t reread = 0;
  bool checked = false;
  // Steps end on 2 MiB boundaries, so that no 2 MiB page straddles two of them.
  for (std::uintptr_t begin = first; begin < last && !stop.stop_requested();) {
    const std::uintptr_t end = std::min(last, (begin + kStep) / kHugePageBytes * kHugePageBytes);
    const std::int64_t huge = scan_huge_bytes(begin, end);
    if (huge < 0) break;  // no PAGEMAP_SCAN: which steps need it cannot be told
    // Already huge but for a partial 2 MiB page at either end: nothing to gain.
    if (static_cast<std::uintptr_t>(huge) + 2 * kHugePageBytes < end - begin) {
      if (!advise(begin, end, MADV_PAGEOUT) || !advise(begin, end, MADV_DONTNEED) ||
          !advise(begin, end, MADV_POPULATE_READ))
        break;
      reread += end - begin;
      if (!checked &&
          2 * static_cast<std::uintptr_t>(std::max<std::int64_t>(scan_huge_bytes(begin, end), 0)) <
              end - begin)
        break;  // less than half of this step came huge: the others would fare no better
      checked = true;
    }
    begin = end;
  }
  return reread;
#else
  (void)bytes;
  (void)stop;
  return 0;
#endif
}

}  // namespace coderx::model
