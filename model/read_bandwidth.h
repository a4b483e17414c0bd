// The machine's streaming read bandwidth as the CPU engine sees it: every pool thread sums its
// share of a buffer far larger than the caches. Decode reads each active weight byte once per
// token, so bandwidth / active bytes per token is the bound decode speed can reach.
// Who calls it: `coderx bench`, tools/bench_gemv. Threading: uses the pool (one caller at a
// time). Allocates `bytes` (touched once) for the measurement; no errors.
#pragma once

#include <cstddef>

#include "model/thread_pool.h"

namespace coderx::model {

// Best of `reps` passes, in bytes per second, over [data, data + bytes).
double read_bandwidth(ThreadPool& pool, const std::byte* data, std::size_t bytes, int reps);
// Same over a freshly allocated buffer of `bytes` (default 1 GiB), in 2 MiB pages where the
// kernel has them, as the weights are (huge_pages.h): through 4 KiB pages the machine reads
// slower, and the bound is the best it reads.
double read_bandwidth(ThreadPool& pool, std::size_t bytes = std::size_t{1} << 30, int reps = 5);

}  // namespace coderx::model
