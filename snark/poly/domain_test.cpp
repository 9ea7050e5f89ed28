// EvaluationDomain: generator orders, inverses, the coset shift's properties, sizes
// and the size limit.
#include <gtest/gtest.h>

#include <cstdio>

#include "snark/poly/evaluation_domain.hpp"

namespace verdict::poly {
namespace {

TEST(EvaluationDomain, GeneratorHasExactOrder) {
  for (unsigned k = 0; k <= 28; k += (k < 12 ? 1 : 4)) {
    SCOPED_TRACE("k = " + std::to_string(k));
    auto d = EvaluationDomain::create(k);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->log_size(), k);
    EXPECT_EQ(d->size(), std::size_t(1) << k);
    Fr w = d->omega();
    for (unsigned i = 0; i + 1 < k; ++i) w = w.square();  // w^(2^(k-1))
    if (k >= 1) {
      EXPECT_EQ(w, -Fr::one());  // so the order is exactly 2^k
      EXPECT_EQ(w.square(), Fr::one());
    } else {
      EXPECT_EQ(d->omega(), Fr::one());
    }
    EXPECT_EQ(d->omega() * d->omega_inv(), Fr::one());
    EXPECT_EQ(d->size_inv() * Fr::from_u64(d->size()), Fr::one());
    // omega_k^2 = omega_{k-1}: the domains nest.
    if (k >= 1) {
      EXPECT_EQ(d->omega().square(), Fr::root_of_unity(k - 1));
    }
  }
}

TEST(EvaluationDomain, RejectsSizesBeyondTwoAdicity) {
  auto d = EvaluationDomain::create(29);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("2-adicity"), std::string::npos);
  EXPECT_FALSE(EvaluationDomain::create(64).ok());
  EXPECT_FALSE(EvaluationDomain::with_min_size((std::size_t(1) << 28) + 1).ok());
}

TEST(EvaluationDomain, WithMinSize) {
  const std::pair<std::size_t, unsigned> cases[] = {{0, 0}, {1, 0}, {2, 1}, {3, 2}, {5, 3}, {8, 3}, {1000, 10}, {1025, 11}};
  for (auto [n, k] : cases) {
    auto d = EvaluationDomain::with_min_size(n);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->log_size(), k) << "n = " << n;
  }
}

TEST(EvaluationDomain, CosetShiftIsOutsideEveryTwoPowerSubgroup) {
  const Fr g = EvaluationDomain::coset_shift();
  EXPECT_EQ(g, Fr::from_u64(7));
  EXPECT_EQ(g * EvaluationDomain::coset_shift_inv(), Fr::one());
  EXPECT_EQ(g.legendre(), -1);  // a non-residue: its order has the full 2-part 2^28
  Fr x = g;
  for (int i = 0; i < 28; ++i) x = x.square();
  EXPECT_NE(x, Fr::one());  // g^(2^28) != 1
  // Hence g^n is never an element of a 2-power domain: Z_H(g h) != 0.
  for (unsigned k : {0u, 1u, 10u, 28u}) {
    Fr gn = g;
    for (unsigned i = 0; i < k; ++i) gn = gn.square();
    Fr t = gn;
    for (unsigned i = k; i < 28; ++i) t = t.square();
    EXPECT_NE(t, Fr::one()) << "k = " << k;
  }
}

TEST(EvaluationDomain, ElementsAndCopies) {
  auto d = EvaluationDomain::create(5);
  ASSERT_TRUE(d.ok());
  Fr w = Fr::one();
  for (std::size_t i = 0; i < 40; ++i, w *= d->omega()) EXPECT_EQ(d->element(i), w) << i;
  const EvaluationDomain copy = *d;  // shares the tables
  EXPECT_EQ(&copy.plan(), &d->plan());
  EXPECT_EQ(copy.omega(), d->omega());
}

// The tables stay O(sqrt(n) log n): the figures quoted in evaluation_domain.hpp.
TEST(EvaluationDomain, TableMemory) {
  for (unsigned k : {10u, 16u, 20u, 24u, 26u, 28u}) {
    auto d = EvaluationDomain::create(k);
    ASSERT_TRUE(d.ok());
    const double mib = double(d->plan().memory_bytes()) / (1 << 20);
    std::printf("2^%u: NTT tables %.2f MiB\n", k, mib);
    EXPECT_LT(mib, 40.0);
    EXPECT_LT(d->plan().memory_bytes(), d->size() * sizeof(Fr) / 8 + (1u << 20));
  }
}

}  // namespace
}  // namespace verdict::poly
