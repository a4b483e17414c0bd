// RopeAngleCache against ref::rope_angles: the same bits for every (position, spec) asked,
// whether the pair was cached, evicted or never seen, and specs that differ in any field are
// kept apart.
#include "model/rope_angle_cache.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "model/ops_ref.h"

namespace coderx::model {
namespace {

void expect_reference(RopeAngleCache& cache, std::int64_t pos, const RopeSpec& spec) {
  const std::size_t half = static_cast<std::size_t>(spec.n_dims / 2);
  std::vector<float> c(half), s(half);
  ref::rope_angles(pos, spec, c.data(), s.data());
  const RopeAngleCache::Angles a = cache.get(pos, spec);
  EXPECT_EQ(std::memcmp(a.cos, c.data(), half * sizeof(float)), 0) << "pos " << pos;
  EXPECT_EQ(std::memcmp(a.sin, s.data(), half * sizeof(float)), 0) << "pos " << pos;
}

TEST(RopeAngleCache, EveryLookupGivesTheReferenceAngles) {
  std::vector<float> factors(128, 1.0f);
  for (std::size_t i = 64; i < factors.size(); ++i) factors[i] = 1e30f;
  std::vector<float> other_factors(factors);
  other_factors[3] = 4.0f;
  const RopeSpec specs[] = {{256, 10000.0f, nullptr},
                            {256, 1e6f, nullptr},
                            {128, 10000.0f, nullptr},
                            {256, 1e6f, factors.data()},
                            {256, 1e6f, other_factors.data()}};
  RopeAngleCache cache;
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pos(0, 40), pick(0, 4);
  for (int i = 0; i < 2000; ++i) expect_reference(cache, pos(rng), specs[pick(rng)]);
  // A decode step's pattern: one position, both specs, many times; then the next position.
  for (std::int64_t p = 100; p < 140; ++p)
    for (int layer = 0; layer < 30; ++layer) expect_reference(cache, p, specs[layer % 5 ? 1 : 3]);
}

// A repeated pair is served from its entry, not recomputed: the same storage comes back.
TEST(RopeAngleCache, ARepeatedPairIsServedFromItsEntry) {
  const RopeSpec sliding{64, 10000.0f, nullptr}, full{64, 1e6f, nullptr};
  RopeAngleCache cache;
  const float* first = cache.get(7, sliding).cos;
  cache.get(7, full);
  EXPECT_EQ(cache.get(7, sliding).cos, first);
  for (std::int64_t p = 0; p < static_cast<std::int64_t>(RopeAngleCache::kEntries); ++p)
    cache.get(1000 + p, sliding);
  expect_reference(cache, 7, sliding);  // evicted by now, and recomputed
}

}  // namespace
}  // namespace coderx::model
