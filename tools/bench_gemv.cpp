// bench_gemv: the decode-step building block — CpuOps::matmul of one token against a weight
// matrix far larger than the caches — in GB/s of weight bytes, next to a streaming read of the
// same bytes by the same thread pool (the machine's read bandwidth: the bound decode can reach).
//
//   bench_gemv [--types Q4_K,Q6_K,Q5_0] [--mb 512] [--cols 2816] [--threads N] [--reps 5]
//              [--split N] [--tokens N] [--moe]
//
// --split N cuts the bytes into N matrices multiplied one after another, as a decode step does
// (its projections are 1-10 MB each): the cost of starting and ending each parallel product.
// --tokens N multiplies N tokens at once, as a prefill does (compute-bound): the line then also
// gives multiply-adds per second (G MAC/s), e.g. --mb 4 --tokens 512 for one 2816 × 2816 matrix.
// Each line: type, read GB/s, matmul GB/s, matmul / read. Best of --reps, interleaved.
//
// --moe runs CpuOps::moe instead: one token through a routed-expert block of the real shape
// (rows of --cols = 2816, expert width 704, top-8 of 16 experts per stack; gate_up of the first
// of --types, down of the second, default Q4_K_R8,Q5_0_R8), over as many stacks as fit in --mb,
// each with its own random choice of experts: GB/s of the chosen experts' bytes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/ops_cpu.h"
#include "model/quant/repack.h"
#include "model/quant/rows.h"
#include "model/read_bandwidth.h"
#include "model/thread_pool.h"

namespace m = coderx::model;
namespace q = coderx::model::quant;

