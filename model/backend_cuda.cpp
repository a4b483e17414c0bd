// CUDA builds: the CUDA backend (model/backend_cuda.h). The forward pass follows
// model/forward.cpp step by step (spec §2.3), with kernels/ launchers in place of the Ops:
//   attention block: one GEMV launch for q, k, v of one weight type (on K = V layers no v) →
//   head_prep (q/k norms and RoPE, the v norm, each token appended to its sequence's cache;
//   kv_append per sequence only for several sequences in a batch over 8 tokens) → attention
//   per sequence → gemv o → post_attention_norm (h = x + RMSNorm(att), and both FFN inputs);
//   FFN block: dense MLP (gate, up and GeGLU in one MoE gate/up launch up to 8 tokens) → gemv
//   down; router kernel (softmax, top-k, renormalise); MoE (decode kernel ≤ 8 tokens, grouped
//   prefill kernel above) → ffn_output_norm (both post-FFN norms, their sum's norm, the residual
//   h, the layer output scale: the next x, and the next layer's attn_norm of it). Layer 0's
//   attn_norm follows the embedding;
//   output: gather the wanted rows → output_norm → LM head GEMV with the softcap fused.
// Projections of batches under gemm_min_tokens take 8 tokens per quant_gemv launch; larger
// batches one split-f16 cuBLAS GEMM (f32 accuracy on tensor cores, kernels/split_gemm.h).
// The expert down-projection applies ffn_down_exps.scale (kernel down_scale), so the router
// is launched without expert_scale, as the CPU applies it in its moe op.
#include "model/backend_cuda.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <map>
#include <utility>
#include <tuple>

#include "kernels/device_query.h"
#include "kernels/kernels.h"
#include "kernels/moe_routing.h"
#include "kernels/upload_layout.h"
#include "model/cuda_buffers.h"
#include "model/device_memory.h"

namespace coderx::model {

DeviceProbe probe_cuda() {
  DeviceProbe probe;
  probe.cuda_built = true;
  const kernels::DeviceReport report = kernels::query_devices();
  if (report.devices.empty()) {
    probe.unavailable = report.error.empty() ? "no CUDA device" : report.error;
    return probe;
  }
  probe.name = report.devices[0].name;
  probe.free_bytes = report.devices[0].free_bytes;
  return probe;
}

namespace {

using kernels::Status;
using kernels::WeightType;

WeightType weight_type(quant::Type t) { return static_cast<WeightType>(static_cast<std::uint32_t>(t)); }

// ---- What the kernels can run (checked once, before anything is uploaded) -------------------

Result<void> unsupported(const std::string& what) {
  return make_error(Errc::unsupported, "CUDA backend: " + what);
}

Result<void> check_matrix(const Matrix& m, const std::string& name) {
  if (!m.valid()) return {};
  const auto* info = kernels::weight_type_info(static_cast<std::uint32_t>(m.type));
  if (!info || !kernels::row_supported(info->type, m.cols))
    return unsupported(name + ": type " + std::string(quant::info(m.type).name) + " with " +
                       std::to_string(m.cols) + " columns is not readable by the kernels");
  if (m.cols % 4 != 0) return unsupported(name + ": columns not a multiple of 4");
  return {};
}

Result<void> check_experts(const ExpertMatrices& m, const std::string& name) {
  if (!m.valid()) return {};
  if (auto ok = check_matrix(m.expert(0), name); !ok) return ok;
  if (static_cast<std::int64_t>(m.row_bytes) != kernels::weight_row_bytes(weight_type(m.type), m.cols))
    return unsupported(name + ": rows are not packed");
  return {};
}

Result<void> check_layer(const ModelView& model, std::size_t l) {
  const ModelDims& d = model.dims;
  const LayerDims& ld = d.layers[l];
  const LayerView& w = model.layers[l];
  const std::string at = "layer " + std::to_string(l) + " ";
  using NamedMatrix = std::pair<const Matrix*, const char*>;
  using NamedExperts = std::pair<const ExpertMatrices*, const char*>;
  for (const NamedMatrix& m : std::initializer_list<NamedMatrix>{
           {&w.wq, "wq"}, {&w.wk, "wk"}, {&w.wv, "wv"}, {&w.wo, "wo"},
           {&w.ffn_gate, "ffn_gate"}, {&w.ffn_up, "ffn_up"}, {&w.ffn_down, "ffn_down"}})
    if (auto ok = check_matrix(*m.first, at + m.second); !ok) return ok;
  for (const NamedExperts& m : std::initializer_list<NamedExperts>{
           {&w.experts.gate_up, "ffn_gate_up_exps"}, {&w.experts.gate, "ffn_gate_exps"},
           {&w.experts.up, "ffn_up_exps"}, {&w.experts.down, "ffn_down_exps"}})
    if (auto ok = check_experts(*m.first, at + m.second); !ok) return ok;
  if (!w.experts.fused() && (w.experts.gate.type != w.experts.up.type || w.experts.gate.rows != w.experts.up.rows))
    return unsupported(at + "split gate and up experts of different types or shapes");
  if (w.router.type != quant::Type::F32 || w.router.out_scale != 1.0f ||
      w.router.row_bytes != static_cast<std::size_t>(w.router.cols) * 4)
    return unsupported(at + "router must be plain f32");
  const std::int64_t hd = ld.head_dim;
  if (hd != 64 && hd != 128 && hd != 256 && hd != 512) return unsupported(at + "head_dim " + std::to_string(hd));
  if (!kernels::attention_group_supported(static_cast<int>(d.n_head), static_cast<int>(ld.n_kv_head)))
    return unsupported(at + "GQA group of " + std::to_string(d.n_head) + "/" + std::to_string(ld.n_kv_head));
  if (ld.rope.n_dims % 2 != 0 || ld.rope.n_dims > hd) return unsupported(at + "rope dims");
  return {};
}

Result<void> check_model(const ModelView& model) {
  const ModelDims& d = model.dims;
  if (d.n_embd % 32 != 0 || d.n_ff_exp % 32 != 0)
    return unsupported("n_embd and the expert width must be multiples of 32");
  if (d.n_expert < 1 || d.n_expert > kernels::kRouterMaxExperts || d.n_expert_used < 1 ||
      d.n_expert_used > std::min<std::int64_t>(d.n_expert, kernels::kRouterMaxTopK))
    return unsupported("expert count or top-k out of the router kernel's range");
  if (auto ok = check_matrix(model.token_embd, "token_embd"); !ok) return ok;
  if (auto ok = check_matrix(model.lm_head(), "output"); !ok) return ok;
  for (std::size_t l = 0; l < model.layers.size(); ++l)
    if (auto ok = check_layer(model, l); !ok) return ok;
  return {};
}

// ---- The device KV state of one sequence ------------------------------------------------------

class CudaKvState final : public KvState {
 public:
  struct Layer {
    void* k = nullptr;  // [slots, n_kv, head_dim] f16
    void* v = nullptr;
    std::int64_t slots = 0;
  };

