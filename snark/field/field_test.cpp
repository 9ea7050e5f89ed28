// Fr and Fq against GMP: constants, every operation on random and edge values, and
// the canonical encodings' rejection of non-canonical input.
#include <gmpxx.h>
#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "snark/field/batch_inverse.hpp"
#include "snark/field/fq.hpp"
#include "snark/field/fr.hpp"

namespace verdict::field {
namespace {

mpz_class to_mpz(const Limbs& a) {
  mpz_class r = 0;
  for (int i = 3; i >= 0; --i) {
    r <<= 64;
    r += mpz_class(std::to_string(a[i]));
  }
  return r;
}
Limbs from_mpz(const mpz_class& v) {
  Limbs a{};
  mpz_class t = v;
  mpz_class mask = (mpz_class(1) << 64) - 1;
  for (int i = 0; i < 4; ++i) {
    mpz_class limb = t & mask;
    a[i] = std::stoull(limb.get_str());
    t >>= 64;
  }
  return a;
}
template <class F>
mpz_class value(const F& f) {
  return to_mpz(f.to_canonical());
}

std::string bad_decimal(const mpz_class& p) { return mpz_class(p + 5).get_str(); }

template <class F>
class FieldTest : public ::testing::Test {
 protected:
  mpz_class p = to_mpz(F::kModulus);
  ChaChaRng rng{0x5eed};  // deterministic; the seed is in the source
  F random() { return F::random(rng); }
};
using Fields = ::testing::Types<Fr, Fq>;
TYPED_TEST_SUITE(FieldTest, Fields);

TEST(FieldConstants, ModuliAreTheBn254Primes) {
  EXPECT_EQ(to_mpz(Fr::kModulus).get_str(),
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
  EXPECT_EQ(to_mpz(Fq::kModulus).get_str(),
            "21888242871839275222246405745257275088696311157297823662689037894645226208583");
  EXPECT_NE(mpz_probab_prime_p(to_mpz(Fr::kModulus).get_mpz_t(), 30), 0);
  EXPECT_NE(mpz_probab_prime_p(to_mpz(Fq::kModulus).get_mpz_t(), 30), 0);
}

TYPED_TEST(FieldTest, MontgomeryConstantsMatchGmp) {
  using F = TypeParam;
  mpz_class R = mpz_class(1) << 256;
  EXPECT_EQ(to_mpz(F::kR), R % this->p);
  EXPECT_EQ(to_mpz(F::kR2), (R * R) % this->p);
  EXPECT_EQ(to_mpz(F::kR3), (R * R * R) % this->p);
  mpz_class inv;
  mpz_class w = mpz_class(1) << 64;
  mpz_class p0 = this->p % w;
  mpz_invert(inv.get_mpz_t(), p0.get_mpz_t(), w.get_mpz_t());
  EXPECT_EQ(mpz_class(std::to_string(F::kInv)), (w - inv) % w);
  EXPECT_EQ(F::kBits, 254u);
  // p - 1 = 2^s * t, t odd
  mpz_class t = to_mpz(F::kOddPart);
  EXPECT_TRUE(mpz_odd_p(t.get_mpz_t()));
  EXPECT_EQ(t << F::kTwoAdicity, this->p - 1);
}

TYPED_TEST(FieldTest, ArithmeticMatchesGmp) {
  using F = TypeParam;
  const mpz_class& p = this->p;
  std::vector<F> samples = {F::zero(), F::one(), -F::one(), F::from_u64(2), -F::from_u64(2)};
  for (int i = 0; i < 200; ++i) samples.push_back(this->random());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const F& a = samples[i];
    const F& b = samples[(i * 7 + 3) % samples.size()];
    mpz_class A = value(a), B = value(b);
    ASSERT_LT(A, p);
    EXPECT_EQ(value(a + b), (A + B) % p);
    EXPECT_EQ(value(a - b), ((A - B) % p + p) % p);
    EXPECT_EQ(value(a * b), (A * B) % p);
    EXPECT_EQ(value(a.square()), (A * A) % p);
    EXPECT_EQ(value(a.dbl()), (2 * A) % p);
    EXPECT_EQ(value(-a), (p - A) % p);
    mpz_class expected_inv = 0;
    if (A != 0) mpz_invert(expected_inv.get_mpz_t(), A.get_mpz_t(), p.get_mpz_t());
    EXPECT_EQ(value(a.inverse()), expected_inv);
    EXPECT_EQ(value(a.inverse_vartime()), expected_inv);
    Limbs e = b.to_canonical();
    mpz_class expected_pow;
    mpz_powm(expected_pow.get_mpz_t(), A.get_mpz_t(), B.get_mpz_t(), p.get_mpz_t());
    EXPECT_EQ(value(a.pow(e)), expected_pow);
    EXPECT_EQ(a.legendre(), mpz_legendre(A.get_mpz_t(), p.get_mpz_t()));
  }
}

TYPED_TEST(FieldTest, Axioms) {
  using F = TypeParam;
  for (int i = 0; i < 100; ++i) {
    F a = this->random(), b = this->random(), c = this->random();
    EXPECT_EQ((a + b) + c, a + (b + c));
    EXPECT_EQ((a * b) * c, a * (b * c));
    EXPECT_EQ(a * (b + c), a * b + a * c);
    EXPECT_EQ(a + b, b + a);
    EXPECT_EQ(a * b, b * a);
    EXPECT_EQ(a + F::zero(), a);
    EXPECT_EQ(a * F::one(), a);
    EXPECT_TRUE((a - a).is_zero());
    if (!a.is_zero()) {
      EXPECT_TRUE((a * a.inverse()).is_one());
    }
  }
}

TYPED_TEST(FieldTest, SquareRoots) {
  using F = TypeParam;
  int squares = 0;
  for (int i = 0; i < 100; ++i) {
    F a = this->random();
    auto r = a.sqrt_vartime();
    if (a.legendre() == 1) {
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->square(), a);
      ++squares;
    } else {
      EXPECT_FALSE(r.has_value());
    }
    auto s = a.square().sqrt_vartime();
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(*s == a || *s == -a);
  }
  EXPECT_GT(squares, 20);
  EXPECT_EQ(F::from_u64(TypeParam::kModulus[0] == Fr::kModulus[0] ? 5 : 3).legendre(), -1);
}

TYPED_TEST(FieldTest, CanonicalEncodingRoundTripsAndRejectsNonCanonical) {
  using F = TypeParam;
  for (int i = 0; i < 50; ++i) {
    F a = this->random();
    auto be = a.to_bytes_be();
    auto le = a.to_bytes_le();
    EXPECT_EQ(*F::from_bytes_be(be), a);
    EXPECT_EQ(*F::from_bytes_le(le), a);
    EXPECT_EQ(*F::from_decimal(a.to_decimal()), a);
    EXPECT_EQ(mpz_class(a.to_decimal()), value(a));
  }
  // p, p + 1 and 2^256 - 1 are not canonical.
  const std::vector<mpz_class> non_canonical = {this->p, this->p + 1, (mpz_class(1) << 256) - 1};
  for (const mpz_class& bad : non_canonical) {
    Limbs l = from_mpz(bad);
    std::array<std::uint8_t, 32> be{};
    for (int i = 0; i < 32; ++i) be[i] = std::uint8_t(l[3 - i / 8] >> (56 - 8 * (i % 8)));
    auto r = F::from_bytes_be(be);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("not canonical"), std::string::npos);
    EXPECT_FALSE(F::from_canonical(l).has_value());
    EXPECT_FALSE(F::from_montgomery(l).has_value());
  }
  EXPECT_FALSE(F::from_decimal(bad_decimal(this->p)).ok());
  EXPECT_FALSE(F::from_decimal("12a").ok());
  EXPECT_FALSE(F::from_decimal("").ok());
  std::array<std::uint8_t, 31> short_bytes{};
  EXPECT_FALSE(F::from_bytes_be(short_bytes).ok());
  // p - 1 is canonical.
  EXPECT_EQ(value(*F::from_decimal(mpz_class(this->p - 1).get_str())), this->p - 1);
}

