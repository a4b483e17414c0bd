// bench_layers: a real model's decode-step weight products, layer by layer, on the repacked
// weights the CPU backend reads, each next to a plain read of the same kind of memory. It tells
// how close each product comes to what its memory delivers in the engine's own access pattern
// (13 GB of weights in 2 MiB pages, the experts of each layer a random pick from a 200 MB stack,
// read far less often than the dense weights), rather than in one synthetic buffer (bench_gemv).
//
//   bench_layers --model F [--passes 20] [--threads N] [--seed 1]
//
// Each pass goes over every layer l in order and times:
//   attention qkv   the query/key/value projections of one token (one matmul_group)
//   attention out   the output projection
//   dense mlp       gate+up (one group), then down
//   moe             CpuOps::moe for one token with a fresh random top-k of the experts
//   read dense      a plain read (no arithmetic) of the attention and MLP matrices of layer
//                   l + n/2, so that half a pass of other traffic separates it from the
//                   products that read the same bytes
//   read experts    a plain read of the slices of another random top-k of layer l's experts
// Lines: bytes a pass reads, median time per pass, GB/s, and that against the read bandwidth
// of a fresh 1 GiB buffer measured before each pass (what `coderx bench` calls the bound).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "model/active_weights_read.h"
#include "model/model_file.h"
#include "model/ops_cpu.h"
#include "model/page_warmer.h"
#include "model/read_bandwidth.h"
#include "model/repacked_weights.h"
#include "model/thread_pool.h"

namespace m = coderx::model;

namespace {

using Clock = std::chrono::steady_clock;

struct Kind {
  double bytes = 0;             // per pass
  std::vector<double> seconds;  // one per pass
};

using Spans = std::vector<std::span<const std::byte>>;

std::size_t matrix_bytes(const m::Matrix& w) {
  return m::matrix_span(w).size();
}

std::size_t total_bytes(const Spans& spans) {
  std::size_t bytes = 0;
  for (const auto& s : spans) bytes += s.size();
  return bytes;
}

class LayerBench {
 public:
  LayerBench(const m::ModelView& model, m::ThreadPool& pool, unsigned seed)
      : model_(model), pool_(pool), ops_(pool), rng_(seed) {
    const m::ModelDims& d = model.dims;
    std::normal_distribution<float> dist;
    x_.resize(static_cast<std::size_t>(std::max(d.n_embd, d.n_ff_max)) * 4);
    for (float& v : x_) v = dist(rng_);
    const std::int64_t widest = std::max<std::int64_t>({d.n_head * 512, d.n_embd, d.n_ff_max});
    out_.resize(static_cast<std::size_t>(widest));
    out2_.resize(static_cast<std::size_t>(widest));
  }

  void pass(std::map<std::string, Kind>& kinds) {
    seconds_.clear();
    bytes_.clear();
    const std::size_t n = model_.layers.size();
    for (std::size_t i = 0; i < n; ++i) {
      const m::LayerView& l = model_.layers[i];
      timed("attention qkv", [&] { return attention_projections(l); });
      timed("attention out", [&] {
        ops_.matmul(l.wo, x_.data(), 1, out_.data());
        return matrix_bytes(l.wo);
      });
      timed("dense mlp", [&] { return dense_mlp(l); });
      timed("moe", [&] { return moe(l, random_choice(l)); });
      timed("read dense", [&] { return read(dense_spans(model_.layers[(i + n / 2) % n])); });
      timed("read experts", [&] { return read(expert_spans(l.experts, random_choice(l))); });
    }
    for (const auto& [name, s] : seconds_) {
      kinds[name].seconds.push_back(s);
      kinds[name].bytes = bytes_[name];
    }
  }

 private:
  // Runs fn (which returns the bytes it read) and adds its time and bytes to `name`.
  void timed(const std::string& name, auto&& fn) {
    const auto t0 = Clock::now();
    const std::size_t bytes = fn();
    seconds_[name] += std::chrono::duration<double>(Clock::now() - t0).count();
    bytes_[name] += static_cast<double>(bytes);
  }

  static Spans dense_spans(const m::LayerView& l) {
    Spans out;
    for (const m::Matrix* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down})
      if (w->valid()) out.push_back(m::matrix_span(*w));
    return out;
  }