  CudaKvState(const ModelView& model, const CudaBackendOptions& o) : options_(o) {
    std::vector<std::size_t> sizes;
    for (std::size_t l = 0; l < model.dims.layers.size(); ++l) {
      const LayerDims& d = model.dims.layers[l];
      const std::int64_t slots = device_kv_slots(model, static_cast<std::int64_t>(l), o.max_context, o.slack);
      ring_ = ring_ || slots < o.max_context;
      layers_.push_back(Layer{nullptr, nullptr, slots});
      sizes.push_back(static_cast<std::size_t>(slots * d.n_kv_head * d.head_dim) * 2);
      sizes.push_back(sizes.back());
    }
    const kernels::UploadPlan plan = kernels::plan_upload(sizes);
    error_ = buffer_.allocate(plan.total, "a sequence's KV cache");
    if (!error_) return;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      layers_[l].k = buffer_.as<char>() + plan.offsets[2 * l];
      layers_[l].v = buffer_.as<char>() + plan.offsets[2 * l + 1];
    }
  }

  std::int64_t n_past() const override { return n_past_; }
  void set_n_past(std::int64_t n) override { n_past_ = n; }
  bool can_truncate_to(std::int64_t n) const override {
    return n >= 0 && n <= n_past_ && !(ring_ && n_past_ - n > options_.slack);
  }
  std::int64_t max_batch() const override { return ring_ ? options_.slack : options_.max_context; }
  std::int64_t max_context() const override { return options_.max_context; }
  std::size_t memory_bytes() const override { return buffer_.bytes(); }

  const Result<void>& allocation() const { return error_; }
  const Layer& layer(std::int64_t l) const { return layers_[l]; }

 private:
  CudaBackendOptions options_;
  cuda::Buffer buffer_;
  std::vector<Layer> layers_;
  Result<void> error_;
  bool ring_ = false;
  std::int64_t n_past_ = 0;
};

// A stretch of batch rows of one sequence (kv_append and attention take one cache each).
struct SeqRun {
  CudaKvState* cache = nullptr;
  std::int64_t begin = 0, count = 0;
  std::int64_t pos_min = 0, pos_max = 0;
};

// What a captured decode step bakes into its kernel parameters besides device memory: the batch
// size, each run's KV cache (the device address of its first layer's K) and rows, and which rows'
// logits are wanted. Tokens and positions are read from device memory and attention derives its
// key range from the positions there, so a step of the same shape replays its graph unchanged.
struct StepShape {
  std::int64_t n = 0;
  std::vector<std::tuple<const void*, std::int64_t, std::int64_t>> runs;
  std::vector<std::int64_t> logit_rows;
  bool operator==(const StepShape&) const = default;
};

struct CapturedStep {
  StepShape shape;
  cudaGraphExec_t exec = nullptr;
};

// ---- The backend --------------------------------------------------------------------------------

class CudaBackend final : public Backend {
 public:
  CudaBackend(const ModelView& model, const CudaBackendOptions& options) : model_(model), options_(options) {}
  ~CudaBackend() override;

  Result<void> init();
  std::string describe() const override { return name_; }
  bool on_device() const override { return true; }
  std::unique_ptr<KvState> new_sequence() override { return std::make_unique<CudaKvState>(model_, options_); }
  Result<void> run(const BackendBatch& batch) override;
  std::int64_t max_tokens() const override { return options_.max_tokens; }
  std::int64_t n_vocab() const override { return model_.lm_head().rows; }
  double memory_bandwidth() override {
    if (bandwidth_ == 0.0) bandwidth_ = kernels::copy_bandwidth();
    return bandwidth_;
  }
  std::int64_t captured_step_nodes() const override { return captured_nodes_; }

