#pragma once
// Eight elements of a 254-bit prime field at once, with AVX-512 IFMA
// (VPMADD52LUQ / VPMADD52HUQ). Compiled only when the target has AVX512F and
// AVX512IFMA (VERDICT_HAVE_IFMA8 is then defined); every user keeps a scalar path.
//
// Representation: Vec8 holds five __m512i; lane j of limb i is bits [52i, 52i + 52) of
// element j's stored integer. Loaded values are the field's own Montgomery limbs (the
// integer x R mod p, R = 2^256), regrouped from 4 x 64 to 5 x 52 bits; nothing converts
// between Montgomery radixes on load or store.
//
// mul(a, b) = a b 2^-260 mod p: five rounds of operand scanning with a Montgomery
// reduction step of 52 bits each, carries folded once at the end. It requires
// a b < p 2^260 (true for a, b < 2p since p < 2^254) and returns a value in [0, 2p).
// Because 2^260 = 16 R, the product of two R-form values is 1/16 off the R-form
// product; callers either track that scale (the MSM's batch-affine kernel does: see
// msm_ifma.cpp) or multiply by an adjusted constant.
//
// add / sub return values in [0, p) from inputs in [0, p); reduce_2p maps [0, 2p) to
// [0, p). All limbs of results are below 2^52 ("normalised"). Constant time: no branch
// or memory access depends on the values.

#include <array>

#include "snark/field/montgomery_field.hpp"

#if defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512IFMA__)
#define VERDICT_HAVE_IFMA8 1
#include <immintrin.h>

namespace verdict::field::ifma8 {

struct Vec8 {
  __m512i l[5];
};

inline constexpr u64 kMask52 = (u64(1) << 52) - 1;

// The modulus in 52-bit limbs and -p^-1 mod 2^52.
template <class F>
struct Constants {
  static constexpr Limbs p = F::kModulus;
  static constexpr u64 p52[5] = {p[0] & kMask52, (p[0] >> 52 | p[1] << 12) & kMask52,
                                 (p[1] >> 40 | p[2] << 24) & kMask52, (p[2] >> 28 | p[3] << 36) & kMask52,
                                 p[3] >> 16};
  static constexpr u64 inv52 = F::kInv & kMask52;
};

inline __m512i bcast(u64 v) { return _mm512_set1_epi64(static_cast<long long>(v)); }

// Shifts through GCC vector extensions: GCC 12's _mm512_s?li_epi64 wrappers trigger
// false -Wmaybe-uninitialized reports under -Werror.
using u64x8 = unsigned long long __attribute__((vector_size(64)));
using i64x8 = long long __attribute__((vector_size(64)));
inline __m512i shl(__m512i a, int s) { return (__m512i)((u64x8)a << s); }
inline __m512i shr(__m512i a, int s) { return (__m512i)((u64x8)a >> s); }
inline __m512i sar(__m512i a, int s) { return (__m512i)((i64x8)a >> s); }

// Propagates carries so every limb is below 2^52; limbs are read as signed, so a
// negative value ends with a negative top limb.
inline void carry(Vec8& x) {
  const __m512i m = bcast(kMask52);
  for (int i = 0; i < 4; ++i) {
    x.l[i + 1] = _mm512_add_epi64(x.l[i + 1], sar(x.l[i], 52));
    x.l[i] = _mm512_and_si512(x.l[i], m);
  }
}

// Loads eight consecutive field elements (their Montgomery limbs).
template <class F>
inline Vec8 load(const F* src) {
  static_assert(sizeof(F) == 32);
  // Four 64-byte loads hold two elements each; gather limb k of all eight.
  const __m512i v0 = _mm512_loadu_si512(reinterpret_cast<const void*>(src + 0));
  const __m512i v1 = _mm512_loadu_si512(reinterpret_cast<const void*>(src + 2));
  const __m512i v2 = _mm512_loadu_si512(reinterpret_cast<const void*>(src + 4));
  const __m512i v3 = _mm512_loadu_si512(reinterpret_cast<const void*>(src + 6));
  // Step 1: within pairs (v0, v1) and (v2, v3), limb k of elements 0..3 / 4..7.
  const __m512i idx_lo = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);   // limbs 0 and 1
  const __m512i idx_hi = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);  // limbs 2 and 3
  const __m512i a01 = _mm512_permutex2var_epi64(v0, idx_lo, v1);  // [l0 e0..e3 | l1 e0..e3]
  const __m512i a23 = _mm512_permutex2var_epi64(v0, idx_hi, v1);  // [l2 e0..e3 | l3 e0..e3]
  const __m512i b01 = _mm512_permutex2var_epi64(v2, idx_lo, v3);  // same for e4..e7
  const __m512i b23 = _mm512_permutex2var_epi64(v2, idx_hi, v3);
  const __m512i lo_half = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0);
  const __m512i hi_half = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
  const __m512i w0 = _mm512_permutex2var_epi64(a01, lo_half, b01);
  const __m512i w1 = _mm512_permutex2var_epi64(a01, hi_half, b01);
  const __m512i w2 = _mm512_permutex2var_epi64(a23, lo_half, b23);
  const __m512i w3 = _mm512_permutex2var_epi64(a23, hi_half, b23);
  const __m512i m = bcast(kMask52);
  Vec8 r;
  r.l[0] = _mm512_and_si512(w0, m);
  r.l[1] = _mm512_and_si512(_mm512_or_si512(shr(w0, 52), shl(w1, 12)), m);
  r.l[2] = _mm512_and_si512(_mm512_or_si512(shr(w1, 40), shl(w2, 24)), m);
  r.l[3] = _mm512_and_si512(_mm512_or_si512(shr(w2, 28), shl(w3, 36)), m);
  r.l[4] = shr(w3, 16);
  return r;
}

