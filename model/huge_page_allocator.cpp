#include "model/huge_page_allocator.h"

#include <cstdint>
#include <span>

#include <sys/mman.h>
#include <unistd.h>

#include "model/huge_pages.h"

namespace coderx::model {

namespace {

std::size_t whole_pages(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

// Maps 2 MiB more than asked, then unmaps what lies before the first 2 MiB boundary and after
// the buffer's last page.
void* map_huge_aligned(std::size_t bytes) {
  const std::size_t length = whole_pages(bytes);
  if (length > static_cast<std::size_t>(-1) - kHugePageBytes) return nullptr;
  void* raw = mmap(nullptr, length + kHugePageBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (aligned > start) munmap(raw, aligned - start);
  const std::uintptr_t end = start + length + kHugePageBytes;
  if (end > aligned + length)
    munmap(reinterpret_cast<void*>(aligned + length), end - aligned - length);
  auto* p = reinterpret_cast<std::byte*>(aligned);
  advise_huge_pages(std::span<const std::byte>(p, length));
  return p;
}

void unmap_huge_aligned(void* p, std::size_t bytes) {
  if (p) munmap(p, whole_pages(bytes));
}

}  // namespace coderx::model