 private:
  // Records the first failing launch; later launches of the same step are still issued
  // (launchers validate before launching, so a failed one launched nothing).
  void ok(const Status& s) {
    if (status_.ok() && !s.ok()) status_ = s;
  }
  void ok_cuda(cudaError_t e, const char* what) {
    if (e != cudaSuccess) ok(Status{kernels::StatusCode::cuda_error, std::string(what) + ": " + cudaGetErrorString(e)});
  }
  Result<void> alloc_workspace();
  Result<std::vector<SeqRun>> make_runs(const BackendBatch& b) const;
  void enqueue(const BackendBatch& b, const std::vector<SeqRun>& runs);
  kernels::GemvParams gemv_params(const Matrix& w, const float* x, std::int64_t n, float* y) const;
  void linear(const Matrix& w, const float* x, std::int64_t n, float* y, float softcap = 0.0f);
  void linear_group(std::span<const Projection> group, const float* x, std::int64_t n);
  void dense_linear(const Matrix& w, const float* x, std::int64_t n, float* y);
  void norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n);
  void prepare_heads(std::int64_t l, std::int64_t n, const std::vector<SeqRun>& runs);
  void attention_block(std::int64_t l, std::int64_t n, const std::vector<SeqRun>& runs);
  void ffn_block(std::int64_t l, std::int64_t n);
  void dense_mlp(const LayerView& w, std::int64_t n_ff, std::int64_t n);
  void output(const BackendBatch& b);
  kernels::MoeExpertWeights experts(const ExpertWeights& e) const;
  Result<void> launch_step(const BackendBatch& b, const std::vector<SeqRun>& runs);
  Result<void> launch_graph(const BackendBatch& b, const std::vector<SeqRun>& runs);

  const ModelView& model_;
  CudaBackendOptions options_;
  std::string name_ = "cuda";
  double bandwidth_ = 0.0;
  cudaStream_t stream_ = nullptr;
  cuda::DeviceWeights weights_;
  Status status_;
  DeviceWorkspace workspace_;
  // Workspace (model/device_memory.h DeviceWorkspace): f32 unless noted.
  cuda::Buffer x_, h_, a_, att_, m_, xe_, moe_, q_, o_, k_, v_, g_, u_, ids_, wts_, act_, attn_, moe_ws_,
      logits_, tokens_, pos_;
  // The prefill GEMM's operands in split-f16 form (kernels/split_gemm.h): a projection, its input.
  cuda::Buffer dense_w_, dense_w_scale_, dense_x_, dense_x_scale_;
  cuda::Buffer router_ws_;          // kernels::moe_router workspace (zeroed when allocated)
  cuda::Buffer dense_ids_;          // kMoeDecodeMaxTokens i32 zeros: the dense MLP as expert 0
  kernels::BlasHandle blas_;
  cuda::Buffer host_logits_, host_tokens_, host_pos_;  // pinned
  std::map<std::tuple<std::int64_t, std::size_t, std::size_t>, CapturedStep> graphs_;
  bool capturing_ = false;  // while a decode step is captured: attention plans for the ring size
  std::int64_t captured_nodes_ = 0;  // nodes of the graph captured last
};

CudaBackend::~CudaBackend() {
  for (auto& [key, step] : graphs_) cudaGraphExecDestroy(step.exec);
  if (stream_) cudaStreamDestroy(stream_);
}

