// bench_attention: one decode step of CpuOps::attention (one token attending to a head-major
// cache of N positions) at Gemma 4 shapes, in ms and GB/s of K/V bytes read, for several
// context lengths — how attention cost grows with the context.
//
//   bench_attention [--keys 128,512,2048,8192] [--layer sliding|full] [--threads N] [--reps 20]
//
// sliding: 16 query heads, 8 kv heads of 256, separate K and V; full: 16 query heads, 2 kv heads
// of 512, K = V (keys derived from V as on the model's full layers).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/ops_cpu.h"
#include "model/thread_pool.h"

namespace m = coderx::model;

namespace {

struct Shape {
  std::int64_t n_head = 16, n_kv = 8, hd = 256;
  bool shared = false;
};

std::vector<float> random_vector(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Best time of `reps` single-token attention calls at position keys − 1.
double step_seconds(m::CpuOps& ops, const Shape& s, std::int64_t keys, int reps) {
  const std::size_t cache = static_cast<std::size_t>(s.n_kv * keys * s.hd);
  std::vector<float> k = s.shared ? std::vector<float>() : random_vector(cache, 1);
  std::vector<float> v = random_vector(cache, 2), q = random_vector(static_cast<std::size_t>(s.n_head * s.hd), 3);
  std::vector<float> k_norm(static_cast<std::size_t>(s.hd), 1.0f), out(q.size());
  const std::int64_t rot = s.shared ? s.hd / 8 : 0;
  std::vector<float> cs(static_cast<std::size_t>(rot * keys), 1.0f), sn(cs.size(), 0.0f);
  m::KvLayerView view;
  view.k = s.shared ? nullptr : k.data();
  view.v = v.data();
  view.capacity = keys;
  view.k_norm = k_norm.data();
  view.rope = m::RopeSpec{s.hd, 1e6f, nullptr};
  view.key_cos = cs.data();
  view.key_sin = sn.data();
  view.rot_pairs = rot;
  view.head_major = true;
  const std::int32_t pos = static_cast<std::int32_t>(keys - 1);
  m::AttentionArgs args{q.data(), out.data(), 1, s.n_head, s.n_kv, s.hd, &pos, &view, nullptr, 0, 1.0f};
  double best = 1e9;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    ops.attention(args);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string keys_text = "128,512,2048,8192", layer = "sliding";
  int threads = 0, reps = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--keys") keys_text = argv[i + 1];
    else if (a == "--layer") layer = argv[i + 1];
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else { std::fprintf(stderr, "bench_attention: unknown option %s\n", a.c_str()); return 2; }
  }
  Shape s;
  if (layer == "full") s = Shape{16, 2, 512, true};
  m::ThreadPool pool(threads);
  m::CpuOps ops(pool);
  std::printf("layer %s: %lld heads, %lld kv heads of %lld%s; threads %d\n", layer.c_str(),
              static_cast<long long>(s.n_head), static_cast<long long>(s.n_kv), static_cast<long long>(s.hd),
              s.shared ? ", K = V" : "", pool.size());
  std::printf("%8s %10s %10s\n", "keys", "ms", "KV GB/s");
  for (std::size_t at = 0; at < keys_text.size();) {
    const std::size_t comma = std::min(keys_text.find(',', at), keys_text.size());
    const std::int64_t keys = std::atoll(keys_text.substr(at, comma - at).c_str());
    at = comma + 1;
    const double sec = step_seconds(ops, s, keys, reps);
    const double bytes = static_cast<double>((s.shared ? 1 : 2) * s.n_kv * keys * s.hd) * sizeof(float);
    std::printf("%8lld %10.3f %10.2f\n", static_cast<long long>(keys), sec * 1e3, bytes / sec / 1e9);
  }
  return 0;
}
