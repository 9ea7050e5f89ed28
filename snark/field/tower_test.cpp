// The Fq2 / Fq6 / Fq12 tower: ring axioms, inverses, square roots, and the Frobenius
// maps checked against exponentiation by p (which also checks the constexpr-derived
// twist factors gamma[k]).
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/field/fq12.hpp"

namespace verdict::field {
namespace {

Fq2 rand2(Rng& r) { return {Fq::random(r), Fq::random(r)}; }
Fq6 rand6(Rng& r) { return {rand2(r), rand2(r), rand2(r)}; }
Fq12 rand12(Rng& r) { return {rand6(r), rand6(r)}; }

template <class T>
T pow_generic(const T& x, const Limbs& e) {
  T r = T::one();
  for (int i = int(bigint::bit_length(e)) - 1; i >= 0; --i) {
    r = r * r;
    if (bigint::bit(e, unsigned(i))) r = r * x;
  }
  return r;
}

TEST(Fq2, ArithmeticAndSqrt) {
  ChaChaRng rng(2);
  Fq2 u{Fq::zero(), Fq::one()};
  EXPECT_EQ(u * u, -Fq2::one());
  for (int i = 0; i < 50; ++i) {
    Fq2 a = rand2(rng), b = rand2(rng), c = rand2(rng);
    // schoolbook product
    Fq2 prod{a.c0 * b.c0 - a.c1 * b.c1, a.c0 * b.c1 + a.c1 * b.c0};
    EXPECT_EQ(a * b, prod);
    EXPECT_EQ(a.square(), a * a);
    EXPECT_EQ(a * (b + c), a * b + a * c);
    EXPECT_EQ(a.mul_by_xi(), a * Fq2::xi());
    EXPECT_TRUE((a * a.inverse()).is_one());
    EXPECT_EQ(a.inverse_vartime(), a.inverse());
    EXPECT_EQ(a.frobenius(1), pow_generic(a, Fq::kModulus));
    auto s = a.square().sqrt_vartime();
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(*s == a || *s == -a);
    auto t = a.sqrt_vartime();
    if (t) {
      EXPECT_EQ(t->square(), a);
    }
  }
  EXPECT_TRUE(Fq2::zero().inverse().is_zero());
}

TEST(Fq6, ArithmeticAndFrobenius) {
  ChaChaRng rng(6);
  Fq6 v{Fq2::zero(), Fq2::one(), Fq2::zero()};
  EXPECT_EQ(v * v * v, (Fq6{Fq2::xi(), Fq2::zero(), Fq2::zero()}));
  for (int i = 0; i < 20; ++i) {
    Fq6 a = rand6(rng), b = rand6(rng), c = rand6(rng);
    EXPECT_EQ(a.square(), a * a);
    EXPECT_EQ(a * (b + c), a * b + a * c);
    EXPECT_EQ((a * b) * c, a * (b * c));
    EXPECT_EQ(a.mul_by_v(), a * v);
    Fq2 b0 = rand2(rng), b1 = rand2(rng);
    Fq6 s01{b0, b1, Fq2::zero()}, s1{Fq2::zero(), b1, Fq2::zero()};
    EXPECT_EQ(a.mul_by_01(b0, b1), a * s01);
    EXPECT_EQ(a.mul_by_1(b1), a * s1);
    EXPECT_TRUE((a * a.inverse() - Fq6::one()).is_zero());
    EXPECT_EQ(a.frobenius(1), pow_generic(a, Fq::kModulus));
    EXPECT_EQ(a.frobenius(2), a.frobenius(1).frobenius(1));
    EXPECT_EQ(a.frobenius(6), a);
  }
}

TEST(Fq12, ArithmeticFrobeniusAndCyclotomicSquare) {
  ChaChaRng rng(12);
  for (int i = 0; i < 10; ++i) {
    Fq12 a = rand12(rng), b = rand12(rng), c = rand12(rng);
    EXPECT_EQ(a.square(), a * a);
    EXPECT_EQ(a * (b + c), a * b + a * c);
    EXPECT_EQ((a * b) * c, a * (b * c));
    EXPECT_TRUE((a * a.inverse()).is_one());
    EXPECT_EQ(a.frobenius(1), pow_generic(a, Fq::kModulus));
    for (unsigned k = 2; k < 12; ++k) EXPECT_EQ(a.frobenius(k), a.frobenius(k - 1).frobenius(1)) << k;
    EXPECT_EQ(a.frobenius(12), a);
    EXPECT_EQ(a.conjugate(), a.frobenius(6));
    Fq2 d0 = rand2(rng), d3 = rand2(rng), d4 = rand2(rng);
    Fq12 sparse{Fq6{d0, Fq2::zero(), Fq2::zero()}, Fq6{d3, d4, Fq2::zero()}};
    EXPECT_EQ(a.mul_by_034(d0, d3, d4), a * sparse);
    // An element of the cyclotomic subgroup: a^((p^6 - 1)(p^2 + 1)).
    Fq12 f = a.conjugate() * a.inverse();
    f = f.frobenius(2) * f;
    EXPECT_TRUE((f * f.frobenius(6)).is_one());  // f^(p^6 + 1) = 1
    EXPECT_EQ(f.cyclotomic_square(), f.square());
    EXPECT_EQ(f.cyclotomic_pow(0x44e992b44a6909f1ull), f.pow(Limbs{0x44e992b44a6909f1ull, 0, 0, 0}));
  }
}

}  // namespace
}  // namespace verdict::field