Result<void> CudaBackend::init() {
  if (auto ok = check_model(model_); !ok) return ok;
  if (auto ok = cuda::check(cudaSetDevice(0), "selecting CUDA device 0"); !ok) return ok;
  if (auto ok = cuda::check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating a stream"); !ok)
    return ok;
  const kernels::DeviceReport report = kernels::query_devices();
  if (!report.devices.empty()) name_ = "cuda:0 " + report.devices[0].name;
  if (auto ok = weights_.upload(model_); !ok) return ok;
  if (const kernels::Status st = blas_.init(); !st.ok()) return make_error(Errc::internal, "CUDA backend: " + st.message);
  return alloc_workspace();
}

Result<void> CudaBackend::alloc_workspace() {
  workspace_ = device_workspace(model_, options_.max_tokens);
  const DeviceWorkspace& w = workspace_;
  struct Item {
    cuda::Buffer* buffer;
    std::int64_t elems;
    const char* what;
  };
  const Item items[] = {
      {&x_, w.embd, "x"},         {&h_, w.embd, "h"},         {&a_, w.embd, "a"},
      {&att_, w.embd, "att"},     {&m_, w.embd, "m"},         {&xe_, w.embd, "xe"},
      {&moe_, w.embd, "moe"},     {&q_, w.q, "q"},            {&o_, w.q, "o"},
      {&k_, w.kv, "k"},           {&v_, w.kv, "v"},           {&g_, w.ff, "gate"},
      {&u_, w.ff, "up"},          {&ids_, w.route, "ids"},    {&wts_, w.route, "weights"},
      {&act_, w.moe_act, "act"},  {&attn_, w.attn, "attention partials"},
      {&logits_, w.logits, "logits"}, {&tokens_, w.max_tokens, "tokens"}, {&pos_, w.max_tokens, "positions"},
  };
  for (const Item& it : items)
    if (auto ok = it.buffer->allocate(static_cast<std::size_t>(it.elems) * 4, std::string("workspace ") + it.what); !ok)
      return ok;
  const auto moe_ws = kernels::moe_prefill_workspace(w.max_tokens, static_cast<int>(model_.dims.n_expert_used),
                                                     static_cast<int>(model_.dims.n_expert),
                                                     static_cast<int>(model_.dims.n_embd),
                                                     static_cast<int>(model_.dims.n_ff_exp));
  if (auto ok = moe_ws_.allocate(moe_ws.total, "MoE prefill workspace"); !ok) return ok;
  if (auto ok = router_ws_.allocate(static_cast<std::size_t>(w.router), "router workspace"); !ok) return ok;
  if (auto ok = dense_ids_.allocate(kernels::kMoeDecodeMaxTokens * 4, "dense MLP expert ids"); !ok) return ok;
  if (w.dense_weight > 0) {
    const std::pair<cuda::Buffer*, std::uint64_t> dense[] = {
        {&dense_w_, kernels::split_halves_bytes(w.dense_weight)},
        {&dense_w_scale_, kernels::split_scale_bytes(w.dense_rows)},
        {&dense_x_, kernels::split_halves_bytes(w.dense_input)},
        {&dense_x_scale_, kernels::split_scale_bytes(w.max_tokens)}};
    for (const auto& [buffer, bytes] : dense)
      if (auto ok = buffer->allocate(bytes, "workspace split-f16 GEMM operand"); !ok) return ok;
  }
  if (auto ok = host_logits_.allocate(static_cast<std::size_t>(w.logits) * 4, "host logits", true); !ok) return ok;
  if (auto ok = host_tokens_.allocate(static_cast<std::size_t>(w.max_tokens) * 4, "host tokens", true); !ok) return ok;
  return host_pos_.allocate(static_cast<std::size_t>(w.max_tokens) * 4, "host positions", true);
}

// ---- One forward step ---------------------------------------------------------------------------

Result<std::vector<SeqRun>> CudaBackend::make_runs(const BackendBatch& b) const {
  const std::int64_t n = static_cast<std::int64_t>(b.tokens.size());
  if (n < 1 || n > options_.max_tokens || b.positions.size() != b.tokens.size() ||
      (!b.seq.empty() && b.seq.size() != b.tokens.size()) || b.caches.empty())
    return make_error(Errc::invalid_argument, "CUDA backend: batch of " + std::to_string(n) +
                                                  " tokens (1 … " + std::to_string(options_.max_tokens) + ")");
  std::vector<SeqRun> runs;
  for (std::int64_t t = 0; t < n; ++t) {
    const std::size_t s = b.seq.empty() ? 0 : static_cast<std::size_t>(b.seq[t]);
    if (s >= b.caches.size()) return make_error(Errc::invalid_argument, "CUDA backend: sequence index out of range");
    auto* cache = static_cast<CudaKvState*>(b.caches[s]);
    if (!cache->allocation()) return cache->allocation().error();
    const std::int64_t p = b.positions[t];
    if (p < 0 || p >= options_.max_context)
      return make_error(Errc::invalid_argument, "CUDA backend: position " + std::to_string(p) + " outside the context");
    if (runs.empty() || runs.back().cache != cache) {
      runs.push_back(SeqRun{cache, t, 0, p, p});
    }
    SeqRun& r = runs.back();
    ++r.count;
    r.pos_min = std::min(r.pos_min, p);
    r.pos_max = std::max(r.pos_max, p);
  }
  return runs;
}

kernels::GemvParams CudaBackend::gemv_params(const Matrix& w, const float* x, std::int64_t n, float* y) const {
  kernels::GemvParams p;
  p.w = weights_.at(w.data);
  p.type = weight_type(w.type);
  p.row_stride = static_cast<std::int64_t>(w.row_bytes);
  p.x = x;
  p.y = y;
  p.n_rows = w.rows;
  p.n_cols = w.cols;
  p.n_tokens = static_cast<int>(n);
  p.out_scale = weights_.out_scale(w);
  return p;
}

// Small batches (decode, short prefills, the LM head's few rows): the quantised GEMV, 8 tokens
// per launch. Batches of gemm_min_tokens or more of a layer projection: dense_linear.
void CudaBackend::linear(const Matrix& w, const float* x, std::int64_t n, float* y, float softcap) {
  const bool gemm = n > kernels::kGemvMaxTokens && n >= options_.gemm_min_tokens;
  const DeviceWorkspace& ws = workspace_;
  if (gemm && softcap == 0.0f && dense_w_.get() && w.rows * w.cols <= ws.dense_weight && w.rows <= ws.dense_rows &&
      n * w.cols <= ws.dense_input) {
    dense_linear(w, x, n, y);
    return;
  }
  for (std::int64_t t0 = 0; t0 < n; t0 += kernels::kGemvMaxTokens) {
    kernels::GemvParams p = gemv_params(w, x + t0 * w.cols, std::min<std::int64_t>(kernels::kGemvMaxTokens, n - t0),
                                        y + t0 * w.rows);
    p.softcap = softcap;
    ok(kernels::quant_gemv(p, stream_));
  }
}

// Projections of one input: a decode-sized batch runs those of one weight type in one launch
// (a layer's Q and K, and V where it has the same type), the rest as linear does.
void CudaBackend::linear_group(std::span<const Projection> group, const float* x, std::int64_t n) {
  if (n > kernels::kGemvMaxTokens) {
    for (const Projection& p : group) linear(*p.w, x, n, p.y);
    return;
  }
  std::vector<bool> done(group.size(), false);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (done[i]) continue;
    std::vector<kernels::GemvParams> parts;
    for (std::size_t j = i; j < group.size() && parts.size() < kernels::kGemvGroupMax; ++j) {
      if (done[j] || group[j].w->type != group[i].w->type || group[j].w->cols != group[i].w->cols) continue;
      parts.push_back(gemv_params(*group[j].w, x, n, group[j].y));
      done[j] = true;
    }
    ok(kernels::quant_gemv_group(parts.data(), static_cast<int>(parts.size()), stream_));
  }
}

