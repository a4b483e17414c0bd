// bench_quant: single-thread throughput of the CPU quant kernels on a weight matrix much larger
// than the caches, next to the machine's measured memory read bandwidth (a streaming sum).
//
//   bench_quant [--mb 256 | --kb 256] [--types Q4_K,Q8_0,...] [--simd scalar|avx2|avx512] [--reps
//   3]
//
// --kb sizes the matrix in KiB instead (e.g. --kb 200 --reps 200 keeps it in L2: compute
// throughput without the memory bound).
//
// For each type: GB/s of weight bytes read by dot_row (one row at a time), dot_rows (the
// multi-row entry point) and dequantize_row, best of --reps passes over the whole matrix, next
// to a streaming f32 sum over the same bytes timed between those passes (so machine load
// affects both alike).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/quant/repack.h"
#include "model/quant/rows.h"
#include "model/read_bandwidth.h"
#include "model/thread_pool.h"

namespace q = coderx::model::quant;

namespace {

struct Options {
  std::int64_t kb = 256 << 10;
  std::int64_t n = 4096;  // row length
  int reps = 3;
  std::vector<q::Type> types;
  std::string simd;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class F>
double best_seconds(int reps, F&& f) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

// Streaming read of `bytes` bytes on one thread (model/read_bandwidth), in GB/s.
double read_gbs(const void* data, std::size_t bytes, int reps) {
  static coderx::model::ThreadPool one_thread(1);
  return coderx::model::read_bandwidth(one_thread, static_cast<const std::byte*>(data), bytes, reps) / 1e9;
}

// A matrix of `bytes` (rounded down to whole rows) of n-element rows, quantised from Gaussian
// data (64 distinct rows repeated).
// A repacked type (repack.h: Q4_K_R8 …): made as the plain type, then repacked, in whole groups
// of 16 rows.
std::vector<std::uint8_t> make_matrix(q::Type t, std::int64_t n, std::int64_t bytes,
                                      std::int64_t& rows) {
  if (const auto plain = q::plain_type(t)) {
    auto rows_of_plain = make_matrix(*plain, n, bytes, rows);
    rows = rows / 16 * 16;
    std::vector<std::uint8_t> packed(q::row_bytes(t, n) * static_cast<std::size_t>(rows));
    q::repack_rows(*plain, rows_of_plain.data(), rows, n, packed.data());
    return packed;
  }
  const std::size_t rb = q::row_bytes(t, n);
  rows = bytes / static_cast<std::int64_t>(rb);
  std::vector<std::uint8_t> m(rb * static_cast<std::size_t>(rows));
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  std::vector<float> x(n);
  for (std::int64_t r = 0; r < std::min<std::int64_t>(rows, 64); ++r) {
    for (float& v : x) v = dist(rng);
    q::quantize_row(t, x.data(), m.data() + r * rb, n);
  }
  for (std::int64_t r = 64; r < rows; ++r)
    std::memcpy(m.data() + r * rb, m.data() + (r % 64) * rb, rb);
  return m;
}

// Times one pass of each kernel over the whole matrix, and a streaming sum over the same
// bytes, interleaved rep by rep so that machine load affects all of them alike; best of reps.
struct Times {
  double sum = 1e30, dot = 1e30, rows = 1e30, deq = 1e30, cols = 1e30;
};

void bench_type(q::Type t, const Options& o) {
  const std::int64_t n = o.n;
  std::int64_t rows = 0;
  const auto m = make_matrix(t, n, o.kb << 10, rows);
  const std::size_t rb = q::row_bytes(t, n);
  std::vector<float> x(n), out(static_cast<std::size_t>(rows)), deq(n);
  std::mt19937 rng(2);
  std::normal_distribution<float> dist;
  for (float& v : x) v = dist(rng);
  std::vector<std::uint8_t> act(q::activation_bytes(t, n));
  q::quantize_activation(t, x.data(), act.data(), n);
  // Four activations (the same row four times: the kernel cannot tell) for dot_rows_cols.
  const void* acts[4] = {act.data(), act.data(), act.data(), act.data()};
  std::vector<float> out4(static_cast<std::size_t>(4 * 16));
  Times best;
  const bool rows_only = q::plain_type(t).has_value();  // no single-row kernels or decoder
  for (int rep = 0; rep < o.reps; ++rep) {
    best.sum = std::min(best.sum, static_cast<double>(m.size()) / 1e9 / read_gbs(m.data(), m.size(), 1));
    if (!rows_only)
      best.dot = std::min(best.dot, best_seconds(1, [&] {
                            for (std::int64_t r = 0; r < rows; ++r)
                              out[r] = q::dot_row(t, m.data() + r * rb, act.data(), n);
                          }));
    best.rows = std::min(best.rows, best_seconds(1, [&] {
                           q::dot_rows(t, m.data(), rb, rows, act.data(), n, out.data());
                         }));
    best.cols = std::min(best.cols, best_seconds(1, [&] {
                           for (std::int64_t r = 0; r < rows; r += 16)
                             q::dot_rows_cols(t, m.data() + r * rb, rb, std::min<std::int64_t>(16, rows - r),
                                              acts, 4, n, out4.data(), 16);
                         }));
    if (!rows_only)
      best.deq = std::min(best.deq, best_seconds(1, [&] {
                            for (std::int64_t r = 0; r < rows; ++r)
                              q::dequantize_row(t, m.data() + r * rb, deq.data(), n);
                          }));
  }
  const double gb = static_cast<double>(m.size()) / 1e9;
  std::printf("%-7s %8.2f %8.2f %8.2f %5.0f%% %8.2f %5.0f%% %8.2f %8.2f\n",
              std::string(q::info(t).name).c_str(), gb / best.sum, gb / best.dot, gb / best.rows,
              100 * best.sum / best.rows, gb / best.deq, 100 * best.sum / best.deq,
              static_cast<double>(rows * n) / best.rows / 1e9,
              static_cast<double>(4 * rows * n) / best.cols / 1e9);
}

int usage(const std::string& msg) {
  std::fprintf(
      stderr,
      "bench_quant: %s (usage: bench_quant [--mb N | --kb N] [--n COLS] [--reps N] [--types A,B] "
      "[--simd LEVEL])\n",
      msg.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage("missing value after " + a);
    const std::string v = argv[++i];
    if (a == "--mb")
      o.kb = std::atoll(v.c_str()) << 10;
    else if (a == "--n")
      o.n = std::atoll(v.c_str());
    else if (a == "--kb")
      o.kb = std::atoll(v.c_str());
    else if (a == "--reps")
      o.reps = std::atoi(v.c_str());
    else if (a == "--simd")
      o.simd = v;
    else if (a == "--types") {
      std::size_t start = 0;
      while (start <= v.size()) {
        const std::size_t end = std::min(v.find(',', start), v.size());
        const std::string name = v.substr(start, end - start);
        auto t = q::type_from_name(name);
        if (!t) t = q::repacked_type_from_name(name);
        if (!t) return usage("unknown type " + v.substr(start, end - start));
        o.types.push_back(*t);
        start = end + 1;
      }
    } else
      return usage("unknown option " + a);
  }
  if (o.kb < 1 || o.reps < 1 || o.n < 1) return usage("--mb/--kb and --reps must be positive");
  if (o.simd == "scalar")
    q::set_simd_level(q::SimdLevel::Scalar);
  else if (o.simd == "avx2")
    q::set_simd_level(q::SimdLevel::Avx2);
  else if (o.simd == "avx512")
    q::set_simd_level(q::SimdLevel::Avx512);
  else if (!o.simd.empty())
    return usage("unknown --simd " + o.simd);
  if (o.types.empty())
    for (const q::TypeInfo& t : q::all_types())
      if (t.weight_type) o.types.push_back(t.type);
  const std::vector<std::byte> fresh(static_cast<std::size_t>(o.kb << 10), std::byte{1});
  const double bw = read_gbs(fresh.data(), fresh.size(), o.reps);
  std::printf("simd %s, matrix %lld KiB, rows of %lld, single thread\n",
              std::string(q::simd_level()).c_str(), static_cast<long long>(o.kb),
              static_cast<long long>(o.n));
  std::printf("memory read bandwidth (streaming f32 sum): %.2f GB/s\n\n", bw);
  std::printf(
      "GB/s of weight bytes; 'read' = streaming f32 sum over the same matrix, measured\n"
      "between the kernel passes; 'of rd' = dot_rows (resp. dequantize_row) / read.\n"
      "Gelem/s: multiply-adds per second of dot_rows (one activation) and dot_rows_cols (four).\n\n");
  std::printf("%-7s %8s %8s %8s %6s %8s %6s %8s %8s\n", "type", "read", "dot", "rows", "of rd", "deq",
              "of rd", "Gelem/s", "x4 cols");
  for (q::Type t : o.types) {
    if (q::row_fits(t, o.n))
      bench_type(t, o);
    else
      std::printf("%-7s (rows of %lld are not whole blocks)\n",
                  std::string(q::info(t).name).c_str(), static_cast<long long>(o.n));
  }
  return 0;
}
