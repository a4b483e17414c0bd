// The sampler: greedy is argmax; each filter keeps exactly the candidates its definition
// allows (checked by sampling many times from known distributions); seeds reproduce.
#include "model/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <vector>

namespace coderx::model {
namespace {

// logits whose softmax is the given probabilities
std::vector<float> from_probs(const std::vector<double>& p) {
  std::vector<float> l;
  for (double v : p) l.push_back(v > 0 ? static_cast<float>(std::log(v)) : -INFINITY);
  return l;
}

std::set<std::int32_t> support(SamplingParams params, const std::vector<float>& logits, int draws = 3000) {
  Sampler s(params);
  std::set<std::int32_t> seen;
  for (int i = 0; i < draws; ++i) seen.insert(s.sample(logits));
  return seen;
}

TEST(Sampler, GreedyIsArgmax) {
  std::vector<float> l{0.1f, 3.0f, -2.0f, 2.9f};
  Sampler s({0.0f, 64, 0.95f, 0.0f, 1});
  EXPECT_EQ(s.sample(l), 1);
  EXPECT_EQ(argmax(l), 1);
}

TEST(Sampler, TopKTopPMinPKeepTheDefinedCandidates) {
  const auto l = from_probs({0.4, 0.3, 0.2, 0.06, 0.04});
  EXPECT_EQ(support({1.0f, 2, 1.0f, 0.0f, 1}, l), (std::set<std::int32_t>{0, 1}));
  // top_p 0.85: 0.4 + 0.3 + 0.2 = 0.9 ≥ 0.85 → three candidates.
  EXPECT_EQ(support({1.0f, 0, 0.85f, 0.0f, 2}, l), (std::set<std::int32_t>{0, 1, 2}));
  // min_p 0.6: keep p ≥ 0.24 → two candidates.
  EXPECT_EQ(support({1.0f, 0, 1.0f, 0.6f, 3}, l), (std::set<std::int32_t>{0, 1}));
  EXPECT_EQ(support({1.0f, 0, 1.0f, 0.0f, 4}, l).size(), 5u);
}

TEST(Sampler, TemperatureAndFrequencies) {
  const auto l = from_probs({0.75, 0.25});
  Sampler s({1.0f, 0, 1.0f, 0.0f, 5});
  int zeros = 0;
  for (int i = 0; i < 20000; ++i) zeros += s.sample(l) == 0;
  EXPECT_NEAR(zeros / 20000.0, 0.75, 0.02);
  // temperature 0.5 squares the odds: 9:1.
  Sampler cold({0.5f, 0, 1.0f, 0.0f, 6});
  zeros = 0;
  for (int i = 0; i < 20000; ++i) zeros += cold.sample(l) == 0;
  EXPECT_NEAR(zeros / 20000.0, 0.9, 0.02);
}

TEST(Sampler, BannedTokensAreNeverPickedAndSeedsReproduce) {
  std::vector<float> l{1.0f, -INFINITY, 1.0f, -INFINITY};
  EXPECT_EQ(support({1.5f, 0, 1.0f, 0.0f, 7}, l), (std::set<std::int32_t>{0, 2}));
  std::vector<float> wide(100);
  for (int i = 0; i < 100; ++i) wide[i] = std::sin(i * 1.3f);
  Sampler a({1.0f, 64, 0.95f, 0.05f, 42}), b({1.0f, 64, 0.95f, 0.05f, 42});
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a.sample(wide), b.sample(wide));
}

}  // namespace
}  // namespace coderx::model
