#include "model/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "model/ops_cpu_vec.h"

namespace coderx::model {

// The maximum by a vector pass, then its first position by another (a greedy step reads 262,144
// logits; std::max_element's dependent compare per element took 0.7 ms of an 80 ms step). NaN
// logits (a broken model) give some index in range, not necessarily std::max_element's.
std::int32_t argmax(std::span<const float> logits) {
  if (logits.empty()) return 0;
  const auto n = static_cast<std::int64_t>(logits.size());
  const std::int64_t at = vec::first_index_of(logits.data(), n, vec::max_value(logits.data(), n));
  if (at < n) return static_cast<std::int32_t>(at);
  return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Sampler::Sampler(SamplingParams params) : params_(params), rng_(params.seed) {}

namespace {

// The candidates ids[0, size) ranked best first (higher logit, ties by lower id), but ordered
// only as far as asked: the top-p and min-p cuts and the draw walk the ranking from the front
// and usually stop within the first few dozen, so a vocabulary of 262,144 is selected in O(n),
// not sorted. Invariant: ids[0, sorted) is in rank order and ranks above the rest.
class Ranking {
 public:
  // ids[0, sorted) must already be in rank order and rank above ids[sorted, size).
  Ranking(std::span<const float> logits, std::vector<std::int32_t>& ids, std::int64_t size,
          std::int64_t sorted = 0)
      : logits_(logits), ids_(ids), size_(size), sorted_(sorted) {}

  bool before(std::int32_t a, std::int32_t b) const {
    return logits_[a] > logits_[b] || (logits_[a] == logits_[b] && a < b);
  }
  auto by_rank() const {
    return [this](std::int32_t a, std::int32_t b) { return before(a, b); };
  }

  // The id of rank i (i < size), ordering the ranks before it (a few more than asked, so a walk
  // from the front costs a handful of selections).
  std::int32_t at(std::int64_t i) {
    if (i >= sorted_) {
      const std::int64_t m = std::min(size_, std::max({i + 1, 4 * sorted_, std::int64_t{64}}));
      select(m);
      std::sort(ids_.begin() + sorted_, ids_.begin() + m, by_rank());
      sorted_ = m;
    }
    return ids_[static_cast<std::size_t>(i)];
  }

  // Σ exp((logit − shift) / temperature) over the candidates of rank < count, in id order (so
  // the sum does not depend on how far the ranking has been ordered). −∞ logits add nothing.
  double sum_exp(std::int64_t count, double shift, double temperature) {
    const auto term = [&](std::int32_t id) {
      return std::exp((static_cast<double>(logits_[id]) - shift) / temperature);
    };
    double sum = 0;
    if (count <= sorted_) {  // an ordered prefix: its ids, sorted
      members_.assign(ids_.begin(), ids_.begin() + count);
      std::sort(members_.begin(), members_.end());
      for (std::int32_t id : members_) sum += term(id);
      return sum;
    }
    const auto n = static_cast<std::int32_t>(logits_.size());
    const bool everything = size_ == n && count == finite_count();  // all but the −∞
    const std::int32_t last = everything ? 0 : nth(count - 1);
    for (std::int32_t id = 0; id < n; ++id)
      if (everything || id == last || before(id, last)) sum += term(id);
    return sum;
  }

  std::int64_t finite_count() {
    if (finite_ < 0)
      finite_ = std::count_if(ids_.begin(), ids_.begin() + size_,
                              [&](std::int32_t id) { return logits_[id] != -INFINITY; });
    return finite_;
  }

 private:
  // Puts the candidate of rank m − 1 at ids[m − 1], the better ones before it (in any order).
  void select(std::int64_t m) {
    if (m > sorted_)
      std::nth_element(ids_.begin() + sorted_, ids_.begin() + (m - 1), ids_.begin() + size_,
                       by_rank());
  }
  // The id of rank i, without ordering the ranks before it.
  std::int32_t nth(std::int64_t i) {
    if (i >= sorted_) select(i + 1);
    return ids_[static_cast<std::size_t>(i)];
  }

  std::span<const float> logits_;
  std::vector<std::int32_t>& ids_;
  std::int64_t size_ = 0, sorted_ = 0, finite_ = -1;
  std::vector<std::int32_t> members_;
};

// Top-k sets up to this size are selected by a partial sort (a heap over the vocabulary, cheap
// when k is small); larger ones by nth_element.
constexpr std::int64_t kPartialSortMax = 1024;

}  // namespace

std::int32_t Sampler::sample(std::span<const float> logits) {
  if (params_.temperature <= 0.0f) return argmax(logits);
  const std::int64_t n = static_cast<std::int64_t>(logits.size());
  ids_.resize(static_cast<std::size_t>(n));
  std::iota(ids_.begin(), ids_.end(), 0);
  // top-k: the k best form the candidates ids_[0, keep).
  std::int64_t keep = params_.top_k > 0 ? std::min<std::int64_t>(params_.top_k, n) : n;
  std::int64_t sorted = 0;
  {
    const Ranking all(logits, ids_, n);
    if (keep < n && keep <= kPartialSortMax) {
      std::partial_sort(ids_.begin(), ids_.begin() + keep, ids_.end(), all.by_rank());
      sorted = keep;
    } else if (keep < n) {
      std::nth_element(ids_.begin(), ids_.begin() + keep, ids_.end(), all.by_rank());
    }
  }
  Ranking rank(logits, ids_, keep, sorted);
  // −∞ candidates rank last and are never picked, unless every one is −∞.
  const std::int64_t finite = rank.finite_count();
  if (finite == 0) return rank.at(0);
  keep = finite;
  // Softmax over the candidates (no temperature yet, as llama.cpp's chain does).
  const double mx = logits[rank.at(0)];
  const auto weight = [&](std::int64_t i) {
    return std::exp(static_cast<double>(logits[rank.at(i)]) - mx);
  };
  // top-p: smallest prefix with cumulative probability ≥ top_p.
  if (params_.top_p < 1.0f) {
    const double total = rank.sum_exp(keep, mx, 1.0);
    double cum = 0;
    for (std::int64_t i = 0; i < keep; ++i) {
      cum += weight(i) / total;
      if (cum >= params_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  // min-p: drop candidates below min_p × the best probability (the best has weight 1).
  if (params_.min_p > 0.0f) {
    std::int64_t i = 1;
    while (i < keep && weight(i) >= params_.min_p) ++i;
    keep = i;
  }
  // Temperature, then draw, walking the candidates best first.
  const double t = params_.temperature;
  std::uniform_real_distribution<double> uni(0.0, rank.sum_exp(keep, mx, t));
  double r = uni(rng_);
  for (std::int64_t i = 0; i < keep; ++i)
    if ((r -= std::exp((static_cast<double>(logits[rank.at(i)]) - mx) / t)) <= 0) return rank.at(i);
  return rank.at(keep - 1);
}

}  // namespace coderx::model