// Prefill: one GEMM on f16 tensor cores at f32 accuracy (kernels/split_gemm.h): the weight is
// decoded from its blocks into hi and lo halves, the input likewise, the projection's `.scale`
// applied with the row scales. 11-bit inputs alone (fp16 or TF32) are not enough: on an H200
// both gave logits NMSE up to 0.23 against the CPU on a generated Q4_K_M model, and rounding
// the same projections' inputs and weights to 11 bits on the CPU alone moves the last prompt
// row's logits by NMSE 6.7e-4 (the acceptance bound is 1e-4). The split keeps about 22 bits.
void CudaBackend::dense_linear(const Matrix& w, const float* x, std::int64_t n, float* y) {
  const kernels::SplitOperand wt{dense_w_.as<std::uint16_t>(), dense_w_scale_.as<float>(), w.rows, w.cols};
  const kernels::SplitOperand in{dense_x_.as<std::uint16_t>(), dense_x_scale_.as<float>(), n, w.cols};
  ok(kernels::split_weight(weights_.at(w.data), weight_type(w.type), static_cast<std::int64_t>(w.row_bytes), wt,
                           stream_));
  ok(kernels::split_activations(x, in, stream_));
  ok(kernels::split_gemm(blas_, in, wt, weights_.out_scale(w), y, stream_));
}

void CudaBackend::norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n) {
  kernels::RmsNormParams p;
  p.x = x;
  p.weight = weights_.floats(w);
  p.y = y;
  p.rows = rows;
  p.n = n;
  p.eps = model_.dims.eps;
  ok(kernels::rms_norm(p, stream_));
}

// Spec §2.3 steps 3–4 on the raw projections in q_, k_, v_ (one head_prep launch), and the
// cache append: each token to its own sequence's cache in head_prep, except for several
// sequences in a batch over 8 tokens, which take one kv_append per sequence.
void CudaBackend::prepare_heads(std::int64_t l, std::int64_t n, const std::vector<SeqRun>& runs) {
  const ModelDims& d = model_.dims;
  const LayerDims& ld = d.layers[l];
  const LayerView& w = model_.layers[l];
  const std::int64_t hd = ld.head_dim, nkv = ld.n_kv_head;
  float *k = k_.as<float>(), *v = v_.as<float>();
  kernels::HeadPrepParams prep;
  prep.q = q_.as<float>();
  prep.k = k;
  prep.v_src = w.wv.valid() ? v : k;  // K = V layer: V is the raw K projection (spec §2.3 step 3)
  prep.v = v;
  prep.q_norm = weights_.floats(w.q_norm);
  prep.k_norm = weights_.floats(w.k_norm);
  prep.positions = pos_.as<std::int32_t>();
  prep.freq_factors = weights_.floats(ld.rope.freq_factors);
  prep.n_tokens = n;
  prep.n_head = static_cast<int>(d.n_head);
  prep.n_kv = static_cast<int>(nkv);
  prep.head_dim = static_cast<int>(hd);
  prep.n_dims = static_cast<int>(ld.rope.n_dims);
  prep.base = ld.rope.base;
  prep.eps = d.eps;
  prep.per_token_cache = runs.size() > 1 && n <= kernels::kHeadPrepMaxTokenCaches;
  const bool append_here = runs.size() == 1 || prep.per_token_cache;
  for (const SeqRun& r : runs) {
    const CudaKvState::Layer& c = r.cache->layer(l);
    for (std::int64_t t = r.begin; append_here && t < r.begin + r.count; ++t)
      prep.cache[prep.per_token_cache ? t : 0] = kernels::KvTarget{c.k, c.v, c.slots};
  }
  ok(kernels::head_prep(prep, stream_));
  for (const SeqRun& r : runs) {  // several sequences in a batch too large for per-token caches
    if (append_here) break;
    const CudaKvState::Layer& c = r.cache->layer(l);
    kernels::KvAppendParams p{k + r.begin * nkv * hd, v + r.begin * nkv * hd, c.k, c.v,
                              pos_.as<std::int32_t>() + r.begin, static_cast<int>(r.count),
                              static_cast<int>(nkv), static_cast<int>(hd), c.slots};
    ok(kernels::kv_append(p, stream_));
  }
}

