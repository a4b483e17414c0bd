// softcap / tanh_approx against tanh in double precision: a dense sweep and the edges (zero,
// signed zero, the smallest and largest floats, inf, NaN), in units in the last place.
#include "model/softcap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace coderx::model {
namespace {

// Distance in representable floats between got and the exactly rounded want.
double ulps(float got, double want) {
  const float w = static_cast<float>(want);
  if (got == w) return 0;
  const double spacing =
      std::nextafter(std::fabs(w), std::numeric_limits<float>::infinity()) - std::fabs(w);
  return std::fabs(static_cast<double>(got) - want) / spacing;
}

std::vector<float> sweep() {
  std::vector<float> xs;
  for (double e = -30; e <= 4; e += 0.01) {  // magnitudes 1e-30 … 1e4, both signs
    xs.push_back(static_cast<float>(std::pow(10.0, e)));
    xs.push_back(-static_cast<float>(std::pow(10.0, e)));
  }
  for (float x = -12; x <= 12; x += 0.001f) xs.push_back(x);
  for (float x :
       {0.0f, -0.0f, std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min(),
        std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(), 9.1f, 9.0999f})
    xs.push_back(x);
  return xs;
}

TEST(Softcap, TanhWithinFourUlpOfDoublePrecision) {
  const auto xs = sweep();
  std::vector<float> ys(xs.size());
  tanh_approx(xs.data(), ys.data(), static_cast<std::int64_t>(xs.size()));
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double u = ulps(ys[i], std::tanh(static_cast<double>(xs[i])));
    worst = std::max(worst, u);
    ASSERT_LE(u, 4.0) << "x " << xs[i] << " got " << ys[i] << " want " << std::tanh(double(xs[i]));
    ASSERT_EQ(std::signbit(ys[i]), std::signbit(xs[i])) << "x " << xs[i];
  }
  RecordProperty("worst_ulps", std::to_string(worst));
}

TEST(Softcap, InfinitiesSaturateAndNanStaysNan) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {inf,  -inf, std::nanf(""), 1.0f, 2.0f,
                          3.0f, 4.0f, 5.0f,          6.0f};  // 9: a tail
  softcap(x.data(), static_cast<std::int64_t>(x.size()), 30.0f);
  EXPECT_EQ(x[0], 30.0f);
  EXPECT_EQ(x[1], -30.0f);
  EXPECT_TRUE(std::isnan(x[2]));
}

TEST(Softcap, MatchesCapTimesTanhOfScaledLogits) {
  std::vector<float> logits;
  for (float v = -200; v <= 200; v += 0.0137f) logits.push_back(v);
  auto got = logits;
  softcap(got.data(), static_cast<std::int64_t>(got.size()), 30.0f);
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double want = 30.0 * std::tanh(static_cast<double>(logits[i] / 30.0f));
    EXPECT_LE(std::fabs(got[i] - want),
              5.0 * 30.0 * std::numeric_limits<float>::epsilon() * std::fabs(want / 30.0) + 1e-30)
        << "logit " << logits[i];
  }
}

}  // namespace
}  // namespace coderx::model