  static Spans expert_spans(const m::ExpertWeights& w, const std::vector<m::ExpertChoice>& c) {
    Spans out;
    for (const m::ExpertChoice& e : c) m::add_expert_spans(w, e.expert, out);
    return out;
  }

  std::size_t attention_projections(const m::LayerView& l) {
    std::vector<m::Projection> ps{{&l.wq, out_.data()}, {&l.wk, out2_.data()}};
    if (l.wv.valid()) ps.push_back({&l.wv, out2_.data() + l.wk.rows});
    ops_.matmul_group(ps, x_.data(), 1);
    return matrix_bytes(l.wq) + matrix_bytes(l.wk) + matrix_bytes(l.wv);
  }

  std::size_t dense_mlp(const m::LayerView& l) {
    const std::vector<m::Projection> ps{{&l.ffn_gate, out_.data()}, {&l.ffn_up, out2_.data()}};
    ops_.matmul_group(ps, x_.data(), 1);
    ops_.matmul(l.ffn_down, x_.data(), 1, out_.data());
    return matrix_bytes(l.ffn_gate) + matrix_bytes(l.ffn_up) + matrix_bytes(l.ffn_down);
  }

  std::size_t moe(const m::LayerView& l, const std::vector<m::ExpertChoice>& choice) {
    ops_.moe(m::MoeArgs{x_.data(), choice.data(), 1, static_cast<std::int64_t>(choice.size()),
                        &l.experts, out_.data()});
    return total_bytes(expert_spans(l.experts, choice));
  }

  // A plain read of the spans, one after another (read_spans).
  std::size_t read(const Spans& spans) { return m::read_spans(pool_, spans).bytes; }

  // A fresh random top-k of layer l's experts, equally weighted.
  std::vector<m::ExpertChoice> random_choice(const m::LayerView& l) {
    const std::vector<std::int32_t> ids =
        m::pick_experts(l.experts.down.n_expert, model_.dims.n_expert_used, rng_);
    std::vector<m::ExpertChoice> c;
    for (std::int32_t e : ids) c.push_back({e, 1.0f / static_cast<float>(ids.size())});
    return c;
  }

  const m::ModelView& model_;
  m::ThreadPool& pool_;
  m::CpuOps ops_;
  std::mt19937 rng_;
  std::vector<float> x_, out_, out2_;
  std::map<std::string, double> seconds_, bytes_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int passes = 20, threads = 0;
  unsigned seed = 1;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (i + 1 >= argc)
      return std::fprintf(stderr, "bench_layers: %s needs a value\n", a.c_str()), 2;
    const std::string v = argv[i + 1];
    if (a == "--model")
      path = v;
    else if (a == "--passes")
      passes = std::max(1, std::atoi(v.c_str()));
    else if (a == "--threads")
      threads = std::atoi(v.c_str());
    else if (a == "--seed")
      seed = static_cast<unsigned>(std::atoi(v.c_str()));
    else
      return std::fprintf(stderr, "bench_layers: unknown option %s\n", a.c_str()), 2;
  }
  if (path.empty()) return std::fprintf(stderr, "bench_layers: need --model F\n"), 2;
  auto file = m::ModelFile::open(path);
  if (!file) return std::fprintf(stderr, "bench_layers: %s\n", file.error().message.c_str()), 1;
  m::ThreadPool pool(threads);
  m::warm_weights((*file)->gguf().bytes());
  const m::RepackedModel repacked((*file)->view(), &pool, (*file)->gguf().bytes());
  LayerBench bench(repacked.view, pool, seed);
  std::map<std::string, Kind> kinds;
  std::vector<double> read;
  for (int p = 0; p < passes; ++p) {
    read.push_back(m::read_bandwidth(pool, std::size_t{1} << 30, 2));
    bench.pass(kinds);
  }
  const double bound = median(read);
  std::printf("threads %d, %d passes over %zu layers; read bandwidth %.2f GB/s (median)\n",
              pool.size(), passes, repacked.view.layers.size(), bound / 1e9);
  std::printf("%-14s %9s %9s %8s %7s\n", "kind", "MB/pass", "ms/pass", "GB/s", "of rd");
  for (const auto& [name, k] : kinds) {
    const double s = median(k.seconds);
    std::printf("%-14s %9.1f %9.2f %8.2f %6.0f%%\n", name.c_str(), k.bytes / 1e6, s * 1e3,
                k.bytes / s / 1e9, 100 * k.bytes / s / bound);
  }
  return 0;
}