void CudaBackend::attention_block(std::int64_t l, std::int64_t n, const std::vector<SeqRun>& runs) {
  const ModelDims& d = model_.dims;
  const LayerDims& ld = d.layers[l];
  const LayerView& w = model_.layers[l];
  const std::int64_t hd = ld.head_dim, nh = d.n_head, nkv = ld.n_kv_head;
  float *a = a_.as<float>(), *q = q_.as<float>(), *k = k_.as<float>();
  float *v = v_.as<float>(), *o = o_.as<float>(), *att = att_.as<float>();
  const Projection qkv[3] = {{&w.wq, q}, {&w.wk, k}, {&w.wv, v}};  // a = RMSNorm(x; attn_norm), from the
  linear_group(std::span(qkv, w.wv.valid() ? 3 : 2), a, n);           // previous layer's last launch
  prepare_heads(l, n, runs);
  for (const SeqRun& r : runs) {
    const CudaKvState::Layer& c = r.cache->layer(l);
    kernels::AttentionParams p;
    p.q = q + r.begin * nh * hd;
    p.k_cache = c.k;
    p.v_cache = c.v;
    p.q_pos = pos_.as<std::int32_t>() + r.begin;
    p.out = o + r.begin * nh * hd;
    p.workspace = attn_.as<float>();
    p.n_q = static_cast<int>(r.count);
    p.n_head = static_cast<int>(nh);
    p.n_kv = static_cast<int>(nkv);
    p.head_dim = static_cast<int>(hd);
    p.n_slots = c.slots;
    p.pos_min = r.pos_min;
    p.pos_max = r.pos_max;
    p.window = ld.swa ? d.window : 0;
    p.scale = 1.0f;
    p.max_splits = device_attention_splits(workspace_, r.count, nh, hd);
    p.tc_min_rows = options_.tc_attention_min_rows;
    p.plan_keys = capturing_ ? c.slots : 0;  // a replayed graph must not depend on the positions
    ok(kernels::attention(p, stream_));
  }
  linear(w.wo, o, n, att);
  kernels::PostAttentionNormParams post;  // h = x + RMSNorm(att), and both normed inputs of the FFN
  post.att = att;
  post.post_norm = weights_.floats(w.post_attn_norm);
  post.residual = x_.as<float>();
  post.h = h_.as<float>();
  post.dense_norm = weights_.floats(w.ffn_norm);
  post.dense_in = m_.as<float>();
  post.expert_norm = weights_.floats(w.pre_ffw_norm_2);
  post.expert_in = xe_.as<float>();
  post.rows = n;
  post.n = d.n_embd;
  post.eps = d.eps;
  ok(kernels::post_attention_norm(post, stream_));
}

kernels::MoeExpertWeights CudaBackend::experts(const ExpertWeights& e) const {
  kernels::MoeExpertWeights w;
  if (e.fused()) {
    const ExpertMatrices& gu = e.gate_up;
    w.gate = weights_.at(gu.data);
    w.up = static_cast<const char*>(w.gate) + static_cast<std::size_t>(gu.rows / 2) * gu.row_bytes;
    w.gate_up_type = weight_type(gu.type);
    w.gate_up_expert_stride = static_cast<std::int64_t>(static_cast<std::size_t>(gu.rows) * gu.row_bytes);
    w.gate_scale = w.up_scale = weights_.floats(gu.out_scale);
  } else {
    w.gate = weights_.at(e.gate.data);
    w.up = weights_.at(e.up.data);
    w.gate_up_type = weight_type(e.gate.type);
    w.gate_up_expert_stride = static_cast<std::int64_t>(static_cast<std::size_t>(e.gate.rows) * e.gate.row_bytes);
    w.gate_scale = weights_.floats(e.gate.out_scale);
    w.up_scale = weights_.floats(e.up.out_scale);
  }
  w.down = weights_.at(e.down.data);
  w.down_type = weight_type(e.down.type);
  w.down_expert_stride = static_cast<std::int64_t>(static_cast<std::size_t>(e.down.rows) * e.down.row_bytes);
  w.down_scale = weights_.floats(e.down.out_scale);
  return w;
}

// att_ = W_down · GeGLU(W_gate · m, W_up · m). Decode-sized batches run gate, up and GeGLU in one
// launch, as expert 0 of the MoE decode kernel (stride 0, ids all 0); the reads of x and of the
// weights are the same as two GEMVs'.
void CudaBackend::dense_mlp(const LayerView& w, std::int64_t n_ff, std::int64_t n) {
  const std::int64_t e = model_.dims.n_embd;
  float *m = m_.as<float>(), *g = g_.as<float>(), *u = u_.as<float>();
  if (n <= kernels::kMoeDecodeMaxTokens && w.ffn_gate.type == w.ffn_up.type) {
    kernels::MoeDecodeParams p;
    p.w.gate = weights_.at(w.ffn_gate.data);
    p.w.up = weights_.at(w.ffn_up.data);
    p.w.gate_up_type = weight_type(w.ffn_gate.type);
    p.w.gate_scale = weights_.out_scale(w.ffn_gate);
    p.w.up_scale = weights_.out_scale(w.ffn_up);
    p.x = m;
    p.ids = dense_ids_.as<std::int32_t>();
    p.act = g;
    p.n_tokens = static_cast<int>(n);
    p.k = 1;
    p.n_embd = static_cast<int>(e);
    p.n_ff = static_cast<int>(n_ff);
    p.n_expert = 1;
    ok(kernels::moe_gate_up(p, stream_));
  } else {
    linear(w.ffn_gate, m, n, g);
    linear(w.ffn_up, m, n, u);
    ok(kernels::geglu(g, u, g, n * n_ff, stream_));
  }
  linear(w.ffn_down, g, n, att_.as<float>());
}

