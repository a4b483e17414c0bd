// The sampler: greedy is argmax; each filter keeps exactly the candidates its definition
// allows (checked by sampling many times from known distributions); seeds reproduce.
#include "model/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
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

// The chain written the obvious way: every candidate sorted, the same definitions (totals summed
// in id order, one uniform draw per token walked best first). The sampler must pick the same
// token from the same generator state.
std::int32_t sample_by_full_sort(const SamplingParams& p, const std::vector<float>& l,
                                 std::mt19937_64& rng) {
  const std::int64_t n = static_cast<std::int64_t>(l.size());
  std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  std::sort(ids.begin(), ids.end(),
            [&](std::int32_t a, std::int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
  std::int64_t keep = p.top_k > 0 ? std::min<std::int64_t>(p.top_k, n) : n;
  while (keep > 1 && l[ids[keep - 1]] == -INFINITY) --keep;
  if (l[ids[0]] == -INFINITY) return ids[0];
  const double mx = l[ids[0]];
  const auto sum_in_id_order = [&](std::int64_t count, double t) {
    std::vector<std::int32_t> set(ids.begin(), ids.begin() + count);
    std::sort(set.begin(), set.end());
    double sum = 0;
    for (std::int32_t id : set) sum += std::exp((static_cast<double>(l[id]) - mx) / t);
    return sum;
  };
  if (p.top_p < 1.0f) {
    const double total = sum_in_id_order(keep, 1.0);
    double cum = 0;
    for (std::int64_t i = 0; i < keep; ++i)
      if ((cum += std::exp(static_cast<double>(l[ids[i]]) - mx) / total) >= p.top_p) {
        keep = i + 1;
        break;
      }
  }
  if (p.min_p > 0.0f) {
    std::int64_t i = 1;
    while (i < keep && std::exp(static_cast<double>(l[ids[i]]) - mx) >= p.min_p) ++i;
    keep = i;
  }
  std::uniform_real_distribution<double> uni(0.0, sum_in_id_order(keep, p.temperature));
  double r = uni(rng);
  for (std::int64_t i = 0; i < keep; ++i)
    if ((r -= std::exp((static_cast<double>(l[ids[i]]) - mx) / p.temperature)) <= 0) return ids[i];
  return ids[keep - 1];
}

// Every combination of the filters over short and long rows (5,000 candidates: the ranking is
// extended several times), flat and peaked, with ties and −∞ entries.
TEST(Sampler, SameTokensAsSortingEveryCandidate) {
  std::mt19937 gen(3);
  std::uint64_t seed = 0;
  for (int n : {5, 300, 5000})
    for (float spread_sd : {0.3f, 4.0f})
      for (std::int32_t top_k : {0, 1, 40, 64, 100000})
        for (float top_p : {1.0f, 0.95f, 0.5f})
          for (float min_p : {0.0f, 0.05f})
            for (float temperature : {1.0f, 0.5f}) {
              std::vector<float> l(static_cast<std::size_t>(n));
              std::normal_distribution<float> spread(0.0f, spread_sd);
              for (float& v : l) v = std::round(spread(gen) * 4.0f) / 4.0f;  // ties on purpose
              if (++seed % 3 == 0)
                for (int i = 0; i < n; i += 3) l[static_cast<std::size_t>(i)] = -INFINITY;
              const SamplingParams p{temperature, top_k, top_p, min_p, seed};
              Sampler s(p);
              std::mt19937_64 rng(p.seed);
              for (int draw = 0; draw < 8; ++draw)
                ASSERT_EQ(s.sample(l), sample_by_full_sort(p, l, rng))
                    << "n " << n << " sd " << spread_sd << " top_k " << top_k << " top_p " << top_p
                    << " min_p " << min_p << " temperature " << temperature << " draw " << draw;
            }
}

// argmax against std::max_element (first of the largest) over lengths around the vector widths,
// with the maximum repeated, at either end, and among −∞ and equal neighbours.
TEST(Sampler, ArgmaxIsTheFirstLargest) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> small(-4, 4);
  for (std::int64_t n : {1, 2, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 1000, 262144}) {
    for (int trial = 0; trial < 8; ++trial) {
      std::vector<float> l(static_cast<std::size_t>(n));
      for (float& v : l) v = static_cast<float>(small(rng));  // many ties
      if (trial == 1) l.back() = 9.0f;
      if (trial == 2) l.front() = 9.0f;
      if (trial == 3) std::fill(l.begin(), l.end(), -INFINITY);
      if (trial == 4) l[static_cast<std::size_t>(n / 2)] = 9.0f, l.back() = 9.0f;
      const auto want = std::max_element(l.begin(), l.end()) - l.begin();
      EXPECT_EQ(argmax(l), want) << "n " << n << " trial " << trial;
    }
  }
  EXPECT_EQ(argmax(std::vector<float>{-0.0f, 0.0f}), 0);
  EXPECT_EQ(argmax(std::vector<float>{}), 0);
}

}  // namespace
}  // namespace coderx::model
