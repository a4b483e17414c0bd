// bench_gemv: the decode-step building block — CpuOps::matmul of one token against a weight
// matrix far larger than the caches — in GB/s of weight bytes, next to a streaming read of the
// same bytes by the same thread pool (the machine's read bandwidth: the bound decode can reach).
//
//   bench_gemv [--types Q4_K,Q6_K,Q5_0] [--mb 512] [--cols 2816] [--threads N] [--reps 5]
//
// Each line: type, read GB/s, matmul GB/s, matmul / read. Best of --reps, interleaved.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/ops_cpu.h"
#include "model/quant/rows.h"
#include "model/thread_pool.h"

namespace m = coderx::model;
namespace q = coderx::model::quant;

namespace {

double seconds_of(auto&& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

__attribute__((target("avx2"))) float sum_bytes(const std::byte* p, std::size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  const float* f = reinterpret_cast<const float*>(p);
  for (std::size_t i = 0; i + 32 <= n / 4; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(f + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(f + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(f + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(f + i + 24));
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  return lanes[0] + lanes[7];
}

// Streaming read of [p, p + bytes) split over the pool in 64 KiB chunks (as matmul splits rows).
float parallel_read(m::ThreadPool& pool, const std::byte* p, std::size_t bytes) {
  constexpr std::size_t kChunk = 64 << 10;
  std::atomic<float> sink{0};
  pool.parallel_for(static_cast<std::int64_t>(bytes / kChunk), 1, [&](std::int64_t b, std::int64_t e) {
    float s = 0;
    for (std::int64_t c = b; c < e; ++c) s += sum_bytes(p + c * kChunk, kChunk);
    sink.store(sink.load() + s);
  });
  return sink.load();
}

m::Matrix make_matrix(q::Type t, std::int64_t cols, std::size_t bytes, std::vector<std::byte>& store) {
  const std::size_t rb = q::row_bytes(t, cols);
  const std::int64_t rows = static_cast<std::int64_t>(bytes / rb);
  store.resize(rb * rows);
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  std::vector<float> x(cols);
  for (std::int64_t r = 0; r < std::min<std::int64_t>(rows, 64); ++r) {
    for (float& v : x) v = dist(rng);
    q::quantize_row(t, x.data(), store.data() + r * rb, cols);
  }
  for (std::int64_t r = 64; r < rows; ++r) std::memcpy(store.data() + r * rb, store.data() + (r % 64) * rb, rb);
  return m::Matrix{t, store.data(), cols, rows, rb, 1.0f};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<q::Type> types;
  std::int64_t mb = 512, cols = 2816;
  int threads = 0, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--mb") mb = std::atoll(v.c_str());
    else if (a == "--cols") cols = std::atoll(v.c_str());
    else if (a == "--threads") threads = std::atoi(v.c_str());
    else if (a == "--reps") reps = std::atoi(v.c_str());
    else if (a == "--types") {
      for (std::size_t s = 0; s <= v.size();) {
        const std::size_t e = std::min(v.find(',', s), v.size());
        if (auto t = q::type_from_name(v.substr(s, e - s))) types.push_back(*t);
        else return std::fprintf(stderr, "bench_gemv: unknown type %s\n", v.substr(s, e - s).c_str()), 2;
        s = e + 1;
      }
    } else return std::fprintf(stderr, "bench_gemv: unknown option %s\n", a.c_str()), 2;
  }
  if (types.empty()) types = {q::Type::Q4_K, q::Type::Q6_K, q::Type::Q5_0, q::Type::Q8_0};
  m::ThreadPool pool(threads);
  m::CpuOps ops(pool);
  std::printf("threads %d, %lld MiB per matrix, rows of %lld\n%-6s %9s %9s %7s\n", pool.size(),
              static_cast<long long>(mb), static_cast<long long>(cols), "type", "read", "matmul", "of rd");
  std::vector<float> x(cols, 0.5f), y;
  for (q::Type t : types) {
    std::vector<std::byte> store;
    const m::Matrix w = make_matrix(t, cols, static_cast<std::size_t>(mb) << 20, store);
    y.resize(w.rows);
    double read = 1e30, mm = 1e30;
    volatile float sink = 0;
    for (int r = 0; r < reps; ++r) {
      read = std::min(read, seconds_of([&] { sink = sink + parallel_read(pool, store.data(), store.size()); }));
      mm = std::min(mm, seconds_of([&] { ops.matmul(w, x.data(), 1, y.data()); }));
    }
    const double gb = static_cast<double>(store.size()) / 1e9;
    std::printf("%-6s %9.2f %9.2f %6.0f%%\n", std::string(q::info(t).name).c_str(), gb / read, gb / mm,
                100 * read / mm);
  }
}
