// Monte Carlo: the sample sizes deliver their guarantee on simulated audits.
//
// Zero failures: at the boundary p, a Table-3 N lets a tampering rate of p pass unseen
// with probability (1 - p)^N <= delta/2; the one-sided N (used where the two-sided
// guarantee is promised) does not. Hoeffding: at the worst-variance accuracy 0.5 the
// Table-4 N overestimates by more than eps in at most delta of the audits.
// Each rate is judged by its own Clopper-Pearson interval at 1 - 1e-6, so the assertions
// hold for practically every seed. Seed: VERDICT_SEED (printed); rerun with it to replay.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/rng.hpp"
#include "protocols/sizing/clopper_pearson.hpp"
#include "protocols/sizing/hoeffding.hpp"
#include "protocols/sizing/paper_tables.hpp"

namespace verdict::sizing {
namespace {

constexpr double kJudgeDelta = 1e-6;
constexpr std::uint64_t kPpm = 1'000'000;

std::uint64_t test_seed(std::uint64_t fallback) {
  const char* s = std::getenv("VERDICT_SEED");
  const std::uint64_t seed = s ? std::strtoull(s, nullptr, 10) : fallback;
  std::printf("sizing monte carlo: seed %llu (set VERDICT_SEED=%llu to replay)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

// Bernoulli(ppm / 10^6), exact for the rates used here.
bool bernoulli(Rng& rng, std::uint64_t ppm) { return rng.uniform(kPpm) < ppm; }

// How many of `trials` audits of n samples at failure rate ppm see no failure.
std::uint64_t unseen(Rng& rng, std::uint64_t ppm, std::uint64_t n, std::uint64_t trials) {
  std::uint64_t misses = 0;
  for (std::uint64_t t = 0; t < trials; ++t) {
    bool seen = false;
    for (std::uint64_t i = 0; i < n && !seen; ++i) seen = bernoulli(rng, ppm);
    misses += seen ? 0 : 1;
  }
  return misses;
}

TEST(MonteCarlo, ZeroFailureMissRateAtTable3NIsAtMostHalfDelta) {
  ChaChaRng rng(test_seed(20240603));
  const std::uint64_t trials = 20000;
  const double half_delta = kPaperDelta / 2;
  for (std::uint64_t ppm : {50'000u, 25'000u, 10'000u}) {
    const double p = double(ppm) / kPpm;
    const std::uint64_t n = zero_failure_sample_size(p, kPaperDelta, Sides::kTwo).value();
    const std::uint64_t misses = unseen(rng, ppm, n, trials);
    const Interval rate = clopper_pearson_interval(misses, trials, kJudgeDelta).value();
    const double exact = std::pow(1 - p, double(n));
    std::printf("p %.3f N %llu: %llu / %llu unseen (exact %.5f, delta/2 %.3f)\n", p, static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(misses), static_cast<unsigned long long>(trials), exact, half_delta);
    EXPECT_LE(exact, half_delta);
    EXPECT_LE(rate.lower, half_delta) << "p " << p;
    EXPECT_LE(rate.lower, exact) << "p " << p;
    EXPECT_GE(rate.upper, exact) << "p " << p;
  }
}

// Tampering: the one-sided N, sold as a two-sided guarantee, misses at about delta, and
// the simulation notices.
TEST(MonteCarlo, OneSidedNFailsTheTwoSidedGuarantee) {
  ChaChaRng rng(test_seed(20240604));
  const std::uint64_t trials = 4000;
  for (std::uint64_t ppm : {50'000u, 10'000u}) {
    const double p = double(ppm) / kPpm;
    const std::uint64_t n = zero_failure_sample_size(p, kPaperDelta, Sides::kOne).value();
    const std::uint64_t misses = unseen(rng, ppm, n, trials);
    const Interval rate = clopper_pearson_interval(misses, trials, kJudgeDelta).value();
    EXPECT_GT(rate.lower, kPaperDelta / 2) << "p " << p << " N " << n << ": " << misses << " unseen";
    EXPECT_LE(rate.lower, kPaperDelta) << "p " << p;
  }
}

TEST(MonteCarlo, HoeffdingOvershootRateAtTable4NIsAtMostDelta) {
  ChaChaRng rng(test_seed(20240605));
  const std::uint64_t trials = 2000;
  const double eps = 0.05;
  const std::uint64_t n = accuracy_test_sample_size(eps, kPaperDelta).value();  // 600
  // True accuracy 0.5; the estimate overshoots when correct / n > 0.5 + eps.
  std::uint64_t overshoots = 0;
  for (std::uint64_t t = 0; t < trials; ++t) {
    std::uint64_t correct = 0;
    for (std::uint64_t i = 0; i < n; ++i) correct += bernoulli(rng, kPpm / 2) ? 1 : 0;
    overshoots += double(correct) / double(n) - 0.5 > eps ? 1 : 0;
  }
  const Interval rate = clopper_pearson_interval(overshoots, trials, kJudgeDelta).value();
  std::printf("Hoeffding N %llu: %llu / %llu overshoot by more than %.2f\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(overshoots), static_cast<unsigned long long>(trials), eps);
  EXPECT_LE(rate.upper, kPaperDelta);
}

}  // namespace
}  // namespace verdict::sizing
