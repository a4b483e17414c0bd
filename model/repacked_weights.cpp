#include "model/repacked_weights.h"

#include <cstdlib>
#include <functional>

#include "model/huge_pages.h"
#include "model/quant/repack.h"

namespace coderx::model {

namespace {

constexpr std::size_t kAlign = std::size_t{2} << 20;  // one 2 MiB page
constexpr std::size_t kTensorAlign = 64;

// One tensor to repack: rows × cols of `type` at data, and where to point the view at its copy.
struct Target {
  quant::Type* type;
  const std::byte** data;
  std::int64_t rows, cols;
};

std::size_t tensor_bytes(const Target& t) {
  return quant::row_bytes(*t.type, t.cols) * static_cast<std::size_t>(t.rows);
}

void add(std::vector<Target>& out, Matrix& m) {
  if (m.valid() && quant::can_repack(m.type, m.rows))
    out.push_back({&m.type, &m.data, m.rows, m.cols});
}

// Each expert's rows in whole groups; fused gate_up products stop at the gate/up boundary too,
// so each half must be whole groups (rows_in_group: the rows one product may cover).
void add(std::vector<Target>& out, ExpertMatrices& m, std::int64_t rows_in_group) {
  if (m.valid() && quant::can_repack(m.type, rows_in_group))
    out.push_back({&m.type, &m.data, m.rows * m.n_expert, m.cols});
}

// The matrices the forward pass multiplies by (the embedding, also the tied LM head, is read a
// row at a time and stays).
std::vector<Target> targets(ModelView& v) {
  std::vector<Target> out;
  for (LayerView& l : v.layers) {
    for (Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down})
      add(out, *m);
    ExpertWeights& e = l.experts;
    add(out, e.gate_up, e.gate_up.rows / 2);
    for (ExpertMatrices* m : {&e.gate, &e.up, &e.down}) add(out, *m, m->rows);
  }
  return out;
}

std::byte* allocate(std::size_t bytes) {
  const std::size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  auto* p = static_cast<std::byte*>(std::aligned_alloc(kAlign, rounded));
  if (p) advise_huge_pages({p, rounded});
  return p;
}

// Repacks one tensor into dst, the pool's threads (if any) taking groups of eight rows.
void repack(const Target& t, std::byte* dst, ThreadPool* pool) {
  constexpr std::int64_t kGroup = quant::kRepackRows;
  const std::size_t stride = quant::row_bytes(*t.type, t.cols);
  const std::byte* src = *t.data;
  auto groups = [&](std::int64_t b, std::int64_t e) {
    const std::size_t at = static_cast<std::size_t>(b * kGroup) * stride;
    quant::repack_rows(*t.type, src + at, (e - b) * kGroup, t.cols, dst + at);
  };
  if (pool) {
    pool->parallel_for(t.rows / kGroup, 16, groups);
  } else {
    groups(0, t.rows / kGroup);
  }
}

}  // namespace

std::vector<std::span<const std::byte>> RepackedWeights::planned(const ModelView& model) {
  ModelView copy = model;
  std::vector<std::span<const std::byte>> out;
  for (const Target& t : targets(copy)) out.emplace_back(*t.data, tensor_bytes(t));
  return out;
}

RepackedWeights::RepackedWeights(const ModelView& model, ThreadPool* pool,
                                 std::span<const std::byte> file, std::stop_token stop)
    : view_(model), copy_(nullptr, std::free) {
  const std::vector<Target> todo = targets(view_);
  std::vector<std::size_t> offsets;
  for (const Target& t : todo) {
    offsets.push_back(bytes_);
    bytes_ += (tensor_bytes(t) + kTensorAlign - 1) / kTensorAlign * kTensorAlign;
  }
  if (todo.empty()) return;
  copy_.reset(allocate(bytes_));
  if (!copy_) {  // no memory for a copy: keep reading the file's layout
    view_ = model;
    bytes_ = 0;
    return;
  }
  for (std::size_t i = 0; i < todo.size() && !stop.stop_requested(); ++i) {
    const Target& t = todo[i];
    std::byte* dst = copy_.get() + offsets[i];
    repack(t, dst, pool);
    const std::span<const std::byte> source(*t.data, tensor_bytes(t));
    if (source.data() >= file.data() && source.data() + source.size() <= file.data() + file.size())
      release_pages(source);
    replaced_.push_back(source);
    *t.type = quant::repacked_type(*t.type);
    *t.data = dst;
  }
}

}  // namespace coderx::model
