// MSM against the naive sum of scalar multiplications: sizes 0, 1, 2, odd, powers of
// two; scalars 0, 1, r-1; repeated bases, a base and its negative, identity bases
// (the batch-affine special cases); every window width; G1 and G2.
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/curve/msm.hpp"

namespace verdict::curve {
namespace {

template <class Jacobian, class Affine>
Jacobian naive(std::span<const Affine> bases, std::span<const Fr> scalars) {
  Jacobian acc = Jacobian::identity();
  for (std::size_t i = 0; i < bases.size(); ++i) acc += Jacobian::from_affine(bases[i]).mul_vartime(scalars[i]);
  return acc;
}

std::vector<G1Affine> random_g1s(Rng& rng, std::size_t n) {
  std::vector<G1> j(n);
  G1 p = G1::generator().mul_vartime(Fr::random(rng));
  G1 step = G1::generator().mul_vartime(Fr::random(rng));
  for (std::size_t i = 0; i < n; ++i) {
    j[i] = p;
    p += step;
  }
  std::vector<G1Affine> out(n);
  G1::batch_to_affine(j, out);
  return out;
}

std::vector<Fr> random_scalars(Rng& rng, std::size_t n) {
  std::vector<Fr> s(n);
  for (auto& x : s) x = Fr::random(rng);
  return s;
}

TEST(Msm, MatchesNaiveAcrossSizes) {
  ChaChaRng rng(401);
  for (std::size_t n : {0u, 1u, 2u, 3u, 5u, 8u, 31u, 32u, 64u, 127u, 256u, 1000u, 1024u}) {
    auto bases = random_g1s(rng, n);
    auto scalars = random_scalars(rng, n);
    EXPECT_EQ(msm_vartime(bases, scalars), (naive<G1, G1Affine>(bases, scalars))) << "n=" << n;
  }
}

TEST(Msm, EdgeScalars) {
  ChaChaRng rng(402);
  const std::size_t n = 300;
  auto bases = random_g1s(rng, n);
  std::vector<Fr> scalars(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (i % 4) {
      case 0: scalars[i] = Fr::zero(); break;
      case 1: scalars[i] = Fr::one(); break;
      case 2: scalars[i] = -Fr::one(); break;
      default: scalars[i] = Fr::random(rng);
    }
  }
  for (unsigned c : {2u, 3u, 4u, 7u, 8u, 13u, 16u}) {
    EXPECT_EQ(msm_vartime_window(bases, scalars, c), (naive<G1, G1Affine>(bases, scalars))) << "c=" << c;
  }
  std::vector<Fr> zeros(n, Fr::zero());
  EXPECT_TRUE(msm_vartime(bases, zeros).is_identity());
}

TEST(Msm, RepeatedNegatedAndIdentityBases) {
  ChaChaRng rng(403);
  G1Affine p = G1::generator().mul_vartime(Fr::random(rng)).to_affine();
  const std::size_t n = 2000;
  std::vector<G1Affine> bases(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (i % 5) {
      case 0: bases[i] = p; break;                      // same point, same bucket often: doublings
      case 1: bases[i] = -p; break;                     // cancellations
      case 2: bases[i] = G1Affine::identity(); break;   // skipped
      default: bases[i] = G1::generator().mul_u64_vartime(i % 7 + 1).to_affine();
    }
  }
  // Scalars from a small set so that buckets collide heavily.
  std::vector<Fr> scalars(n);
  for (std::size_t i = 0; i < n; ++i) scalars[i] = Fr::from_u64(1 + rng.uniform(5));
  for (unsigned c : {3u, 4u, 8u}) {
    EXPECT_EQ(msm_vartime_window(bases, scalars, c), (naive<G1, G1Affine>(bases, scalars))) << "c=" << c;
  }
  // Equal and opposite scalars on equal points.
  std::vector<G1Affine> two = {p, p};
  std::vector<Fr> opposite = {Fr::from_u64(9), -Fr::from_u64(9)};
  EXPECT_TRUE(msm_vartime(two, opposite).is_identity());
}

TEST(Msm, LargeAgreesAcrossWindows) {
  ChaChaRng rng(404);
  const std::size_t n = 1 << 14;
  auto bases = random_g1s(rng, n);
  auto scalars = random_scalars(rng, n);
  G1 reference = msm_vartime_window(bases, scalars, 4);
  for (unsigned c : {9u, 12u, 15u}) EXPECT_EQ(msm_vartime_window(bases, scalars, c), reference) << "c=" << c;
  // Linearity in the scalars: msm(a*s) = a*msm(s).
  Fr a = Fr::random(rng);
  std::vector<Fr> scaled(n);
  for (std::size_t i = 0; i < n; ++i) scaled[i] = scalars[i] * a;
  EXPECT_EQ(msm_vartime(bases, scaled), reference.mul_vartime(a));
}

// Every scalar equal (a selector column of ones, say): each window has one hot
// bucket. This once made the conflict queue quadratic; it must stay fast and right.
TEST(Msm, AllScalarsEqual) {
  ChaChaRng rng(406);
  const std::size_t n = 1 << 15;
  auto bases = random_g1s(rng, n);
  G1 sum = G1::identity();
  for (const auto& b : bases) sum = sum.add_mixed(b);
  for (const Fr& k : {Fr::one(), -Fr::one(), Fr::random(rng)}) {
    std::vector<Fr> scalars(n, k);
    EXPECT_EQ(msm_vartime(bases, scalars), sum.mul_vartime(k));
  }
}

// Witness columns of small integers use fewer windows; the top window's carry must
// still be accounted for at every bit-length, including multiples of the window width.
TEST(Msm, SmallScalarsUseFewerWindowsAndStayExact) {
  ChaChaRng rng(407);
  const std::size_t n = 600;
  auto bases = random_g1s(rng, n);
  for (unsigned bits : {1u, 2u, 7u, 8u, 15u, 16u, 17u, 32u, 64u, 100u}) {
    std::vector<Fr> scalars(n);
    for (auto& s : scalars) {
      field::Limbs l{rng.next_u64(), rng.next_u64(), 0, 0};
      if (bits < 64) {
        l[0] &= (std::uint64_t(1) << bits) - 1;
        l[1] = 0;
      } else if (bits < 128) {
        l[1] &= (std::uint64_t(1) << (bits - 64)) - 1;
      }
      s = Fr::from_canonical_unchecked(l);
    }
    scalars[0] = Fr::from_canonical_unchecked(bits < 64 ? field::Limbs{(std::uint64_t(1) << bits) - 1, 0, 0, 0}
                                                        : field::Limbs{~0ull, (std::uint64_t(1) << (bits - 64)) - 1, 0, 0});
    G1 expected = naive<G1, G1Affine>(bases, scalars);
    for (unsigned c : {4u, 8u, 15u, 16u}) EXPECT_EQ(msm_vartime_window(bases, scalars, c), expected) << bits << " bits, c=" << c;
  }
}

TEST(Msm, G2MatchesNaive) {
  ChaChaRng rng(405);
  for (std::size_t n : {0u, 1u, 2u, 17u, 64u}) {
    std::vector<G2Affine> bases(n);
    for (auto& b : bases) b = G2::generator().mul_vartime(Fr::random(rng)).to_affine();
    if (n > 2) bases[1] = bases[0];
    auto scalars = random_scalars(rng, n);
    EXPECT_EQ(msm_vartime(bases, scalars), (naive<G2, G2Affine>(bases, scalars))) << "n=" << n;
  }
}

}  // namespace
}  // namespace verdict::curve
