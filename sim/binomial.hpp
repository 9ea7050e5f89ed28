#pragma once
// The discrete laws the closed forms use (Boost.Math underneath), exact to double
// precision. Arguments outside a law's support give probability 0 (never an exception).

#include <cstdint>

namespace verdict::sim {

// P(X = k), X ~ Hypergeometric(population, successes, draws): k of `draws` items drawn
// without replacement from `population` of which `successes` are marked.
double hypergeometric_pmf(std::uint64_t population, std::uint64_t successes, std::uint64_t draws, std::uint64_t k);
// P(X >= k), X ~ Binomial(n, p).
double binomial_tail_at_least(std::uint64_t n, double p, std::uint64_t k);
// C(n - b, k) / C(n, k): the probability that k uniform draws without replacement from n
// items miss all b marked ones (0 if b > n - k).
double miss_probability(std::uint64_t n, std::uint64_t b, std::uint64_t k);

}  // namespace verdict::sim
