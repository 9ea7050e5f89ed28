#pragma once
// Fq6 = Fq2[v] / (v^3 - xi), xi = 9 + u: elements c0 + c1 v + c2 v^2.

#include <array>

#include "snark/field/fq2.hpp"

namespace verdict::field {

namespace detail {
// gamma[k] = xi^((p^k - 1) / 6) for k = 0..11, the Frobenius twist factors of the
// tower. gamma[1] is one exponentiation; since (p^k - 1)/6 = p (p^(k-1) - 1)/6 +
// (p - 1)/6, gamma[k] = gamma[k-1]^p * gamma[1], and x^p is conjugation on Fq2.
constexpr std::array<Fq2, 12> compute_frobenius_gamma() {
  constexpr Limbs p = Fq::kModulus;
  constexpr Limbs e = bigint::div_small(Limbs{p[0] - 1, p[1], p[2], p[3]}, 6);
  std::array<Fq2, 12> g{};
  g[0] = Fq2::one();
  g[1] = Fq2::xi().pow(e);
  for (int k = 2; k < 12; ++k) g[k] = g[k - 1].conjugate() * g[1];
  return g;
}
inline constexpr std::array<Fq2, 12> kFrobeniusGamma = compute_frobenius_gamma();
}  // namespace detail

struct Fq6 {
  Fq2 c0, c1, c2;

  static constexpr Fq6 zero() { return {}; }
  static constexpr Fq6 one() { return {Fq2::one(), Fq2::zero(), Fq2::zero()}; }

  constexpr bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
  friend constexpr bool operator==(const Fq6& a, const Fq6& b) = default;

  friend constexpr Fq6 operator+(const Fq6& a, const Fq6& b) { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
  friend constexpr Fq6 operator-(const Fq6& a, const Fq6& b) { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
  constexpr Fq6 operator-() const { return {-c0, -c1, -c2}; }
  constexpr Fq6 dbl() const { return {c0.dbl(), c1.dbl(), c2.dbl()}; }

  // Karatsuba-style: six Fq2 multiplications.
  friend constexpr Fq6 operator*(const Fq6& a, const Fq6& b) {
    Fq2 aa = a.c0 * b.c0, bb = a.c1 * b.c1, cc = a.c2 * b.c2;
    Fq2 t1 = ((a.c1 + a.c2) * (b.c1 + b.c2) - bb - cc).mul_by_xi() + aa;
    Fq2 t2 = (a.c0 + a.c1) * (b.c0 + b.c1) - aa - bb + cc.mul_by_xi();
    Fq2 t3 = (a.c0 + a.c2) * (b.c0 + b.c2) - aa + bb - cc;
    return {t1, t2, t3};
  }
  constexpr Fq6& operator+=(const Fq6& b) { return *this = *this + b; }
  constexpr Fq6& operator-=(const Fq6& b) { return *this = *this - b; }
  constexpr Fq6& operator*=(const Fq6& b) { return *this = *this * b; }

  // Chung-Hasan SQR2.
  constexpr Fq6 square() const {
    Fq2 s0 = c0.square();
    Fq2 s1 = (c0 * c1).dbl();
    Fq2 s2 = (c0 - c1 + c2).square();
    Fq2 s3 = (c1 * c2).dbl();
    Fq2 s4 = c2.square();
    return {s0 + s3.mul_by_xi(), s1 + s4.mul_by_xi(), s1 + s2 + s3 - s0 - s4};
  }

  // Multiplication by v: (c0 + c1 v + c2 v^2) v = xi c2 + c0 v + c1 v^2.
  constexpr Fq6 mul_by_v() const { return {c2.mul_by_xi(), c0, c1}; }
  constexpr Fq6 mul_by_fq2(const Fq2& s) const { return {c0 * s, c1 * s, c2 * s}; }
  // Multiplication by the sparse element b0 + b1 v.
  constexpr Fq6 mul_by_01(const Fq2& b0, const Fq2& b1) const {
    Fq2 aa = c0 * b0, bb = c1 * b1;
    Fq2 t1 = ((c1 + c2) * b1 - bb).mul_by_xi() + aa;
    Fq2 t2 = (b0 + b1) * (c0 + c1) - aa - bb;
    Fq2 t3 = (c0 + c2) * b0 - aa + bb;
    return {t1, t2, t3};
  }
  // Multiplication by the sparse element b1 v.
  constexpr Fq6 mul_by_1(const Fq2& b1) const { return {(c2 * b1).mul_by_xi(), c0 * b1, c1 * b1}; }

  constexpr Fq6 inverse() const {
    Fq2 t0 = c0.square() - (c1 * c2).mul_by_xi();
    Fq2 t1 = c2.square().mul_by_xi() - c0 * c1;
    Fq2 t2 = c1.square() - c0 * c2;
    Fq2 d = c0 * t0 + (c2 * t1 + c1 * t2).mul_by_xi();
    Fq2 di = d.inverse();
    return {t0 * di, t1 * di, t2 * di};
  }

  // x^(p^k): v^(p^k) = v * xi^((p^k-1)/3) = v * gamma[k]^2.
  constexpr Fq6 frobenius(unsigned k) const {
    k %= 12;
    const Fq2& g = detail::kFrobeniusGamma[k];
    Fq2 g2 = g.square();
    return {c0.frobenius(k), c1.frobenius(k) * g2, c2.frobenius(k) * g2.square()};
  }
};

}  // namespace verdict::field
