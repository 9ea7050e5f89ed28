// G1 and G2: group law, scalar multiplication against repeated addition, encodings and
// their rejection of bad input, the fast G2 subgroup check against [r]P = 0.
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/curve/g1.hpp"
#include "snark/curve/g2.hpp"

namespace verdict::curve {
namespace {

G1 random_g1(Rng& rng) { return G1::generator().mul_vartime(Fr::random(rng)); }
G2 random_g2(Rng& rng) { return G2::generator().mul_vartime(Fr::random(rng)); }

// A point on the twist that is (with overwhelming probability) not in G2: hash x
// upward until x^3 + b' is a square.
G2Affine twist_point_outside_subgroup(Rng& rng) {
  for (;;) {
    Fq2 x{Fq::random(rng), Fq::random(rng)};
    auto y = (x.square() * x + G2Config::b()).sqrt_vartime();
    if (y) return G2Affine::from_xy_unchecked(x, *y);
  }
}

template <class P>
void check_group_law(P a, P b, P c) {
  EXPECT_EQ((a + b) + c, a + (b + c));
  EXPECT_EQ(a + b, b + a);
  EXPECT_EQ(a + P::identity(), a);
  EXPECT_TRUE((a - a).is_identity());
  EXPECT_EQ(a + a, a.dbl());
  EXPECT_EQ(a.add_mixed(b.to_affine()), a + b);
  EXPECT_EQ(a.add_mixed(a.to_affine()), a.dbl());
  EXPECT_TRUE(a.add_mixed((-a).to_affine()).is_identity());
  EXPECT_TRUE((a + b).is_on_curve());
  EXPECT_TRUE(a.to_affine().is_on_curve());
}

TEST(G1, GroupLawAndScalarMultiplication) {
  ChaChaRng rng(101);
  EXPECT_TRUE(G1Affine::generator().is_on_curve());
  for (int i = 0; i < 10; ++i) check_group_law(random_g1(rng), random_g1(rng), random_g1(rng));
  G1 g = G1::generator();
  G1 acc = G1::identity();
  for (std::uint64_t k = 0; k < 40; ++k) {
    EXPECT_EQ(g.mul_u64_vartime(k), acc);
    acc += g;
  }
  // [r]G = O, [r-1]G = -G
  EXPECT_TRUE(g.mul_vartime(Fr::kModulus).is_identity());
  EXPECT_EQ(g.mul_vartime(-Fr::one()), -g);
  Fr a = Fr::random(rng), b = Fr::random(rng);
  EXPECT_EQ(g.mul_vartime(a).mul_vartime(b), g.mul_vartime(a * b));
  EXPECT_EQ(g.mul_vartime(a) + g.mul_vartime(b), g.mul_vartime(a + b));
}

TEST(G1, BatchToAffine) {
  ChaChaRng rng(102);
  std::vector<G1> pts = {G1::identity(), random_g1(rng), random_g1(rng), G1::identity(), random_g1(rng)};
  std::vector<G1Affine> aff(pts.size());
  G1::batch_to_affine(pts, aff);
  for (std::size_t i = 0; i < pts.size(); ++i) EXPECT_EQ(aff[i], pts[i].to_affine());
}

TEST(G1, EncodingsRoundTripAndRejectBadInput) {
  ChaChaRng rng(103);
  for (int i = 0; i < 20; ++i) {
    G1Affine p = i == 0 ? G1Affine::identity() : random_g1(rng).to_affine();
    EXPECT_EQ(*g1_from_bytes_uncompressed(g1_to_bytes_uncompressed(p)), p);
    EXPECT_EQ(*g1_from_bytes_compressed(g1_to_bytes_compressed(p)), p);
    EXPECT_EQ(*g1_from_bytes_compressed(g1_to_bytes_compressed(-p)), -p);
  }
  // Off-curve: (1, 3).
  auto enc = g1_to_bytes_uncompressed(G1Affine::generator());
  enc[63] = 3;
  auto r = g1_from_bytes_uncompressed(enc);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not on curve"), std::string::npos);
  // Non-canonical coordinate: x = p.
  std::array<std::uint8_t, 64> big{};
  auto pbytes = Fq::zero().to_bytes_be();
  (void)pbytes;
  for (int i = 0; i < 32; ++i) big[i] = std::uint8_t(Fq::kModulus[3 - i / 8] >> (56 - 8 * (i % 8)));
  big[63] = 2;
  EXPECT_FALSE(g1_from_bytes_uncompressed(big).ok());
  // Wrong length, bad identity flags, x not on curve.
  EXPECT_FALSE(g1_from_bytes_uncompressed(std::span<const std::uint8_t>(enc.data(), 63)).ok());
  std::array<std::uint8_t, 32> c{};
  c[0] = 0x80;
  c[31] = 1;
  EXPECT_FALSE(g1_from_bytes_compressed(c).ok());
  int rejected = 0;
  for (std::uint8_t x = 1; x < 20; ++x) {
    std::array<std::uint8_t, 32> cx{};
    cx[31] = x;
    auto d = g1_from_bytes_compressed(cx);
    if (!d.ok()) {
      ++rejected;
    } else {
      EXPECT_TRUE(d->is_on_curve());
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(G2, GroupLawAndScalarMultiplication) {
  ChaChaRng rng(201);
  EXPECT_TRUE(G2Affine::generator().is_on_curve());
  for (int i = 0; i < 5; ++i) check_group_law(random_g2(rng), random_g2(rng), random_g2(rng));
  G2 g = G2::generator();
  EXPECT_TRUE(g.mul_vartime(Fr::kModulus).is_identity());
  Fr a = Fr::random(rng), b = Fr::random(rng);
  EXPECT_EQ(g.mul_vartime(a).mul_vartime(b), g.mul_vartime(a * b));
}

TEST(G2, PsiActsAsMultiplicationByPOnG2) {
  ChaChaRng rng(202);
  G2 p = random_g2(rng);
  // p mod r as a scalar
  Fr p_mod_r = Fr::reduce(Fq::kModulus);
  EXPECT_EQ(g2_psi(p), p.mul_vartime(p_mod_r));
  EXPECT_EQ(g2_psi(p.to_affine()), g2_psi(p).to_affine());
}

TEST(G2, SubgroupCheckAgreesWithDefinition) {
  ChaChaRng rng(203);
  for (int i = 0; i < 8; ++i) {
    G2 in = random_g2(rng);
    EXPECT_TRUE(g2_in_subgroup_vartime(in));
    G2 out = G2::from_affine(twist_point_outside_subgroup(rng));
    ASSERT_TRUE(out.is_on_curve());
    bool by_definition = out.mul_vartime(Fr::kModulus).is_identity();
    EXPECT_EQ(g2_in_subgroup_vartime(out), by_definition);
    EXPECT_FALSE(by_definition);
  }
  EXPECT_TRUE(g2_in_subgroup_vartime(G2::identity()));
}

TEST(G2, EncodingsRoundTripAndRejectBadInput) {
  ChaChaRng rng(204);
  for (int i = 0; i < 6; ++i) {
    G2Affine p = i == 0 ? G2Affine::identity() : random_g2(rng).to_affine();
    EXPECT_EQ(*g2_from_bytes_uncompressed(g2_to_bytes_uncompressed(p)), p);
    EXPECT_EQ(*g2_from_bytes_compressed(g2_to_bytes_compressed(p)), p);
    EXPECT_EQ(*g2_from_bytes_compressed(g2_to_bytes_compressed(-p)), -p);
  }
  G2Affine outside = twist_point_outside_subgroup(rng);
  auto r = g2_from_bytes_uncompressed(g2_to_bytes_uncompressed(outside));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("subgroup"), std::string::npos);
  auto rc = g2_from_bytes_compressed(g2_to_bytes_compressed(outside));
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.error().message.find("subgroup"), std::string::npos);
  auto enc = g2_to_bytes_uncompressed(G2Affine::generator());
  enc[127] ^= 1;
  auto off = g2_from_bytes_uncompressed(enc);
  ASSERT_FALSE(off.ok());
  EXPECT_NE(off.error().message.find("not on the twist"), std::string::npos);
}

}  // namespace
}  // namespace verdict::curve
