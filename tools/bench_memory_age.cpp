// bench_memory_age: how fast memory reads back against how long it was left untouched. Decode
// reads every dense weight each token but each routed expert only about once a second (8 of 98
// per layer), and on the development VM (a Firecracker guest) memory left alone for a second or
// more read back several times slower than memory read a moment before, in some phases of the
// host and not in others: the reason the experts' products fall short of the read bandwidth
// while the dense ones reach it (docs/models.md).
//
//   bench_memory_age [--mb 4096] [--ages 0.05,0.5,1,2,4] [--rounds 2]
//
// For each age A: one thread reads a group of 16 chunks of 4 MiB, then reads a hot 64 MiB buffer
// over and over for A seconds (the machine stays busy, as in decode), then reads the group again.
// Each line: A, the GB/s of that second read, and the GB/s of a read of 16 other chunks that no
// one has touched since the buffer was filled.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "model/huge_page_allocator.h"
#include "model/read_bandwidth.h"
#include "model/thread_pool.h"

namespace m = coderx::model;

namespace {

constexpr std::size_t kChunk = std::size_t{4} << 20;
constexpr std::size_t kGroup = 16;  // chunks read together
constexpr std::size_t kHot = std::size_t{64} << 20;

using Buffer = std::vector<std::byte, m::HugePageAllocator<std::byte>>;
using Spans = std::vector<std::span<const std::byte>>;

Spans group_at(const Buffer& b, std::size_t first_chunk) {
  Spans out;
  for (std::size_t i = 0; i < kGroup; ++i)
    out.push_back(std::span(b).subspan((first_chunk + i) * kChunk, kChunk));
  return out;
}

std::vector<double> parse_ages(const std::string& text) {
  std::vector<double> ages;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) ages.push_back(std::atof(item.c_str()));
  return ages;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 4096;
  std::vector<double> ages{0.05, 0.5, 1, 2, 4};
  int rounds = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--mb")
      mb = static_cast<std::size_t>(std::atoll(argv[i + 1]));
    else if (a == "--ages")
      ages = parse_ages(argv[i + 1]);
    else if (a == "--rounds")
      rounds = std::atoi(argv[i + 1]);
    else
      return std::fprintf(stderr, "bench_memory_age: unknown option %s\n", a.c_str()), 2;
  }
  const std::size_t chunks = (mb << 20) / kChunk;
  if (chunks < 4 * kGroup)
    return std::fprintf(stderr, "bench_memory_age: --mb must be at least 256\n"), 2;
  Buffer buffer(chunks * kChunk), hot(kHot);
  std::memset(buffer.data(), 1, buffer.size());
  std::memset(hot.data(), 2, hot.size());
  m::ThreadPool one(1);
  const Spans hot_span{std::span<const std::byte>(hot)};
  // Aged groups come from the first half, untouched ones from the second.
  std::size_t aged = 0, fresh = chunks / 2;
  std::printf("one thread, %zu MiB, groups of %zu chunks of 4 MiB\n%8s %14s %14s\n", mb, kGroup,
              "age s", "aged GB/s", "untouched GB/s");
  for (int r = 0; r < rounds; ++r) {
    for (double age : ages) {
      const Spans group = group_at(buffer, aged);
      m::read_spans(one, group);
      const auto t0 = std::chrono::steady_clock::now();
      while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < age)
        m::read_spans(one, hot_span);
      const double again = m::read_spans(one, group).bytes_per_second();
      const double untouched = m::read_spans(one, group_at(buffer, fresh)).bytes_per_second();
      std::printf("%8.2f %14.1f %14.1f\n", age, again / 1e9, untouched / 1e9);
      aged = (aged + kGroup) % (chunks / 2 - kGroup);
      fresh = chunks / 2 + (fresh - chunks / 2 + kGroup) % (chunks / 2 - kGroup);
    }
  }
}
