// NTT against an O(n^2) DFT, round trips, linearity, the scalar path against the
// IFMA path, the bit-reversal permutation, and size errors.
#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/poly/ntt.hpp"
#include "snark/poly/ntt_kernels.hpp"

namespace verdict::poly {
namespace {

std::vector<Fr> random_vector(std::size_t n, Rng& rng) {
  std::vector<Fr> v(n);
  for (auto& x : v) x = Fr::random(rng);
  return v;
}

EvaluationDomain domain(unsigned k) {
  auto d = EvaluationDomain::create(k);
  EXPECT_TRUE(d.ok());
  return std::move(d).value();
}

// sum_j a_j x^j.
Fr horner(const std::vector<Fr>& a, const Fr& x) {
  Fr acc = Fr::zero();
  for (std::size_t i = a.size(); i-- > 0;) acc = acc * x + a[i];
  return acc;
}

std::size_t reverse_bits(std::size_t x, unsigned k) {
  std::size_t r = 0;
  for (unsigned i = 0; i < k; ++i) r |= ((x >> i) & 1) << (k - 1 - i);
  return r;
}

TEST(Ntt, MatchesDftForEverySizeUpTo1024) {
  ChaChaRng rng(101);
  for (unsigned k = 0; k <= 10; ++k) {
    SCOPED_TRACE("k = " + std::to_string(k));
    const EvaluationDomain d = domain(k);
    const std::size_t n = d.size();
    const std::vector<Fr> a = random_vector(n, rng);
    std::vector<Fr> e(n), c(n);
    Fr x = Fr::one();
    const Fr g = EvaluationDomain::coset_shift();
    for (std::size_t i = 0; i < n; ++i) {
      e[i] = horner(a, x);
      c[i] = horner(a, g * x);
      x *= d.omega();
    }
    std::vector<Fr> v = a;
    ASSERT_TRUE(ntt(d, v).ok());
    EXPECT_EQ(v, e);
    v = a;
    ASSERT_TRUE(coset_ntt(d, v).ok());
    EXPECT_EQ(v, c);
    v = a;
    ASSERT_TRUE(ntt_to_bitrev(d, v).ok());
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(v[reverse_bits(i, k)], e[i]);
    v = a;
    ASSERT_TRUE(coset_ntt_to_bitrev(d, v).ok());
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(v[reverse_bits(i, k)], c[i]);
    // The inverses take the evaluations back to the coefficients.
    v = e;
    ASSERT_TRUE(intt(d, v).ok());
    EXPECT_EQ(v, a);
    v = c;
    ASSERT_TRUE(coset_intt(d, v).ok());
    EXPECT_EQ(v, a);
  }
}

TEST(Ntt, UnscaledKernels) {
  ChaChaRng rng(102);
  for (unsigned k : {0u, 3u, 7u, 10u}) {
    const EvaluationDomain d = domain(k);
    const std::size_t n = d.size();
    const std::vector<Fr> a = random_vector(n, rng);
    for (NttDirection dir : {NttDirection::kForward, NttDirection::kInverse}) {
      const Fr w = dir == NttDirection::kForward ? d.omega() : d.omega_inv();
      std::vector<Fr> expect(n);
      Fr x = Fr::one();
      for (std::size_t i = 0; i < n; ++i, x *= w) expect[i] = horner(a, x);
      std::vector<Fr> v = a;
      ASSERT_TRUE(ntt_dif(d, v, dir).ok());
      for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(v[reverse_bits(i, k)], expect[i]);
      // dit takes its input in bit-reversed order.
      std::vector<Fr> b(n);
      for (std::size_t i = 0; i < n; ++i) b[reverse_bits(i, k)] = a[i];
      ASSERT_TRUE(ntt_dit(d, b, dir).ok());
      EXPECT_EQ(b, expect);
    }
  }
}

TEST(Ntt, RoundTripsUpTo2To18) {
  ChaChaRng rng(103);
  for (unsigned k = 0; k <= 18; ++k) {
    SCOPED_TRACE("k = " + std::to_string(k));
    const EvaluationDomain d = domain(k);
    const std::vector<Fr> a = random_vector(d.size(), rng);
    std::vector<Fr> v = a;
    ASSERT_TRUE(ntt(d, v).ok());
    if (k >= 2) {
      EXPECT_NE(v, a);
    }
    ASSERT_TRUE(intt(d, v).ok());
    EXPECT_EQ(v, a);
    ASSERT_TRUE(coset_ntt(d, v).ok());
    ASSERT_TRUE(coset_intt(d, v).ok());
    EXPECT_EQ(v, a);
    ASSERT_TRUE(coset_ntt_to_bitrev(d, v).ok());
    ASSERT_TRUE(coset_intt_from_bitrev(d, v).ok());
    EXPECT_EQ(v, a);
    ASSERT_TRUE(ntt_to_bitrev(d, v).ok());
    ASSERT_TRUE(intt_from_bitrev(d, v).ok());
    EXPECT_EQ(v, a);
  }
}

TEST(Ntt, LargeRoundTrips) {
  ChaChaRng rng(104);
  for (unsigned k : {20u, 22u}) {
    const EvaluationDomain d = domain(k);
    const std::vector<Fr> a = random_vector(d.size(), rng);
    std::vector<Fr> v = a;
    ASSERT_TRUE(ntt(d, v).ok());
    // Spot-check a few evaluations against Horner.
    for (std::size_t i : {std::size_t(0), std::size_t(1), std::size_t(12345), d.size() - 1}) {
      EXPECT_EQ(v[i], horner(a, d.element(i))) << "i = " << i;
    }
    ASSERT_TRUE(intt(d, v).ok());
    EXPECT_EQ(v, a);
    ASSERT_TRUE(coset_ntt(d, v).ok());
    EXPECT_EQ(v[7], horner(a, EvaluationDomain::coset_shift() * d.element(7)));
    ASSERT_TRUE(coset_intt(d, v).ok());
    EXPECT_EQ(v, a);
  }
}

TEST(Ntt, Linearity) {
  ChaChaRng rng(105);
  for (unsigned k : {5u, 12u, 14u}) {
    const EvaluationDomain d = domain(k);
    const std::vector<Fr> a = random_vector(d.size(), rng), b = random_vector(d.size(), rng);
    const Fr s = Fr::random(rng);
    std::vector<Fr> lhs(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) lhs[i] = a[i] * s + b[i];
    std::vector<Fr> fa = a, fb = b;
    ASSERT_TRUE(coset_ntt(d, lhs).ok());
    ASSERT_TRUE(coset_ntt(d, fa).ok());
    ASSERT_TRUE(coset_ntt(d, fb).ok());
    for (std::size_t i = 0; i < d.size(); ++i) EXPECT_EQ(lhs[i], fa[i] * s + fb[i]);
  }
}

// The IFMA kernels (where compiled in) against the scalar kernels, with and without
// each scale set, including the extreme inputs 0 and p - 1.
TEST(Ntt, IfmaMatchesScalar) {
  if (!detail::ifma_available()) GTEST_SKIP() << "AVX-512 IFMA not compiled in";
  ChaChaRng rng(106);
  for (unsigned k = 6; k <= 16; ++k) {
    SCOPED_TRACE("k = " + std::to_string(k));
    const EvaluationDomain d = domain(k);
    const auto& p = d.plan();
    std::vector<Fr> a = random_vector(d.size(), rng);
    a[0] = Fr::zero() - Fr::one();
    a[1] = Fr::zero();
    a[d.size() - 1] = Fr::zero() - Fr::one();
    for (const detail::ScaleSet* scale : {static_cast<const detail::ScaleSet*>(nullptr), &p.coset_forward,
                                          &p.coset_inverse, &p.inverse_scale}) {
      for (const detail::TwiddleSet* tw : {&p.forward, &p.inverse}) {
        std::vector<Fr> x = a, y = a;
        detail::dif(p, *tw, scale, x, detail::Backend::kAuto);
        detail::dif(p, *tw, scale, y, detail::Backend::kScalar);
        ASSERT_EQ(x, y);
        x = a, y = a;
        detail::dit(p, *tw, scale, x, detail::Backend::kAuto);
        detail::dit(p, *tw, scale, y, detail::Backend::kScalar);
        ASSERT_EQ(x, y);
      }
    }
  }
}

// All-(p-1) input drives the lazy reductions towards their largest values.
TEST(Ntt, ExtremeInputsRoundTrip) {
  for (unsigned k : {6u, 11u, 16u, 20u}) {
    const EvaluationDomain d = domain(k);
    const std::vector<Fr> a(d.size(), Fr::zero() - Fr::one());
    std::vector<Fr> v = a;
    ASSERT_TRUE(ntt(d, v).ok());
    EXPECT_EQ(v[0], Fr::from_u64(d.size()) * a[0]);
    for (std::size_t i = 1; i < d.size(); ++i) ASSERT_TRUE(v[i].is_zero()) << i;
    ASSERT_TRUE(intt(d, v).ok());
    EXPECT_EQ(v, a);
  }
}

TEST(BitReverse, MatchesNaivePermutation) {
  ChaChaRng rng(107);
  for (unsigned k = 0; k <= 16; ++k) {
    const std::size_t n = std::size_t(1) << k;
    const std::vector<Fr> a = random_vector(n, rng);
    std::vector<Fr> v = a;
    ASSERT_TRUE(bit_reverse_permute(v).ok());
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(v[i], a[reverse_bits(i, k)]) << "k = " << k << " i = " << i;
  }
}

TEST(Ntt, RejectsWrongSizes) {
  const EvaluationDomain d = domain(4);
  std::vector<Fr> v(15, Fr::one());
  const std::vector<Fr> before = v;
  EXPECT_FALSE(ntt(d, v).ok());
  EXPECT_FALSE(intt(d, v).ok());
  EXPECT_FALSE(coset_ntt(d, v).ok());
  EXPECT_FALSE(coset_intt(d, v).ok());
  EXPECT_FALSE(ntt_to_bitrev(d, v).ok());
  EXPECT_FALSE(coset_ntt_to_bitrev(d, v).ok());
  EXPECT_FALSE(intt_from_bitrev(d, v).ok());
  EXPECT_FALSE(coset_intt_from_bitrev(d, v).ok());
  EXPECT_FALSE(ntt_dif(d, v, NttDirection::kForward).ok());
  EXPECT_FALSE(ntt_dit(d, v, NttDirection::kInverse).ok());
  EXPECT_EQ(v, before);
  Status s = bit_reverse_permute(v);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("power of two"), std::string::npos);
  std::vector<Fr> empty;
  EXPECT_FALSE(bit_reverse_permute(empty).ok());
}

}  // namespace
}  // namespace verdict::poly
