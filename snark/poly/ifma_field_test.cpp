// The eight-lane IFMA arithmetic of ifma_field.hpp against Fr (the scalar path), on
// random and extreme values, including lazily reduced inputs up to the documented
// bounds.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "base/rng.hpp"
#include "snark/poly/ifma_field.hpp"

#ifdef VERDICT_POLY_HAVE_IFMA

namespace verdict::poly {
namespace {

using detail::Limbs52;
using field::Fr;
using field::Limbs;
using ifma::F8;
using u64 = std::uint64_t;

// A 260-bit integer as five 52-bit limbs, for building lazily reduced inputs.
struct Big {
  std::array<u64, 5> l{};
};
Big from_limbs(const Limbs& a) {
  const Limbs52 s = detail::split52(a);
  return Big{{s.l[0], s.l[1], s.l[2], s.l[3], s.l[4]}};
}
Big add(const Big& a, const Big& b) {
  Big r;
  u64 carry = 0;
  for (int i = 0; i < 5; ++i) {
    const u64 t = a.l[i] + b.l[i] + carry;
    r.l[i] = t & detail::kMask52;
    carry = t >> 52;
  }
  EXPECT_EQ(carry, 0u);
  return r;
}
// a mod p as Fr's Montgomery limbs (the Fr whose stored integer is a mod p).
Fr reduce(Big a) {
  const Big p = from_limbs(Fr::kModulus);
  for (;;) {
    // a >= p ?
    bool ge = true;
    for (int i = 4; i >= 0; --i) {
      if (a.l[i] != p.l[i]) {
        ge = a.l[i] > p.l[i];
        break;
      }
    }
    if (!ge) break;
    std::int64_t borrow = 0;
    for (int i = 0; i < 5; ++i) {
      std::int64_t t = std::int64_t(a.l[i]) - std::int64_t(p.l[i]) + borrow;
      borrow = t < 0 ? -1 : 0;
      a.l[i] = u64(t) & detail::kMask52;
    }
  }
  Limbs m = {a.l[0] | a.l[1] << 52, a.l[1] >> 12 | a.l[2] << 40, a.l[2] >> 24 | a.l[3] << 28, a.l[3] >> 36 | a.l[4] << 16};
  return Fr::from_montgomery_unchecked(m);
}
// x's stored integer plus j p.
Big lazy(const Fr& x, unsigned j) {
  Big r = from_limbs(x.montgomery_limbs());
  for (unsigned i = 0; i < j; ++i) r = add(r, from_limbs(Fr::kModulus));
  return r;
}
F8 pack(const std::array<Big, 8>& v) {
  alignas(64) u64 buf[5][8];
  for (int lane = 0; lane < 8; ++lane) {
    for (int i = 0; i < 5; ++i) buf[i][lane] = v[lane].l[i];
  }
  F8 r;
  for (int i = 0; i < 5; ++i) r.l[i] = _mm512_load_si512(static_cast<const void*>(buf[i]));
  return r;
}
std::array<Big, 8> unpack(const F8& x) {
  alignas(64) u64 buf[5][8];
  for (int i = 0; i < 5; ++i) _mm512_store_si512(static_cast<void*>(buf[i]), x.l[i]);
  std::array<Big, 8> r;
  for (int lane = 0; lane < 8; ++lane) {
    for (int i = 0; i < 5; ++i) r[lane].l[i] = buf[i][lane];
  }
  return r;
}
bool normalised(const Big& b) {
  for (u64 l : b.l) {
    if (l > detail::kMask52) return false;
  }
  return true;
}
// b < j p + 2^e ?
bool below(const Big& b, unsigned j, unsigned e) {
  Big bound = from_limbs(Limbs{0, 0, 0, 0});
  for (unsigned i = 0; i < j; ++i) bound = add(bound, from_limbs(Fr::kModulus));
  Big pow{};
  pow.l[e / 52] = u64(1) << (e % 52);
  bound = add(bound, pow);
  for (int i = 4; i >= 0; --i) {
    if (b.l[i] != bound.l[i]) return b.l[i] < bound.l[i];
  }
  return false;
}

std::vector<Fr> samples(Rng& rng, std::size_t n) {
  std::vector<Fr> v = {Fr::zero(), Fr::one(), Fr::zero() - Fr::one(), Fr::zero() - Fr::from_u64(2),
                       Fr::from_u64(2), Fr::from_montgomery_unchecked(Limbs{1, 0, 0, 0})};
  while (v.size() < n) v.push_back(Fr::random(rng));
  return v;
}

const Fr kInv16 = Fr::from_u64(16).inverse();

TEST(IfmaField, MulMatchesFrIncludingLazyInputs) {
  ChaChaRng rng(201);
  const std::vector<Fr> xs = samples(rng, 64), ys = samples(rng, 64);
  // a < 7p (sub_for_mul's range) times b < 2p (a mul output).
  for (unsigned ja : {0u, 1u, 2u, 6u}) {
    for (unsigned jb : {0u, 1u}) {
      for (std::size_t base = 0; base < xs.size(); base += 8) {
        std::array<Big, 8> a, b;
        for (int i = 0; i < 8; ++i) {
          a[i] = lazy(xs[base + i], ja);
          b[i] = lazy(ys[(base + 3 * i) % ys.size()], jb);
        }
        const auto r = unpack(ifma::mul(pack(a), pack(b)));
        for (int i = 0; i < 8; ++i) {
          ASSERT_TRUE(normalised(r[i]));
          ASSERT_TRUE(below(r[i], 2, 0)) << "mul output must be < 2p";
          // Stored integers X = x R, Y = y R: the product is x y R / 16.
          EXPECT_EQ(reduce(r[i]), xs[base + i] * ys[(base + 3 * i) % ys.size()] * kInv16);
        }
      }
    }
  }
}

TEST(IfmaField, AdjustedConstantsMultiplyInFrForm) {
  ChaChaRng rng(202);
  const std::vector<Fr> xs = samples(rng, 8);
  const Fr t = Fr::random(rng);
  std::array<Big, 8> a;
  for (int i = 0; i < 8; ++i) a[i] = lazy(xs[i], 0);
  const auto r = unpack(ifma::mul(pack(a), ifma::broadcast(detail::adjusted52(t))));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(reduce(r[i]), xs[i] * t);
}

TEST(IfmaField, LazyAddSubStayInRange) {
  ChaChaRng rng(203);
  const std::vector<Fr> ys = samples(rng, 48);
  // Case 0: a = X < p; case 1: a = X + p < 2p; case 2: a = X + 2p with a small stored
  // integer X < 2^192, i.e. a in [2p, 2p + 2^192): an input carrying an excess e.
  for (unsigned ja : {0u, 1u, 2u}) {
    std::vector<Fr> xs = samples(rng, 48);
    if (ja == 2) {
      for (auto& x : xs) x = Fr::from_montgomery_unchecked(Limbs{rng.next_u64(), rng.next_u64(), rng.next_u64(), 0});
    }
    for (std::size_t base = 0; base < xs.size(); base += 8) {
      std::array<Big, 8> a, b, bm;
      for (int i = 0; i < 8; ++i) {
        a[i] = lazy(xs[base + i], ja);
        b[i] = lazy(ys[base + i], ja == 2 ? 1 : ja);
        bm[i] = lazy(ys[base + i], 1);  // < 2p, like a mul output
      }
      const auto s = unpack(ifma::add_lazy(pack(a), pack(b)));
      const auto d = unpack(ifma::sub_for_mul(pack(a), pack(b)));
      const auto e = unpack(ifma::sub_lazy(pack(a), pack(bm)));
      for (int i = 0; i < 8; ++i) {
        const Fr x = xs[base + i], y = ys[base + i];
        ASSERT_TRUE(normalised(s[i]) && normalised(d[i]) && normalised(e[i]));
        EXPECT_EQ(reduce(s[i]), x + y);
        EXPECT_EQ(reduce(d[i]), x - y);
        EXPECT_EQ(reduce(e[i]), x - y);
        // add_lazy: < 2p + max(2e, 2^209); sub_lazy: < 2p + max(e, 2^210).
        EXPECT_TRUE(below(s[i], 2, 210));
        EXPECT_TRUE(below(d[i], 7, 0));
        EXPECT_TRUE(below(e[i], 2, 211));
      }
    }
  }
}

Big sub(const Big& a, const Big& b) {
  Big r;
  std::int64_t borrow = 0;
  for (int i = 0; i < 5; ++i) {
    const std::int64_t t = std::int64_t(a.l[i]) - std::int64_t(b.l[i]) + borrow;
    borrow = t < 0 ? -1 : 0;
    r.l[i] = u64(t) & detail::kMask52;
  }
  EXPECT_EQ(borrow, 0);
  return r;
}
Big small(u64 v, unsigned shift = 0) {
  Big r{};
  r.l[shift / 52] = v << (shift % 52);
  return r;
}

// Sums and differences right at the reduction thresholds (2p - 1, 2p, 2p + 1, ...),
// where a wrong comparison would subtract 2p from a value below 2p.
TEST(IfmaField, ReductionBoundaries) {
  const Big p = from_limbs(Fr::kModulus), one = small(1), zero{};
  const Big two_p = add(p, p);
  const Big pm1 = sub(p, one);
  // (a, b) with a + b in {2p - 1, 2p, 2p + 1, 2p + 2^208 - 1, 2p + 2^208, 4p - 2}.
  const std::array<std::pair<Big, Big>, 8> pairs = {{{p, pm1},
                                                     {p, p},
                                                     {p, add(p, one)},
                                                     {p, sub(add(p, small(1, 208)), one)},
                                                     {p, add(p, small(1, 208))},
                                                     {sub(two_p, one), sub(two_p, one)},
                                                     {zero, sub(two_p, one)},
                                                     {pm1, zero}}};
  std::array<Big, 8> a, b;
  for (int i = 0; i < 8; ++i) a[i] = pairs[i].first, b[i] = pairs[i].second;
  const auto s = unpack(ifma::add_lazy(pack(a), pack(b)));
  const auto d = unpack(ifma::sub_reduced(pack(a), pack(b)));
  const auto e = unpack(ifma::sub_reduced(pack(b), pack(a)));
  for (int i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(normalised(s[i]) && normalised(d[i]) && normalised(e[i]));
    EXPECT_EQ(reduce(s[i]), reduce(add(a[i], b[i])));
    EXPECT_TRUE(below(s[i], 2, 210));
    // a - b and b - a: compare (x + 4p) mod p.
    const Big four_p = add(two_p, two_p);
    EXPECT_EQ(reduce(d[i]), reduce(sub(add(a[i], four_p), b[i])));
    EXPECT_EQ(reduce(e[i]), reduce(sub(add(b[i], four_p), a[i])));
    EXPECT_TRUE(below(d[i], 2, 210));
    EXPECT_TRUE(below(e[i], 2, 210));
  }
  // sub_lazy: a - b + 2p with b < 2p, around the threshold.
  std::array<Big, 8> u, v;
  const std::array<std::pair<Big, Big>, 8> subs = {{{zero, zero},
                                                    {zero, one},
                                                    {one, zero},
                                                    {pm1, pm1},
                                                    {add(p, small(1, 208)), zero},
                                                    {sub(two_p, one), zero},
                                                    {add(two_p, small(1, 200)), one},
                                                    {zero, sub(two_p, one)}}};
  for (int i = 0; i < 8; ++i) u[i] = subs[i].first, v[i] = subs[i].second;
  const auto t = unpack(ifma::sub_lazy(pack(u), pack(v)));
  for (int i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(normalised(t[i]));
    EXPECT_EQ(reduce(t[i]), reduce(sub(add(u[i], two_p), v[i])));
    EXPECT_TRUE(below(t[i], 2, 211));
  }
}

TEST(IfmaField, ReduceCanonicalAndConversions) {
  ChaChaRng rng(204);
  const std::vector<Fr> xs = samples(rng, 32);
  for (unsigned j : {0u, 1u, 2u}) {
    for (std::size_t base = 0; base < xs.size(); base += 8) {
      std::array<Big, 8> a;
      for (int i = 0; i < 8; ++i) a[i] = lazy(xs[base + i], j);
      const F8 r = ifma::reduce_canonical(pack(a));
      std::array<Fr, 8> out;
      ifma::store_contiguous(out.data(), r);
      for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], xs[base + i]);
      // Round trip through the 64-bit layouts, contiguous and strided.
      const F8 back = ifma::load_contiguous(out.data());
      const auto u = unpack(back);
      for (int i = 0; i < 8; ++i) EXPECT_EQ(u[i].l, from_limbs(xs[base + i].montgomery_limbs()).l);
      std::vector<Fr> strided(8 * 3, Fr::zero());
      ifma::store_strided(strided.data(), 3, r);
      for (int i = 0; i < 8; ++i) EXPECT_EQ(strided[3 * i], xs[base + i]);
      const auto v = unpack(ifma::load_strided(strided.data(), 3));
      for (int i = 0; i < 8; ++i) EXPECT_EQ(v[i].l, u[i].l);
    }
  }
}

}  // namespace
}  // namespace verdict::poly

#else

TEST(IfmaField, NotCompiledIn) { GTEST_SKIP() << "AVX-512 IFMA not available on this target"; }

#endif
