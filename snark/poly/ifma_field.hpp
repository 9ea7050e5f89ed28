#pragma once
// Eight Fr elements at once with AVX-512 IFMA (VPMADD52LUQ/VPMADD52HUQ), for the NTT
// butterflies. Internal to snark/poly. Compiled only when the target has AVX-512F and
// AVX-512IFMA (VERDICT_POLY_HAVE_IFMA is then 1); every caller keeps a scalar path.
//
// Representation (F8): five __m512i; lane j of limb i holds bits [52i, 52i + 52) of
// element j's stored integer X. X is the value's Fr Montgomery form x R mod p
// (R = 2^256, the number Fr itself stores) but only *lazily* reduced: X < 3p, not
// X < p. "Normalised" means every limb < 2^52; the helpers below take and return
// normalised F8s, and say what bound on X they need and guarantee.
//
// mul(a, b) is Montgomery multiplication with R' = 2^260 (five 52-bit rounds,
// operand scanning, carries folded once at the end): a * b * 2^-260 mod p, result in
// [0, 2p) for a * b < p * 2^260 (e.g. a < 8p and b < 2p; note p < 2^254). Data is in
// R-form, so a constant t is stored "adjusted", t' = 16 t R mod p (see adjusted52):
// x R * 16 t R * 2^-260 = x t R. The product of two adjusted values is adjusted.
//
// Lazy butterflies (Harvey): values stay below 2p + e with a small excess e; the
// reductions compare only the top limb with that of 2p (subtracting 2p when it is
// larger, which is always safe). A sum of two values that both carry e carries at most
// 2e (GS butterflies, and twiddle-1 butterflies); a CT butterfly, whose second input
// is a fresh product < 2p, does not grow e. From e = 2^210 that bounds e by 2^238
// after the at most 28 stages of an NTT, so every value stays < 3p. reduce_canonical
// brings any X < 3p to [0, p). Constant time: no branch or memory access depends on the data.

#include "snark/field/fr.hpp"
#include "snark/field/ifma8.hpp"
#include "snark/poly/ntt_plan.hpp"

#if defined(VERDICT_HAVE_IFMA8)
#define VERDICT_POLY_HAVE_IFMA 1
#include <immintrin.h>

#include <cstring>

namespace verdict::poly::ifma {

using field::Fr;
using u64 = std::uint64_t;

// The eight-lane element and the Montgomery product are the field layer's
// (snark/field/ifma8.hpp); this header adds what the NTT needs on top: limb-major
// scratch I/O, adjusted constants and the lazy reductions of Harvey butterflies.
using F8 = field::ifma8::Vec8;
using field::ifma8::bcast;
using field::ifma8::sar;
using field::ifma8::shl;
using field::ifma8::shr;
using field::ifma8::i64x8;
using field::ifma8::u64x8;

namespace constants {
constexpr field::Limbs mul_small(const field::Limbs& a, u64 k) {
  field::Limbs r{};
  unsigned __int128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 t = (unsigned __int128)a[i] * k + carry;
    r[i] = u64(t);
    carry = t >> 64;
  }
  return r;  // requires a * k < 2^256
}
inline constexpr detail::Limbs52 kP = detail::split52(Fr::kModulus);
inline constexpr detail::Limbs52 kTwoP = detail::split52(mul_small(Fr::kModulus, 2));
inline constexpr detail::Limbs52 kFourP = detail::split52(mul_small(Fr::kModulus, 4));
}  // namespace constants

inline F8 broadcast(const detail::Limbs52& c) {
  F8 r;
  for (int i = 0; i < 5; ++i) r.l[i] = bcast(c.l[i]);
  return r;
}
inline F8 load(const detail::Lane8x5& s) {
  F8 r;
  for (int i = 0; i < 5; ++i) r.l[i] = _mm512_load_si512(static_cast<const void*>(s.l[i]));
  return r;
}
inline void store(detail::Lane8x5& s, const F8& x) {
  for (int i = 0; i < 5; ++i) _mm512_store_si512(static_cast<void*>(s.l[i]), x.l[i]);
}

// Carry-propagates signed limbs (each |limb| < 2^62) so that limbs 0..3 are < 2^52;
// limb 4 is then < 2^52 too when 0 <= X < 2^260.
inline void normalize(F8& x) { field::ifma8::carry(x); }

// a * b * 2^-260 mod p in [0, 2p), normalised. Requires normalised a, b and
// a * b < p * 2^260.
inline F8 mul(const F8& a, const F8& b) { return field::ifma8::mul<Fr>(a, b); }