// Stores eight elements; requires normalised limbs of values in [0, p).
template <class F>
inline void store(F* dst, const Vec8& x) {
  const __m512i w0 = _mm512_or_si512(x.l[0], shl(x.l[1], 52));
  const __m512i w1 = _mm512_or_si512(shr(x.l[1], 12), shl(x.l[2], 40));
  const __m512i w2 = _mm512_or_si512(shr(x.l[2], 24), shl(x.l[3], 28));
  const __m512i w3 = _mm512_or_si512(shr(x.l[3], 36), shl(x.l[4], 16));
  // Inverse of the load transpose: [limb 0 | limb 1] and [limb 2 | limb 3] of elements
  // 0..3 (a) and 4..7 (b), then each element's four limbs together.
  const __m512i lo_half = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0);
  const __m512i hi_half = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
  const __m512i a01 = _mm512_permutex2var_epi64(w0, lo_half, w1);
  const __m512i b01 = _mm512_permutex2var_epi64(w0, hi_half, w1);
  const __m512i a23 = _mm512_permutex2var_epi64(w2, lo_half, w3);
  const __m512i b23 = _mm512_permutex2var_epi64(w2, hi_half, w3);
  const __m512i idx_lo = _mm512_set_epi64(13, 9, 5, 1, 12, 8, 4, 0);
  const __m512i idx_hi = _mm512_set_epi64(15, 11, 7, 3, 14, 10, 6, 2);
  _mm512_storeu_si512(reinterpret_cast<void*>(dst + 0), _mm512_permutex2var_epi64(a01, idx_lo, a23));
  _mm512_storeu_si512(reinterpret_cast<void*>(dst + 2), _mm512_permutex2var_epi64(a01, idx_hi, a23));
  _mm512_storeu_si512(reinterpret_cast<void*>(dst + 4), _mm512_permutex2var_epi64(b01, idx_lo, b23));
  _mm512_storeu_si512(reinterpret_cast<void*>(dst + 6), _mm512_permutex2var_epi64(b01, idx_hi, b23));
}