namespace {

double seconds_of(auto&& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A repacked type (repack.h: Q4_K_R8 …): made as the plain type, then repacked, in whole groups
// of 64 rows.
m::Matrix make_matrix(q::Type t, std::int64_t cols, std::size_t bytes, std::vector<std::byte>& store) {
  if (const auto plain = q::plain_type(t)) {
    std::vector<std::byte> rows_of_plain;
    m::Matrix w = make_matrix(*plain, cols, bytes, rows_of_plain);
    w.rows = w.rows / 64 * 64;
    store.resize(w.row_bytes * static_cast<std::size_t>(w.rows));
    q::repack_rows(*plain, rows_of_plain.data(), w.rows, cols, store.data());
    return m::Matrix{t, store.data(), cols, w.rows, w.row_bytes, 1.0f};
  }
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

// One token through `stacks` expert blocks, top-8 of 16 experts each: best seconds per pass
// over all of them, and the bytes of the chosen experts one pass reads.
struct MoeBench {
  static constexpr std::int64_t kExperts = 16, kTop = 8, kWidth = 704;
  std::vector<std::vector<std::byte>> stores;
  std::vector<m::ExpertWeights> blocks;
  std::vector<std::vector<m::ExpertChoice>> choices;
  std::size_t chosen_bytes = 0;

  static m::ExpertMatrices stack(q::Type t, std::int64_t rows, std::int64_t cols,
                                 std::vector<std::byte>& store) {
    const std::size_t bytes = q::row_bytes(q::plain_type(t).value_or(t), cols) * rows * kExperts;
    const m::Matrix all = make_matrix(t, cols, bytes, store);
    return m::ExpertMatrices{t, all.data, cols, rows, kExperts, all.row_bytes, nullptr};
  }

  MoeBench(q::Type gate_up, q::Type down, std::int64_t n_embd, std::size_t budget) {
    std::mt19937 rng(3);
    for (std::size_t used = 0; used < budget || blocks.empty();) {
      m::ExpertWeights w;
      stores.emplace_back();
      w.gate_up = stack(gate_up, 2 * kWidth, n_embd, stores.back());
      stores.emplace_back();
      w.down = stack(down, n_embd, kWidth, stores.back());
      used += stores[stores.size() - 2].size() + stores.back().size();
      std::vector<std::int32_t> ids(kExperts);
      for (std::int32_t e = 0; e < kExperts; ++e) ids[e] = e;
      std::shuffle(ids.begin(), ids.end(), rng);
      std::vector<m::ExpertChoice> c;
      for (std::int64_t s = 0; s < kTop; ++s) c.push_back({ids[s], 1.0f / kTop});
      chosen_bytes +=
          kTop * (w.gate_up.row_bytes * w.gate_up.rows + w.down.row_bytes * w.down.rows);
      blocks.push_back(w);
      choices.push_back(std::move(c));
    }
  }

  double pass_seconds(m::CpuOps& ops, const std::vector<float>& x, std::vector<float>& y) const {
    return seconds_of([&] {
      for (std::size_t b = 0; b < blocks.size(); ++b)
        ops.moe(m::MoeArgs{x.data(), choices[b].data(), 1, kTop, &blocks[b], y.data()});
    });
  }
};

int run_moe(const std::vector<q::Type>& types, std::int64_t cols, std::int64_t mb, int reps,
            m::ThreadPool& pool) {
  const q::Type gate_up = types.size() > 0 ? types[0] : q::Type::Q4_K_R8;
  const q::Type down = types.size() > 1 ? types[1] : q::Type::Q5_0_R8;
  m::CpuOps ops(pool);
  const MoeBench bench(gate_up, down, cols, static_cast<std::size_t>(mb) << 20);
  std::vector<float> x(cols), y(cols);
  std::mt19937 rng(2);
  std::normal_distribution<float> dist;
  for (float& v : x) v = dist(rng);
  double read = 0, best = 1e30;
  for (int r = 0; r < reps; ++r) {
    for (const auto& store : bench.stores)
      read = std::max(read, m::read_bandwidth(pool, store.data(), store.size(), 1));
    best = std::min(best, bench.pass_seconds(ops, x, y));
  }
  const double gb = static_cast<double>(bench.chosen_bytes) / 1e9;
  std::printf("threads %d, moe %s/%s, %zu blocks of top-%lld of %lld experts, %.1f MB chosen\n",
              pool.size(), std::string(q::info(gate_up).name).c_str(),
              std::string(q::info(down).name).c_str(), bench.blocks.size(),
              static_cast<long long>(MoeBench::kTop), static_cast<long long>(MoeBench::kExperts),
              gb * 1e3);
  std::printf("read %.2f GB/s, moe %.2f GB/s (%.0f%%), %.1f us per block\n", read / 1e9, gb / best,
              100 * gb / best / (read / 1e9),
              best / static_cast<double>(bench.blocks.size()) * 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<q::Type> types;
  std::int64_t mb = 512, cols = 2816;
  int threads = 0, reps = 5, split = 1;
  std::int64_t tokens = 1;
  bool moe = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--moe") {
      moe = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) return std::fprintf(stderr, "bench_gemv: %s needs a value\n", a.c_str()), 2;
    const std::string v = argv[i + 1];
    if (a == "--mb") mb = std::atoll(v.c_str());
    else if (a == "--cols") cols = std::atoll(v.c_str());
    else if (a == "--threads") threads = std::atoi(v.c_str());
    else if (a == "--reps") reps = std::atoi(v.c_str());
    else if (a == "--tokens")
      tokens = std::max<std::int64_t>(1, std::atoll(v.c_str()));
    else if (a == "--split")
      split = std::max(1, std::atoi(v.c_str()));
    else if (a == "--types") {
      for (std::size_t s = 0; s <= v.size();) {
        const std::size_t e = std::min(v.find(',', s), v.size());
        const std::string name = v.substr(s, e - s);
        auto t = q::type_from_name(name);
        if (!t) t = q::repacked_type_from_name(name);
        if (t)
          types.push_back(*t);
        else return std::fprintf(stderr, "bench_gemv: unknown type %s\n", v.substr(s, e - s).c_str()), 2;
        s = e + 1;
      }
    } else return std::fprintf(stderr, "bench_gemv: unknown option %s\n", a.c_str()), 2;
  }
  m::ThreadPool pool(threads);
  if (moe) return run_moe(types, cols, mb, reps, pool);
  if (types.empty()) types = {q::Type::Q4_K, q::Type::Q6_K, q::Type::Q5_0, q::Type::Q8_0};
  m::CpuOps ops(pool);
  std::printf(
      "threads %d, %lld MiB in %d matrices, rows of %lld, %lld tokens\n%-6s %9s %9s %7s %9s\n",
      pool.size(), static_cast<long long>(mb), split, static_cast<long long>(cols),
      static_cast<long long>(tokens), "type", "read", "matmul", "of rd", "G MAC/s");
  std::vector<float> x(cols * tokens), y;
  std::mt19937 rng(2);
  std::normal_distribution<float> dist;
  for (float& v : x) v = dist(rng);
  for (q::Type t : types) {
    std::vector<std::byte> store;
    const m::Matrix w = make_matrix(t, cols, static_cast<std::size_t>(mb) << 20, store);
    y.resize(w.rows * tokens);
    std::vector<m::Matrix> parts;
    for (int p = 0; p < split; ++p) {
      m::Matrix part = w;
      part.rows = w.rows / split;
      part.data = w.row(p * part.rows);
      parts.push_back(part);
    }
    double read = 0, mm = 1e30;
    for (int r = 0; r < reps; ++r) {
      read = std::max(read, m::read_bandwidth(pool, store.data(), store.size(), 1));
      mm = std::min(mm, seconds_of([&] {
                      for (const m::Matrix& part : parts)
                        ops.matmul(part, x.data(), tokens, y.data());
                    }));
    }
    const double gb = static_cast<double>(parts.size() * parts[0].rows * w.row_bytes) / 1e9;
    const double macs = static_cast<double>(parts.size() * parts[0].rows * cols * tokens);
    std::printf("%-6s %9.2f %9.2f %6.0f%% %9.2f\n", std::string(q::info(t).name).c_str(),
                read / 1e9, gb / mm, 100 * gb / mm / (read / 1e9), macs / mm / 1e9);
  }
}
