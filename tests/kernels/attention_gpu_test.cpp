// GPU: kv_append + attention (decode and prefill, the split-K and the tensor-core kernels)
// against the float64 reference, over head dims 64…512, GQA groups 1, 2, 8 and 16, full causal
// and sliding windows, a wrapped ring cache, and every split count (auto, 1, 2, 3, 7).
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <numeric>
#include <random>

#include "gpu_test_util.h"
#include "kernels/attention.h"
#include "model/quant/half.h"
#include "reference_ops.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

struct AttnCase {
  int n_head, n_kv, hd;
  std::int64_t window;   // 0: full causal
  int n_pos;             // positions in the cache
  std::int64_t n_slots;  // ring size (>= n_pos unless testing the ring)
};

std::vector<float> round_f16(std::vector<float> v) {
  for (float& x : v) x = model::quant::f16_to_f32(model::quant::f32_to_f16(x));
  return v;
}

// Appends every position's K and V, at most n_slots positions per launch (a ring slot may be
// rewritten by a later position; launches are ordered on the stream).
void fill_cache(const AttnCase& c, const std::vector<float>& k, const std::vector<float>& v, DeviceArray<std::uint16_t>& kc,
                DeviceArray<std::uint16_t>& vc) {
  const std::size_t row = std::size_t(c.n_kv) * c.hd;
  for (std::int64_t p0 = 0; p0 < c.n_pos; p0 += c.n_slots) {
    const int n = static_cast<int>(std::min<std::int64_t>(c.n_slots, c.n_pos - p0));
    std::vector<std::int32_t> pos(n);
    std::iota(pos.begin(), pos.end(), static_cast<std::int32_t>(p0));
    DeviceArray<float> kd(std::vector<float>(k.begin() + p0 * row, k.begin() + (p0 + n) * row));
    DeviceArray<float> vd(std::vector<float>(v.begin() + p0 * row, v.begin() + (p0 + n) * row));
    DeviceArray<std::int32_t> pd(pos);
    KvAppendParams a{kd.get(), vd.get(), kc.get(), vc.get(), pd.get(), n, c.n_kv, c.hd, c.n_slots};
    CODERX_EXPECT_OK(kv_append(a, nullptr));
    testing::sync_ok();
  }
}

// plan_keys > 0: the launch as a replayed CUDA graph makes it, planned for plan_keys keys with
// stale host positions (0), so the kernel must find the key range from q_pos itself.
// q_gain multiplies q (beyond f16's range at 2e5: the tensor-core path must scale its rows).
void run(const AttnCase& c, const std::vector<std::int32_t>& q_pos, int n_splits, std::mt19937& rng,
         std::int64_t plan_keys = 0, float q_gain = 1.0f) {
  SCOPED_TRACE(::testing::Message() << "heads " << c.n_head << "/" << c.n_kv << " hd " << c.hd << " window " << c.window
                                    << " n_pos " << c.n_pos << " slots " << c.n_slots << " queries " << q_pos.size()
                                    << " splits " << n_splits << " plan_keys " << plan_keys);
  const std::size_t row = std::size_t(c.n_kv) * c.hd;
  const auto k = testing::random_floats(c.n_pos * row, rng, -1.0f, 1.0f);
  const auto v = testing::random_floats(c.n_pos * row, rng, -1.0f, 1.0f);
  // Scale 1.0 as in Gemma 4, with q large enough that the softmax is peaked on some keys.
  const auto q = testing::random_floats(q_pos.size() * c.n_head * c.hd, rng, -0.6f * q_gain, 0.6f * q_gain);
  DeviceArray<std::uint16_t> kc(c.n_slots * row), vc(c.n_slots * row);
  fill_cache(c, k, v, kc, vc);
  const int n_q = static_cast<int>(q_pos.size());
  DeviceArray<float> qd(q), out(q.size()), ws(attention_workspace_floats(n_q, c.n_head, c.hd));
  DeviceArray<std::int32_t> pd(q_pos);
  AttentionParams p;
  p.q = qd.get();
  p.k_cache = kc.get();
  p.v_cache = vc.get();
  p.q_pos = pd.get();
  p.out = out.get();
  p.workspace = ws.get();
  p.n_q = n_q;
  p.n_head = c.n_head;
  p.n_kv = c.n_kv;
  p.head_dim = c.hd;
  p.n_slots = c.n_slots;
  p.pos_min = *std::min_element(q_pos.begin(), q_pos.end());
  p.pos_max = *std::max_element(q_pos.begin(), q_pos.end());
  p.window = c.window;
  p.n_splits = n_splits;
  p.plan_keys = plan_keys;
  p.tc_min_rows = 0;  // every eligible prefill case on the tensor-core kernel, however short
  if (plan_keys > 0) p.pos_min = p.pos_max = 0;
  CODERX_EXPECT_OK(attention(p, nullptr));
  const auto want = testing::attention_ref(q, q_pos, round_f16(k), round_f16(v), c.n_head, c.n_kv, c.hd, c.window, 1.0);
  EXPECT_LT(testing::nmse(out.download(), want), 1e-10);
}

