// Lagrange bases on a domain (against the product formula, partition of unity,
// points inside the domain) and interpolation on a domain and through points.
#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/poly/lagrange.hpp"
#include "snark/poly/ntt.hpp"
#include "snark/poly/polynomial.hpp"

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

// prod_{j != i} (z - w^j) / (w^i - w^j).
Fr lagrange_direct(const EvaluationDomain& d, std::size_t i, const Fr& z) {
  Fr num = Fr::one(), den = Fr::one();
  for (std::size_t j = 0; j < d.size(); ++j) {
    if (j == i) continue;
    num *= z - d.element(j);
    den *= d.element(i) - d.element(j);
  }
  return num * den.inverse();
}

TEST(Lagrange, BasisMatchesProductFormula) {
  ChaChaRng rng(501);
  for (unsigned k : {0u, 1u, 3u, 5u}) {
    const EvaluationDomain d = domain(k);
    const Fr z = Fr::random(rng);
    const std::vector<Fr> basis = lagrange_basis_at(d, z);
    ASSERT_EQ(basis.size(), d.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      EXPECT_EQ(basis[i], lagrange_direct(d, i, z)) << "k = " << k << " i = " << i;
      EXPECT_EQ(lagrange_at(d, i, z), basis[i]);
    }
    EXPECT_EQ(lagrange_first_at(d, z), basis[0]);
  }
}

TEST(Lagrange, BasisSumsToOne) {
  ChaChaRng rng(502);
  for (unsigned k : {4u, 13u, 16u}) {  // 2^16 spans several parallel chunks
    const EvaluationDomain d = domain(k);
    const Fr z = Fr::random(rng);
    const std::vector<Fr> basis = lagrange_basis_at(d, z);
    Fr sum = Fr::zero(), weighted = Fr::zero();
    for (std::size_t i = 0; i < basis.size(); ++i) {
      sum += basis[i];
      weighted += basis[i] * d.element(i);  // sum L_i(z) w^i = z for n >= 2
    }
    EXPECT_EQ(sum, Fr::one());
    EXPECT_EQ(weighted, z);
    const std::size_t i = basis.size() / 2 + 1;
    EXPECT_EQ(basis[i], lagrange_at(d, i, z));
  }
}

TEST(Lagrange, PointsInsideTheDomain) {
  const EvaluationDomain d = domain(4);
  for (std::size_t j : {0u, 5u, 15u}) {
    const std::vector<Fr> basis = lagrange_basis_at(d, d.element(j));
    for (std::size_t i = 0; i < d.size(); ++i) {
      EXPECT_EQ(basis[i], i == j ? Fr::one() : Fr::zero());
      EXPECT_EQ(lagrange_at(d, i, d.element(j)), basis[i]);
    }
  }
  EXPECT_EQ(lagrange_first_at(d, Fr::one()), Fr::one());
}

TEST(Lagrange, EvaluateFromEvaluationsAndInterpolate) {
  ChaChaRng rng(503);
  for (unsigned k : {0u, 6u, 14u}) {
    const EvaluationDomain d = domain(k);
    const std::vector<Fr> f = random_vector(d.size(), rng);
    std::vector<Fr> evals = f;
    ASSERT_TRUE(ntt(d, evals).ok());
    auto coeffs = interpolate(d, evals);
    ASSERT_TRUE(coeffs.ok());
    EXPECT_EQ(*coeffs, f);
    const Fr z = Fr::random(rng);
    auto v = evaluate_from_evaluations(d, evals, z);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, evaluate(f, z));
  }
  const EvaluationDomain d = domain(3);
  EXPECT_FALSE(interpolate(d, std::vector<Fr>(7)).ok());
  EXPECT_FALSE(evaluate_from_evaluations(d, std::vector<Fr>(9), Fr::one()).ok());
}

TEST(Lagrange, InterpolateThroughPoints) {
  ChaChaRng rng(504);
  for (std::size_t m : {1u, 2u, 5u, 40u}) {
    const std::vector<Fr> xs = random_vector(m, rng), ys = random_vector(m, rng);
    auto f = interpolate_points(xs, ys);
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->size(), m);
    for (std::size_t i = 0; i < m; ++i) EXPECT_EQ(evaluate(*f, xs[i]), ys[i]);
  }
  // A polynomial of degree < m is recovered from m of its points.
  const std::vector<Fr> g = random_vector(6, rng);
  std::vector<Fr> xs = random_vector(6, rng), ys(6);
  for (std::size_t i = 0; i < 6; ++i) ys[i] = evaluate(g, xs[i]);
  auto back = interpolate_points(xs, ys);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, g);
}

TEST(Lagrange, InterpolateThroughPointsErrors) {
  auto empty = interpolate_points({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  const std::vector<Fr> xs = {Fr::from_u64(1), Fr::from_u64(2), Fr::from_u64(1)};
  const std::vector<Fr> ys = {Fr::from_u64(4), Fr::from_u64(5), Fr::from_u64(6)};
  auto dup = interpolate_points(xs, ys);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("repeated"), std::string::npos);
  EXPECT_FALSE(interpolate_points(xs, std::span<const Fr>(ys).first(2)).ok());
}

}  // namespace
}  // namespace verdict::poly
