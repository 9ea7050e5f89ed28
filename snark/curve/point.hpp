#pragma once
// Points of a short Weierstrass curve y^2 = x^3 + b (a = 0) over a field Base, in
// affine and Jacobian coordinates. Config supplies Base, b and the generator; G1 and
// G2 of BN254 are the two instances (g1.hpp, g2.hpp).
//
// Representation invariants:
//   AffinePoint: (x, y) with `infinity` false, or the identity with `infinity` true
//     (then x = y = 0). Decoders guarantee points are on the curve and in the order-r
//     subgroup; the arithmetic assumes it.
//   JacobianPoint: (X, Y, Z) represents (X/Z^2, Y/Z^3); Z = 0 is the identity
//     (canonically (1, 1, 0)).
//
// Formulas (a = 0): doubling dbl-2009-l, addition add-2007-bl, mixed addition
// madd-2007-bl from the Explicit-Formulas Database. They branch on the special cases
// (P = Q, P = -Q, identity) and so are variable time in the point values; scalar
// multiplication here is _vartime. Secret scalars are only ever used inside
// multi-scalar multiplication (msm.hpp), which is variable time by nature and says so.

#include <span>
#include <vector>

#include "snark/field/batch_inverse.hpp"
#include "snark/field/bigint.hpp"
#include "snark/field/fr.hpp"

namespace verdict::curve {

using field::Fr;
using field::Limbs;

template <class Config>
struct AffinePoint {
  using Base = typename Config::Base;
  Base x{}, y{};
  bool infinity = true;

  static constexpr AffinePoint identity() { return AffinePoint(); }
  static constexpr AffinePoint generator() { return {Config::generator_x(), Config::generator_y(), false}; }
  static constexpr AffinePoint from_xy_unchecked(const Base& x, const Base& y) { return {x, y, false}; }

  constexpr bool is_identity() const { return infinity; }
  // y^2 = x^3 + b (the identity counts as on the curve).
  constexpr bool is_on_curve() const {
    if (infinity) return true;
    return y.square() == x.square() * x + Config::b();
  }
  constexpr AffinePoint operator-() const { return infinity ? *this : AffinePoint{x, -y, false}; }
  // The curve's canonical uncompressed encoding (g1.hpp / g2.hpp), e.g. for transcripts.
  auto to_bytes_uncompressed() const { return Config::encode_uncompressed(*this); }
  friend constexpr bool operator==(const AffinePoint& a, const AffinePoint& b) {
    if (a.infinity || b.infinity) return a.infinity == b.infinity;
    return a.x == b.x && a.y == b.y;
  }
};

template <class Config>
struct JacobianPoint {
  using Base = typename Config::Base;
  using Affine = AffinePoint<Config>;
  Base X = Base::one(), Y = Base::one(), Z = Base::zero();

  static constexpr JacobianPoint identity() { return JacobianPoint(); }
  static constexpr JacobianPoint generator() { return from_affine(Affine::generator()); }
  static constexpr JacobianPoint from_affine(const Affine& p) {
    if (p.infinity) return identity();
    return {p.x, p.y, Base::one()};
  }

  constexpr bool is_identity() const { return Z.is_zero(); }

  constexpr JacobianPoint operator-() const { return {X, -Y, Z}; }

  // dbl-2009-l: 2M + 5S.
  constexpr JacobianPoint dbl() const {
    if (is_identity()) return *this;
    Base a = X.square();
    Base b = Y.square();
    Base c = b.square();
    Base d = ((X + b).square() - a - c).dbl();
    Base e = a.dbl() + a;
    Base f = e.square();
    JacobianPoint r;
    r.X = f - d.dbl();
    r.Y = e * (d - r.X) - c.dbl().dbl().dbl();
    r.Z = (Y * Z).dbl();
    return r;
  }