TYPED_TEST(FieldTest, ReductionOfWideIntegers) {
  using F = TypeParam;
  for (int i = 0; i < 100; ++i) {
    Limbs lo{this->rng.next_u64(), this->rng.next_u64(), this->rng.next_u64(), this->rng.next_u64()};
    Limbs hi{this->rng.next_u64(), this->rng.next_u64(), this->rng.next_u64(), this->rng.next_u64()};
    if (i == 0) lo = hi = Limbs{~0ull, ~0ull, ~0ull, ~0ull};
    EXPECT_EQ(value(F::reduce(lo)), to_mpz(lo) % this->p);
    EXPECT_EQ(value(F::reduce_wide(lo, hi)), (to_mpz(lo) + (to_mpz(hi) << 256)) % this->p);
  }
}

TYPED_TEST(FieldTest, BatchInverseSkipsZeros) {
  using F = TypeParam;
  std::vector<F> v;
  for (int i = 0; i < 33; ++i) v.push_back(i % 5 == 0 ? F::zero() : this->random());
  std::vector<F> orig = v;
  batch_inverse<F>(v);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (orig[i].is_zero()) {  // zeros are skipped
      EXPECT_TRUE(v[i].is_zero());
    } else {
      EXPECT_TRUE((v[i] * orig[i]).is_one());
    }
  }
  std::vector<F> empty;
  batch_inverse<F>(empty);
}

TEST(FrRootsOfUnity, MatchTheSnarkjsConvention) {
  mpz_class r = to_mpz(Fr::kModulus);
  for (unsigned k : {0u, 1u, 2u, 10u, 20u, 27u, 28u}) {
    Fr w = Fr::root_of_unity(k);
    mpz_class expected;
    mpz_class e = (r - 1) >> k;
    mpz_class five = 5;
    mpz_powm(expected.get_mpz_t(), five.get_mpz_t(), e.get_mpz_t(), r.get_mpz_t());
    EXPECT_EQ(value(w), expected) << "k=" << k;
    // primitive: w^(2^k) = 1 and w^(2^(k-1)) = -1
    Fr t = w;
    for (unsigned i = 0; i + 1 < k; ++i) t = t.square();
    if (k > 0) {
      EXPECT_EQ(t, -Fr::one());
      EXPECT_TRUE(t.square().is_one());
    } else {
      EXPECT_TRUE(w.is_one());
    }
  }
}

}  // namespace
}  // namespace verdict::field
