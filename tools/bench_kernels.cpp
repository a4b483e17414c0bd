// bench_kernels: times the CUDA kernels at the Gemma 4 26B-A4B shapes and prints one table
// (time per call, achieved GB/s and its share of a measured device-to-device copy, TFLOP/s).
//   bench_kernels [--quick]      --quick: fewer shapes (used by tests/gpu/run.sh when short)
// Weights are filled with a constant byte pattern (values do not change the timing). Each
// measurement runs the launch a few times to warm up, then as many times as fit in ~40 ms,
// timed with CUDA events; the GEMV, MoE and decode-layer sequences are captured in a CUDA graph
// so that launch overhead is not counted (as the backend replays decode steps from a graph).
// The GEMVs rotate over weight copies of at least 256 MiB in all and MoE decode over 16 expert
// choices, so their weights come from device memory, not from the 60 MB L2.
// Exit code: 0, or 1 when there is no device or a launch fails.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/attention.h"
#include "kernels/dense_gemm.h"
#include "kernels/device_query.h"
#include "kernels/elementwise.h"
#include "kernels/head_prep.h"
#include "kernels/logits.h"
#include "kernels/moe_gemm.h"
#include "kernels/moe_gemv.h"
#include "kernels/moe_router.h"
#include "kernels/moe_routing.h"
#include "kernels/norm_chain.h"
#include "kernels/quant_gemv.h"
#include "kernels/rms_norm.h"
#include "kernels/split_gemm.h"

namespace k = coderx::kernels;

namespace {

constexpr int kEmbd = 2816, kFf = 704, kTopK = 8, kHeads = 16, kDenseFf = 2112, kVocab = 262144;

bool g_failed = false;
double g_copy_gbs = 0.0;

void check(const k::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "bench_kernels: %s: %s\n", what, st.message.c_str());
    g_failed = true;
  }
}

