// Hoeffding sample sizes: paper Table 4 reproduced (and its off-by-one pinned), N
// checked against the inequality it must satisfy over a grid, bad arguments refused.
#include "protocols/sizing/hoeffding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace verdict::sizing {
namespace {

TEST(Hoeffding, PaperTable4IsTheOneSidedRule) {
  EXPECT_EQ(hoeffding_sample_size(0.05, 0.05, Sides::kOne).value(), 600u);    // ln 20 / 0.005 = 599.15
  EXPECT_EQ(hoeffding_sample_size(0.025, 0.05, Sides::kOne).value(), 2397u);  // 2396.59; the paper prints 2396
  EXPECT_EQ(hoeffding_sample_size(0.01, 0.05, Sides::kOne).value(), 14979u);  // 14978.66
  EXPECT_EQ(accuracy_test_sample_size(0.025, 0.05).value(), 2397u);
}

TEST(Hoeffding, TwoSidedIsOneSidedAtHalfDelta) {
  EXPECT_EQ(hoeffding_sample_size(0.05, 0.05, Sides::kTwo).value(), 738u);  // ln 40 / 0.005 = 737.78
  EXPECT_EQ(hoeffding_sample_size(0.025, 0.05, Sides::kTwo).value(), 2952u);
  EXPECT_EQ(hoeffding_sample_size(0.01, 0.05, Sides::kTwo).value(), 18445u);
  for (double eps : {0.3, 0.1, 0.02}) {
    EXPECT_EQ(hoeffding_sample_size(eps, 0.1, Sides::kTwo).value(),
              hoeffding_sample_size(eps, 0.05, Sides::kOne).value());
  }
}

TEST(Hoeffding, PaperOffByOneAtEps2Point5Percent) {
  // The printed 2396 leaves the tail above delta; 2397 is the first N that does not.
  EXPECT_GT(std::exp(-2 * 0.025 * 0.025 * 2396), 0.05);
  EXPECT_NEAR(std::exp(-2 * 0.025 * 0.025 * 2396), 0.05004, 1e-5);
  EXPECT_LE(std::exp(-2 * 0.025 * 0.025 * 2397), 0.05);
}

// Oracle: N is the smallest integer with exp(-2 eps^2 N) <= delta', and the margin of N
// samples is at most eps while that of N - 1 is above it.
TEST(Hoeffding, SmallestNSatisfyingTheBoundOverAGrid) {
  for (double eps : {0.4, 0.2, 0.1, 0.05, 0.03, 0.01, 0.005}) {
    for (double delta : {0.2, 0.1, 0.05, 0.01, 1e-6}) {
      for (Sides sides : {Sides::kOne, Sides::kTwo}) {
        SCOPED_TRACE(testing::Message() << "eps " << eps << " delta " << delta << " " << to_string(sides));
        const std::uint64_t n = hoeffding_sample_size(eps, delta, sides).value();
        const double tail = tail_delta(delta, sides);
        EXPECT_LE(std::exp(-2 * eps * eps * double(n)), tail * (1 + 1e-12));
        if (n > 1) {
          EXPECT_GT(std::exp(-2 * eps * eps * double(n - 1)), tail * (1 - 1e-12));
        }
        EXPECT_LE(hoeffding_margin(n, delta, sides).value(), eps * (1 + 1e-12));
        if (n > 1) {
          EXPECT_GT(hoeffding_margin(n - 1, delta, sides).value(), eps * (1 - 1e-12));
        }
      }
    }
  }
}

TEST(Hoeffding, LargeEpsNeedsOneSample) { EXPECT_EQ(hoeffding_sample_size(0.99, 0.5, Sides::kOne).value(), 1u); }

TEST(Hoeffding, RefusesBadArguments) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double eps : {0.0, 1.0, -0.1, 1.5, nan}) {
    auto r = hoeffding_sample_size(eps, 0.05, Sides::kOne);
    ASSERT_FALSE(r.ok()) << eps;
    EXPECT_NE(r.error().message.find("eps must be in (0, 1)"), std::string::npos) << r.error().message;
  }
  for (double delta : {0.0, 1.0, -1.0, nan}) {
    auto r = hoeffding_sample_size(0.05, delta, Sides::kTwo);
    ASSERT_FALSE(r.ok()) << delta;
    EXPECT_NE(r.error().message.find("delta must be in (0, 1)"), std::string::npos) << r.error().message;
  }
  auto huge = hoeffding_sample_size(1e-9, 0.05, Sides::kOne);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("exceeds 2^53"), std::string::npos) << huge.error().message;
  EXPECT_FALSE(hoeffding_margin(0, 0.05, Sides::kOne).ok());
  EXPECT_FALSE(hoeffding_margin(10, 1.0, Sides::kOne).ok());
}

}  // namespace
}  // namespace verdict::sizing
