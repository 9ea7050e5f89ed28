#pragma once
// 256-bit unsigned integers as four little-endian 64-bit limbs, with the constexpr
// helpers the Montgomery fields use to derive their constants at compile time.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace verdict::field {

using u64 = std::uint64_t;
using u128 = unsigned __int128;
using Limbs = std::array<u64, 4>;  // limb 0 is least significant

namespace bigint {

// a + b + carry -> low 64 bits; carry updated to the carry out (0 or 1).
// (GCC spills __int128 carry chains to the stack; at run time the x86 intrinsics
// compile to plain ADC/SBB chains.)
constexpr u64 adc(u64 a, u64 b, u64& carry) {
#if defined(__x86_64__)
  if (!std::is_constant_evaluated()) {
    unsigned long long r;
    carry = _addcarry_u64(static_cast<unsigned char>(carry), a, b, &r);
    return r;
  }
#endif
  u128 t = u128(a) + b + carry;
  carry = u64(t >> 64);
  return u64(t);
}
// a - b - borrow -> low 64 bits; borrow updated to 0 or 1.
constexpr u64 sbb(u64 a, u64 b, u64& borrow) {
#if defined(__x86_64__)
  if (!std::is_constant_evaluated()) {
    unsigned long long r;
    borrow = _subborrow_u64(static_cast<unsigned char>(borrow), a, b, &r);
    return r;
  }
#endif
  u128 t = u128(a) - b - borrow;
  borrow = u64(t >> 64) & 1;
  return u64(t);
}

constexpr bool is_zero(const Limbs& a) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

constexpr bool less(const Limbs& a, const Limbs& b) {
  for (int i = 3; i >= 0; --i) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

// r = a + b; returns the carry out.
constexpr u64 add(Limbs& r, const Limbs& a, const Limbs& b) {
  u64 c = 0;
  for (int i = 0; i < 4; ++i) r[i] = adc(a[i], b[i], c);
  return c;
}
// r = a - b; returns the borrow out.
constexpr u64 sub(Limbs& r, const Limbs& a, const Limbs& b) {
  u64 c = 0;
  for (int i = 0; i < 4; ++i) r[i] = sbb(a[i], b[i], c);
  return c;
}

constexpr Limbs shr1(const Limbs& a) {
  return {a[0] >> 1 | a[1] << 63, a[1] >> 1 | a[2] << 63, a[2] >> 1 | a[3] << 63, a[3] >> 1};
}
constexpr Limbs shr(Limbs a, unsigned n) {
  for (unsigned i = 0; i < n; ++i) a = shr1(a);
  return a;
}

constexpr bool bit(const Limbs& a, unsigned i) { return (a[i / 64] >> (i % 64)) & 1; }

constexpr unsigned bit_length(const Limbs& a) {
  for (int i = 3; i >= 0; --i) {
    if (a[i] != 0) return unsigned(64 * i + 64 - __builtin_clzll(a[i]));
  }
  return 0;
}

constexpr unsigned trailing_zeros(const Limbs& a) {
  for (int i = 0; i < 4; ++i) {
    if (a[i] != 0) return unsigned(64 * i + __builtin_ctzll(a[i]));
  }
  return 256;
}

constexpr Limbs from_u64(u64 v) { return {v, 0, 0, 0}; }

// floor(a / d) for a small divisor d > 0.
constexpr Limbs div_small(const Limbs& a, u64 d) {
  Limbs q{};
  u64 rem = 0;
  for (int i = 3; i >= 0; --i) {
    u128 cur = (u128(rem) << 64) | a[i];
    q[i] = u64(cur / d);
    rem = u64(cur % d);
  }
  return q;
}

// (a + a) mod m for a < m < 2^255.
constexpr Limbs double_mod(const Limbs& a, const Limbs& m) {
  Limbs r{};
  add(r, a, a);
  if (!less(r, m)) sub(r, r, m);
  return r;
}

// 2^k mod m, for m odd and < 2^255.
constexpr Limbs pow2_mod(unsigned k, const Limbs& m) {
  Limbs r = from_u64(1);
  for (unsigned i = 0; i < k; ++i) r = double_mod(r, m);
  return r;
}

// -m^{-1} mod 2^64 for odd m (Newton iteration doubles the correct bits each step).
constexpr u64 neg_inverse_mod_2_64(u64 m0) {
  u64 x = 1;
  for (int i = 0; i < 7; ++i) x *= 2 - m0 * x;
  return ~x + 1;
}

// Decimal digits (no sign, no spaces) to a 256-bit integer; nullopt on an empty
// string, a non-digit, or a value >= 2^256.
std::optional<Limbs> parse_decimal(std::string_view text);
std::string to_decimal(const Limbs& a);

}  // namespace bigint
}  // namespace verdict::field
