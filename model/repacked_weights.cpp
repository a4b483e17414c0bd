#include "model/repacked_weights.h"

#include <cassert>
#include <cstdlib>

#include "model/huge_pages.h"
#include "model/quant/repack.h"

namespace coderx::model {

namespace {

constexpr std::size_t kAlign = std::size_t{2} << 20;  // one 2 MiB page
constexpr std::size_t kTensorAlign = 64;

// Where a view holds one repackable tensor: rows × cols of *type at *data.
struct Slot {
  quant::Type* type;
  const std::byte** data;
  std::int64_t rows, cols;
};

std::size_t slot_bytes(const Slot& s) {
  return quant::row_bytes(*s.type, s.cols) * static_cast<std::size_t>(s.rows);
}

// Whether a matrix of `type` is one of the plan's, before or after its adoption (so that a
// view's slots keep their order as they are adopted).
bool in_plan(quant::Type type, std::int64_t rows_in_group) {
  return quant::can_repack(type, rows_in_group) || quant::plain_type(type).has_value();
}

void add(std::vector<Slot>& out, Matrix& m) {
  if (m.valid() && in_plan(m.type, m.rows)) out.push_back({&m.type, &m.data, m.rows, m.cols});
}

// Each expert's rows in whole groups; fused gate_up products stop at the gate/up boundary too,
// so each half must be whole groups (rows_in_group: the rows one product may cover).
void add(std::vector<Slot>& out, ExpertMatrices& m, std::int64_t rows_in_group) {
  if (m.valid() && in_plan(m.type, rows_in_group))
    out.push_back({&m.type, &m.data, m.rows * m.n_expert, m.cols});
}

// The matrices the forward pass multiplies by, always in this order (the embedding, also the
// tied LM head, is read a row at a time and stays).
std::vector<Slot> slots(ModelView& v) {
  std::vector<Slot> out;
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

bool inside(std::span<const std::byte> part, std::span<const std::byte> whole) {
  return !whole.empty() && part.data() >= whole.data() &&
         part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

RepackedWeights::RepackedWeights(const ModelView& model, std::span<const std::byte> file)
    : file_(file), copy_(nullptr, std::free) {
  ModelView v = model;
  for (const Slot& s : slots(v)) {
    plan_.push_back({{*s.data, slot_bytes(s)}, *s.type, s.rows, s.cols, bytes_});
    bytes_ += (slot_bytes(s) + kTensorAlign - 1) / kTensorAlign * kTensorAlign;
  }
  if (plan_.empty()) return;
  copy_.reset(allocate(bytes_));
  if (!copy_) {  // no memory for a copy: keep reading the file's layout
    plan_.clear();
    bytes_ = 0;
  }
}

void RepackedWeights::build(ThreadPool* pool, std::stop_token stop) {
  while (!stop.stop_requested() && build_next(pool)) {
  }
}

bool RepackedWeights::build_next(ThreadPool* pool) {
  constexpr std::int64_t kGroup = quant::kRepackRows;
  const std::size_t i = copied();
  if (i >= plan_.size()) return false;
  const Tensor& t = plan_[i];
  const std::size_t stride = quant::row_bytes(t.type, t.cols);
  std::byte* dst = copy_.get() + t.offset;
  auto groups = [&](std::int64_t b, std::int64_t e) {  // rows [8b, 8e)
    const std::size_t at = static_cast<std::size_t>(b * kGroup) * stride;
    quant::repack_rows(t.type, t.source.data() + at, (e - b) * kGroup, t.cols, dst + at);
  };
  if (pool) {
    pool->parallel_for(t.rows / kGroup, 16, groups);
  } else {
    groups(0, t.rows / kGroup);
  }
  copied_.store(i + 1, std::memory_order_release);
  return true;
}

std::size_t RepackedWeights::adopt(ModelView& view, std::size_t from) const {
  const std::size_t done = copied();
  if (from >= done) return done;
  const std::vector<Slot> targets = slots(view);  // the plan's order, on this view
  for (std::size_t i = from; i < done; ++i) {
    const Tensor& t = plan_[i];
    assert(*targets[i].data == t.source.data() && *targets[i].type == t.type);
    *targets[i].type = quant::repacked_type(t.type);
    *targets[i].data = copy_.get() + t.offset;
    if (inside(t.source, file_)) release_pages(t.source);
  }
  return done;
}

std::vector<std::span<const std::byte>> RepackedWeights::sources() const {
  std::vector<std::span<const std::byte>> out;
  for (const Tensor& t : plan_) out.push_back(t.source);
  return out;
}

RepackedModel::RepackedModel(const ModelView& model, ThreadPool* pool,
                             std::span<const std::byte> file)
    : weights(model, file), view(model) {
  for (std::size_t adopted = 0; weights.build_next(pool);) adopted = weights.adopt(view, adopted);
}

}  // namespace coderx::model