// Subtracts 2p from the lanes whose top limb exceeds `threshold`, then normalises.
// x may come straight from one limb-wise add or subtract of normalised values, so
// its true (carried) top limb may differ from x.l[4] by the caller's known slack; the
// caller picks the threshold so that "x.l[4] > threshold" implies X > 2p.
inline void reduce_top_2p(F8& x, u64 threshold) {
  using constants::kTwoP;
  const __mmask8 k = _mm512_cmpgt_epi64_mask(x.l[4], bcast(threshold));
  for (int i = 0; i < 5; ++i) x.l[i] = _mm512_mask_sub_epi64(x.l[i], k, x.l[i], bcast(kTwoP.l[i]));
  normalize(x);
}

// a + b, then 2p subtracted where the top limb shows a + b > 2p. Requires a, b
// normalised. The carried top limb is x.l[4] or x.l[4] + 1, so for a + b < 4p + e
// the result is in [0, 2p + max(e, 2^209)), normalised.
inline F8 add_lazy(const F8& a, const F8& b) {
  F8 s;
  for (int i = 0; i < 5; ++i) s.l[i] = _mm512_add_epi64(a.l[i], b.l[i]);
  reduce_top_2p(s, constants::kTwoP.l[4]);
  return s;
}

// a - b + 4p, normalised: in (2p - e, 6p + e) for a, b < 2p + e; an input for mul.
inline F8 sub_for_mul(const F8& a, const F8& b) {
  using constants::kFourP;
  F8 d;
  for (int i = 0; i < 5; ++i) d.l[i] = _mm512_sub_epi64(_mm512_add_epi64(a.l[i], bcast(kFourP.l[i])), b.l[i]);
  normalize(d);
  return d;
}

// a - b + 2p, then 2p subtracted where the top limb shows it exceeds 2p. Requires a
// < 2p + e and b < 2p exactly (e.g. a mul output), both normalised. The carried top
// limb is within 1 of x.l[4], so the result is in [0, 2p + max(e, 2^210)), normalised.
inline F8 sub_lazy(const F8& a, const F8& b) {
  using constants::kTwoP;
  F8 d;
  for (int i = 0; i < 5; ++i) d.l[i] = _mm512_sub_epi64(_mm512_add_epi64(a.l[i], bcast(kTwoP.l[i])), b.l[i]);
  reduce_top_2p(d, kTwoP.l[4] + 1);
  return d;
}

// a - b, for a, b < 2p + e, without a multiplication to follow: a + 4p - b, then 2p
// subtracted twice where the (normalised) top limb shows more than 2p. Result in
// [0, 2p + max(e, 2^209)), normalised.
inline F8 sub_reduced(const F8& a, const F8& b) {
  F8 d = sub_for_mul(a, b);
  reduce_top_2p(d, constants::kTwoP.l[4]);
  reduce_top_2p(d, constants::kTwoP.l[4]);
  return d;
}

// X mod p for X < 3p: subtract 2p, then p, each kept only when non-negative.
inline F8 reduce_canonical(F8 x) {
  for (const detail::Limbs52* c : {&constants::kTwoP, &constants::kP}) {
    F8 d;
    for (int i = 0; i < 5; ++i) d.l[i] = _mm512_sub_epi64(x.l[i], bcast(c->l[i]));
    normalize(d);
    const __mmask8 keep = _mm512_cmpge_epi64_mask(d.l[4], _mm512_setzero_si512());
    for (int i = 0; i < 5; ++i) x.l[i] = _mm512_mask_blend_epi64(keep, x.l[i], d.l[i]);
  }
  return x;
}

// Lanes 0-3 of a then of b; lanes 4-7 of a then of b (for _mm512_permutex2var_epi64).
inline __m512i low_halves() { return _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11); }
inline __m512i high_halves() { return _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15); }

// Four zmm registers holding elements e0..e7 as 64-bit limbs (z0 = e0 e1, z1 = e2 e3,
// ...) <-> F8. X must be < 2^256 (any stored Fr-sized integer).
inline F8 from_pairs(__m512i z0, __m512i z1, __m512i z2, __m512i z3) {
  const __m512i lo = _mm512_setr_epi64(0, 4, 8, 12, 1, 5, 9, 13);
  const __m512i hi = _mm512_setr_epi64(2, 6, 10, 14, 3, 7, 11, 15);
  const __m512i t0 = _mm512_permutex2var_epi64(z0, lo, z1);  // limb 0 of e0..e3, limb 1 of e0..e3
  const __m512i t1 = _mm512_permutex2var_epi64(z0, hi, z1);  // limbs 2, 3
  const __m512i t2 = _mm512_permutex2var_epi64(z2, lo, z3);  // same for e4..e7
  const __m512i t3 = _mm512_permutex2var_epi64(z2, hi, z3);
  const __m512i q0 = _mm512_permutex2var_epi64(t0, low_halves(), t2);  // limb 0 of e0..e7
  const __m512i q1 = _mm512_permutex2var_epi64(t0, high_halves(), t2);
  const __m512i q2 = _mm512_permutex2var_epi64(t1, low_halves(), t3);
  const __m512i q3 = _mm512_permutex2var_epi64(t1, high_halves(), t3);
  const __m512i m = bcast(detail::kMask52);
  F8 r;
  r.l[0] = _mm512_and_si512(q0, m);
  r.l[1] = _mm512_and_si512(_mm512_or_si512(shr(q0, 52), shl(q1, 12)), m);
  r.l[2] = _mm512_and_si512(_mm512_or_si512(shr(q1, 40), shl(q2, 24)), m);
  r.l[3] = _mm512_and_si512(_mm512_or_si512(shr(q2, 28), shl(q3, 36)), m);
  r.l[4] = shr(q3, 16);
  return r;
}

