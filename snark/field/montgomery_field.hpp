#pragma once
// A prime field of a 254-bit modulus in Montgomery form over 4 x 64-bit limbs.
//
// Representation invariant: an element a is stored as the integer a * R mod p with
// R = 2^256, and the stored integer is always fully reduced (< p). The zero element is
// all-zero limbs. Params supplies only the modulus (and, for 2-adic root finding, a
// quadratic non-residue); every Montgomery constant (R, R^2, R^3, -p^{-1} mod 2^64) is
// derived from it at compile time, and field_test.cpp checks them against GMP.
//
// Multiplication is CIOS Montgomery with the "no final carry" shortcut, valid because
// the top limb of the modulus is below 2^62 (a static_assert holds that).
//
// Constant time: add, sub, neg, mul, square, inverse (Fermat, public exponent) and the
// canonical conversions have no secret-dependent branches or memory accesses. Routines
// whose running time depends on the value carry the suffix _vartime; use them on
// public data only.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "snark/field/bigint.hpp"
#include "snark/field/mont_mul_adx.hpp"

namespace verdict::field {

template <class Params>
class MontgomeryField {
 public:
  static constexpr Limbs kModulus = Params::kModulus;
  static_assert(kModulus[3] < (u64(1) << 62), "no-carry Montgomery multiplication needs a top limb < 2^62");
  static_assert((kModulus[0] & 1) == 1, "modulus must be odd");

  static constexpr unsigned kBits = bigint::bit_length(kModulus);
  static constexpr std::size_t kBytes = 32;
  static constexpr u64 kInv = bigint::neg_inverse_mod_2_64(kModulus[0]);  // -p^{-1} mod 2^64
  static constexpr Limbs kR = bigint::pow2_mod(256, kModulus);             // R mod p
  static constexpr Limbs kR2 = bigint::pow2_mod(512, kModulus);            // R^2 mod p
  static constexpr Limbs kR3 = bigint::pow2_mod(768, kModulus);            // R^3 mod p

  // p - 1 = 2^kTwoAdicity * kOddPart with kOddPart odd.
  static constexpr unsigned kTwoAdicity = bigint::trailing_zeros(Limbs{kModulus[0] - 1, kModulus[1], kModulus[2], kModulus[3]});
  static constexpr Limbs kOddPart = bigint::shr(Limbs{kModulus[0] - 1, kModulus[1], kModulus[2], kModulus[3]}, kTwoAdicity);

  constexpr MontgomeryField() = default;

  static constexpr MontgomeryField zero() { return MontgomeryField(); }
  static constexpr MontgomeryField one() { return from_montgomery_unchecked(kR); }
  static constexpr MontgomeryField from_u64(u64 v) { return from_canonical_unchecked(Limbs{v, 0, 0, 0}); }
  static constexpr MontgomeryField from_i64(std::int64_t v) {
    return v >= 0 ? from_u64(u64(v)) : -from_u64(u64(0) - u64(v));
  }

  // Requires a < p (an invariant the caller guarantees; use from_canonical on input).
  static constexpr MontgomeryField from_canonical_unchecked(const Limbs& a) {
    return from_montgomery_unchecked(mont_mul(a, kR2));
  }
  // Rejects a >= p.
  static constexpr std::optional<MontgomeryField> from_canonical(const Limbs& a) {
    if (!bigint::less(a, kModulus)) return std::nullopt;
    return from_canonical_unchecked(a);
  }
  // Any 256-bit integer, reduced mod p.
  static constexpr MontgomeryField reduce(const Limbs& a) { return from_canonical_unchecked(reduce_limbs(a)); }
  // The 512-bit integer lo + 2^256 * hi, reduced mod p (used to map hash output to the
  // field with negligible bias).
  static constexpr MontgomeryField reduce_wide(const Limbs& lo, const Limbs& hi) {
    MontgomeryField l = from_montgomery_unchecked(mont_mul(reduce_limbs(lo), kR2));
    MontgomeryField h = from_montgomery_unchecked(mont_mul(reduce_limbs(hi), kR3));
    return l + h;
  }
  // The raw Montgomery limbs a * R mod p; requires them < p.
  static constexpr MontgomeryField from_montgomery_unchecked(const Limbs& m) {
    MontgomeryField f;
    f.v_ = m;
    return f;
  }
  static constexpr std::optional<MontgomeryField> from_montgomery(const Limbs& m) {
    if (!bigint::less(m, kModulus)) return std::nullopt;
    return from_montgomery_unchecked(m);
  }

