// A std::vector allocator that puts large buffers in 2 MiB pages, for the K/V cache: a decode
// step streams it like the weights (230 MB a token at 2,048 positions on the real-size model),
// and the kernel's THP setting here ("madvise") would leave it in 4 KiB pages, one TLB entry
// (and on a VM a nested page walk) per 4 KiB. Buffers of 2 MiB or more get their own 2 MiB-
// aligned anonymous mapping, advised for transparent huge pages (huge_pages.h), whose tail past
// the last whole 2 MiB stays in 4 KiB pages, so no memory is spent on rounding; smaller ones are
// ordinary 64-byte-aligned allocations. Stateless; thread-safe; throws std::bad_alloc.
// AlignedVector is the same for the forward pass's activation buffers: rows that start on a cache
// line let the kernels' 32-byte stores stay within one (prefill attention on 16-byte-aligned
// outputs ran 15-20 % slower, `bench_attention --tokens 512`).
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace coderx::model {

// `bytes` (> 0) in a mapping of their own that starts on a 2 MiB boundary, advised for huge
// pages; nullptr when the system has no memory for it. Free with unmap_huge_aligned(p, bytes).
void* map_huge_aligned(std::size_t bytes);
void unmap_huge_aligned(void* p, std::size_t bytes);

// Allocations of this size or more are mapped by map_huge_aligned.
inline constexpr std::size_t kHugeAllocationBytes = std::size_t{2} << 20;

template <class T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / 2 / sizeof(T)) throw std::bad_alloc();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeAllocationBytes)
      return static_cast<T*>(::operator new (bytes, std::align_val_t{64}));
    void* p = map_huge_aligned(bytes);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeAllocationBytes)
      ::operator delete (p, std::align_val_t{64});
    else
      unmap_huge_aligned(p, bytes);
  }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

// A vector whose storage starts on a 64-byte boundary (in 2 MiB pages from 2 MiB on).
template <class T>
using AlignedVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace coderx::model
