// The eight-lane IFMA arithmetic against the scalar field, on random values and the
// edges 0, 1, p-1, p-2: load/store round trip, mul = a b / 16 (2^260 = 16 R), add, sub,
// reduce_2p. Skipped (with a message) on CPUs without AVX-512 IFMA.
#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/field/fq.hpp"
#include "snark/field/fr.hpp"
#include "snark/field/ifma8.hpp"
#include "snark/field/mul_batch.hpp"

namespace verdict::field {
namespace {

template <class F>
class Ifma8Test : public ::testing::Test {};
using Fields = ::testing::Types<Fq, Fr>;
TYPED_TEST_SUITE(Ifma8Test, Fields);

template <class F>
std::vector<F> samples(Rng& rng, std::size_t n) {
  std::vector<F> v(n);
  const F edges[] = {F::zero(), F::one(), -F::one(), -F::from_u64(2), F::from_u64(16).inverse()};
  for (std::size_t i = 0; i < n; ++i) v[i] = i < 5 ? edges[i] : F::random(rng);
  return v;
}

TYPED_TEST(Ifma8Test, MatchesScalarArithmetic) {
#ifndef VERDICT_HAVE_IFMA8
  GTEST_SKIP() << "this build has no AVX-512 IFMA path";
#else
  using F = TypeParam;
  ChaChaRng rng(8);
  const std::size_t n = 8 * 64;
  auto a = samples<F>(rng, n), b = samples<F>(rng, n);
  std::reverse(b.begin(), b.end());
  const F inv16 = F::from_u64(16).inverse();
  std::vector<F> out(n), sum(n), diff(n), prod(n);
  for (std::size_t i = 0; i < n; i += 8) {
    ifma8::Vec8 va = ifma8::load(&a[i]), vb = ifma8::load(&b[i]);
    ifma8::store(&out[i], va);
    ifma8::store(&sum[i], ifma8::add<F>(va, vb));
    ifma8::store(&diff[i], ifma8::sub<F>(va, vb));
    ifma8::store(&prod[i], ifma8::reduce_2p<F>(ifma8::mul<F>(va, vb)));
  }
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(out[i], a[i]) << i;
    EXPECT_EQ(sum[i], a[i] + b[i]) << i;
    EXPECT_EQ(diff[i], a[i] - b[i]) << i;
    EXPECT_EQ(prod[i], a[i] * b[i] * inv16) << i;
  }
  // Products of values in [0, 2p) (unreduced mul outputs) stay correct.
  for (std::size_t i = 0; i < n; i += 8) {
    ifma8::Vec8 va = ifma8::load(&a[i]), vb = ifma8::load(&b[i]);
    ifma8::Vec8 u = ifma8::mul<F>(va, vb);  // in [0, 2p)
    ifma8::Vec8 w = ifma8::reduce_2p<F>(ifma8::mul<F>(u, u));
    std::vector<F> got(8);
    ifma8::store(got.data(), w);
    for (std::size_t j = 0; j < 8; ++j) {
      F ab = a[i + j] * b[i + j] * inv16;
      EXPECT_EQ(got[j], ab * ab * inv16);
    }
  }
#endif
}

TYPED_TEST(Ifma8Test, MulBatchEqualsScalarProducts) {
  using F = TypeParam;
  ChaChaRng rng(9);
  for (std::size_t n : {0u, 1u, 7u, 8u, 15u, 16u, 17u, 100u, 1000u}) {
    auto a = samples<F>(rng, n), b = samples<F>(rng, n);
    std::reverse(b.begin(), b.end());
    std::vector<F> out(n);
    mul_batch<F>(out, a, b);
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(out[i], a[i] * b[i]) << "n=" << n << " i=" << i;
    mul_batch<F>(a, a, b);  // in place
    EXPECT_EQ(a, out);
  }
}

}  // namespace
}  // namespace verdict::field