// a b 2^-260 mod p in [0, 2p), normalised. Requires normalised a, b with a b < p 2^260.
template <class F>
inline Vec8 mul(const Vec8& a, const Vec8& b) {
  using C = Constants<F>;
  const __m512i zero = _mm512_setzero_si512();
  const __m512i pinv = bcast(C::inv52);
  const __m512i p0 = bcast(C::p52[0]), p1 = bcast(C::p52[1]), p2 = bcast(C::p52[2]), p3 = bcast(C::p52[3]),
                p4 = bcast(C::p52[4]);
  __m512i t0 = zero, t1 = zero, t2 = zero, t3 = zero, t4 = zero, t5 = zero;
  for (int i = 0; i < 5; ++i) {
    const __m512i bi = b.l[i];
    t0 = _mm512_madd52lo_epu64(t0, a.l[0], bi);
    t1 = _mm512_madd52lo_epu64(t1, a.l[1], bi);
    t2 = _mm512_madd52lo_epu64(t2, a.l[2], bi);
    t3 = _mm512_madd52lo_epu64(t3, a.l[3], bi);
    t4 = _mm512_madd52lo_epu64(t4, a.l[4], bi);
    t1 = _mm512_madd52hi_epu64(t1, a.l[0], bi);
    t2 = _mm512_madd52hi_epu64(t2, a.l[1], bi);
    t3 = _mm512_madd52hi_epu64(t3, a.l[2], bi);
    t4 = _mm512_madd52hi_epu64(t4, a.l[3], bi);
    t5 = _mm512_madd52hi_epu64(t5, a.l[4], bi);
    // m = t0 (-p^-1) mod 2^52; IFMA reads the low 52 bits of t0.
    const __m512i m = _mm512_madd52lo_epu64(zero, t0, pinv);
    t0 = _mm512_madd52lo_epu64(t0, m, p0);
    t1 = _mm512_madd52lo_epu64(t1, m, p1);
    t2 = _mm512_madd52lo_epu64(t2, m, p2);
    t3 = _mm512_madd52lo_epu64(t3, m, p3);
    t4 = _mm512_madd52lo_epu64(t4, m, p4);
    t1 = _mm512_madd52hi_epu64(t1, m, p0);
    t2 = _mm512_madd52hi_epu64(t2, m, p1);
    t3 = _mm512_madd52hi_epu64(t3, m, p2);
    t4 = _mm512_madd52hi_epu64(t4, m, p3);
    t5 = _mm512_madd52hi_epu64(t5, m, p4);
    // t0 = 0 mod 2^52: shift the accumulator down one limb.
    t0 = _mm512_add_epi64(t1, shr(t0, 52));
    t1 = t2;
    t2 = t3;
    t3 = t4;
    t4 = t5;
    t5 = zero;
  }
  Vec8 r{{t0, t1, t2, t3, t4}};
  carry(r);
  return r;
}

// x - p where that is non-negative, else x. Requires normalised x in [0, 2p).
template <class F>
inline Vec8 reduce_2p(const Vec8& x) {
  using C = Constants<F>;
  Vec8 t;
  for (int i = 0; i < 5; ++i) t.l[i] = _mm512_sub_epi64(x.l[i], bcast(C::p52[i]));
  carry(t);
  const __mmask8 negative = _mm512_cmplt_epi64_mask(t.l[4], _mm512_setzero_si512());
  Vec8 r;
  for (int i = 0; i < 5; ++i) r.l[i] = _mm512_mask_blend_epi64(negative, t.l[i], x.l[i]);
  return r;
}

