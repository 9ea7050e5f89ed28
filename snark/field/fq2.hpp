#pragma once
// Fq2 = Fq[u] / (u^2 + 1): elements c0 + c1 u ("real" c0, "imaginary" c1).
//
// The tower used by the BN254 pairing is Fq2 -> Fq6 = Fq2[v]/(v^3 - xi) ->
// Fq12 = Fq6[w]/(w^2 - v) with xi = 9 + u; the Frobenius x -> x^p acts on Fq2 as
// conjugation because p = 3 mod 4.

#include <optional>

#include "snark/field/fq.hpp"

namespace verdict::field {

struct Fq2 {
  Fq c0, c1;

  static constexpr Fq2 zero() { return {}; }
  static constexpr Fq2 one() { return {Fq::one(), Fq::zero()}; }
  // The non-residue xi = 9 + u that defines Fq6 and Fq12 over Fq2.
  static constexpr Fq2 xi() { return {Fq::from_u64(9), Fq::one()}; }

  constexpr bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  constexpr bool is_one() const { return c0.is_one() && c1.is_zero(); }
  friend constexpr bool operator==(const Fq2& a, const Fq2& b) = default;

  friend constexpr Fq2 operator+(const Fq2& a, const Fq2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend constexpr Fq2 operator-(const Fq2& a, const Fq2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  constexpr Fq2 operator-() const { return {-c0, -c1}; }
  // Karatsuba: three Fq multiplications.
  friend constexpr Fq2 operator*(const Fq2& a, const Fq2& b) {
    Fq v0 = a.c0 * b.c0;
    Fq v1 = a.c1 * b.c1;
    return {v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1};
  }
  constexpr Fq2& operator+=(const Fq2& b) { return *this = *this + b; }
  constexpr Fq2& operator-=(const Fq2& b) { return *this = *this - b; }
  constexpr Fq2& operator*=(const Fq2& b) { return *this = *this * b; }

  constexpr Fq2 mul_by_fq(const Fq& s) const { return {c0 * s, c1 * s}; }
  // (a + bu)^2 = (a + b)(a - b) + 2ab u: two Fq multiplications.
  constexpr Fq2 square() const { return {(c0 + c1) * (c0 - c1), (c0 * c1).dbl()}; }
  constexpr Fq2 dbl() const { return {c0.dbl(), c1.dbl()}; }
  constexpr Fq2 conjugate() const { return {c0, -c1}; }
  // x^(p^k): conjugation for odd k, identity for even k.
  constexpr Fq2 frobenius(unsigned k) const { return (k & 1) ? conjugate() : *this; }

  // (c0 + c1 u)(9 + u) = (9 c0 - c1) + (c0 + 9 c1) u.
  constexpr Fq2 mul_by_xi() const {
    Fq t0 = c0.dbl().dbl().dbl() + c0;
    Fq t1 = c1.dbl().dbl().dbl() + c1;
    return {t0 - c1, c0 + t1};
  }

  // The norm c0^2 + c1^2 in Fq.
  constexpr Fq norm() const { return c0.square() + c1.square(); }
  // Maps 0 to 0. Constant time.
  constexpr Fq2 inverse() const {
    Fq t = norm().inverse();
    return {c0 * t, -(c1 * t)};
  }
  Fq2 inverse_vartime() const {
    Fq t = norm().inverse_vartime();
    return {c0 * t, -(c1 * t)};
  }

  constexpr Fq2 pow(const Limbs& e) const {
    Fq2 r = one();
    for (int i = int(bigint::bit_length(e)) - 1; i >= 0; --i) {
      r = r.square();
      if (bigint::bit(e, unsigned(i))) r *= *this;
    }
    return r;
  }

  // A square root if one exists (the "complex method" for p = 3 mod 4): the candidate
  // is checked by squaring, so a wrong branch can only yield nullopt, never a wrong root.
  std::optional<Fq2> sqrt_vartime() const;

  // The sign used by point compression: the larger of y and -y, comparing c1 first
  // and c0 when c1 is zero.
  bool is_lexicographically_largest() const {
    if (!c1.is_zero()) return c1.is_lexicographically_largest();
    return c0.is_lexicographically_largest();
  }
};

}  // namespace verdict::field
