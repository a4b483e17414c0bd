#include "model/page_warmer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>

#include <spdlog/spdlog.h>

#include "model/huge_pages.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace coderx::model {

namespace {

constexpr std::size_t kStep = std::size_t{64} << 20;
#if defined(__linux__) && !defined(MADV_POPULATE_READ)
constexpr int MADV_POPULATE_READ = 22;  // Linux 5.14 uapi value, for older headers
#endif

std::size_t page_size() {
#if defined(__linux__)
  return static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
#else
  return 4096;
#endif
}

// One read per page: maps it, where the kernel has no MADV_POPULATE_READ.
void touch_pages(const std::byte* begin, std::size_t n, std::size_t page) {
  volatile std::uint8_t sink = 0;
  for (std::size_t i = 0; i < n; i += page) sink = sink + static_cast<std::uint8_t>(begin[i]);
}

// False where the pages cannot be mapped: the file shrank under the mapping (reading there
// would raise SIGBUS, which madvise reports as EFAULT instead) or memory ran out.
bool populate_step(const std::byte* begin, std::size_t n, std::size_t page) {
#if defined(__linux__)
  // madvise wants a page-aligned start; the bytes before it in that page are mapped too.
  const auto addr = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t aligned = addr / page * page;
  if (madvise(reinterpret_cast<void*>(aligned), n + (addr - aligned), MADV_POPULATE_READ) == 0)
    return true;
  if (errno != EINVAL) return false;  // EINVAL: a kernel before 5.14; read the pages instead
#endif
  touch_pages(begin, n, page);
  return true;
}

}  // namespace

std::size_t populate_pages(std::span<const std::byte> bytes, std::stop_token stop) {
  const std::size_t page = page_size();
  std::size_t done = 0;
  while (done < bytes.size() && !stop.stop_requested()) {
    const std::size_t n = std::min(kStep, bytes.size() - done);
    if (!populate_step(bytes.data() + done, n, page)) break;
    done += n;
  }
  return done;
}

bool worth_populating(std::size_t bytes) {
#if defined(__linux__)
  const long pages = sysconf(_SC_PHYS_PAGES);
  if (pages <= 0) return false;
  const double physical = static_cast<double>(pages) * static_cast<double>(page_size());
  return static_cast<double>(bytes) <= 0.75 * physical;
#else
  (void)bytes;
  return false;
#endif
}

WarmedWeights warm_weights(std::span<const std::byte> bytes, std::stop_token stop) {
  WarmedWeights w;
  advise_huge_pages(bytes);
  w.populated = populate_pages(bytes, stop);
  if (w.populated < bytes.size()) return w;
  // remap_huge_pages re-reads only what is not yet in 2 MiB pages (nothing, most of the time).
  if (huge_pages_enabled()) w.remapped = remap_huge_pages(bytes, stop);
  w.huge = huge_mapped_bytes(bytes);
  return w;
}

std::vector<std::span<const std::byte>> ranges_outside(
    std::span<const std::byte> whole, std::vector<std::span<const std::byte>> removed) {
  std::sort(removed.begin(), removed.end(),
            [](const auto& a, const auto& b) { return a.data() < b.data(); });
  std::vector<std::span<const std::byte>> parts;
  const std::byte* at = whole.data();
  for (const auto& r : removed) {
    if (r.data() > at) parts.emplace_back(at, r.data());
    at = std::max(at, r.data() + r.size());
  }
  const std::byte* end = whole.data() + whole.size();
  if (end > at) parts.emplace_back(at, end);
  return parts;
}

PageWarmer::PageWarmer(std::vector<std::span<const std::byte>> parts)
    : thread_([parts = std::move(parts)](std::stop_token stop) {
        const auto start = std::chrono::steady_clock::now();
        WarmedWeights total;
        std::size_t bytes = 0;
        for (const auto& part : parts) {
          const WarmedWeights w = warm_weights(part, stop);
          total.populated += w.populated;
          total.remapped += w.remapped;
          total.huge += w.huge;
          bytes += part.size();
        }
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        spdlog::debug(
            "weights: mapped {:.1f} of {:.1f} GB ahead of use in {:.1f} s ({:.1f} GB re-read; "
            "{:.1f} GB in 2 MiB pages)",
            static_cast<double>(total.populated) / 1e9, static_cast<double>(bytes) / 1e9, s,
            static_cast<double>(total.remapped) / 1e9, static_cast<double>(total.huge) / 1e9);
      }) {}

}  // namespace coderx::model
