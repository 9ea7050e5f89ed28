#include "sim/binomial.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <cmath>

namespace verdict::sim {

double hypergeometric_pmf(std::uint64_t population, std::uint64_t successes, std::uint64_t draws, std::uint64_t k) {
  if (successes > population || draws > population) return 0;
  const std::uint64_t lo = draws + successes > population ? draws + successes - population : 0;
  const std::uint64_t hi = std::min(successes, draws);
  if (k < lo || k > hi) return 0;
  if (lo == hi) return 1;
  boost::math::hypergeometric_distribution<double> d(successes, draws, population);
  return boost::math::pdf(d, k);
}

double binomial_tail_at_least(std::uint64_t n, double p, std::uint64_t k) {
  if (k == 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  boost::math::binomial_distribution<double> d(static_cast<double>(n), p);
  return boost::math::cdf(boost::math::complement(d, static_cast<double>(k - 1)));
}

double miss_probability(std::uint64_t n, std::uint64_t b, std::uint64_t k) {
  if (k > n) return 0;
  if (b > n - k) return 0;
  if (b == 0 || k == 0) return 1;
  // C(n-b, k) / C(n, k) = prod_{i<k} (n - b - i) / (n - i), in logs for large k.
  const double l = std::lgamma(static_cast<double>(n - b + 1)) - std::lgamma(static_cast<double>(n - b - k + 1)) -
                   std::lgamma(static_cast<double>(n + 1)) + std::lgamma(static_cast<double>(n - k + 1));
  return std::exp(l);
}

}  // namespace verdict::sim
