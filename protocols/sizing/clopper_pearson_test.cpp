// Clopper-Pearson bounds against oracles (closed forms at the ends, a brute-force
// bisection on the binomial CDF in between), exhaustive coverage on tiny n, paper
// Table 3 reproduced, the exact accuracy rule against a linear scan, bad arguments.
#include "protocols/sizing/clopper_pearson.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "protocols/sizing/hoeffding.hpp"

namespace verdict::sizing {
namespace {

// P(X <= k | n, p) by direct summation in long double (the oracle; fine for n <= 1000).
long double binomial_cdf(std::uint64_t k, std::uint64_t n, long double p) {
  long double sum = 0;
  for (std::uint64_t j = 0; j <= k; ++j) {
    const long double log_pmf = std::lgammal(n + 1.0L) - std::lgammal(j + 1.0L) - std::lgammal(n - j + 1.0L) +
                                j * std::log(p) + (n - j) * std::log1p(-p);
    sum += std::exp(log_pmf);
  }
  return sum;
}

// U(k, n) by bisection on P(X <= k | p) = a (decreasing in p).
double brute_upper(std::uint64_t k, std::uint64_t n, double a) {
  if (k == n) return 1;
  long double lo = 0, hi = 1;
  for (int i = 0; i < 200; ++i) {
    const long double mid = (lo + hi) / 2;
    (binomial_cdf(k, n, mid) > a ? lo : hi) = mid;
  }
  return static_cast<double>((lo + hi) / 2);
}

// L(k, n) by bisection on P(X >= k | p) = 1 - P(X <= k - 1 | p) = a (increasing in p).
double brute_lower(std::uint64_t k, std::uint64_t n, double a) {
  if (k == 0) return 0;
  long double lo = 0, hi = 1;
  for (int i = 0; i < 200; ++i) {
    const long double mid = (lo + hi) / 2;
    (1 - binomial_cdf(k - 1, n, mid) < a ? lo : hi) = mid;
  }
  return static_cast<double>((lo + hi) / 2);
}

TEST(ClopperPearson, ClosedFormsAtTheEnds) {
  // U(0, n) = 1 - a^(1/n); L(n, n) = a^(1/n); L(1, n) = 1 - (1 - a)^(1/n); U(n-1, n) = (1 - a)^(1/n).
  for (std::uint64_t n : {1u, 2u, 10u, 72u, 1000u, 100000u}) {
    for (double a : {0.05, 0.025, 0.001}) {
      SCOPED_TRACE(testing::Message() << "n " << n << " a " << a);
      const double root = 1.0 / double(n);
      EXPECT_NEAR(clopper_pearson_upper(0, n, a, Sides::kOne).value(), -std::expm1(std::log(a) * root), 1e-13);
      EXPECT_NEAR(clopper_pearson_lower(n, n, a, Sides::kOne).value(), std::pow(a, root), 1e-13);
      EXPECT_NEAR(clopper_pearson_lower(1, n, a, Sides::kOne).value(), -std::expm1(std::log1p(-a) * root), 1e-13);
      EXPECT_NEAR(clopper_pearson_upper(n - 1, n, a, Sides::kOne).value(), std::exp(std::log1p(-a) * root), 1e-13);
      EXPECT_EQ(clopper_pearson_lower(0, n, a, Sides::kOne).value(), 0.0);
      EXPECT_EQ(clopper_pearson_upper(n, n, a, Sides::kOne).value(), 1.0);
    }
  }
}

TEST(ClopperPearson, TextbookIntervals) {
  // 95% two-sided intervals as tabulated (4 decimals).
  struct Case {
    std::uint64_t k, n;
    double lower, upper;
  };
  for (const Case& c : {Case{0, 10, 0.0, 0.3085}, Case{1, 10, 0.0025, 0.4450}, Case{5, 10, 0.1871, 0.8129},
                        Case{10, 10, 0.6915, 1.0}, Case{50, 100, 0.3983, 0.6017}}) {
    const Interval ci = clopper_pearson_interval(c.k, c.n, 0.05).value();
    EXPECT_NEAR(ci.lower, c.lower, 5e-5) << c.k << "/" << c.n;
    EXPECT_NEAR(ci.upper, c.upper, 5e-5) << c.k << "/" << c.n;
  }
}

TEST(ClopperPearson, MatchesBruteForceBisection) {
  for (std::uint64_t n : {1u, 7u, 30u, 146u, 500u}) {
    for (std::uint64_t k : {std::uint64_t(0), std::uint64_t(1), n / 3, n / 2, n - 1, n}) {
      for (double delta : {0.05, 0.01}) {
        for (Sides sides : {Sides::kOne, Sides::kTwo}) {
          SCOPED_TRACE(testing::Message() << k << "/" << n << " delta " << delta << " " << to_string(sides));
          const double a = tail_delta(delta, sides);
          EXPECT_NEAR(clopper_pearson_lower(k, n, delta, sides).value(), brute_lower(k, n, a), 1e-10);
          EXPECT_NEAR(clopper_pearson_upper(k, n, delta, sides).value(), brute_upper(k, n, a), 1e-10);
        }
      }
    }
  }
}

// Exhaustive on tiny n: ordering, symmetry, and exact coverage P(p < L(X)) <= a and
// P(p > U(X)) <= a over a grid of true p, summing the binomial pmf over all outcomes.
TEST(ClopperPearson, ExhaustiveCoverageOnTinyN) {
  const double delta = 0.1;
  for (std::uint64_t n = 1; n <= 25; ++n) {
    std::vector<double> lower(n + 1), upper(n + 1);
    for (std::uint64_t k = 0; k <= n; ++k) {
      lower[k] = clopper_pearson_lower(k, n, delta, Sides::kOne).value();
      upper[k] = clopper_pearson_upper(k, n, delta, Sides::kOne).value();
      EXPECT_LE(lower[k], double(k) / double(n));
      EXPECT_GE(upper[k], double(k) / double(n));
      if (k > 0) {
        EXPECT_GT(lower[k], lower[k - 1]);
      }
      if (k > 0) {
        EXPECT_GT(upper[k], upper[k - 1]);
      }
    }
    for (std::uint64_t k = 0; k <= n; ++k) EXPECT_NEAR(upper[k], 1 - lower[n - k], 1e-12) << k << "/" << n;
    for (int i = 1; i < 200; ++i) {
      const double p = i / 200.0;
      long double miss_low = 0, miss_high = 0;
      for (std::uint64_t k = 0; k <= n; ++k) {
        const long double pmf = binomial_cdf(k, n, p) - (k ? binomial_cdf(k - 1, n, p) : 0.0L);
        if (p < lower[k]) miss_low += pmf;
        if (p > upper[k]) miss_high += pmf;
      }
      EXPECT_LE(miss_low, delta + 1e-12) << "n " << n << " p " << p;
      EXPECT_LE(miss_high, delta + 1e-12) << "n " << n << " p " << p;
    }
  }
}

TEST(ZeroFailure, PaperTable3TwoSided) {
  EXPECT_EQ(zero_failure_sample_size(0.05, 0.05, Sides::kTwo).value(), 72u);    // as printed
  EXPECT_EQ(zero_failure_sample_size(0.02, 0.05, Sides::kTwo).value(), 183u);   // printed for p = 2.5%
  EXPECT_EQ(zero_failure_sample_size(0.025, 0.05, Sides::kTwo).value(), 146u);  // corrected
  EXPECT_EQ(zero_failure_sample_size(0.01, 0.05, Sides::kTwo).value(), 368u);   // corrected; printed 366
}

TEST(ZeroFailure, OneSided) {
  EXPECT_EQ(zero_failure_sample_size(0.05, 0.05, Sides::kOne).value(), 59u);
  EXPECT_EQ(zero_failure_sample_size(0.025, 0.05, Sides::kOne).value(), 119u);
  EXPECT_EQ(zero_failure_sample_size(0.01, 0.05, Sides::kOne).value(), 299u);
}

// N is the smallest n whose upper bound after zero failures is at most p.
TEST(ZeroFailure, IsTheFirstNWhoseUpperBoundReachesP) {
  for (double p : {0.3, 0.1, 0.05, 0.025, 0.02, 0.01, 0.001}) {
    for (Sides sides : {Sides::kOne, Sides::kTwo}) {
      SCOPED_TRACE(testing::Message() << "p " << p << " " << to_string(sides));
      const std::uint64_t n = zero_failure_sample_size(p, 0.05, sides).value();
      EXPECT_LE(clopper_pearson_upper(0, n, 0.05, sides).value(), p * (1 + 1e-12));
      if (n > 1) {
        EXPECT_GT(clopper_pearson_upper(0, n - 1, 0.05, sides).value(), p * (1 - 1e-12));
      }
    }
  }
}

TEST(ZeroFailure, PaperRowsOff) {
  // p = 1%: 366 (twice 183) bounds the rate at 1.0028%, so does 367 (1.00011%); 368 is needed.
  EXPECT_NEAR(clopper_pearson_upper(0, 366, 0.05, Sides::kTwo).value(), 0.010028, 5e-7);
  EXPECT_GT(clopper_pearson_upper(0, 367, 0.05, Sides::kTwo).value(), 0.01);
  // p = 2.5%: 183 bounds the rate at 1.996%, the p = 2% row's answer, 37 samples more than needed.
  EXPECT_NEAR(clopper_pearson_upper(0, 183, 0.05, Sides::kTwo).value(), 0.019956, 5e-7);
}

TEST(ClopperPearsonMargin, NonIncreasingAndBelowHoeffding) {
  for (double delta : {0.05, 0.1}) {
    for (Sides sides : {Sides::kOne, Sides::kTwo}) {
      double previous = 1;
      for (std::uint64_t n = 1; n <= 400; ++n) {
        const double m = clopper_pearson_margin(n, delta, sides).value();
        EXPECT_LE(m, previous) << "n " << n;
        EXPECT_LE(m, hoeffding_margin(n, delta, sides).value()) << "n " << n;
        previous = m;
      }
    }
  }
}

TEST(ClopperPearsonSampleSize, MatchesALinearScan) {
  for (double eps : {0.45, 0.3, 0.2, 0.12, 0.08}) {
    for (Sides sides : {Sides::kOne, Sides::kTwo}) {
      std::uint64_t scan = 1;
      while (clopper_pearson_margin(scan, 0.05, sides).value() > eps) ++scan;
      EXPECT_EQ(clopper_pearson_sample_size(eps, 0.05, sides).value(), scan)
          << "eps " << eps << " " << to_string(sides);
    }
  }
}

TEST(ClopperPearsonSampleSize, PaperEpsilons) {
  // About half the Hoeffding N (600, 2397, 14979 one-sided).
  EXPECT_EQ(clopper_pearson_sample_size(0.05, 0.05, Sides::kOne).value(), 291u);
  EXPECT_EQ(clopper_pearson_sample_size(0.05, 0.05, Sides::kTwo).value(), 404u);
  EXPECT_EQ(clopper_pearson_sample_size(0.025, 0.05, Sides::kOne).value(), 1122u);
  EXPECT_EQ(clopper_pearson_sample_size(0.01, 0.05, Sides::kOne).value(), 6864u);
}

TEST(ClopperPearson, RefusesBadArguments) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto k_over_n = clopper_pearson_lower(11, 10, 0.05, Sides::kOne);
  ASSERT_FALSE(k_over_n.ok());
  EXPECT_NE(k_over_n.error().message.find("successes (11) exceed trials (10)"), std::string::npos);
  EXPECT_FALSE(clopper_pearson_upper(0, 0, 0.05, Sides::kOne).ok());
  EXPECT_FALSE(clopper_pearson_interval(1, 10, 0.0).ok());
  EXPECT_FALSE(clopper_pearson_interval(1, 10, nan).ok());
  EXPECT_FALSE(clopper_pearson_interval(1, (std::uint64_t(1) << 53) + 1, 0.05).ok());
  for (double p : {0.0, 1.0, -0.5, nan}) {
    auto r = zero_failure_sample_size(p, 0.05, Sides::kTwo);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("p must be in (0, 1)"), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(zero_failure_sample_size(0.05, 1.0, Sides::kTwo).ok());
  EXPECT_FALSE(zero_failure_sample_size(1e-17, 0.05, Sides::kTwo).ok());  // N ~ 3.7e17 > 2^53
  EXPECT_FALSE(clopper_pearson_margin(0, 0.05, Sides::kOne).ok());
  EXPECT_FALSE(clopper_pearson_margin(kMaxExactTrials + 1, 0.05, Sides::kOne).ok());
  auto too_fine = clopper_pearson_sample_size(0.001, 0.05, Sides::kOne);  // Hoeffding: 1.5 million
  ASSERT_FALSE(too_fine.ok());
  EXPECT_NE(too_fine.error().message.find("use the Hoeffding rule"), std::string::npos);
  EXPECT_FALSE(clopper_pearson_sample_size(1.5, 0.05, Sides::kOne).ok());
}

}  // namespace
}  // namespace verdict::sizing
