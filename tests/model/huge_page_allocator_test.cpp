// HugePageAllocator: small buffers are ordinary aligned allocations; large ones get a mapping
// of their own that starts on a 2 MiB boundary and ends at the buffer's last page, checked
// against /proc/self/maps (the kernel's own list of mappings), and is gone once freed; vectors
// that grow across the threshold keep their contents.
#include "model/huge_page_allocator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace coderx::model {
namespace {

constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;

// The [start, end) of the mapping in /proc/self/maps that contains addr, if any.
std::optional<std::pair<std::uintptr_t, std::uintptr_t>> mapping_at(const void* addr) {
  std::ifstream maps("/proc/self/maps");
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  for (std::string line; std::getline(maps, line);) {
    std::istringstream in(line);
    std::uintptr_t start = 0, end = 0;
    char dash = 0;
    in >> std::hex >> start >> dash >> end;
    if (start <= a && a < end) return std::pair{start, end};
  }
  return std::nullopt;
}

TEST(HugePageAllocator, SmallBuffersAreOrdinaryAlignedAllocations) {
  HugePageAllocator<float> alloc;
  for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1000},
                              kHugeAllocationBytes / sizeof(float) - 1}) {
    float* p = alloc.allocate(n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << n;
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<float>(i);
    EXPECT_EQ(p[n - 1], static_cast<float>(n - 1));
    alloc.deallocate(p, n);
  }
}

TEST(HugePageAllocator, LargeBuffersGetTheirOwnHugeAlignedMappingUntilFreed) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  HugePageAllocator<std::uint16_t> alloc;
  for (const std::size_t bytes :
       {kHugeAllocationBytes, kHugeAllocationBytes + 2, 3 * kHugeAllocationBytes + 5000}) {
    const std::size_t n = bytes / sizeof(std::uint16_t);
    std::uint16_t* p = alloc.allocate(n);
    const auto start = reinterpret_cast<std::uintptr_t>(p);
    EXPECT_EQ(start % kHuge, 0u) << bytes;
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint16_t>(i * 7);
    for (std::size_t i = 0; i < n; i += 4099) ASSERT_EQ(p[i], static_cast<std::uint16_t>(i * 7));
    const auto mapping = mapping_at(p);
    ASSERT_TRUE(mapping.has_value()) << bytes;
    const std::uintptr_t end = start + (n * sizeof(std::uint16_t) + page - 1) / page * page;
    // Its own mapping (advised for huge pages, so no ordinary neighbour merges with it), from
    // the buffer's start to its last page: nothing rounded up to 2 MiB, nothing left before.
    EXPECT_EQ(mapping->first, start) << bytes;
    EXPECT_EQ(mapping->second, end) << bytes;
    alloc.deallocate(p, n);
    EXPECT_FALSE(mapping_at(p).has_value()) << bytes << ": still mapped after deallocate";
  }
}

TEST(HugePageAllocator, VectorsGrowAcrossTheThresholdKeepingTheirContents) {
  std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> v;
  const std::size_t n = 3 * kHugeAllocationBytes / sizeof(std::uint32_t);
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<std::uint32_t>(i * 2654435761u));
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(v[i], static_cast<std::uint32_t>(i * 2654435761u));
  auto copy = v;
  EXPECT_EQ(copy, v);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(copy.data()) % kHuge, 0u);
}

}  // namespace
}  // namespace coderx::model
