#pragma once
// Hoeffding sample sizes: how many independent 0/1 samples pin a mean within eps.
//
// For N independent samples in {0, 1} with mean a and empirical mean a' (Hoeffding 1963,
// Theorem 1):
//   P(a' - a > eps) <= exp(-2 eps^2 N),   and the same for a - a' > eps,
//   P(|a' - a| > eps) <= 2 exp(-2 eps^2 N).
// Setting the right-hand side to delta and solving for the smallest integer N:
//   one-sided  N = ceil( ln(1/delta) / (2 eps^2) )
//   two-sided  N = ceil( ln(2/delta) / (2 eps^2) )
// The bound holds for every a, so N does not depend on the accuracy under test; it is
// conservative: clopper_pearson.hpp's exact rule needs about half as many samples
// (0.46-0.55x at delta = 5%, docs/protocols.md).
//
// Paper Table 4 (accuracy within eps, delta = 5%) is the one-sided rule: 600, 2397 and
// 14979 for eps = 5%, 2.5%, 1% (ln 20 / (2 eps^2) = 599.15, 2396.59, 14978.66). The paper
// prints the bound as exp(-2 eps^2 / N), a typo for exp(-2 eps^2 N), and N = 2396 for
// eps = 2.5%, one short: exp(-2 * 0.025^2 * 2396) = 0.05004 > delta.

#include <cstdint>

#include "base/result.hpp"
#include "protocols/sizing/sides.hpp"

namespace verdict::sizing {

// The smallest N with exp(-2 eps^2 N) <= tail_delta(delta, sides). Requires eps and delta
// in (0, 1); an Error names the argument otherwise, or says that N would exceed 2^53.
Result<std::uint64_t> hoeffding_sample_size(double eps, double delta, Sides sides);

// The eps that n samples guarantee at confidence 1 - delta: sqrt(ln(1/delta') / (2n)) with
// delta' = tail_delta(delta, sides). Requires n in [1, 2^53] and delta in (0, 1).
Result<double> hoeffding_margin(std::uint64_t n, double delta, Sides sides);

// The accuracy test's N as the paper sizes it (Table 4): one-sided Hoeffding, so that an
// estimate a' from N held-out examples satisfies P(a' - a > eps) <= delta.
Result<std::uint64_t> accuracy_test_sample_size(double eps, double delta);

}  // namespace verdict::sizing
