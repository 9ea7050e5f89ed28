// The batch-affine kernel: the IFMA path (where built) and the scalar path agree with
// one-at-a-time Jacobian additions for every batch size from 0 to 200 and on points
// that make lambda and the coordinates hit extreme values.
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/curve/batch_affine.hpp"
#include "snark/curve/g1.hpp"

namespace verdict::curve {
namespace {

TEST(BatchAffine, BothPathsMatchJacobianAdditionAtEverySize) {
  ChaChaRng rng(71);
  detail::BatchAffineScratch scratch;  // reused across sizes, as the MSM does
  for (std::size_t m = 0; m <= 200; m += (m < 40 ? 1 : 17)) {
    std::vector<Fq> x1(m), y1(m), x2(m), y2(m);
    std::vector<G1Affine> expected(m);
    for (std::size_t i = 0; i < m; ++i) {
      G1Affine p = G1::generator().mul_vartime(Fr::random(rng)).to_affine();
      G1Affine q = i % 7 == 3 ? (-G1::from_affine(p).dbl()).to_affine()  // y2 = -y of 2P: extreme slopes
                              : G1::generator().mul_vartime(Fr::random(rng)).to_affine();
      x1[i] = p.x, y1[i] = p.y, x2[i] = q.x, y2[i] = q.y;
      expected[i] = G1::from_affine(p).add_mixed(q).to_affine();
    }
    for (bool simd : {true, false}) {
      auto a = x1, b = y1;
      detail::batch_affine_add<Fq>(m, a.data(), b.data(), x2.data(), y2.data(), scratch, simd);
      for (std::size_t i = 0; i < m; ++i) {
        ASSERT_EQ(G1Affine::from_xy_unchecked(a[i], b[i]), expected[i]) << "m=" << m << " i=" << i << " simd=" << simd;
      }
    }
  }
}

}  // namespace
}  // namespace verdict::curve
