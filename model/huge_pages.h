// The weights in 2 MiB pages. A decode step streams 2.6 GB of weights; through 4 KiB page-table
// entries it runs at ~80 % of the speed it reaches when the page cache holds the file in 2 MiB
// folios mapped whole (one TLB entry each, and the hardware prefetchers are not cut off every
// 4 KiB): on the real-size model here decode went 5.7 → 6.6 tokens/s and prefill 15 → 19.
// Linux (6.x, ext4/xfs with large folios) reads a file into 2 MiB folios when the mapping asks
// for them (MADV_HUGEPAGE), and places large file mappings at 2 MiB-aligned addresses so that
// they can be mapped whole; a file already cached in small folios stays so until it is re-read.
// Callers: page_warmer.cpp (Engine::load in the background, `coderx bench` before it measures).
#pragma once

#include <cstddef>
#include <span>
#include <stop_token>
#include <string_view>

namespace coderx::model {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// Bytes of the mapping that contains addr mapped through 2 MiB entries (its FilePmdMapped),
// read from the text of a /proc/<pid>/smaps file; 0 when no mapping there contains addr.
std::size_t huge_mapped_in_smaps(std::string_view smaps, const void* addr);

// Bytes of this process's mapping `bytes` mapped through 2 MiB entries: from the PAGEMAP_SCAN
// ioctl (Linux 6.7; walks only that range), else from /proc/self/smaps for the whole mapping
// that holds bytes.data() (walks every mapping: ~45 ms with the 13 GB model); 0 where neither
// can be read.
std::size_t huge_mapped_bytes(std::span<const std::byte> bytes);

// Whether the kernel hands out transparent huge pages at all (its setting is not "never").
bool huge_pages_enabled();

// Asks for 2 MiB pages on a mapping (the weights' read-only file mapping, or an anonymous
// buffer): pages faulted in from now on come in 2 MiB folios, mapped whole, where the kernel has
// them. Advice only; ignored where unsupported.
void advise_huge_pages(std::span<const std::byte> bytes);

// Drops this process's mapping of the whole pages inside bytes (a read-only file mapping): its
// resident memory no longer counts them; the page cache keeps them, and reading them again maps
// them back. For weights another copy has replaced. Ignored where unsupported.
void release_pages(std::span<const std::byte> bytes);

// Re-reads the parts of a read-only file mapping that are not yet in 2 MiB pages, so that the
// page cache holds them in 2 MiB folios mapped whole: per 64 MiB step that PAGEMAP_SCAN finds
// not huge, the pages are dropped from the page cache (MADV_PAGEOUT; pages that other processes
// map stay), unmapped and read again. When the first step re-read did not come back at least
// half in 2 MiB pages (no support in the kernel or the filesystem, or memory too fragmented),
// nothing more is done; without PAGEMAP_SCAN nothing is done at all. Stops between steps when
// asked, and where pages cannot be mapped. Returns the bytes re-read. Reads from disk, so only
// for files that fit in memory with room to spare; advise_huge_pages must have been applied.
std::size_t remap_huge_pages(std::span<const std::byte> bytes, std::stop_token stop = {});

}  // namespace coderx::model
