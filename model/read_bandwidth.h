// The machine's streaming read bandwidth as the CPU engine sees it: every pool thread sums its
// share of a buffer far larger than the caches. Decode reads each active weight byte once per
// token, so bandwidth / active bytes per token is the bound decode speed can reach.
// Who calls it: `coderx bench`, tools/bench_gemv. Threading: uses the pool (one caller at a
// time). Allocates `bytes` (touched once) for the measurement; no errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "model/thread_pool.h"

namespace coderx::model {

// Best of `reps` passes, in bytes per second, over [data, data + bytes).
double read_bandwidth(ThreadPool& pool, const std::byte* data, std::size_t bytes, int reps);
// Same over a freshly allocated buffer of `bytes` (default 1 GiB), in 2 MiB pages where the
// kernel has them, as the weights are (huge_pages.h): through 4 KiB pages the machine reads
// slower, and the bound is the best it reads.
double read_bandwidth(ThreadPool& pool, std::size_t bytes = std::size_t{1} << 30, int reps = 5);

struct ReadTiming {
  std::uint64_t bytes = 0;
  double seconds = 0;
  double bytes_per_second() const { return seconds > 0 ? static_cast<double>(bytes) / seconds : 0; }
};

// Reads every byte of the spans once, one span after another, the pool's threads taking guided
// stretches of each (in 16 KiB units) as the decode products take their rows: e.g. the weights
// of one decode step where the forward pass reads them (active_weights_read.h).
ReadTiming read_spans(ThreadPool& pool, std::span<const std::span<const std::byte>> spans);

}  // namespace coderx::model
