// The pairing: bilinearity, non-degeneracy, order r of its values, the shared final
// exponentiation of multi-pairings, and identity handling.
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/curve/pairing.hpp"

namespace verdict::curve {
namespace {

TEST(Pairing, BilinearNonDegenerateOfOrderR) {
  ChaChaRng rng(301);
  G1Affine g1 = G1Affine::generator();
  G2Affine g2 = G2Affine::generator();
  Fq12 e = pairing(g1, g2);
  EXPECT_FALSE(e.is_one());
  EXPECT_TRUE(e.pow(Fr::kModulus).is_one());
  for (int i = 0; i < 3; ++i) {
    Fr a = Fr::random(rng), b = Fr::random(rng);
    G1Affine ap = G1::generator().mul_vartime(a).to_affine();
    G2Affine bq = G2::generator().mul_vartime(b).to_affine();
    Fq12 lhs = pairing(ap, bq);
    Fq12 rhs = e.pow((a * b).to_canonical());
    EXPECT_EQ(lhs, rhs);
    EXPECT_EQ(pairing(ap, g2), pairing(g1, G2::generator().mul_vartime(a).to_affine()));
  }
  EXPECT_TRUE(pairing(G1Affine::identity(), g2).is_one());
  EXPECT_TRUE(pairing(g1, G2Affine::identity()).is_one());
}

TEST(Pairing, ProductChecks) {
  ChaChaRng rng(302);
  Fr a = Fr::random(rng), b = Fr::random(rng);
  G1Affine ap = G1::generator().mul_vartime(a).to_affine();
  G2Affine bq = G2::generator().mul_vartime(b).to_affine();
  G1Affine abp_neg = (-G1::generator().mul_vartime(a * b)).to_affine();
  std::vector<std::pair<G1Affine, G2Affine>> good = {{ap, bq}, {abp_neg, G2Affine::generator()}};
  EXPECT_TRUE(pairing_product_is_one(good));
  std::vector<std::pair<G1Affine, G2Affine>> bad = {{ap, bq}, {(-G1::generator().mul_vartime(a * b + Fr::one())).to_affine(), G2Affine::generator()}};
  EXPECT_FALSE(pairing_product_is_one(bad));
  std::vector<std::pair<G1Affine, G2Affine>> empty;
  EXPECT_TRUE(pairing_product_is_one(empty));
  // Prepared points give the same answer.
  G2Prepared pq = G2Prepared::from(bq), pg = G2Prepared::from(G2Affine::generator());
  std::vector<std::pair<G1Affine, const G2Prepared*>> prep = {{ap, &pq}, {abp_neg, &pg}};
  EXPECT_TRUE(pairing_product_is_one(prep));
}

}  // namespace
}  // namespace verdict::curve