  constexpr Limbs to_canonical() const { return mont_mul(v_, Limbs{1, 0, 0, 0}); }
  constexpr const Limbs& montgomery_limbs() const { return v_; }

  // Canonical byte encodings: 32 bytes, big- or little-endian; the decoders reject
  // any value >= p (non-canonical), with an Error naming the field.
  static Result<MontgomeryField> from_bytes_be(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != kBytes) return Error{std::string(Params::kName) + " element must be 32 bytes, got " + std::to_string(bytes.size())};
    Limbs a{};
    for (int i = 0; i < 32; ++i) a[3 - i / 8] = a[3 - i / 8] << 8 | bytes[i];
    auto f = from_canonical(a);
    if (!f) return Error{std::string(Params::kName) + " element is not canonical (>= modulus)"};
    return *f;
  }
  static Result<MontgomeryField> from_bytes_le(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != kBytes) return Error{std::string(Params::kName) + " element must be 32 bytes, got " + std::to_string(bytes.size())};
    std::array<std::uint8_t, 32> be{};
    for (int i = 0; i < 32; ++i) be[i] = bytes[31 - i];
    return from_bytes_be(be);
  }
  std::array<std::uint8_t, 32> to_bytes_be() const {
    Limbs a = to_canonical();
    std::array<std::uint8_t, 32> out{};
    for (int i = 0; i < 32; ++i) out[i] = std::uint8_t(a[3 - i / 8] >> (56 - 8 * (i % 8)));
    return out;
  }
  std::array<std::uint8_t, 32> to_bytes_le() const {
    auto be = to_bytes_be();
    std::array<std::uint8_t, 32> out{};
    for (int i = 0; i < 32; ++i) out[i] = be[31 - i];
    return out;
  }
  static Result<MontgomeryField> from_decimal(std::string_view text) {
    auto a = bigint::parse_decimal(text);
    if (!a) return Error{std::string(Params::kName) + " element: not a decimal integer below 2^256: '" + std::string(text.substr(0, 80)) + "'"};
    auto f = from_canonical(*a);
    if (!f) return Error{std::string(Params::kName) + " element is not canonical (>= modulus)"};
    return *f;
  }
  std::string to_decimal() const { return bigint::to_decimal(to_canonical()); }

  // Uniform element by rejection sampling of kBits-bit integers.
  static MontgomeryField random(Rng& rng) {
    for (;;) {
      std::array<std::uint8_t, 32> b{};
      rng.fill(b);
      Limbs a{};
      for (int i = 0; i < 32; ++i) a[i / 8] |= u64(b[i]) << (8 * (i % 8));
      a[3] &= (kBits % 64 == 0) ? ~u64(0) : ((u64(1) << (kBits % 64)) - 1);
      if (bigint::less(a, kModulus)) return from_canonical_unchecked(a);
    }
  }

  constexpr bool is_zero() const { return bigint::is_zero(v_); }
  constexpr bool is_one() const { return v_ == kR; }
  friend constexpr bool operator==(const MontgomeryField& a, const MontgomeryField& b) { return a.v_ == b.v_; }

  // The canonical integer is odd (the "sign" used by point compression).
  constexpr bool is_odd() const { return to_canonical()[0] & 1; }
  // The canonical integer is > (p-1)/2.
  constexpr bool is_lexicographically_largest() const {
    constexpr Limbs half = bigint::shr1(kModulus);  // (p-1)/2 since p is odd
    return bigint::less(half, to_canonical());
  }

  friend constexpr MontgomeryField operator+(const MontgomeryField& a, const MontgomeryField& b) {
    Limbs r{};
    bigint::add(r, a.v_, b.v_);  // < 2p < 2^255: no carry out
    return from_montgomery_unchecked(subtract_modulus_if_needed(r));
  }
  friend constexpr MontgomeryField operator-(const MontgomeryField& a, const MontgomeryField& b) {
    Limbs r{};
    u64 borrow = bigint::sub(r, a.v_, b.v_);
    u64 mask = u64(0) - borrow;
    Limbs p_masked = {kModulus[0] & mask, kModulus[1] & mask, kModulus[2] & mask, kModulus[3] & mask};
    bigint::add(r, r, p_masked);
    return from_montgomery_unchecked(r);
  }
  constexpr MontgomeryField operator-() const { return zero() - *this; }
  [[gnu::always_inline]] friend constexpr MontgomeryField operator*(const MontgomeryField& a, const MontgomeryField& b) {
#ifdef VERDICT_HAVE_ADX
    if (!std::is_constant_evaluated()) {
      detail::Limbs4 r = detail::mont_mul_adx(a.v_.data(), b.v_.data(), kModulus.data(), kInv);
      return from_montgomery_unchecked(Limbs{r.v[0], r.v[1], r.v[2], r.v[3]});
    }
#endif
    return from_montgomery_unchecked(mont_mul(a.v_, b.v_));
  }
  constexpr MontgomeryField& operator+=(const MontgomeryField& b) { return *this = *this + b; }
  constexpr MontgomeryField& operator-=(const MontgomeryField& b) { return *this = *this - b; }
  constexpr MontgomeryField& operator*=(const MontgomeryField& b) { return *this = *this * b; }

  constexpr MontgomeryField square() const { return *this * *this; }
  constexpr MontgomeryField dbl() const { return *this + *this; }

  // this^e for a public exponent e (square-and-multiply over the bits of e).
  constexpr MontgomeryField pow(const Limbs& e) const {
    MontgomeryField r = one();
    for (int i = int(bigint::bit_length(e)) - 1; i >= 0; --i) {
      r = r.square();
      if (bigint::bit(e, unsigned(i))) r *= *this;
    }
    return r;
  }
  constexpr MontgomeryField pow(u64 e) const { return pow(Limbs{e, 0, 0, 0}); }

  // Multiplicative inverse by Fermat (a^{p-2}); constant time; maps 0 to 0.
  constexpr MontgomeryField inverse() const {
    constexpr Limbs e = [] {
      Limbs t{};
      bigint::sub(t, kModulus, Limbs{2, 0, 0, 0});
      return t;
    }();
    return pow(e);
  }

  // Multiplicative inverse by the binary extended Euclidean algorithm; faster than
  // inverse() but its running time depends on the value. Maps 0 to 0.
  constexpr MontgomeryField inverse_vartime() const {
    if (is_zero()) return zero();
    // Invert the stored integer aR, giving (aR)^{-1}; then one Montgomery product
    // with R^3 yields a^{-1} R, the Montgomery form of a^{-1}.
    Limbs u = v_, v = kModulus, x1 = {1, 0, 0, 0}, x2 = {0, 0, 0, 0};
    auto halve = [](Limbs& x) {
      if (x[0] & 1) {
        Limbs t{};
        bigint::add(t, x, kModulus);  // < 2^255
        x = bigint::shr1(t);
      } else {
        x = bigint::shr1(x);
      }
    };
    auto sub_mod = [](Limbs& a, const Limbs& b) {
      u64 borrow = bigint::sub(a, a, b);
      if (borrow) bigint::add(a, a, kModulus);
    };
    const Limbs kOne = {1, 0, 0, 0};
    while (u != kOne && v != kOne) {
      while ((u[0] & 1) == 0) {
        u = bigint::shr1(u);
        halve(x1);
      }
      while ((v[0] & 1) == 0) {
        v = bigint::shr1(v);
        halve(x2);
      }
      if (!bigint::less(u, v)) {
        bigint::sub(u, u, v);
        sub_mod(x1, x2);
      } else {
        bigint::sub(v, v, u);
        sub_mod(x2, x1);
      }
    }
    const Limbs& inv = (u == kOne) ? x1 : x2;
    return from_montgomery_unchecked(mont_mul(inv, kR3));
  }

  // Legendre symbol: 1 for a non-zero square, -1 for a non-square, 0 for zero.
  constexpr int legendre() const {
    constexpr Limbs e = bigint::shr1(kModulus);  // (p-1)/2
    MontgomeryField t = pow(e);
    if (t.is_zero()) return 0;
    return t.is_one() ? 1 : -1;
  }

  // A square root, if one exists (Tonelli-Shanks; a^((p+1)/4) when p = 3 mod 4).
  // Which of the two roots is returned is unspecified; the caller picks a sign.
  constexpr std::optional<MontgomeryField> sqrt_vartime() const {
    if (is_zero()) return zero();
    if constexpr (kTwoAdicity == 1) {
      constexpr Limbs e = [] {
        Limbs t{};
        bigint::add(t, kModulus, Limbs{1, 0, 0, 0});
        return bigint::shr(t, 2);
      }();
      MontgomeryField r = pow(e);
      if (r.square() == *this) return r;
      return std::nullopt;
    } else {
      if (legendre() != 1) return std::nullopt;
      constexpr Limbs half_odd_plus = [] {  // (t + 1) / 2
        Limbs t{};
        bigint::add(t, kOddPart, Limbs{1, 0, 0, 0});
        return bigint::shr1(t);
      }();
      MontgomeryField z = from_u64(Params::kNonResidue).pow(kOddPart);
      MontgomeryField x = pow(half_odd_plus);
      MontgomeryField b = pow(kOddPart);
      unsigned m = kTwoAdicity;
      while (!b.is_one()) {
        unsigned i = 0;
        MontgomeryField t = b;
        while (!t.is_one()) {
          t = t.square();
          ++i;
        }
        MontgomeryField c = z;
        for (unsigned j = 0; j + i + 1 < m; ++j) c = c.square();
        x *= c;
        z = c.square();
        b *= z;
        m = i;
      }
      return x;
    }
  }

  // A primitive 2^k-th root of unity, k <= kTwoAdicity: g^(t * 2^(s-k)) where g is
  // the non-residue in Params and p - 1 = 2^s t.
  static constexpr MontgomeryField root_of_unity(unsigned k) {
    MontgomeryField w = from_u64(Params::kNonResidue).pow(kOddPart);
    for (unsigned i = k; i < kTwoAdicity; ++i) w = w.square();
    return w;
  }

  // Montgomery product a * b * R^{-1} mod p for a, b < p; the result is < p.
  static constexpr Limbs mont_mul(const Limbs& a, const Limbs& b) {
    constexpr u64 p0 = kModulus[0], p1 = kModulus[1], p2 = kModulus[2], p3 = kModulus[3];
    u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; ++i) {
      const u64 bi = b[i];
      u128 x = u128(a[0]) * bi + t0;
      u64 A = u64(x >> 64);
      t0 = u64(x);
      const u64 m = t0 * kInv;
      x = u128(m) * p0 + t0;
      u64 C = u64(x >> 64);
      x = u128(a[1]) * bi + t1 + A;
      A = u64(x >> 64);
      t1 = u64(x);
      x = u128(m) * p1 + t1 + C;
      C = u64(x >> 64);
      t0 = u64(x);
      x = u128(a[2]) * bi + t2 + A;
      A = u64(x >> 64);
      t2 = u64(x);
      x = u128(m) * p2 + t2 + C;
      C = u64(x >> 64);
      t1 = u64(x);
      x = u128(a[3]) * bi + t3 + A;
      A = u64(x >> 64);
      t3 = u64(x);
      x = u128(m) * p3 + t3 + C;
      C = u64(x >> 64);
      t2 = u64(x);
      t3 = C + A;
    }
    return subtract_modulus_if_needed(Limbs{t0, t1, t2, t3});
  }

 private:
  // For r < 2p: r mod p, without a branch.
  static constexpr Limbs subtract_modulus_if_needed(const Limbs& r) {
    Limbs s{};
    u64 borrow = bigint::sub(s, r, kModulus);
    u64 keep = u64(0) - borrow;  // all ones when r < p
    return {(r[0] & keep) | (s[0] & ~keep), (r[1] & keep) | (s[1] & ~keep), (r[2] & keep) | (s[2] & ~keep),
            (r[3] & keep) | (s[3] & ~keep)};
  }
  // Any a < 2^256 mod p: p > 2^253, so at most seven subtractions; done branch-free
  // as a fixed sequence of conditional subtractions of 4p, 2p, p.
  static constexpr Limbs reduce_limbs(Limbs a) {
    static_assert(kBits >= 253, "reduce_limbs assumes p > 2^253");
    constexpr Limbs p2 = [] {
      Limbs t{};
      bigint::add(t, kModulus, kModulus);
      return t;
    }();
    constexpr Limbs p4 = [] {
      Limbs t{}, u{};
      bigint::add(t, kModulus, kModulus);
      bigint::add(u, t, t);
      return u;
    }();
    for (const Limbs* m : {&p4, &p2, &kModulus, &kModulus}) {
      Limbs s{};
      u64 borrow = bigint::sub(s, a, *m);
      u64 keep = u64(0) - borrow;
      for (int i = 0; i < 4; ++i) a[i] = (a[i] & keep) | (s[i] & ~keep);
    }
    return a;
  }

  Limbs v_{};
};

}  // namespace verdict::field
