// TimedOps: an Ops decorator that forwards every call to another op set and adds up, per op
// kind (matmuls split by weight type, attention by sliding-window and full layers), the wall
// time spent and the bytes read (weights; for one-token attention, the K/V rows it sees). `coderx
// bench --ops` uses it to show where a decode step goes and how close each kind comes to the
// machine's read bandwidth. Each op is synchronous (CpuOps returns after its parallel_for), so
// the wall time of a call is the op's cost.
// Threading: like the wrapped Ops, used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "model/ops.h"

namespace coderx::model {

struct OpCost {
  std::int64_t calls = 0;
  double seconds = 0;
  std::uint64_t weight_bytes = 0;  // weights read (matmul, moe, embed rows); one-token K/V rows
};

class TimedOps : public Ops {
 public:
  explicit TimedOps(Ops& inner) : inner_(inner) {}

  const std::map<std::string, OpCost>& costs() const { return costs_; }
  void reset() { costs_.clear(); }

  void rms_norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n,
                float eps) override;
  void matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) override;
  void matmul_group(std::span<const Projection> ps, const float* x, std::int64_t n_tokens) override;
  void geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
             std::int64_t in_stride, std::int64_t out_stride) override;
  void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
            const std::int32_t* positions, const RopeSpec& spec) override;
  void attention(const AttentionArgs& args) override;
  void moe(const MoeArgs& args) override;
  void embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens, float scale,
             float* out) override;
  void softcap(float* x, std::int64_t n, float cap) override;

 private:
  template <class Fn>
  void timed(const std::string& kind, std::uint64_t bytes, Fn&& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    OpCost& c = costs_[kind];
    ++c.calls;
    c.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    c.weight_bytes += bytes;
  }

  Ops& inner_;
  std::map<std::string, OpCost> costs_;
};

// Weight bytes one moe call reads: every distinct selected expert's gate/up and down rows.
std::uint64_t moe_weight_bytes(const MoeArgs& args);

}  // namespace coderx::model
