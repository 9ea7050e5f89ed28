#pragma once
// Exact (Clopper-Pearson 1934) confidence bounds for a binomial proportion, and the
// sample sizes they give.
//
// k successes in n independent trials, X ~ Binomial(n, p). One-sided bounds at
// confidence 1 - a, exact inversions of the binomial tails:
//   lower L(k, n):  P(X >= k | p = L) = a,   L = 0 when k = 0,
//   upper U(k, n):  P(X <= k | p = U) = a,   U = 1 when k = n.
// Since P(X >= k | p) = I_p(k, n - k + 1) (I the regularized incomplete beta function),
//   L = BetaQuantile(a; k, n - k + 1),   U = BetaQuantile(1 - a; k + 1, n - k),
// computed with Boost.Math's ibeta_inv / ibetac_inv. The two-sided (equal-tailed)
// interval at confidence 1 - delta is [L, U] with a = delta/2 in each tail; a one-sided
// bound uses a = delta (Sides, sides.hpp). Coverage is at least the nominal level for
// every p: P(p < L(X, n)) <= a and P(p > U(X, n)) <= a.
//
// Zero failures (paper Table 3). If the true failure rate is at least p, N samples show
// no failure with probability (1 - p)^N. The smallest N with (1 - p)^N <= a,
//   N = ceil( ln(a) / ln(1 - p) ),    a = tail_delta(delta, sides),
// makes "0 failures in N" imply "failure rate < p" at confidence 1 - a; equivalently it
// is the smallest N with U(0, N) = 1 - a^(1/N) <= p. Paper Table 3 (delta = 5%) is the
// two-sided rule: 72 for p = 5% (one-sided: 59). Its other rows are off: it prints 183
// for p = 2.5% (183 is the N for p = 2%; 2.5% needs 146) and 366 for p = 1% (U(0, 366) =
// 1.0028%; 1% needs 368). docs/protocols.md has the reasoning.
//
// Accuracy within eps (the exact counterpart of Hoeffding, hoeffding.hpp). The CP
// margin of n trials is the largest distance between an estimate and its bound,
//   M(n) = max over k of (k/n - L(k, n))  =  max over k of (U(k, n) - k/n)
// (equal by the symmetry U(k, n) = 1 - L(n - k, n)). If M(N) <= eps then, for every true
// accuracy a, P(a < a' - eps) <= P(a < L(X, N)) <= a': the estimate overshoots by more
// than eps with probability at most the tail delta, the guarantee Hoeffding gives, with
// fewer samples (eps = 1%, delta = 5%, one-sided: 6864 instead of 14979). M(n) never
// exceeds Hoeffding's margin and is non-increasing in n (checked exhaustively for small n
// by the tests), so N is found by bisection below the Hoeffding N.

#include <cstdint>

#include "base/result.hpp"
#include "protocols/sizing/sides.hpp"

namespace verdict::sizing {

// A two-sided interval for a proportion: 0 <= lower <= upper <= 1.
struct Interval {
  double lower = 0;
  double upper = 1;
};

// L(k, n) at a = tail_delta(delta, sides): with Sides::kTwo the lower end of the
// two-sided interval. Requires 1 <= n <= 2^53, k <= n, delta in (0, 1).
Result<double> clopper_pearson_lower(std::uint64_t k, std::uint64_t n, double delta, Sides sides);

// U(k, n) at a = tail_delta(delta, sides); same requirements.
Result<double> clopper_pearson_upper(std::uint64_t k, std::uint64_t n, double delta, Sides sides);

// The two-sided equal-tailed interval [L, U] at confidence 1 - delta (delta/2 per tail).
Result<Interval> clopper_pearson_interval(std::uint64_t k, std::uint64_t n, double delta);

// The smallest N with (1 - p)^N <= tail_delta(delta, sides): Table 3's rule. Requires
// p and delta in (0, 1); an Error when N would exceed 2^53.
Result<std::uint64_t> zero_failure_sample_size(double p, double delta, Sides sides);

// The exact rule and M(n) are O(n) quantile evaluations per n; they refuse n (or a
// Hoeffding bracket) above this, where the Hoeffding rule is the practical one.
inline constexpr std::uint64_t kMaxExactTrials = 1'000'000;

// M(n) at a = tail_delta(delta, sides). Requires 1 <= n <= kMaxExactTrials.
Result<double> clopper_pearson_margin(std::uint64_t n, double delta, Sides sides);

// The smallest N with M(N) <= eps. Requires eps, delta in (0, 1) and the Hoeffding N for
// (eps, delta, sides) at most kMaxExactTrials.
Result<std::uint64_t> clopper_pearson_sample_size(double eps, double delta, Sides sides);

}  // namespace verdict::sizing
