#include "model/device_memory.h"

#include <algorithm>
#include <unordered_set>

namespace coderx::model {

namespace {

class TensorList {
 public:
  void add(const void* data, std::size_t bytes) {
    if (data == nullptr || bytes == 0 || !seen_.insert(data).second) return;
    list_.push_back(HostTensor{data, bytes});
  }
  void add(const Matrix& m) {
    if (m.valid()) add(m.data, static_cast<std::size_t>(m.rows) * m.row_bytes);
  }
  void add(const ExpertMatrices& m) {
    if (!m.valid()) return;
    add(m.data, static_cast<std::size_t>(m.n_expert * m.rows) * m.row_bytes);
    add(m.out_scale, static_cast<std::size_t>(m.n_expert) * sizeof(float));
  }
  void add_floats(const float* v, std::int64_t n) { add(v, static_cast<std::size_t>(n) * sizeof(float)); }
  std::vector<HostTensor> take() { return std::move(list_); }

 private:
  std::unordered_set<const void*> seen_;
  std::vector<HostTensor> list_;
};

void add_layer(TensorList& t, const ModelView& model, std::size_t l) {
  const LayerView& w = model.layers[l];
  const LayerDims& d = model.dims.layers[l];
  const std::int64_t e = model.dims.n_embd;
  for (const Matrix* m : {&w.wq, &w.wk, &w.wv, &w.wo, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.router}) t.add(*m);
  for (const ExpertMatrices* m : {&w.experts.gate_up, &w.experts.gate, &w.experts.up, &w.experts.down}) t.add(*m);
  for (const float* v : {w.attn_norm, w.post_attn_norm, w.ffn_norm, w.post_ffw_norm_1, w.router_scale,
                         w.pre_ffw_norm_2, w.post_ffw_norm_2, w.post_ffw_norm})
    t.add_floats(v, e);
  t.add_floats(w.q_norm, d.head_dim);
  t.add_floats(w.k_norm, d.head_dim);
  t.add_floats(d.rope.freq_factors, d.rope.n_dims / 2);
}

std::int64_t max_head_dim(const ModelDims& d) {
  std::int64_t hd = 0;
  for (const LayerDims& l : d.layers) hd = std::max(hd, l.head_dim);
  return hd;
}

std::int64_t max_kv_width(const ModelDims& d) {
  std::int64_t w = 0;
  for (const LayerDims& l : d.layers) w = std::max(w, l.n_kv_head * l.head_dim);
  return w;
}

// An upper bound of kernels::moe_prefill_workspace (moe_routing.cpp): every array rounded up
// to 256 bytes, at most entries/64 + n_expert tiles of 8 bytes.
std::int64_t moe_prefill_bound(std::int64_t entries, std::int64_t n_expert, std::int64_t n_embd, std::int64_t n_ff) {
  const std::int64_t chunks = (entries + 255) / 256;
  return entries * (4 + 4 + 8 + 4 * (n_ff + n_embd)) + chunks * n_expert * 8 + n_expert * 16 + 4096;
}

// kernels::moe_router_workspace_bytes (moe_router.cu, not built without CUDA): a 256-byte header
// and min(32·tokens, max(tokens, 16384)) rows (split × token) of n_expert partial sums plus one
// sum of squares.
std::int64_t router_bound(std::int64_t tokens, std::int64_t n_expert) {
  const std::int64_t rows = std::min<std::int64_t>(32 * tokens, std::max<std::int64_t>(tokens, 16384));
  return 256 + rows * (n_expert + 1) * 4;
}

}  // namespace

std::vector<HostTensor> device_tensors(const ModelView& model) {
  TensorList t;
  t.add(model.token_embd);
  t.add(model.output);
  t.add_floats(model.output_norm, model.dims.n_embd);
  for (std::size_t l = 0; l < model.layers.size(); ++l) add_layer(t, model, l);
  return t.take();
}

std::int64_t device_kv_slots(const ModelView& model, std::int64_t layer, std::int64_t max_context,
                             std::int64_t slack) {
  const std::int64_t ring = model.dims.window + slack;
  return model.dims.layers[layer].swa && ring < max_context ? ring : max_context;
}

std::uint64_t device_kv_bytes(const ModelView& model, std::int64_t max_context, std::int64_t slack) {
  std::uint64_t total = 0;
  for (std::size_t l = 0; l < model.dims.layers.size(); ++l) {
    const LayerDims& d = model.dims.layers[l];
    const auto slots = static_cast<std::uint64_t>(device_kv_slots(model, static_cast<std::int64_t>(l), max_context, slack));
    total += 2 * slots * static_cast<std::uint64_t>(d.n_kv_head * d.head_dim) * 2;  // K and V, f16
  }
  return total;
}

DeviceWorkspace device_workspace(const ModelView& model, std::int64_t max_tokens) {
  const ModelDims& d = model.dims;
  const std::int64_t t = std::max<std::int64_t>(1, max_tokens), hd = max_head_dim(d);
  DeviceWorkspace w;
  w.max_tokens = t;
  w.embd = t * d.n_embd;
  w.q = t * d.n_head * hd;
  w.kv = t * max_kv_width(d);
  w.ff = t * std::max<std::int64_t>(1, d.n_ff_max);
  w.route = t * d.n_expert_used;
  w.moe_act = std::min<std::int64_t>(t, 8) * d.n_expert_used * d.n_ff_exp;
  w.attn = std::max<std::int64_t>(t, 8 * kDeviceMaxSplits) * d.n_head * (hd + 2);
  w.moe_prefill = moe_prefill_bound(t * d.n_expert_used, d.n_expert, d.n_embd, d.n_ff_exp);
  w.router = router_bound(t, d.n_expert);
  w.logits = t * d.n_vocab;
  if (t > 8) {  // batches above kGemvMaxTokens run the layer projections through cuBLAS
    for (const LayerView& l : model.layers) {
      for (const Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
        if (!m->valid()) continue;
        w.dense_weight = std::max(w.dense_weight, m->rows * m->cols);
        w.dense_rows = std::max(w.dense_rows, m->rows);
        w.dense_input = std::max(w.dense_input, t * m->cols);
      }
    }
  }
  return w;
}

int device_attention_splits(const DeviceWorkspace& w, std::int64_t n_q, std::int64_t n_head, std::int64_t head_dim) {
  const std::int64_t per_split = std::max<std::int64_t>(1, n_q * n_head * (head_dim + 2));
  return static_cast<int>(std::clamp<std::int64_t>(w.attn / per_split, 1, kDeviceMaxSplits));
}

std::uint64_t DeviceWorkspace::bytes() const {
  const std::int64_t floats = 7 * embd + 2 * q + 2 * kv + 2 * ff + 2 * route + moe_act + attn + logits;
  return static_cast<std::uint64_t>(floats) * 4 + static_cast<std::uint64_t>(moe_prefill + router) +
         2 * max_tokens * 4 +
         6 * static_cast<std::uint64_t>(dense_weight + dense_input) +
         (dense_weight > 0 ? 4 * static_cast<std::uint64_t>(dense_rows + max_tokens) : 0);
}

DeviceMemoryNeed estimate_device_memory(const ModelView& model, const DeviceMemoryParams& p) {
  DeviceMemoryNeed need;
  for (const HostTensor& t : device_tensors(model)) need.weights += (t.bytes + 255) / 256 * 256;
  need.kv = device_kv_bytes(model, p.max_context, p.slack) * static_cast<std::uint64_t>(std::max(1, p.n_sequences));
  need.workspace = device_workspace(model, p.max_tokens).bytes();
  need.overhead = kDeviceOverheadBytes;
  return need;
}

}  // namespace coderx::model
