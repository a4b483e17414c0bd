// bench_attention: one decode step of CpuOps::attention (one token attending to a head-major
// cache of N positions) at Gemma 4 shapes, in ms and GB/s of K/V bytes read, for several
// context lengths — how attention cost grows with the context.
//
//   bench_attention [--keys 128,512,2048,8192] [--layer sliding|full] [--layers L] [--threads N]
//                   [--reps 20] [--kv f32|f16|q8_0] [--window W] [--evict MB] [--tokens N]
//
// --layers L cycles through L separate caches (as decode does through the model's layers), so
// with enough of them the K/V comes from memory rather than the caches; times are per layer.
// --evict MB reads that much other memory before each layer (untimed), so its K/V and the
// queries start cold as in a decode step, where each layer's weights stream through the caches
// between attentions. The machine's read bandwidth is printed first, for comparison. --window W:
// the query sees only the last W keys (a sliding layer past its window; the model's is 1,024), so a
// key count that is not W plus a multiple of 4 starts the visible keys inside a run of four slots.
// --tokens N: a prefill batch instead, the queries of the last N positions at once (causal, and
// windowed with --window), with G MAC/s of its score and value products (compute-bound).
//
// sliding: 16 query heads, 8 kv heads of 256, separate K and V; full: 16 query heads, 2 kv heads
// of 512, K = V (keys derived from V as on the model's full layers).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "model/kv_cache.h"
#include "model/ops_cpu.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"
#include "model/read_bandwidth.h"
#include "model/thread_pool.h"

namespace m = coderx::model;
namespace q = coderx::model::quant;

