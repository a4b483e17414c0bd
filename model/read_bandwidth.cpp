#include "model/read_bandwidth.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "model/huge_pages.h"

namespace coderx::model {

namespace {

constexpr std::size_t kChunk = 64 << 10;  // bytes per work item
constexpr std::size_t kPiece = 16 << 10;  // read_spans: unit of its guided stretches

__attribute__((target("avx2"))) float sum_avx2(const std::byte* p, std::size_t bytes) {
  const float* f = reinterpret_cast<const float*>(p);
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (std::size_t i = 0; i + 32 <= bytes / 4; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(f + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(f + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(f + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(f + i + 24));
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  return lanes[0] + lanes[7];
}

float sum_plain(const std::byte* p, std::size_t bytes) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i + 8 <= bytes; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, p + i, 8);
    s += v;
  }
  return static_cast<float>(s & 1);
}

// Reads [p, p + n): whole 128-byte blocks as floats (AVX2) or words, the rest byte by byte.
float sum_bytes(const std::byte* p, std::size_t n, bool avx2) {
  const std::size_t body = n / 128 * 128;
  float s = avx2 ? sum_avx2(p, body) : sum_plain(p, body);
  for (std::size_t i = body; i < n; ++i) s += static_cast<float>(p[i]);
  return s;
}

}  // namespace

double read_bandwidth(ThreadPool& pool, const std::byte* data, std::size_t bytes, int reps) {
  const bool avx2 = __builtin_cpu_supports("avx2");
  const auto chunks = static_cast<std::int64_t>(bytes / kChunk);
  std::atomic<float> sink{0};
  double best = 1e30;
  for (int r = 0; r < std::max(reps, 1); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.parallel_for(chunks, 1, [&](std::int64_t b, std::int64_t e) {
      float s = 0;
      for (std::int64_t c = b; c < e; ++c) s += sum_bytes(data + c * kChunk, kChunk, avx2);
      sink.store(sink.load() + s);
    });
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return static_cast<double>(chunks) * kChunk / best;
}

double read_bandwidth(ThreadPool& pool, std::size_t bytes, int reps) {
  bytes = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  std::unique_ptr<std::byte, decltype(&std::free)> buffer(
      static_cast<std::byte*>(std::aligned_alloc(kHugePageBytes, bytes)), &std::free);
  if (!buffer) return 0;
  advise_huge_pages({buffer.get(), bytes});
  std::memset(buffer.get(), 1, bytes);
  return read_bandwidth(pool, buffer.get(), bytes, reps);
}

ReadTiming read_spans(ThreadPool& pool, std::span<const std::span<const std::byte>> spans) {
  const bool avx2 = __builtin_cpu_supports("avx2");
  std::atomic<float> sink{0};
  ReadTiming r;
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::span<const std::byte> s : spans) {
    const auto pieces = static_cast<std::int64_t>((s.size() + kPiece - 1) / kPiece);
    pool.parallel_for_guided(pieces, 1, [&](std::int64_t b, std::int64_t e) {
      const std::size_t at = static_cast<std::size_t>(b) * kPiece;
      sink.store(sink.load() + sum_bytes(s.data() + at,
                                         std::min<std::size_t>((e - b) * kPiece, s.size() - at),
                                         avx2));
    });
    r.bytes += s.size();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace coderx::model