void CudaBackend::ffn_block(std::int64_t l, std::int64_t n) {
  const ModelDims& d = model_.dims;
  const LayerView& w = model_.layers[l];
  const std::int64_t e = d.n_embd, ff = d.layers[l].n_ff, k = d.n_expert_used;
  float *h = h_.as<float>(), *dense = att_.as<float>(), *xe = xe_.as<float>(), *moe = moe_.as<float>();
  dense_mlp(w, ff, n);  // step 9 on m = RMSNorm(h; ffn_norm), into att_

  kernels::MoeRouterParams r;  // step 10
  r.h = h;
  r.in_scale = weights_.floats(w.router_scale);
  r.w = weights_.floats(reinterpret_cast<const float*>(w.router.data));
  r.ids = ids_.as<std::int32_t>();
  r.weights = wts_.as<float>();
  r.workspace = router_ws_.get();
  r.n_tokens = n;
  r.n_embd = static_cast<int>(e);
  r.n_expert = static_cast<int>(d.n_expert);
  r.k = static_cast<int>(k);
  r.eps = d.eps;
  r.input_mult = 1.0f / std::sqrt(static_cast<float>(e));
  ok(kernels::moe_router(r, stream_));

  if (n <= kernels::kMoeDecodeMaxTokens) {  // step 11 on xe = RMSNorm(h; pre_ffw_norm_2)
    kernels::MoeDecodeParams p{experts(w.experts), xe, ids_.as<std::int32_t>(), wts_.as<float>(), act_.as<float>(),
                               moe, static_cast<int>(n), static_cast<int>(k), static_cast<int>(e),
                               static_cast<int>(d.n_ff_exp), static_cast<int>(d.n_expert)};
    ok(kernels::moe_decode(p, stream_));
  } else {
    kernels::MoePrefillParams p{experts(w.experts), xe, ids_.as<std::int32_t>(), wts_.as<float>(), moe,
                                moe_ws_.get(), n, static_cast<int>(k), static_cast<int>(e),
                                static_cast<int>(d.n_ff_exp), static_cast<int>(d.n_expert)};
    ok(kernels::moe_prefill(p, stream_));
  }

  kernels::FfnOutputNormParams out;  // steps 12–13, then step 1 of the next layer
  out.dense = dense;
  out.dense_norm = weights_.floats(w.post_ffw_norm_1);
  out.moe = moe;
  out.moe_norm = weights_.floats(w.post_ffw_norm_2);
  out.out_norm = weights_.floats(w.post_ffw_norm);
  out.h = h;
  out.out_scale = weights_.layer_scale(l);
  out.x = x_.as<float>();
  if (l + 1 < d.n_layer) {
    out.next_norm = weights_.floats(model_.layers[l + 1].attn_norm);
    out.next_in = a_.as<float>();
  }
  out.rows = n;
  out.n = e;
  out.eps = d.eps;
  ok(kernels::ffn_output_norm(out, stream_));
}

void CudaBackend::output(const BackendBatch& b) {
  const std::int64_t rows = static_cast<std::int64_t>(b.logit_rows.size()), e = model_.dims.n_embd;
  if (rows == 0) return;
  float* y = a_.as<float>();
  for (std::int64_t i = 0; i < rows; ++i)
    ok_cuda(cudaMemcpyAsync(y + i * e, x_.as<float>() + b.logit_rows[i] * e, static_cast<std::size_t>(e) * 4,
                            cudaMemcpyDeviceToDevice, stream_),
            "gathering logit rows");
  norm(y, model_.output_norm, y, rows, e);
  linear(model_.lm_head(), y, rows, logits_.as<float>(), model_.dims.softcap > 0 ? model_.dims.softcap : 0.0f);
}

void CudaBackend::enqueue(const BackendBatch& b, const std::vector<SeqRun>& runs) {
  const std::int64_t n = static_cast<std::int64_t>(b.tokens.size());
  kernels::EmbedParams embed{weights_.at(model_.token_embd.data), weight_type(model_.token_embd.type),
                             tokens_.as<std::int32_t>(), x_.as<float>(), n, model_.dims.n_embd,
                             model_.token_embd.rows, std::sqrt(static_cast<float>(model_.dims.n_embd))};
  ok(kernels::embed(embed, stream_));
  norm(x_.as<float>(), model_.layers[0].attn_norm, a_.as<float>(), n, model_.dims.n_embd);
  for (std::int64_t l = 0; l < model_.dims.n_layer; ++l) {
    attention_block(l, n, runs);
    ffn_block(l, n);
  }
  output(b);
}