namespace {

struct Shape {
  std::int64_t n_head = 16, n_kv = 8, hd = 256, window = 0, tokens = 1;
  bool shared = false;
  m::KvType kv = m::KvType::f32;  // K/V rows (f16: the engine's default for quantised weights)
};

// K/V rows in 2 MiB pages, as KvCache allocates them.
template <class T>
using Rows = m::KvCache::Rows<T>;

template <class Vector = std::vector<float>>
Vector random_vector(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  Vector v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// One layer's cache and the attention arguments over it.
struct LayerCache {
  std::vector<float> k_norm, cs, sn;
  Rows<float> k, v;
  Rows<std::uint16_t> k16, v16;
  Rows<std::uint8_t> k8, v8;
  m::KvLayerView view;
};

Rows<std::uint16_t> to_half(const Rows<float>& x) {
  Rows<std::uint16_t> h(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) h[i] = q::f32_to_f16(x[i]);
  return h;
}

// Q8_0 blocks of the rows, in their order (KvCache's q8_0 layout: head-major, not interleaved).
Rows<std::uint8_t> to_q8(const Rows<float>& x) {
  Rows<std::uint8_t> b(m::kv_row_bytes(m::KvType::q8_0, static_cast<std::int64_t>(x.size())));
  if (!x.empty())
    q::quantize_row(q::Type::Q8_0, x.data(), b.data(), static_cast<std::int64_t>(x.size()));
  return b;
}

// The rows' start, or null when there are none.
template <class T>
const T* kept(const Rows<T>& rows) {
  return rows.empty() ? nullptr : rows.data();
}

void fill_layer(LayerCache& c, const Shape& s, std::int64_t keys, std::uint32_t seed) {
  const std::size_t cache = static_cast<std::size_t>(s.n_kv * keys * s.hd);
  if (!s.shared) c.k = random_vector<Rows<float>>(cache, seed);
  c.v = random_vector<Rows<float>>(cache, seed + 1);
  c.k_norm.assign(static_cast<std::size_t>(s.hd), 1.0f);
  const std::int64_t rot = s.shared ? s.hd / 8 : 0;
  c.cs.assign(static_cast<std::size_t>(rot * keys), 1.0f);
  c.sn.assign(c.cs.size(), 0.0f);
  // The rows in the cache's type; K stays empty on K = V layers, and a view's pointer is set for
  // the rows kept only.
  if (s.kv == m::KvType::f16) c.k16 = to_half(c.k), c.v16 = to_half(c.v);
  if (s.kv == m::KvType::q8_0) c.k8 = to_q8(c.k), c.v8 = to_q8(c.v);
  if (s.kv != m::KvType::f32) c.k.clear(), c.v.clear();
  c.view.k = kept(c.k), c.view.v = kept(c.v);
  c.view.k16 = kept(c.k16), c.view.v16 = kept(c.v16);
  c.view.k8 = kept(c.k8), c.view.v8 = kept(c.v8);
  c.view.capacity = keys;
  c.view.k_norm = c.k_norm.data();
  c.view.rope = m::RopeSpec{s.hd, 1e6f, nullptr};
  c.view.key_cos = c.cs.data();
  c.view.key_sin = c.sn.data();
  c.view.rot_pairs = rot;
  c.view.head_major = true;
  // KvCache's f16 layout (four slots interleaved); the rows are random, so only the reading
  // order changes. Needs a key count that is a multiple of 4.
  c.view.interleaved = s.kv == m::KvType::f16 && keys % 4 == 0 && s.hd % 8 == 0;
}

// Best and median time per layer of `reps` passes of attention for the last s.tokens positions of
// `keys` (one token: a decode step at position keys − 1) over `n_layers` caches; with `evict`
// bytes, a read of that much other memory (untimed) before each layer, as a decode step streams
// each layer's weights through the caches between attentions.
struct StepTimes {
  double best = 0, median = 0;
};

StepTimes step_seconds(m::CpuOps& ops, m::ThreadPool& pool, const Shape& s, std::int64_t keys,
                       int n_layers, int reps, std::span<const std::byte> evict) {
  std::vector<LayerCache> layers(static_cast<std::size_t>(n_layers));
  for (int l = 0; l < n_layers; ++l) fill_layer(layers[l], s, keys, static_cast<std::uint32_t>(2 * l + 1));
  // Queries and outputs on cache lines, as the forward pass keeps them (AlignedVector).
  const auto q =
      random_vector<Rows<float>>(static_cast<std::size_t>(s.tokens * s.n_head * s.hd), 3);
  Rows<float> out(q.size());
  std::vector<std::int32_t> pos(static_cast<std::size_t>(s.tokens));
  for (std::int64_t t = 0; t < s.tokens; ++t)
    pos[t] = static_cast<std::int32_t>(keys - s.tokens + t);
  const std::span<const std::byte> evict_spans[1] = {evict};
  std::vector<double> totals;
  for (int r = 0; r < reps; ++r) {
    double total = 0;
    for (LayerCache& c : layers) {
      if (!evict.empty()) m::read_spans(pool, evict_spans);
      const auto t0 = std::chrono::steady_clock::now();
      m::AttentionArgs args{q.data(),   out.data(), s.tokens, s.n_head, s.n_kv, s.hd,
                            pos.data(), &c.view,    nullptr,  s.window, 1.0f};
      ops.attention(args);
      total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    totals.push_back(total / n_layers);
  }
  std::sort(totals.begin(), totals.end());
  return {totals.front(), totals[totals.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  std::string keys_text = "128,512,2048,8192", layer = "sliding", kv = "f32";
  int threads = 0, reps = 20, n_layers = 1;
  std::int64_t window = 0, evict_mb = 0, tokens = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--keys") keys_text = argv[i + 1];
    else if (a == "--layer") layer = argv[i + 1];
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--reps")
      reps = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--layers") n_layers = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--kv") kv = argv[i + 1];
    else if (a == "--window")
      window = std::atoll(argv[i + 1]);
    else if (a == "--evict")
      evict_mb = std::atoll(argv[i + 1]);
    else if (a == "--tokens")
      tokens = std::max<std::int64_t>(1, std::atoll(argv[i + 1]));
    else { std::fprintf(stderr, "bench_attention: unknown option %s\n", a.c_str()); return 2; }
  }
  Shape s;
  if (layer == "full") s = Shape{16, 2, 512, true};
  const auto kv_type = m::parse_kv_type(kv);
  if (!kv_type) {
    std::fprintf(stderr, "bench_attention: --kv is f32, f16 or q8_0\n");
    return 2;
  }
  s.kv = *kv_type;
  s.window = window;
  s.tokens = tokens;
  m::ThreadPool pool(threads);
  m::CpuOps ops(pool);
  std::printf(
      "layer %s: %lld heads, %lld kv heads of %lld%s, K/V in %s; threads %d; %d layer caches\n",
      layer.c_str(), static_cast<long long>(s.n_head), static_cast<long long>(s.n_kv),
      static_cast<long long>(s.hd), s.shared ? ", K = V" : "",
      std::string(m::kv_type_name(s.kv)).c_str(), pool.size(), n_layers);
  // What the K/V GB/s column compares with: the pool's read bandwidth over 1 GiB in 2 MiB pages,
  // as the K/V cache is allocated (KvCache::Rows).
  Rows<std::byte> probe(std::size_t{1} << 30, std::byte{1});
  std::printf("read bandwidth %.2f GB/s\n",
              m::read_bandwidth(pool, probe.data(), probe.size(), 5) / 1e9);
  std::printf("%8s %10s %10s %10s %10s\n", "keys", "best ms", "median ms", "KV GB/s", "G MAC/s");
  for (std::size_t at = 0; at < keys_text.size();) {
    const std::size_t comma = std::min(keys_text.find(',', at), keys_text.size());
    const std::int64_t keys =
        std::max<std::int64_t>(s.tokens, std::atoll(keys_text.substr(at, comma - at).c_str()));
    at = comma + 1;
    const StepTimes t = step_seconds(ops, pool, s, keys, n_layers, reps,
                                     std::span(probe).first(static_cast<std::size_t>(
                                         std::clamp<std::int64_t>(evict_mb, 0, 1024) << 20)));
    const std::int64_t visible = s.window > 0 ? std::min(keys, s.window) : keys;
    const double bytes = static_cast<double>((s.shared ? 1 : 2) * s.n_kv * visible) *
                         static_cast<double>(m::kv_row_bytes(s.kv, s.hd));
    // Multiply-adds: every query head against every key its position sees, scores and values.
    double macs = 0;
    for (std::int64_t p = keys - s.tokens; p < keys; ++p)
      macs += static_cast<double>(s.window > 0 ? std::min(p + 1, s.window) : p + 1);
    macs *= static_cast<double>(2 * s.n_head * s.hd);
    std::printf("%8lld %10.3f %10.3f %10.2f %10.2f\n", static_cast<long long>(keys), t.best * 1e3,
                t.median * 1e3, bytes / t.median / 1e9, macs / t.median / 1e9);
  }
  return 0;
}