// x - c where that is non-negative, else x; c given in 52-bit limbs. Requires
// normalised x.
inline Vec8 subtract_if_not_less(const Vec8& x, const u64 (&c)[5]) {
  Vec8 t;
  for (int i = 0; i < 5; ++i) t.l[i] = _mm512_sub_epi64(x.l[i], bcast(c[i]));
  carry(t);
  const __mmask8 negative = _mm512_cmplt_epi64_mask(t.l[4], _mm512_setzero_si512());
  Vec8 r;
  for (int i = 0; i < 5; ++i) r.l[i] = _mm512_mask_blend_epi64(negative, t.l[i], x.l[i]);
  return r;
}

// 16 x mod p in [0, p) for x in [0, 2p): a 4-bit shift and conditional subtractions
// of 16p, 8p, 4p, 2p and p. Turns an IFMA product of R-form values (a b / 16R) into
// the R-form product a b / R.
template <class F>
inline Vec8 times16(const Vec8& x) {
  const __m512i m = bcast(kMask52);
  Vec8 r;
  r.l[0] = _mm512_and_si512(shl(x.l[0], 4), m);
  for (int i = 1; i < 5; ++i) r.l[i] = _mm512_or_si512(_mm512_and_si512(shl(x.l[i], 4), m), shr(x.l[i - 1], 48));
  r.l[4] = _mm512_or_si512(shl(x.l[4], 4), shr(x.l[3], 48));
  static constexpr auto multiple = [](unsigned k) {
    Limbs p = F::kModulus, q{};
    u64 c = 0;
    for (int i = 0; i < 4; ++i) {
      u128 t = u128(p[i]) * k + c;
      q[i] = u64(t);
      c = u64(t >> 64);
    }
    // k p < 2^259 for k <= 16: the fifth 52-bit limb takes the overflow bits.
    return std::array<u64, 5>{q[0] & kMask52, (q[0] >> 52 | q[1] << 12) & kMask52, (q[1] >> 40 | q[2] << 24) & kMask52,
                              (q[2] >> 28 | q[3] << 36) & kMask52, q[3] >> 16 | c << 48};
  };
  static constexpr std::array<u64, 5> m16 = multiple(16), m8 = multiple(8), m4 = multiple(4), m2 = multiple(2),
                                      m1 = multiple(1);
  for (const auto* c : {&m16, &m8, &m4, &m2, &m1}) r = subtract_if_not_less(r, *reinterpret_cast<const u64(*)[5]>(c->data()));
  return r;
}

// (a + b) mod p for a, b in [0, p).
template <class F>
inline Vec8 add(const Vec8& a, const Vec8& b) {
  Vec8 s;
  for (int i = 0; i < 5; ++i) s.l[i] = _mm512_add_epi64(a.l[i], b.l[i]);
  carry(s);
  return reduce_2p<F>(s);
}

// (a - b) mod p for a, b in [0, p).
template <class F>
inline Vec8 sub(const Vec8& a, const Vec8& b) {
  using C = Constants<F>;
  Vec8 d;
  for (int i = 0; i < 5; ++i) d.l[i] = _mm512_sub_epi64(a.l[i], b.l[i]);
  carry(d);
  const __mmask8 negative = _mm512_cmplt_epi64_mask(d.l[4], _mm512_setzero_si512());
  for (int i = 0; i < 5; ++i) d.l[i] = _mm512_mask_add_epi64(d.l[i], negative, d.l[i], bcast(C::p52[i]));
  carry(d);
  return d;
}

// Every lane equal to the raw integer v < p (given as 4 x 64-bit limbs).
inline Vec8 broadcast_raw(const Limbs& v) {
  Vec8 r;
  r.l[0] = bcast(v[0] & kMask52);
  r.l[1] = bcast((v[0] >> 52 | v[1] << 12) & kMask52);
  r.l[2] = bcast((v[1] >> 40 | v[2] << 24) & kMask52);
  r.l[3] = bcast((v[2] >> 28 | v[3] << 36) & kMask52);
  r.l[4] = bcast(v[3] >> 16);
  return r;
}

}  // namespace verdict::field::ifma8

#endif