Result<void> CudaBackend::launch_step(const BackendBatch& b, const std::vector<SeqRun>& runs) {
  const bool graph = options_.use_graphs && static_cast<std::int64_t>(b.tokens.size()) <= kernels::kGemvMaxTokens;
  if (graph) return launch_graph(b, runs);
  enqueue(b, runs);
  return {};
}

// Decode steps: a step of the shape captured last replays that graph as it is. Otherwise the
// step is captured and the executable graph of its size updated in place (re-instantiated when
// the update is refused).
Result<void> CudaBackend::launch_graph(const BackendBatch& b, const std::vector<SeqRun>& runs) {
  StepShape now{static_cast<std::int64_t>(b.tokens.size()), {}, {b.logit_rows.begin(), b.logit_rows.end()}};
  for (const SeqRun& r : runs) now.runs.emplace_back(r.cache->layer(0).k, r.begin, r.count);
  const auto key = std::make_tuple(now.n, runs.size(), b.logit_rows.size());
  CapturedStep& step = graphs_[key];
  if (step.exec && step.shape == now) return cuda::check(cudaGraphLaunch(step.exec, stream_), "launching the decode graph");
  if (auto ok = cuda::check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "beginning capture"); !ok)
    return ok;
  capturing_ = true;
  enqueue(b, runs);
  capturing_ = false;
  cudaGraph_t graph = nullptr;
  const cudaError_t end = cudaStreamEndCapture(stream_, &graph);
  if (end != cudaSuccess || !status_.ok()) {
    if (graph) cudaGraphDestroy(graph);
    return cuda::check(end, "capturing the decode step");  // a launcher failure is reported by run()
  }
  std::size_t nodes = 0;
  if (cudaGraphGetNodes(graph, nullptr, &nodes) == cudaSuccess) captured_nodes_ = static_cast<std::int64_t>(nodes);
  cudaGraphExec_t& exec = step.exec;
  step.shape = now;
  if (exec) {
    cudaGraphExecUpdateResultInfo info;
    if (cudaGraphExecUpdate(exec, graph, &info) != cudaSuccess) {
      cudaGetLastError();  // clear the refused update
      cudaGraphExecDestroy(exec);
      exec = nullptr;
    }
  }
  cudaError_t e = cudaSuccess;
  if (!exec) e = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  if (e != cudaSuccess) {
    graphs_.erase(key);
    return cuda::check(e, "instantiating the decode graph");
  }
  return cuda::check(cudaGraphLaunch(exec, stream_), "launching the decode graph");
}

Result<void> CudaBackend::run(const BackendBatch& b) {
  auto runs = make_runs(b);
  if (!runs) return runs.error();
  if (auto ok = cuda::check(cudaSetDevice(0), "selecting CUDA device 0"); !ok) return ok;
  const std::size_t n = b.tokens.size(), bytes = n * 4;
  std::memcpy(host_tokens_.get(), b.tokens.data(), bytes);
  std::memcpy(host_pos_.get(), b.positions.data(), bytes);
  if (auto ok = cuda::check(cudaMemcpyAsync(tokens_.get(), host_tokens_.get(), bytes, cudaMemcpyHostToDevice, stream_),
                            "uploading tokens");
      !ok)
    return ok;
  if (auto ok = cuda::check(cudaMemcpyAsync(pos_.get(), host_pos_.get(), bytes, cudaMemcpyHostToDevice, stream_),
                            "uploading positions");
      !ok)
    return ok;
  status_ = Status::success();
  auto launched = launch_step(b, *runs);
  if (!status_.ok()) return make_error(Errc::internal, "CUDA backend: " + status_.message);
  if (!launched) return launched;
  const std::size_t logit_bytes = b.logit_rows.size() * static_cast<std::size_t>(n_vocab()) * 4;
  if (logit_bytes > 0) {
    if (auto ok = cuda::check(cudaMemcpyAsync(host_logits_.get(), logits_.get(), logit_bytes, cudaMemcpyDeviceToHost, stream_),
                              "downloading logits");
        !ok)
      return ok;
  }
  if (auto ok = cuda::check(cudaStreamSynchronize(stream_), "running the forward pass"); !ok) return ok;
  if (logit_bytes > 0) std::memcpy(b.logits, host_logits_.get(), logit_bytes);
  for (std::size_t t = 0; t < n; ++t) {
    KvState* c = b.caches[b.seq.empty() ? 0 : static_cast<std::size_t>(b.seq[t])];
    c->set_n_past(std::max<std::int64_t>(c->n_past(), b.positions[t] + 1));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Backend>> make_cuda_backend(const ModelView& model, const CudaBackendOptions& options) {
  if (options.max_tokens < 1 || options.max_context < 1 || options.slack < 1)
    return make_error(Errc::invalid_argument, "CUDA backend: max_tokens, max_context and slack must be positive");
  auto backend = std::make_unique<CudaBackend>(model, options);
  if (auto ok = backend->init(); !ok) return ok.error();
  return std::unique_ptr<Backend>(std::move(backend));
}

}  // namespace coderx::model
