// Every byte of a valid proof, flipped (one bit, the position varying with the byte):
// each of the altered proofs is rejected. Label "slow": about 2,000 verifications.
#include <gtest/gtest.h>

#include "snark/plonk/prover.hpp"
#include "snark/plonk/random_circuit_testing.hpp"
#include "snark/plonk/verifier.hpp"

namespace verdict::plonk {
namespace {

TEST(PlonkTamper, FlippingAnyByteOfAProofIsRejected) {
  ChaChaRng srs_rng(77);
  auto srs = std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau(33, Fr::random(srs_rng)));
  testing::RandomCircuit circuit(testing::RandomCircuitParams{11, 5});
  auto pk = keygen(circuit, srs, 5);
  ASSERT_TRUE(pk.ok());
  auto instances = circuit.instances();
  OsRng rng;
  auto proof = prove(*pk, circuit, instances, rng);
  ASSERT_TRUE(proof.ok());
  auto bytes = proof->to_bytes();
  ASSERT_TRUE(verify_bytes(pk->vk, instances, bytes).ok());
  std::vector<std::size_t> accepted;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= std::uint8_t(1u << (i % 8));
    if (verify_bytes(pk->vk, instances, bad).ok()) accepted.push_back(i);
  }
  EXPECT_TRUE(accepted.empty()) << accepted.size() << " altered proofs verified, the first at byte " << accepted[0];
}

}  // namespace
}  // namespace verdict::plonk