  // add-2007-bl: 11M + 5S.
  friend constexpr JacobianPoint operator+(const JacobianPoint& p, const JacobianPoint& q) {
    if (p.is_identity()) return q;
    if (q.is_identity()) return p;
    Base z1z1 = p.Z.square(), z2z2 = q.Z.square();
    Base u1 = p.X * z2z2, u2 = q.X * z1z1;
    Base s1 = p.Y * q.Z * z2z2, s2 = q.Y * p.Z * z1z1;
    Base h = u2 - u1;
    Base rr = (s2 - s1).dbl();
    if (h.is_zero()) {
      if (rr.is_zero()) return p.dbl();
      return identity();
    }
    Base i = h.dbl().square();
    Base j = h * i;
    Base v = u1 * i;
    JacobianPoint r;
    r.X = rr.square() - j - v.dbl();
    r.Y = rr * (v - r.X) - (s1 * j).dbl();
    r.Z = ((p.Z + q.Z).square() - z1z1 - z2z2) * h;
    return r;
  }
  constexpr JacobianPoint operator-(const JacobianPoint& q) const { return *this + (-q); }
  constexpr JacobianPoint& operator+=(const JacobianPoint& q) { return *this = *this + q; }

  // madd-2007-bl: 7M + 4S.
  constexpr JacobianPoint add_mixed(const Affine& q) const {
    if (q.infinity) return *this;
    if (is_identity()) return from_affine(q);
    Base z1z1 = Z.square();
    Base u2 = q.x * z1z1;
    Base s2 = q.y * Z * z1z1;
    Base h = u2 - X;
    Base rr = (s2 - Y).dbl();
    if (h.is_zero()) {
      if (rr.is_zero()) return dbl();
      return identity();
    }
    Base hh = h.square();
    Base i = hh.dbl().dbl();
    Base j = h * i;
    Base v = X * i;
    JacobianPoint r;
    r.X = rr.square() - j - v.dbl();
    r.Y = rr * (v - r.X) - (Y * j).dbl();
    r.Z = (Z + h).square() - z1z1 - hh;
    return r;
  }

  constexpr Affine to_affine() const {
    if (is_identity()) return Affine::identity();
    Base zi = Z.inverse();
    Base zi2 = zi.square();
    return Affine::from_xy_unchecked(X * zi2, Y * zi2 * zi);
  }

  // Converts many points with one field inversion.
  static void batch_to_affine(std::span<const JacobianPoint> in, std::span<Affine> out) {
    std::vector<Base> zs(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) zs[i] = in[i].Z;
    field::batch_inverse<Base>(zs);
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i].is_identity()) {
        out[i] = Affine::identity();
      } else {
        Base zi2 = zs[i].square();
        out[i] = Affine::from_xy_unchecked(in[i].X * zi2, in[i].Y * zi2 * zs[i]);
      }
    }
  }

  friend constexpr bool operator==(const JacobianPoint& p, const JacobianPoint& q) {
    if (p.is_identity() || q.is_identity()) return p.is_identity() == q.is_identity();
    Base z1z1 = p.Z.square(), z2z2 = q.Z.square();
    return p.X * z2z2 == q.X * z1z1 && p.Y * q.Z * z2z2 == q.Y * p.Z * z1z1;
  }

  constexpr bool is_on_curve() const {
    if (is_identity()) return true;
    Base z2 = Z.square();
    Base z6 = z2.square() * z2;
    return Y.square() == X.square() * X + Config::b() * z6;
  }

  // [k]P for a public 256-bit integer k (not reduced), left-to-right double-and-add
  // with a 4-bit window.
  JacobianPoint mul_vartime(const Limbs& k) const {
    JacobianPoint table[16];
    table[0] = identity();
    for (int i = 1; i < 16; ++i) table[i] = table[i - 1] + *this;
    JacobianPoint r = identity();
    for (int nibble = 63; nibble >= 0; --nibble) {
      r = r.dbl().dbl().dbl().dbl();
      unsigned d = unsigned(k[nibble / 16] >> (4 * (nibble % 16))) & 15;
      if (d) r += table[d];
    }
    return r;
  }
  JacobianPoint mul_vartime(const Fr& k) const { return mul_vartime(k.to_canonical()); }
  JacobianPoint mul_u64_vartime(std::uint64_t k) const { return mul_vartime(Limbs{k, 0, 0, 0}); }
};

}  // namespace verdict::curve
