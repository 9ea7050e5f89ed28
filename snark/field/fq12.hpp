#pragma once
// Fq12 = Fq6[w] / (w^2 - v): elements c0 + c1 w. GT, the pairing target group, is
// the order-r subgroup of Fq12*; after the final exponentiation values lie in the
// cyclotomic subgroup, where inversion is conjugation and squaring has a faster form.

#include "snark/field/fq6.hpp"

namespace verdict::field {

struct Fq12 {
  Fq6 c0, c1;

  static constexpr Fq12 zero() { return {}; }
  static constexpr Fq12 one() { return {Fq6::one(), Fq6::zero()}; }

  constexpr bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  constexpr bool is_one() const { return *this == one(); }
  friend constexpr bool operator==(const Fq12& a, const Fq12& b) = default;

  friend constexpr Fq12 operator+(const Fq12& a, const Fq12& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend constexpr Fq12 operator-(const Fq12& a, const Fq12& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  friend constexpr Fq12 operator*(const Fq12& a, const Fq12& b) {
    Fq6 aa = a.c0 * b.c0, bb = a.c1 * b.c1;
    return {aa + bb.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - aa - bb};
  }
  constexpr Fq12& operator*=(const Fq12& b) { return *this = *this * b; }

  // (a + b w)^2 = (a + b)(a + v b) - ab - v ab + 2ab w.
  constexpr Fq12 square() const {
    Fq6 ab = c0 * c1;
    Fq6 t = (c0 + c1) * (c0 + c1.mul_by_v()) - ab - ab.mul_by_v();
    return {t, ab.dbl()};
  }
  constexpr Fq12 conjugate() const { return {c0, -c1}; }
  // (a - b w) / (a^2 - v b^2).
  constexpr Fq12 inverse() const {
    Fq6 t = (c0.square() - c1.square().mul_by_v()).inverse();
    return {c0 * t, -(c1 * t)};
  }
  // x^(p^k): w^(p^k) = w * xi^((p^k-1)/6).
  constexpr Fq12 frobenius(unsigned k) const {
    k %= 12;
    return {c0.frobenius(k), c1.frobenius(k).mul_by_fq2(detail::kFrobeniusGamma[k])};
  }

  // Multiplication by the sparse element d0 + (d3 + d4 v) w, the shape of a line
  // function of the D-type twist evaluated at a G1 point.
  constexpr Fq12 mul_by_034(const Fq2& d0, const Fq2& d3, const Fq2& d4) const {
    Fq6 a = c0.mul_by_fq2(d0);  // c0 * d0
    Fq6 b = c1.mul_by_01(d3, d4);
    Fq6 e = (c0 + c1).mul_by_01(d0 + d3, d4);
    return {b.mul_by_v() + a, e - a - b};
  }

  // Squaring for elements of the cyclotomic subgroup (Granger-Scott, "Faster squaring
  // in the cyclotomic subgroup of sixth degree extensions"). Requires *this to satisfy
  // x^(p^6+1) = 1, which every final-exponentiation intermediate does.
  constexpr Fq12 cyclotomic_square() const {
    // Viewing Fq12 as Fq4^3 with Fq4 = Fq2[y]/(y^2 - xi):
    //   (z0, z1) = (c0.c0, c1.c1), (z2, z3) = (c1.c0, c0.c2), (z4, z5) = (c0.c1, c1.c2).
    auto fq4_square = [](const Fq2& a, const Fq2& b, Fq2& lo, Fq2& hi) {
      Fq2 t = a * b;
      lo = (a + b) * (b.mul_by_xi() + a) - t - t.mul_by_xi();
      hi = t.dbl();
    };
    Fq2 t0, t1, t2, t3, t4, t5;
    fq4_square(c0.c0, c1.c1, t0, t1);
    fq4_square(c1.c0, c0.c2, t2, t3);
    fq4_square(c0.c1, c1.c2, t4, t5);
    Fq12 r;
    r.c0.c0 = (t0 - c0.c0).dbl() + t0;  // 3 t0 - 2 z0
    r.c1.c1 = (t1 + c1.c1).dbl() + t1;  // 3 t1 + 2 z1
    Fq2 t5xi = t5.mul_by_xi();
    r.c1.c0 = (c1.c0 + t5xi).dbl() + t5xi;  // 3 xi t5 + 2 z2
    r.c0.c2 = (t4 - c0.c2).dbl() + t4;      // 3 t4 - 2 z3
    r.c0.c1 = (t2 - c0.c1).dbl() + t2;      // 3 t2 - 2 z4
    r.c1.c2 = (c1.c2 + t3).dbl() + t3;      // 3 t3 + 2 z5
    return r;
  }

  // this^e for a cyclotomic-subgroup element and a public 64-bit exponent.
  constexpr Fq12 cyclotomic_pow(u64 e) const {
    Fq12 r = one();
    for (int i = 63; i >= 0; --i) {
      r = r.cyclotomic_square();
      if ((e >> i) & 1) r *= *this;
    }
    return r;
  }

  // this^e for any element and a public exponent.
  constexpr Fq12 pow(const Limbs& e) const {
    Fq12 r = one();
    for (int i = int(bigint::bit_length(e)) - 1; i >= 0; --i) {
      r = r.square();
      if (bigint::bit(e, unsigned(i))) r *= *this;
    }
    return r;
  }
};

}  // namespace verdict::field
