// Real proofs of small models (conv, pools, add, fully connected; hidden and public
// inputs): they verify, survive the byte formats, and every false claim is rejected:
// another output, another model commitment, another input or input commitment, a
// witness computed with a changed weight.
#include <gtest/gtest.h>

#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model_circuit_testing.hpp"
#include "snark/nn/model_proof.hpp"
#include "snark/plonk/prover.hpp"
#include "snark/plonk/verifier.hpp"

namespace verdict::nn {
namespace {

using field::Fr;

std::shared_ptr<const commit::Srs> test_srs(unsigned k) {
  ChaChaRng rng(4321);
  return std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau((std::size_t(1) << k) + 1, Fr::random(rng)));
}

// conv -> maxpool -> avgpool -> global average pool, and a residual add model.
Model pool_model() {
  ChaChaRng rng(5);
  return testing_models::random_pool_model(rng);
}

struct Proved {
  ModelProvingKey key;
  ModelProof proof;
  std::vector<std::uint8_t> input;
  Fr salt;
};

Proved prove_model(const Model& m, InputVisibility vis, std::uint64_t seed) {
  ChaChaRng rng(seed);
  const unsigned k = circuit_k(m, {vis}).value();
  auto key = setup(m, {vis}, test_srs(k), rng);
  EXPECT_TRUE(key.ok()) << key.error().message;
  Proved p{std::move(key).value(), {}, testing_models::random_input(m, rng), Fr::random(rng)};
  auto proof = prove(p.key, m, p.input, p.salt, rng);
  EXPECT_TRUE(proof.ok()) << proof.error().message;
  p.proof = std::move(proof).value();
  return p;
}

TEST(ModelProof, HiddenInputProofVerifiesAndBindsItsPublicValues) {
  const Model m = pool_model();
  Proved p = prove_model(m, InputVisibility::kHidden, 1);
  ASSERT_TRUE(verify(p.key.mvk, p.proof).ok()) << verify(p.key.mvk, p.proof).error().message;
  EXPECT_EQ(p.proof.values.output, run_reference(m, p.input).value()[m.output]);
  EXPECT_EQ(p.proof.values.input_commitment, input_commitment(p.input, p.salt));
  EXPECT_EQ(p.proof.values.model_commitment, p.key.mvk.model_commitment());

  ModelProof other = p.proof;  // another output
  other.values.output[0] ^= 1;
  EXPECT_FALSE(verify(p.key.mvk, other).ok());
  other = p.proof;  // another input commitment (the same input, another salt)
  other.values.input_commitment = input_commitment(p.input, p.salt + Fr::one());
  EXPECT_FALSE(verify(p.key.mvk, other).ok());
  other = p.proof;  // another model commitment
  other.values.model_commitment[0] ^= 1;
  auto st = verify(p.key.mvk, other);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("another model"), std::string::npos);

  // A second key for the same architecture with other weights: a different commitment,
  // and the first proof does not verify under it.
  Model m2 = m;
  m2.layers[0].weights[0] = std::int8_t(m2.layers[0].weights[0] == 5 ? 6 : 5);
  ChaChaRng rng(2);
  auto key2 = setup(m2, {}, test_srs(p.key.pk.vk.k), rng);
  ASSERT_TRUE(key2.ok());
  EXPECT_NE(key2->mvk.model_commitment(), p.key.mvk.model_commitment());
  other = p.proof;
  other.values.model_commitment = key2->mvk.model_commitment();
  EXPECT_FALSE(verify(key2->mvk, other).ok());
}

TEST(ModelProof, PublicInputProofVerifiesAndBindsTheInput) {
  ChaChaRng rng(8);
  const Model m = testing_models::random_gemm_model(rng);
  Proved p = prove_model(m, InputVisibility::kPublic, 3);
  ASSERT_TRUE(verify(p.key.mvk, p.proof).ok()) << verify(p.key.mvk, p.proof).error().message;
  EXPECT_EQ(p.proof.values.input_bytes, p.input);
  ModelProof other = p.proof;
  other.values.input_bytes[0] ^= 1;
  EXPECT_FALSE(verify(p.key.mvk, other).ok());
  other = p.proof;
  other.values.output.back() ^= 4;
  EXPECT_FALSE(verify(p.key.mvk, other).ok());
}

TEST(ModelProof, ResidualAddAndDepthwiseProofsVerify) {
  ChaChaRng rng(9);
  for (const Model& m : {testing_models::random_add_model(rng), testing_models::random_depthwise_model(rng)}) {
    Proved p = prove_model(m, InputVisibility::kHidden, 4);
    EXPECT_TRUE(verify(p.key.mvk, p.proof).ok()) << verify(p.key.mvk, p.proof).error().message;
  }
}