std::vector<std::int32_t> last_positions(int n_pos, int n) {
  std::vector<std::int32_t> pos(n);
  std::iota(pos.begin(), pos.end(), n_pos - n);
  return pos;
}

TEST(AttentionGpu, DecodeEverySplitCount) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(13);
  for (AttnCase c : {AttnCase{16, 8, 256, 1024, 1500, 1500}, AttnCase{16, 2, 512, 0, 1500, 2048},
                     AttnCase{16, 8, 256, 40, 300, 300}, AttnCase{8, 8, 64, 0, 37, 64}, AttnCase{16, 1, 128, 0, 200, 200},
                     AttnCase{4, 2, 256, 0, 1, 16}}) {
    for (int n_q : {1, 3}) {
      if (n_q > c.n_pos) continue;
      for (int splits : {0, 1, 2, 3, 7}) run(c, last_positions(c.n_pos, n_q), splits, rng);
    }
  }
}

TEST(AttentionGpu, SlidingWindowOverAWrappedRing) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(14);
  // Window 64 with 16 slots of slack: positions 0…299 wrapped the 80-slot ring several times.
  const AttnCase c{16, 8, 256, 64, 300, 80};
  for (int splits : {0, 1, 3}) run(c, last_positions(c.n_pos, 3), splits, rng);
  run(AttnCase{16, 2, 512, 64, 300, 80}, last_positions(300, 1), 2, rng);
}

TEST(AttentionGpu, KeyRangeFromDevicePositionsForGraphReplay) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(16);
  for (AttnCase c : {AttnCase{16, 8, 256, 1024, 1500, 1500}, AttnCase{16, 2, 512, 0, 1500, 2048},
                     AttnCase{16, 8, 256, 64, 300, 80}, AttnCase{8, 8, 64, 0, 37, 64}}) {
    for (int n_q : {1, 3})
      for (int splits : {0, 1, 5}) run(c, last_positions(c.n_pos, n_q), splits, rng, c.n_slots);
  }
}

TEST(AttentionGpu, PrefillCausalAndWindowed) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(15);
  for (AttnCase c : {AttnCase{16, 8, 256, 0, 300, 300}, AttnCase{16, 8, 256, 50, 300, 300},
                     AttnCase{16, 2, 512, 0, 130, 130}, AttnCase{8, 8, 64, 17, 100, 128}}) {
    std::vector<std::int32_t> pos(c.n_pos);
    std::iota(pos.begin(), pos.end(), 0);
    for (int splits : {0, 1, 2}) run(c, pos, splits, rng);
  }
}

// Splits 0 and 1 take the tensor-core kernel (attention_tc.h) for 16 queries or more, 2 the
// split-K kernel; both against the float64 reference.
TEST(AttentionGpu, PrefillChunksOverAWrappedRingAndExtremeQueries) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(17);
  // A later chunk of a prompt: 100 new positions after 200 cached ones, in rings that wrapped.
  for (AttnCase c : {AttnCase{16, 8, 256, 64, 300, 180}, AttnCase{16, 2, 512, 0, 300, 300},
                     AttnCase{16, 1, 128, 30, 300, 140}}) {
    for (int splits : {0, 2}) run(c, last_positions(c.n_pos, 100), splits, rng);
  }
  // Ragged blocks (23 queries × group 2) and q entries far past f16's 65504.
  run(AttnCase{4, 2, 64, 0, 40, 64}, last_positions(40, 23), 0, rng, 0, 2e5f);
  run(AttnCase{4, 2, 64, 0, 40, 64}, last_positions(40, 23), 0, rng, 0, 1e-4f);
}

TEST(AttentionGpu, RejectsKeysOutsideTheRing) {
  CODERX_REQUIRE_GPU();
  AttentionParams p;
  float dummy[4] = {};
  std::int32_t pos = 0;
  p.q = dummy;
  p.k_cache = dummy;
  p.v_cache = dummy;
  p.q_pos = &pos;
  p.out = dummy;
  p.workspace = dummy;
  p.n_q = 1;
  p.n_head = 16;
  p.n_kv = 8;
  p.head_dim = 256;
  p.n_slots = 100;
  p.pos_min = p.pos_max = 500;  // full causal needs 501 resident keys
  EXPECT_EQ(attention(p, nullptr).code, StatusCode::invalid_argument);
  p.n_kv = 3;
  EXPECT_EQ(attention(p, nullptr).code, StatusCode::invalid_argument);
  p.n_kv = 8;
  p.head_dim = 96;
  p.window = 64;
  EXPECT_EQ(attention(p, nullptr).code, StatusCode::unsupported);
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(AttentionGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