// Inverse of from_pairs; x normalised with X < 2^256.
inline void to_pairs(const F8& x, __m512i& z0, __m512i& z1, __m512i& z2, __m512i& z3) {
  const __m512i q0 = _mm512_or_si512(x.l[0], shl(x.l[1], 52));
  const __m512i q1 = _mm512_or_si512(shr(x.l[1], 12), shl(x.l[2], 40));
  const __m512i q2 = _mm512_or_si512(shr(x.l[2], 24), shl(x.l[3], 28));
  const __m512i q3 = _mm512_or_si512(shr(x.l[3], 36), shl(x.l[4], 16));
  // Undo from_pairs' second step: t0 = limbs 0, 1 of e0..e3, t2 = of e4..e7.
  const __m512i t0 = _mm512_permutex2var_epi64(q0, low_halves(), q1);  // limbs 0, 1 of e0..e3
  const __m512i t2 = _mm512_permutex2var_epi64(q0, high_halves(), q1);  // same for e4..e7
  const __m512i t1 = _mm512_permutex2var_epi64(q2, low_halves(), q3);
  const __m512i t3 = _mm512_permutex2var_epi64(q2, high_halves(), q3);
  // Element 2j's limbs are lanes (j, j + 4) of (t0, t1); the index vectors of
  // from_pairs' first step are their own inverses here.
  const __m512i first = _mm512_setr_epi64(0, 4, 8, 12, 1, 5, 9, 13);
  const __m512i second = _mm512_setr_epi64(2, 6, 10, 14, 3, 7, 11, 15);
  z0 = _mm512_permutex2var_epi64(t0, first, t1);
  z1 = _mm512_permutex2var_epi64(t0, second, t1);
  z2 = _mm512_permutex2var_epi64(t2, first, t3);
  z3 = _mm512_permutex2var_epi64(t2, second, t3);
}

// Eight consecutive elements.
inline F8 load_contiguous(const Fr* p) {
  const auto* q = reinterpret_cast<const __m512i*>(p);
  return from_pairs(_mm512_loadu_si512(q), _mm512_loadu_si512(q + 1), _mm512_loadu_si512(q + 2),
                    _mm512_loadu_si512(q + 3));
}
inline void store_contiguous(Fr* p, const F8& x) {
  __m512i z0, z1, z2, z3;
  to_pairs(x, z0, z1, z2, z3);
  auto* q = reinterpret_cast<__m512i*>(p);
  _mm512_storeu_si512(q, z0);
  _mm512_storeu_si512(q + 1, z1);
  _mm512_storeu_si512(q + 2, z2);
  _mm512_storeu_si512(q + 3, z3);
}

// Elements p[0], p[stride], ..., p[7 stride].
inline __m512i load_two(const Fr* a, const Fr* b) {
  using i64x4 = long long __attribute__((vector_size(32)));
  i64x4 lo, hi;
  std::memcpy(&lo, a, 32);
  std::memcpy(&hi, b, 32);
  return (__m512i)__builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);
}
inline F8 load_strided(const Fr* p, std::size_t stride) {
  return from_pairs(load_two(p, p + stride), load_two(p + 2 * stride, p + 3 * stride),
                    load_two(p + 4 * stride, p + 5 * stride), load_two(p + 6 * stride, p + 7 * stride));
}
inline void store_two(Fr* a, Fr* b, __m512i z) {
  const i64x8 v = (i64x8)z;
  const auto lo = __builtin_shufflevector(v, v, 0, 1, 2, 3);
  const auto hi = __builtin_shufflevector(v, v, 4, 5, 6, 7);
  std::memcpy(static_cast<void*>(a), &lo, 32);
  std::memcpy(static_cast<void*>(b), &hi, 32);
}
inline void store_strided(Fr* p, std::size_t stride, const F8& x) {
  __m512i z0, z1, z2, z3;
  to_pairs(x, z0, z1, z2, z3);
  store_two(p, p + stride, z0);
  store_two(p + 2 * stride, p + 3 * stride, z1);
  store_two(p + 4 * stride, p + 5 * stride, z2);
  store_two(p + 6 * stride, p + 7 * stride, z3);
}

}  // namespace verdict::poly::ifma

#endif