// Device buffer filled with a constant byte, freed at exit of scope.
struct Buf {
  void* p = nullptr;
  explicit Buf(std::size_t bytes, int byte = 0x11) {
    if (cudaMalloc(&p, bytes ? bytes : 1) != cudaSuccess) {
      std::fprintf(stderr, "bench_kernels: cudaMalloc(%zu) failed\n", bytes);
      g_failed = true;
      p = nullptr;
      return;
    }
    cudaMemset(p, byte, bytes);
  }
  ~Buf() { cudaFree(p); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  template <class T>
  T* as() const { return static_cast<T*>(p); }
};

// Microseconds per call of `launch` on `stream` (optionally replayed from a CUDA graph).
double time_us(const std::function<void(cudaStream_t)>& launch, cudaStream_t s, bool graph) {
  cudaGraphExec_t exec = nullptr;
  if (graph) {
    cudaGraph_t g;
    cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal);
    launch(s);
    if (cudaStreamEndCapture(s, &g) != cudaSuccess || cudaGraphInstantiate(&exec, g, 0) != cudaSuccess) {
      std::fprintf(stderr, "bench_kernels: graph capture failed\n");
      g_failed = true;
      return 0.0;
    }
    cudaGraphDestroy(g);
  }
  auto run = [&] {
    if (exec)
      cudaGraphLaunch(exec, s);
    else
      launch(s);
  };
  for (int i = 0; i < 3; ++i) run();
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  int iters = 1;
  float ms = 0.0f;
  for (;;) {
    cudaEventRecord(a, s);
    for (int i = 0; i < iters; ++i) run();
    cudaEventRecord(b, s);
    cudaEventSynchronize(b);
    cudaEventElapsedTime(&ms, a, b);
    if (ms > 40.0f || iters >= 4096) break;
    iters *= 4;
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  if (exec) cudaGraphExecDestroy(exec);
  if (cudaGetLastError() != cudaSuccess) g_failed = true;
  return 1000.0 * ms / iters;
}

void row(const std::string& name, const std::string& shape, double us, double bytes, double flops) {
  const double gbs = bytes / (us * 1e3);
  std::printf("%-22s %-34s %10.1f %9.0f %6.0f%% %8.2f\n", name.c_str(), shape.c_str(), us, gbs,
              g_copy_gbs > 0 ? 100.0 * gbs / g_copy_gbs : 0.0, flops / (us * 1e6));
}

void bench_copy(cudaStream_t s) {
  const std::size_t bytes = std::size_t(1) << 30;
  Buf a(bytes), b(bytes);
  const double us = time_us([&](cudaStream_t st) { cudaMemcpyAsync(b.p, a.p, bytes, cudaMemcpyDeviceToDevice, st); }, s, false);
  g_copy_gbs = 2.0 * bytes / (us * 1e3);  // read + write
  row("d2d copy", "1 GiB", us, 2.0 * bytes, 0.0);
}

// Weight copies enough to exceed the L2 cache several times (at least 256 MiB in all), so that
// a kernel replayed over them reads its weights from device memory, not from L2.
int dram_copies(std::size_t bytes) {
  return static_cast<int>(std::clamp<std::size_t>((std::size_t(256) << 20) / std::max<std::size_t>(bytes, 1) + 1, 1, 64));
}

void bench_gemv(cudaStream_t s, k::WeightType t, std::int64_t rows, std::int64_t cols, int tokens, const char* what) {
  const std::int64_t rb = k::weight_row_bytes(t, cols);
  const std::size_t w_bytes = std::size_t(rb) * rows;
  const int copies = dram_copies(w_bytes);
  Buf w(w_bytes * copies), x(cols * tokens * 4), y(rows * tokens * 4);
  k::GemvParams p;
  p.w = w.p;
  p.type = t;
  p.x = x.as<float>();
  p.y = y.as<float>();
  p.n_rows = rows;
  p.n_cols = cols;
  p.n_tokens = tokens;
  const double us = time_us([&](cudaStream_t st) {
    for (int c = 0; c < copies; ++c) {
      p.w = w.as<char>() + c * w_bytes;
      check(k::quant_gemv(p, st), "quant_gemv");
    }
  }, s, true) / copies;
  char shape[96];
  std::snprintf(shape, sizeof shape, "%s %lldx%lld M=%d", k::weight_type_info(static_cast<unsigned>(t))->name.data(),
                static_cast<long long>(rows), static_cast<long long>(cols), tokens);
  row(what, shape, us, double(rb) * rows + 4.0 * (cols + rows) * tokens, 2.0 * rows * cols * tokens);
}

// One MoE layer: router + experts (decode kernel for M <= 8, grouped GEMM above).
void bench_moe(cudaStream_t s, int n_expert, bool four_bit, int m) {
  const k::WeightType gu_t = four_bit ? k::WeightType::Q4_K : k::WeightType::BF16;
  const k::WeightType dn_t = four_bit ? k::WeightType::Q4_0 : k::WeightType::BF16;
  const std::int64_t gu_rb = k::weight_row_bytes(gu_t, kEmbd), dn_rb = k::weight_row_bytes(dn_t, kFf);
  Buf gu(gu_rb * 2 * kFf * n_expert), dn(dn_rb * kEmbd * n_expert);
  Buf router(std::size_t(n_expert) * kEmbd * 4, 0), h(std::size_t(m) * kEmbd * 4, 0x3c), x(std::size_t(m) * kEmbd * 4);
  // Decode replays `sets` launches, each on its own random expert choice, so the experts come
  // from device memory rather than from L2 (one 4-bit set is 29 MB, the L2 60 MB).
  const int sets = m <= k::kMoeDecodeMaxTokens ? 16 : 1;
  Buf ids(std::size_t(sets) * m * kTopK * 4), wts(std::size_t(m) * kTopK * 4), y(std::size_t(m) * kEmbd * 4);
  Buf router_ws(k::moe_router_workspace_bytes(m, n_expert), 0);
  // Random distinct experts per token (the router's own output would be degenerate here).
  std::mt19937 rng(1);
  std::vector<std::int32_t> host_ids;
  std::vector<int> pool(n_expert);
  for (int i = 0; i < n_expert; ++i) pool[i] = i;
  int distinct = 0;  // experts hit, summed over the sets
  for (int set = 0; set < sets; ++set) {
    std::vector<bool> used(n_expert, false);
    for (int t = 0; t < m; ++t) {
      std::shuffle(pool.begin(), pool.end(), rng);
      for (int j = 0; j < kTopK; ++j) {
        host_ids.push_back(pool[j]);
        used[pool[j]] = true;
      }
    }
    for (bool u : used) distinct += u;
  }
  cudaMemcpy(ids.p, host_ids.data(), host_ids.size() * 4, cudaMemcpyHostToDevice);
  k::MoeExpertWeights w;
  w.gate = gu.p;
  w.up = gu.as<char>() + kFf * gu_rb;
  w.gate_up_type = gu_t;
  w.gate_up_expert_stride = 2 * kFf * gu_rb;
  w.down = dn.p;
  w.down_type = dn_t;
  w.down_expert_stride = kEmbd * dn_rb;
  const k::MoePrefillWorkspace layout = k::moe_prefill_workspace(m, kTopK, n_expert, kEmbd, kFf);
  Buf ws(m > k::kMoeDecodeMaxTokens ? layout.total : std::size_t(m) * kTopK * kFf * 4);
  auto launch = [&](cudaStream_t st) {
    if (m <= k::kMoeDecodeMaxTokens) {
      for (int set = 0; set < sets; ++set) {
        k::MoeDecodeParams p{w, x.as<float>(), ids.as<std::int32_t>() + set * m * kTopK, wts.as<float>(), ws.as<float>(),
                             y.as<float>(), m, kTopK, kEmbd, kFf, n_expert};
        check(k::moe_decode(p, st), "moe_decode");
      }
    } else {
      k::MoePrefillParams p{w, x.as<float>(), ids.as<std::int32_t>(), wts.as<float>(), y.as<float>(), ws.p, m, kTopK,
                            kEmbd, kFf, n_expert};
      check(k::moe_prefill(p, st), "moe_prefill");
    }
  };
  const double us = time_us(launch, s, true) / sets;
  distinct /= sets;
  // The router separately (it reads h and the f32 router matrix).
  k::MoeRouterParams rp;
  rp.h = h.as<float>();
  rp.w = router.as<float>();
  rp.ids = ids.as<std::int32_t>();
  rp.weights = wts.as<float>();
  rp.workspace = router_ws.p;
  rp.n_tokens = m;
  rp.n_embd = kEmbd;
  rp.n_expert = n_expert;
  rp.k = kTopK;
  const double router_us = time_us([&](cudaStream_t st) { check(k::moe_router(rp, st), "moe_router"); }, s, false);
  cudaMemcpy(ids.p, host_ids.data(), host_ids.size() * 4, cudaMemcpyHostToDevice);
  const double bytes = double(distinct) * (2.0 * kFf * gu_rb + double(kEmbd) * dn_rb) + 8.0 * m * kEmbd;
  const double flops = 2.0 * m * kTopK * 3.0 * kEmbd * kFf;
  char shape[96];
  std::snprintf(shape, sizeof shape, "E=%d %s M=%d (%d experts hit)", n_expert, four_bit ? "Q4_K/Q4_0" : "BF16", m,
                distinct);
  row(m <= 8 ? "moe layer (decode)" : "moe layer (prefill)", shape, us, bytes, flops);
  std::snprintf(shape, sizeof shape, "E=%d M=%d", n_expert, m);
  row("  router", shape, router_us, double(n_expert) * kEmbd * 4 + 4.0 * m * kEmbd, 2.0 * m * n_expert * kEmbd);
}

// tensor_cores false: prefill on the split-K kernel, for comparison with attention_tc (which
// serves every prefill row here, 16 queries or more).
void bench_attention(cudaStream_t s, int n_kv, int hd, std::int64_t window, int n_q, std::int64_t kv_len,
                     bool tensor_cores = true) {
  const std::int64_t slots = kv_len;
  Buf kc(slots * n_kv * hd * 2), vc(slots * n_kv * hd * 2), q(std::size_t(n_q) * kHeads * hd * 4, 0);
  // The backend's split budget (device_attention_splits with its default 512-token workspace).
  const int max_splits = std::clamp(512 / n_q, 1, k::kAttnMaxSplits);
  Buf out(std::size_t(n_q) * kHeads * hd * 4), ws(k::attention_workspace_floats(n_q, kHeads, hd, max_splits) * 4);
  std::vector<std::int32_t> pos(n_q);
  for (int i = 0; i < n_q; ++i) pos[i] = static_cast<std::int32_t>(kv_len - n_q + i);
  Buf pd(pos.size() * 4);
  cudaMemcpy(pd.p, pos.data(), pos.size() * 4, cudaMemcpyHostToDevice);
  k::AttentionParams p;
  p.q = q.as<float>();
  p.k_cache = kc.p;
  p.v_cache = vc.p;
  p.q_pos = pd.as<std::int32_t>();
  p.out = out.as<float>();
  p.workspace = ws.as<float>();
  p.n_q = n_q;
  p.n_head = kHeads;
  p.n_kv = n_kv;
  p.head_dim = hd;
  p.n_slots = slots;
  p.pos_min = pos.front();
  p.pos_max = pos.back();
  p.window = window;
  p.max_splits = max_splits;
  p.tensor_cores = tensor_cores;
  p.tc_min_rows = 0;  // the row says which kernel ran, whatever the backend's threshold
  const double us = time_us([&](cudaStream_t st) { check(k::attention(p, st), "attention"); }, s, false);
  // Keys visible per query, summed (causal, windowed).
  double pairs = 0.0;
  for (std::int32_t pq : pos) pairs += window > 0 ? std::min<double>(pq + 1, double(window)) : pq + 1.0;
  const std::int64_t keys_read = window > 0 ? std::min<std::int64_t>(kv_len, window + n_q - 1) : kv_len;
  char shape[96];
  std::snprintf(shape, sizeof shape, "hd=%d kv_heads=%d win=%lld M=%d L=%lld", hd, n_kv, static_cast<long long>(window),
                n_q, static_cast<long long>(kv_len));
  const char* name = n_q == 1 ? "attention (decode)" : tensor_cores ? "attention (prefill)" : "attention (split-K)";
  row(name, shape, us, 4.0 * keys_read * n_kv * hd,
      4.0 * pairs * kHeads * hd);
}

void bench_dense(cudaStream_t s, std::int64_t m, std::int64_t n, std::int64_t kk, const char* what) {
  k::BlasHandle blas;
  check(blas.init(), "cublas init");
  Buf x(m * kk * 2, 0x3c), w(n * kk * 2, 0x3c), y(m * n * 4);
  const double us = time_us(
      [&](cudaStream_t st) { check(k::dense_gemm(blas, {x.p, w.p, y.as<float>(), m, n, kk, false, false}, st), "dense_gemm"); },
      s, false);
  char shape[96];
  std::snprintf(shape, sizeof shape, "bf16 %lldx%lldx%lld", static_cast<long long>(m), static_cast<long long>(n),
                static_cast<long long>(kk));
  row(what, shape, us, 2.0 * (m * kk + n * kk) + 4.0 * m * n, 2.0 * m * n * kk);
}

// The backend's prefill projection (kernels/split_gemm.h): a Q4_K weight and f32 input split
// into f16 hi/lo, one f16 GEMM over 3k, the scales. TFLOP/s count the 2·m·n·k the caller gets;
// the second row times the GEMM and scale pass alone.
void bench_split_dense(cudaStream_t s, std::int64_t m, std::int64_t n, std::int64_t kk, const char* what) {
  k::BlasHandle blas;
  check(blas.init(), "cublas init");
  const k::WeightType q4 = k::WeightType::Q4_K;
  Buf w(std::size_t(k::weight_row_bytes(q4, kk)) * n), x(std::size_t(m) * kk * 4), y(std::size_t(m) * n * 4);
  Buf wh(k::split_halves_bytes(n * kk)), ws(k::split_scale_bytes(n)), xh(k::split_halves_bytes(m * kk)),
      xs(k::split_scale_bytes(m));
  const k::SplitOperand wt{wh.as<std::uint16_t>(), ws.as<float>(), n, kk}, in{xh.as<std::uint16_t>(), xs.as<float>(), m, kk};
  auto gemm = [&](cudaStream_t st) { check(k::split_gemm(blas, in, wt, nullptr, y.as<float>(), st), "split_gemm"); };
  const double all = time_us(
      [&](cudaStream_t st) {
        check(k::split_weight(w.p, q4, 0, wt, st), "split_weight");
        check(k::split_activations(x.as<float>(), in, st), "split_activations");
        gemm(st);
      },
      s, false);
  const double gemm_only = time_us(gemm, s, false);
  char shape[96];
  std::snprintf(shape, sizeof shape, "Q4_K %lldx%lldx%lld", static_cast<long long>(m), static_cast<long long>(n),
                static_cast<long long>(kk));
  const double flops = 2.0 * m * n * kk;
  row(what, shape, all, double(k::weight_row_bytes(q4, kk)) * n + 4.0 * m * kk + 4.0 * m * n, flops);
  row("  split: gemm+scale", shape, gemm_only, 6.0 * (m + n) * kk + 8.0 * m * n, flops);
}

void bench_small(cudaStream_t s) {
  Buf x(std::size_t(kEmbd) * 4 * 8), w(kEmbd * 4), y(std::size_t(kEmbd) * 4 * 8);
  k::RmsNormParams p;
  p.x = x.as<float>();
  p.weight = w.as<float>();
  p.residual = y.as<float>();
  p.y = y.as<float>();
  p.rows = 1;
  p.n = kEmbd;
  double us = time_us([&](cudaStream_t st) { check(k::rms_norm(p, st), "rms_norm"); }, s, false);
  row("rms_norm+residual", "1x2816", us, 3.0 * 4 * kEmbd, 0.0);
  Buf logits(std::size_t(kVocab) * 4, 0), ids(64 * 4), vals(64 * 4), ws(k::top_k_workspace_bytes(1, kVocab, 64));
  for (int kk : {1, 64}) {
    us = time_us([&](cudaStream_t st) {
      check(k::top_k({logits.as<float>(), ids.as<std::int32_t>(), vals.as<float>(), ws.p, 1, kVocab, kk}, st), "top_k");
    }, s, false);
    row(kk == 1 ? "argmax" : "top-64", "vocab 262144", us, 4.0 * kVocab, 0.0);
  }
}


// --- whole-model estimate -------------------------------------------------------------------
// One Gemma 4 layer at the real shape, Q4_K_M-like storage (projections and expert gate/up Q4_K,
// down projections Q5_0 — the fallback of spec §3.2), run as the backend would: the grouped Q/K/V
// GEMV, head_prep, the norm chains and the dense MLP as expert 0 of the MoE decode kernel for
// decode (M <= 8), dequantise-to-bf16 + cuBLAS and the grouped MoE GEMM for prefill. Summed over
// 25 sliding + 5 full layers plus the LM head (Q6_K) this estimates tokens/s; it is an estimate
// of the kernels only (no host glue), stated as such in the output.
struct LayerSim {
  bool full;
  int m;                 // tokens in the step
  std::int64_t kv_len;   // cache length the step attends over
  int n_kv() const { return full ? 2 : 8; }
  int hd() const { return full ? 512 : 256; }
};

void run_layer(const LayerSim& L, cudaStream_t st, k::BlasHandle* blas) {
  const int m = L.m, hd = L.hd(), n_kv = L.n_kv(), q_dim = kHeads * hd, kv_dim = n_kv * hd;
  const k::WeightType q4 = k::WeightType::Q4_K, q5 = k::WeightType::Q5_0;
  static std::vector<std::unique_ptr<Buf>> keep;  // weights and activations, allocated once per shape
  static std::map<std::string, void*> bufs;
  auto buf = [&](const std::string& name, std::size_t bytes) {
    const std::string key = name + "/" + std::to_string(bytes);
    auto it = bufs.find(key);
    if (it != bufs.end()) return it->second;
    keep.push_back(std::make_unique<Buf>(bytes, name[0] == 'w' ? 0x11 : 0));
    return bufs[key] = keep.back()->p;
  };
  auto f = [&](const std::string& name, std::size_t n) { return static_cast<float*>(buf(name, n * 4)); };
  auto wbytes = [](k::WeightType t, std::int64_t rows, std::int64_t cols) { return std::size_t(k::weight_row_bytes(t, cols) * rows); };
  float* x = f("x", std::size_t(m) * kEmbd);
  float* a = f("a", std::size_t(m) * kEmbd);
  float* q = f("q", std::size_t(m) * q_dim);
  float* kk = f("k", std::size_t(m) * kv_dim);
  float* v = f("v", std::size_t(m) * kv_dim);
  float* att = f("att", std::size_t(m) * q_dim);
  float* h = f("h", std::size_t(m) * kEmbd);
  float* g = f("g", std::size_t(m) * kDenseFf);
  float* u = f("u", std::size_t(m) * kDenseFf);
  float* mo = f("mo", std::size_t(m) * kEmbd);
  float* ex = f("ex", std::size_t(m) * kEmbd);
  float* norm_w = f("wnorm", 8192);
  // Positions and a random top-8 routing, uploaded when first allocated (never during capture).
  auto* pos = static_cast<std::int32_t*>(buf("pos", std::size_t(m) * 4));
  auto* ids = static_cast<std::int32_t*>(buf("ids", std::size_t(m) * kTopK * 4));
  static std::map<int, bool> filled;
  if (!filled[m]) {
    filled[m] = true;
    std::vector<std::int32_t> hp(m), hi;
    for (int i = 0; i < m; ++i) hp[i] = static_cast<std::int32_t>(L.kv_len - m + i);
    std::mt19937 rng(5);
    std::vector<int> pool(128);
    for (int i = 0; i < 128; ++i) pool[i] = i;
    for (int t = 0; t < m; ++t) {
      std::shuffle(pool.begin(), pool.end(), rng);
      hi.insert(hi.end(), pool.begin(), pool.begin() + kTopK);
    }
    cudaMemcpy(pos, hp.data(), hp.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(ids, hi.data(), hi.size() * 4, cudaMemcpyHostToDevice);
  }
  // Projection: GEMV for decode, the split-f16 cuBLAS GEMM for prefill (as the backend).
  auto linear = [&](const char* name, k::WeightType t, std::int64_t rows, std::int64_t cols, const float* in, float* out) {
    void* w = buf(std::string("w_") + name + (L.full ? "_f" : "_s"), wbytes(t, rows, cols));
    if (m <= k::kGemvMaxTokens) {
      k::GemvParams p;
      p.w = w;
      p.type = t;
      p.x = in;
      p.y = out;
      p.n_rows = rows;
      p.n_cols = cols;
      p.n_tokens = m;
      check(k::quant_gemv(p, st), name);
      return;
    }
    const k::SplitOperand wt{static_cast<std::uint16_t*>(buf("w_split", k::split_halves_bytes(std::int64_t(8192) * kEmbd))),
                             static_cast<float*>(buf("w_scale", k::split_scale_bytes(8192))), rows, cols};
    const k::SplitOperand x{static_cast<std::uint16_t*>(buf("x_split", k::split_halves_bytes(std::int64_t(m) * 8192))),
                            static_cast<float*>(buf("x_scale", k::split_scale_bytes(m))), m, cols};
    check(k::split_weight(w, t, 0, wt, st), "split_weight");
    check(k::split_activations(in, x, st), "split_activations");
    check(k::split_gemm(*blas, x, wt, nullptr, out, st), name);
  };
  // a = RMSNorm(x): the previous layer's ffn_output_norm wrote it (next_in, below).
  if (m <= k::kGemvMaxTokens) {  // Q, K and V: one GEMV launch (all Q4_K here)
    k::GemvParams parts[3];
    const char* names[3] = {"attn_q", "attn_k", "attn_v"};
    float* outs[3] = {q, kk, v};
    const std::int64_t rows[3] = {q_dim, kv_dim, kv_dim};
    for (int i = 0; i < 3; ++i) {
      parts[i].w = buf(std::string("w_") + names[i] + (L.full ? "_f" : "_s"), wbytes(q4, rows[i], kEmbd));
      parts[i].type = q4;
      parts[i].x = a;
      parts[i].y = outs[i];
      parts[i].n_rows = rows[i];
      parts[i].n_cols = kEmbd;
      parts[i].n_tokens = m;
    }
    check(k::quant_gemv_group(parts, L.full ? 2 : 3, st), "attn_qkv");
  } else {
    linear("attn_q", q4, q_dim, kEmbd, a, q);
    linear("attn_k", q4, kv_dim, kEmbd, a, kk);
    if (!L.full) linear("attn_v", q4, kv_dim, kEmbd, a, v);
  }
  const std::int64_t slots = L.kv_len;
  void* kc = buf(std::string("kc") + (L.full ? "f" : "s"), slots * kv_dim * 2);
  void* vc = buf(std::string("vc") + (L.full ? "f" : "s"), slots * kv_dim * 2);
  k::HeadPrepParams hp;
  hp.q = q;
  hp.k = kk;
  hp.v_src = L.full ? kk : v;
  hp.v = v;
  hp.q_norm = hp.k_norm = norm_w;
  hp.positions = pos;
  hp.n_tokens = m;
  hp.n_head = kHeads;
  hp.n_kv = n_kv;
  hp.head_dim = hp.n_dims = hd;
  hp.base = L.full ? 1e6f : 1e4f;
  hp.cache[0] = {kc, vc, slots};
  check(k::head_prep(hp, st), "head_prep");
  k::AttentionParams ap;
  ap.q = q;
  ap.k_cache = kc;
  ap.v_cache = vc;
  ap.q_pos = pos;
  ap.out = att;
  ap.max_splits = m <= k::kGemvMaxTokens ? k::kAttnMaxSplits : 2;
  ap.workspace = f("attn_ws", k::attention_workspace_floats(m, kHeads, hd, ap.max_splits));
  ap.n_q = m;
  ap.n_head = kHeads;
  ap.n_kv = n_kv;
  ap.head_dim = hd;
  ap.n_slots = slots;
  ap.pos_min = L.kv_len - m;
  ap.pos_max = L.kv_len - 1;
  ap.window = L.full ? 0 : 1024;
  check(k::attention(ap, st), "attention");
  linear("attn_o", q4, kEmbd, q_dim, att, a);
  float *dense_in = f("dense_in", std::size_t(m) * kEmbd), *expert_in = f("expert_in", std::size_t(m) * kEmbd);
  check(k::post_attention_norm({a, norm_w, x, h, norm_w, dense_in, norm_w, expert_in, m, kEmbd}, st), "post_attention_norm");
  if (m <= k::kMoeDecodeMaxTokens) {  // gate, up and GeGLU in one launch, as expert 0 of the MoE decode kernel
    k::MoeDecodeParams p;
    p.w.gate = buf(std::string("w_ffn_gate") + (L.full ? "_f" : "_s"), wbytes(q4, kDenseFf, kEmbd));
    p.w.up = buf(std::string("w_ffn_up") + (L.full ? "_f" : "_s"), wbytes(q4, kDenseFf, kEmbd));
    p.w.gate_up_type = q4;
    p.x = dense_in;
    p.ids = static_cast<std::int32_t*>(buf("dense_ids", k::kMoeDecodeMaxTokens * 4));  // zero-filled
    p.act = g;
    p.n_tokens = m;
    p.k = 1;
    p.n_embd = kEmbd;
    p.n_ff = kDenseFf;
    p.n_expert = 1;
    check(k::moe_gate_up(p, st), "ffn_gate_up");
  } else {
    linear("ffn_gate", q4, kDenseFf, kEmbd, dense_in, g);
    linear("ffn_up", q4, kDenseFf, kEmbd, dense_in, u);
    check(k::geglu(g, u, g, std::int64_t(m) * kDenseFf, st), "geglu");
  }
  linear("ffn_down", q5, kEmbd, kDenseFf, g, mo);
  float* wts = f("wts", std::size_t(m) * kTopK);
  k::MoeRouterParams rt;
  rt.h = h;
  rt.w = f("w_router", std::size_t(128) * kEmbd);
  rt.ids = static_cast<std::int32_t*>(buf("ids_router", std::size_t(m) * kTopK * 4));  // timing only:
  rt.weights = f("wts_router", std::size_t(m) * kTopK);  // the experts use the random routing above
  rt.workspace = buf("router_ws", k::moe_router_workspace_bytes(m, 128));  // zero-filled
  rt.n_tokens = m;
  rt.n_embd = kEmbd;
  rt.n_expert = 128;
  rt.k = kTopK;
  check(k::moe_router(rt, st), "router");
  const std::int64_t gu_rb = k::weight_row_bytes(q4, kEmbd), dn_rb = k::weight_row_bytes(q5, kFf);
  k::MoeExpertWeights w;
  w.gate = buf("w_exps_gu", std::size_t(gu_rb) * 2 * kFf * 128);
  w.up = static_cast<char*>(const_cast<void*>(w.gate)) + kFf * gu_rb;
  w.gate_up_type = q4;
  w.gate_up_expert_stride = 2 * kFf * gu_rb;
  w.down = buf("w_exps_dn", std::size_t(dn_rb) * kEmbd * 128);
  w.down_type = q5;
  w.down_expert_stride = kEmbd * dn_rb;
  if (m <= k::kMoeDecodeMaxTokens) {
    k::MoeDecodeParams p{w, expert_in, ids, wts, f("act", std::size_t(m) * kTopK * kFf), ex, m, kTopK, kEmbd, kFf, 128};
    check(k::moe_decode(p, st), "moe_decode");
  } else {
    const auto lay = k::moe_prefill_workspace(m, kTopK, 128, kEmbd, kFf);
    k::MoePrefillParams p{w, expert_in, ids, wts, ex, buf("moe_ws", lay.total), m, kTopK, kEmbd, kFf, 128};
    check(k::moe_prefill(p, st), "moe_prefill");
  }
  // Steps 12–13 and the next layer's attn_norm (a).
  check(k::ffn_output_norm({mo, norm_w, ex, norm_w, norm_w, h, norm_w, x, norm_w, a, m, kEmbd}, st), "ffn_output_norm");
}

void bench_model(cudaStream_t s, int m, std::int64_t kv_len) {
  k::BlasHandle blas;
  check(blas.init(), "cublas init");
  // First run allocates the buffers (never inside a graph capture).
  for (bool full : {false, true}) run_layer({full, m, kv_len}, s, &blas);
  cudaStreamSynchronize(s);
  const bool graph = m <= k::kGemvMaxTokens;
  const double sl = time_us([&](cudaStream_t st) { run_layer({false, m, kv_len}, st, &blas); }, s, graph);
  const double fl = time_us([&](cudaStream_t st) { run_layer({true, m, kv_len}, st, &blas); }, s, graph);
  // LM head on the last token only (prefill) or every token (decode), Q6_K, then argmax.
  Buf lm(std::size_t(k::weight_row_bytes(k::WeightType::Q6_K, kEmbd)) * kVocab), xs(std::size_t(8) * kEmbd * 4, 0);
  Buf logits(std::size_t(8) * kVocab * 4), ids(64), vals(64), ws(k::top_k_workspace_bytes(8, kVocab, 1));
  const int lm_tokens = std::min(m, k::kGemvMaxTokens);
  k::GemvParams p;
  p.w = lm.p;
  p.type = k::WeightType::Q6_K;
  p.x = xs.as<float>();
  p.y = logits.as<float>();
  p.n_rows = kVocab;
  p.n_cols = kEmbd;
  p.n_tokens = lm_tokens;
  p.softcap = 30.0f;
  const double lm_us = time_us([&](cudaStream_t st) {
    check(k::quant_gemv(p, st), "lm_head");
    check(k::top_k({logits.as<float>(), ids.as<std::int32_t>(), vals.as<float>(), ws.p, lm_tokens, kVocab, 1}, st), "argmax");
  }, s, graph);
  const double step_us = 25 * sl + 5 * fl + lm_us;
  char shape[96];
  std::snprintf(shape, sizeof shape, "M=%d L=%lld: %.0f tok/s (est.)", m, static_cast<long long>(kv_len), 1e6 * m / step_us);
  row(m <= 8 ? "model step (decode)" : "model step (prefill)", shape, step_us, 0.0, 0.0);
  std::snprintf(shape, sizeof shape, "sliding %.1f us, full %.1f us, head %.1f us", sl, fl, lm_us);
  row("  per layer", shape, sl, 0.0, 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const k::DeviceReport report = k::query_devices();
  if (report.devices.empty()) {
    std::fprintf(stderr, "bench_kernels: no CUDA device (%s)\n", report.error.c_str());
    return 1;
  }
  const k::DeviceInfo& dev = report.devices.front();
  std::printf("device: %s, cc %d.%d, %d SMs, %.1f GiB\n", dev.name.c_str(), dev.cc_major, dev.cc_minor,
              dev.multiprocessors, dev.total_bytes / 1073741824.0);
  cudaStream_t s;
  cudaStreamCreate(&s);
  std::printf("%-22s %-34s %10s %9s %7s %8s\n", "kernel", "shape", "us", "GB/s", "%copy", "TFLOP/s");
  bench_copy(s);
  bench_small(s);
  for (k::WeightType t : {k::WeightType::Q4_K, k::WeightType::Q8_0, k::WeightType::BF16}) {
    bench_gemv(s, t, 4096, kEmbd, 1, "gemv attn_q");
    if (!quick) bench_gemv(s, t, 4096, kEmbd, 8, "gemv attn_q");
  }
  bench_gemv(s, k::WeightType::Q5_0, kEmbd, kDenseFf, 1, "gemv ffn_down");
  bench_gemv(s, k::WeightType::Q6_K, kVocab, kEmbd, 1, "gemv lm_head");
  const std::vector<int> ms = quick ? std::vector<int>{1, 8, 128, 4096} : std::vector<int>{1, 2, 4, 8, 16, 32, 128, 512, 4096};
  for (int n_expert : {98, 128}) {
    for (bool four_bit : {false, true}) {
      for (int m : ms) bench_moe(s, n_expert, four_bit, m);
    }
  }
  bench_attention(s, 8, 256, 1024, 1, 1024);
  bench_attention(s, 8, 256, 1024, 1, 32768);
  bench_attention(s, 2, 512, 0, 1, 4096);
  bench_attention(s, 2, 512, 0, 1, 32768);
  bench_attention(s, 8, 256, 1024, 4096, 4096);
  bench_attention(s, 2, 512, 0, 4096, 4096);
  bench_attention(s, 8, 256, 1024, 4096, 4096, false);
  bench_attention(s, 2, 512, 0, 4096, 4096, false);
  // Where the tensor-core kernel starts to pay (tc_min_rows): chunks late in a 4k prompt.
  for (int n_q : {64, 512}) {
    bench_attention(s, 2, 512, 0, n_q, 4096);
    bench_attention(s, 2, 512, 0, n_q, 4096, false);
  }
  bench_dense(s, 4096, kDenseFf, kEmbd, "cublas dense mlp");
  for (std::int64_t m : {64, 512, 4096}) bench_split_dense(s, m, 8192, kEmbd, "split-f16 projection");
  bench_dense(s, 8192, 8192, 8192, "cublas peak probe");
  bench_model(s, 1, 4096);
  bench_model(s, 4, 4096);
  bench_model(s, quick ? 512 : 4096, quick ? 512 : 4096);
  cudaStreamDestroy(s);
  return g_failed ? 1 : 0;
}
