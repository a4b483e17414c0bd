// Maps the pages of a read-only file mapping (the model's weights) into this process ahead of
// use. A freshly mapped GGUF costs a page fault the first time each page is read: about 1,200 a
// decode step on the real-size model until every expert has been routed to once, which takes
// hundreds of tokens. Populating the mapping up front (MADV_POPULATE_READ, Linux ≥ 5.14; one
// read per page elsewhere) moves that cost out of the requests. Pages the page cache lacks are
// read from disk, so this is only worth doing when the file fits in memory with room to spare.
// Callers: Engine::load (in the background, CPU backend), `coderx bench` (before it measures).
#pragma once

#include <cstddef>
#include <span>
#include <stop_token>
#include <thread>
#include <vector>

namespace coderx::model {

// Populates bytes in steps of 64 MiB, checking stop between steps; returns the bytes done. Stops
// early, without touching the rest, where the pages cannot be mapped (a file truncated under its
// mapping: reading those pages would raise SIGBUS).
std::size_t populate_pages(std::span<const std::byte> bytes, std::stop_token stop = {});

// Whether a file of `bytes` leaves at least a quarter of physical memory to everything else.
bool worth_populating(std::size_t bytes);

// What warm_weights did: bytes populated, bytes re-read into 2 MiB pages, and bytes mapped
// through 2 MiB entries at the end (0 where that cannot be read).
struct WarmedWeights {
  std::size_t populated = 0;
  std::size_t remapped = 0;
  std::size_t huge = 0;
};

// Readies a read-only file mapping of weights: asks for 2 MiB pages (huge_pages.h), populates it,
// and re-reads the parts that did not come in 2 MiB pages (the file was cached in small ones) so
// that they do. Stops between steps when asked.
WarmedWeights warm_weights(std::span<const std::byte> bytes, std::stop_token stop = {});

// The parts of `whole` outside every range in `removed` (ranges within whole), in order.
std::vector<std::span<const std::byte>> ranges_outside(
    std::span<const std::byte> whole, std::vector<std::span<const std::byte>> removed);

// warm_weights on a background thread, part after part; the destructor stops it (within one
// step) and joins.
class PageWarmer {
 public:
  explicit PageWarmer(std::vector<std::span<const std::byte>> parts);
  PageWarmer(const PageWarmer&) = delete;
  PageWarmer& operator=(const PageWarmer&) = delete;

 private:
  std::jthread thread_;
};

}  // namespace coderx::model
