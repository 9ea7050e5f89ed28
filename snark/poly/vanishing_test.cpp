// Z_H and division by it: coefficient form (exact, with a non-divisible case) and the
// evaluation form on an extended coset, natural and bit-reversed.
#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/poly/ntt.hpp"
#include "snark/poly/polynomial.hpp"
#include "snark/poly/vanishing.hpp"

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

// q (X^n - 1), coefficient by coefficient.
std::vector<Fr> times_vanishing(const std::vector<Fr>& q, std::size_t n) {
  std::vector<Fr> f(q.size() + n, Fr::zero());
  for (std::size_t i = 0; i < q.size(); ++i) {
    f[i + n] += q[i];
    f[i] -= q[i];
  }
  return f;
}

TEST(Vanishing, AtPoints) {
  ChaChaRng rng(401);
  const EvaluationDomain d = domain(4);
  const Fr z = Fr::random(rng);
  Fr prod = Fr::one();
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_TRUE(vanishing_at(d, d.element(i)).is_zero());
    EXPECT_FALSE(vanishing_at(d, EvaluationDomain::coset_shift() * d.element(i)).is_zero());
    prod *= z - d.element(i);
  }
  EXPECT_EQ(vanishing_at(d, z), prod);
  auto inv = vanishing_inverse_at(d, z);
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(*inv * prod, Fr::one());
  auto bad = vanishing_inverse_at(d, d.element(3));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("in the domain"), std::string::npos);
}

TEST(Vanishing, CoefficientDivision) {
  ChaChaRng rng(402);
  for (unsigned k : {0u, 3u, 10u, 15u}) {
    const EvaluationDomain d = domain(k);
    for (std::size_t qlen : {std::size_t(0), std::size_t(1), d.size() - 1 + (k == 0), 3 * d.size() + 5}) {
      const std::vector<Fr> q = random_vector(qlen, rng);
      std::vector<Fr> f = times_vanishing(q, d.size());
      auto got = divide_by_vanishing(f, d);
      ASSERT_TRUE(got.ok()) << got.error().message;
      EXPECT_EQ(*got, q) << "k = " << k << " |q| = " << qlen;
      // Any change below degree n leaves a remainder.
      f[f.size() / 3 % d.size()] += Fr::one();
      auto bad = divide_by_vanishing(f, d);
      ASSERT_FALSE(bad.ok());
      EXPECT_NE(bad.error().message.find("not divisible"), std::string::npos);
    }
  }
  // Shorter than n: only the zero polynomial divides.
  const EvaluationDomain d = domain(3);
  EXPECT_TRUE(divide_by_vanishing(std::vector<Fr>(5, Fr::zero()), d).ok());
  EXPECT_FALSE(divide_by_vanishing(std::vector<Fr>{Fr::one()}, d).ok());
}

TEST(Vanishing, InversesOnCoset) {
  const EvaluationDomain base = domain(5), ext = domain(8);
  auto inv = vanishing_inverses_on_coset(base, ext);
  ASSERT_TRUE(inv.ok());
  ASSERT_EQ(inv->size(), 8u);
  const Fr g = EvaluationDomain::coset_shift();
  for (std::size_t i = 0; i < ext.size(); ++i) {
    EXPECT_EQ((*inv)[i % 8] * vanishing_at(base, g * ext.element(i)), Fr::one()) << i;
  }
  EXPECT_FALSE(vanishing_inverses_on_coset(ext, base).ok());
}

// t = q Z_H with deg q < 3n, evaluated on g H' with |H'| = 4n: dividing pointwise and
// interpolating recovers q.
TEST(Vanishing, QuotientOnExtendedCoset) {
  ChaChaRng rng(403);
  for (auto [kb, e] : {std::pair<unsigned, unsigned>{3, 2}, {10, 2}, {12, 3}, {6, 0}}) {
    SCOPED_TRACE("k = " + std::to_string(kb) + " e = " + std::to_string(e));
    const EvaluationDomain base = domain(kb), ext = domain(kb + e);
    const std::size_t qlen = e ? (std::size_t(1) << e) * base.size() - base.size() : 0;
    const std::vector<Fr> q = random_vector(qlen, rng);
    std::vector<Fr> t = times_vanishing(q, base.size());
    t.resize(ext.size(), Fr::zero());
    for (EvalOrder order : {EvalOrder::kNatural, EvalOrder::kBitReversed}) {
      std::vector<Fr> v = t;
      if (order == EvalOrder::kNatural) {
        ASSERT_TRUE(coset_ntt(ext, v).ok());
      } else {
        ASSERT_TRUE(coset_ntt_to_bitrev(ext, v).ok());
      }
      ASSERT_TRUE(divide_by_vanishing_on_coset(v, base, ext, order).ok());
      if (order == EvalOrder::kNatural) {
        ASSERT_TRUE(coset_intt(ext, v).ok());
      } else {
        ASSERT_TRUE(coset_intt_from_bitrev(ext, v).ok());
      }
      std::vector<Fr> expect = q;
      expect.resize(ext.size(), Fr::zero());
      EXPECT_EQ(v, expect);
    }
  }
}

TEST(Vanishing, CosetDivisionRejectsBadSizes) {
  const EvaluationDomain base = domain(4), ext = domain(6);
  std::vector<Fr> v(ext.size() - 1, Fr::one());
  const std::vector<Fr> before = v;
  EXPECT_FALSE(divide_by_vanishing_on_coset(v, base, ext).ok());
  EXPECT_EQ(v, before);
  std::vector<Fr> w(base.size(), Fr::one());
  EXPECT_FALSE(divide_by_vanishing_on_coset(w, ext, base).ok());
}

}  // namespace
}  // namespace verdict::poly