TEST(ModelProof, FormatsRoundTripAndProofsAreFreshEachTime) {
  const Model m = pool_model();
  Proved p = prove_model(m, InputVisibility::kHidden, 5);
  auto vk = ModelVerifyingKey::from_bytes(p.key.mvk.to_bytes());
  ASSERT_TRUE(vk.ok()) << vk.error().message;
  EXPECT_EQ(vk->model_commitment(), p.key.mvk.model_commitment());
  auto pr = ModelProof::from_bytes(p.proof.to_bytes());
  ASSERT_TRUE(pr.ok()) << pr.error().message;
  EXPECT_TRUE(verify(*vk, *pr).ok());
  auto pk = ModelProvingKey::from_bytes(p.key.to_bytes(), p.key.pk.srs);
  ASSERT_TRUE(pk.ok()) << pk.error().message;
  ChaChaRng rng(6);
  auto again = prove(*pk, m, p.input, p.salt, rng);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(verify(*vk, *again).ok());
  // Same statement, fresh blinding: the public values agree, the proof bytes do not.
  EXPECT_EQ(again->values.input_commitment, p.proof.values.input_commitment);
  EXPECT_NE(again->proof, p.proof.proof);
  // Truncations and bad magic are refused with a message.
  const auto bytes = p.proof.to_bytes();
  for (std::size_t cut : {std::size_t(0), std::size_t(3), std::size_t(40), bytes.size() - 1}) {
    auto bad = ModelProof::from_bytes(std::span(bytes).first(cut));
    ASSERT_FALSE(bad.ok());
    EXPECT_FALSE(bad.error().message.empty());
  }
  auto vkb = p.key.mvk.to_bytes();
  vkb[0] = 'X';
  EXPECT_FALSE(ModelVerifyingKey::from_bytes(vkb).ok());
  // Another model is refused by prove().
  Model m2 = m;
  m2.layers[0].bias[0] += 1;
  EXPECT_FALSE(prove(*pk, m2, p.input, p.salt, rng).ok());
  // A wrong input size too.
  std::vector<std::uint8_t> short_input(p.input.begin(), p.input.end() - 1);
  auto e = prove(*pk, m, short_input, p.salt, rng);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("input"), std::string::npos);
}

// A witness computed with a changed weight (the key holds the original): the real proof
// made anyway does not verify.
TEST(ModelProof, WitnessWithAChangedWeightFails) {
  const Model m = pool_model();
  ChaChaRng rng(10);
  const unsigned k = circuit_k(m, {}).value();
  auto key = setup(m, {}, test_srs(k), rng);
  ASSERT_TRUE(key.ok());
  Model changed = m;
  changed.layers[0].weights[1] = std::int8_t(changed.layers[0].weights[1] == 9 ? 10 : 9);
  auto layout = std::make_shared<const detail::Layout>(detail::plan_layout(changed, {}).value());
  ModelCircuit circuit(std::make_shared<const Model>(changed), layout);
  const auto input = testing_models::random_input(m, rng);
  ASSERT_TRUE(circuit.set_input(input, Fr::from_u64(1)).ok());
  plonk::ProverOptions opts;
  opts.allow_unsatisfied = true;
  auto proof = plonk::prove(key->pk, circuit, {circuit.instance()}, rng, opts);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_FALSE(plonk::verify(key->pk.vk, {circuit.instance()}, proof.value()).ok());
}

// A changed activation (one output byte of the first layer, its requantization left as
// it was): the real proof made anyway does not verify.
TEST(ModelProof, WitnessWithAChangedActivationFails) {
  const Model m = pool_model();
  ChaChaRng rng(11);
  const unsigned k = circuit_k(m, {}).value();
  auto key = setup(m, {}, test_srs(k), rng);
  ASSERT_TRUE(key.ok());
  auto layout = std::make_shared<const detail::Layout>(detail::plan_layout(m, {}).value());
  ModelCircuit circuit(std::make_shared<const Model>(m), layout);
  ASSERT_TRUE(circuit.set_input(testing_models::random_input(m, rng), Fr::from_u64(1)).ok());
  std::uint32_t row = 0;
  for (const auto& region : layout->regions)
    if (auto* e = std::get_if<detail::ElementRegion>(&region)) {
      row = e->row0;
      break;
    }
  circuit.tamper_advice = [row](unsigned phase, auto& tables) {
    if (phase == 0) tables[detail::lane_q(0)][row] += Fr::one();
  };
  plonk::ProverOptions opts;
  opts.allow_unsatisfied = true;
  auto proof = plonk::prove(key->pk, circuit, {circuit.instance()}, rng, opts);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_FALSE(plonk::verify(key->pk.vk, {circuit.instance()}, proof.value()).ok());
}

}  // namespace
}  // namespace verdict::nn
