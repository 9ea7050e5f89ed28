// Dense polynomial arithmetic against direct formulas: evaluation, add/sub/scale,
// products (NTT path against schoolbook: the convolution theorem), division by X - z,
// linear combinations.
#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/poly/polynomial.hpp"

namespace verdict::poly {
namespace {

std::vector<Fr> random_vector(std::size_t n, Rng& rng) {
  std::vector<Fr> v(n);
  for (auto& x : v) x = Fr::random(rng);
  return v;
}

// sum_i f[i] x^i with explicit powers (not Horner).
Fr power_sum(const std::vector<Fr>& f, const Fr& x) {
  Fr acc = Fr::zero(), pw = Fr::one();
  for (const Fr& c : f) {
    acc += c * pw;
    pw *= x;
  }
  return acc;
}

std::vector<Fr> schoolbook(const std::vector<Fr>& a, const std::vector<Fr>& b) {
  if (a.empty() || b.empty()) return {};
  std::vector<Fr> out(a.size() + b.size() - 1, Fr::zero());
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  }
  return out;
}

TEST(Polynomial, EvaluateMatchesPowerSum) {
  ChaChaRng rng(301);
  for (std::size_t n : {0u, 1u, 2u, 17u, 63u, 64u, 65u, 95u, 96u, 127u, 1000u, (1u << 15) + 3u, 1u << 17}) {
    const std::vector<Fr> f = random_vector(n, rng);
    const Fr x = Fr::random(rng);
    EXPECT_EQ(evaluate(f, x), power_sum(f, x)) << "n = " << n;
    EXPECT_EQ(evaluate(f, Fr::zero()), n ? f[0] : Fr::zero());
  }
}

TEST(Polynomial, DegreeAndTrim) {
  std::vector<Fr> f = {Fr::one(), Fr::zero(), Fr::from_u64(3), Fr::zero(), Fr::zero()};
  EXPECT_EQ(degree_vartime(f), std::optional<std::size_t>(2));
  trim_vartime(f);
  EXPECT_EQ(f.size(), 3u);
  std::vector<Fr> z(4, Fr::zero());
  EXPECT_EQ(degree_vartime(z), std::nullopt);
  trim_vartime(z);
  EXPECT_TRUE(z.empty());
}

TEST(Polynomial, AddSubScale) {
  ChaChaRng rng(302);
  for (auto [na, nb] : {std::pair<std::size_t, std::size_t>{0, 5}, {7, 3}, {3, 7}, {40000, 50000}}) {
    const std::vector<Fr> a = random_vector(na, rng), b = random_vector(nb, rng);
    const Fr x = Fr::random(rng), s = Fr::random(rng);
    const Fr fa = power_sum(a, x), fb = power_sum(b, x);
    const std::vector<Fr> sum = add(a, b), diff = sub(a, b);
    EXPECT_EQ(sum.size(), std::max(na, nb));
    EXPECT_EQ(power_sum(sum, x), fa + fb);
    EXPECT_EQ(power_sum(diff, x), fa - fb);
    EXPECT_EQ(power_sum(scale(a, s), x), fa * s);
    std::vector<Fr> c = a;
    add_assign(c, b);
    EXPECT_EQ(c, sum);
    c = a;
    sub_assign(c, b);
    EXPECT_EQ(c, diff);
    c = a;
    add_scaled_assign(c, s, b);
    EXPECT_EQ(power_sum(c, x), fa + s * fb);
    c = a;
    scale_assign(c, s);
    EXPECT_EQ(c, scale(a, s));
  }
}

// The convolution theorem: the NTT product equals the schoolbook product.
TEST(Polynomial, MulMatchesSchoolbook) {
  ChaChaRng rng(303);
  const std::pair<std::size_t, std::size_t> sizes[] = {{0, 4},   {1, 1},    {5, 9},     {63, 200}, {64, 64},
                                                       {65, 64}, {100, 300}, {513, 1024}, {1024, 1025}};
  for (auto [na, nb] : sizes) {
    const std::vector<Fr> a = random_vector(na, rng), b = random_vector(nb, rng);
    auto p = mul(a, b);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, schoolbook(a, b)) << na << " x " << nb;
  }
}

TEST(Polynomial, LargeMulAtAPoint) {
  ChaChaRng rng(304);
  const std::vector<Fr> a = random_vector(100000, rng), b = random_vector(70000, rng);
  auto p = mul(a, b);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), a.size() + b.size() - 1);
  const Fr x = Fr::random(rng);
  EXPECT_EQ(evaluate(*p, x), evaluate(a, x) * evaluate(b, x));
}

TEST(Polynomial, DivideByLinear) {
  ChaChaRng rng(305);
  for (std::size_t n : {0u, 1u, 2u, 3u, 100u, 4096u, 4097u, 4098u, 5000u, 70001u, 1u << 17}) {
    const std::vector<Fr> f = random_vector(n, rng);
    for (const Fr& z : {Fr::random(rng), Fr::zero(), Fr::one()}) {
      Fr r;
      const std::vector<Fr> q = divide_by_linear(f, z, &r);
      EXPECT_EQ(q.size(), n ? n - 1 : 0);
      EXPECT_EQ(r, power_sum(f, z));
      // q (X - z) + f(z) == f, coefficient by coefficient.
      std::vector<Fr> back(n, Fr::zero());
      for (std::size_t i = 0; i < q.size(); ++i) {
        back[i + 1] += q[i];
        back[i] -= z * q[i];
      }
      if (n) back[0] += r;
      EXPECT_EQ(back, f) << "n = " << n;
    }
  }
  // A root divides exactly.
  const Fr z = Fr::from_u64(42);
  const std::vector<Fr> g = {-z, Fr::one()};  // X - 42
  Fr r;
  const std::vector<Fr> q = divide_by_linear(*mul(g, std::vector<Fr>{Fr::from_u64(3), Fr::from_u64(5)}), z, &r);
  EXPECT_TRUE(r.is_zero());
  EXPECT_EQ(q, (std::vector<Fr>{Fr::from_u64(3), Fr::from_u64(5)}));
}

TEST(Polynomial, LinearCombination) {
  ChaChaRng rng(306);
  const std::vector<Fr> p0 = random_vector(10, rng), p1 = random_vector(40000, rng), p2 = random_vector(3, rng);
  const Fr c = Fr::random(rng), x = Fr::random(rng);
  const std::vector<std::span<const Fr>> polys = {p0, p1, p2};
  const std::vector<Fr> comb = linear_combination(polys, c);
  EXPECT_EQ(comb.size(), 40000u);
  EXPECT_EQ(power_sum(comb, x), power_sum(p0, x) + c * power_sum(p1, x) + c * c * power_sum(p2, x));
  const std::vector<Fr> vals = {Fr::from_u64(2), Fr::from_u64(3), Fr::from_u64(5)};
  EXPECT_EQ(linear_combination(vals, c), vals[0] + c * vals[1] + c * c * vals[2]);
  EXPECT_TRUE(linear_combination(std::span<const Fr>{}, c).is_zero());
  EXPECT_TRUE(linear_combination(std::span<const std::span<const Fr>>{}, c).empty());
}

}  // namespace
}  // namespace verdict::poly
