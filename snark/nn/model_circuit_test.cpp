// The model circuit, layer by layer over random shapes and values: the witness is the
// integer reference (set_input checks every element), the mock prover accepts, and a
// tampered activation, pre-activation, weight or output is caught.
#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "snark/nn/model_circuit.hpp"
#include "snark/nn/model_circuit_testing.hpp"
#include "snark/hash/poseidon_sponge.hpp"
#include "snark/plonk/mock_prover.hpp"

namespace verdict::nn {
namespace {

using testing_models::random_input;

struct Case {
  Model model;
  CircuitOptions options;
};

void expect_mock_accepts(const Model& model, CircuitOptions options, std::uint64_t seed) {
  auto layout = detail::plan_layout(model, options);
  ASSERT_TRUE(layout.ok()) << layout.error().message;
  auto mp = std::make_shared<const Model>(model);
  auto lp = std::make_shared<const detail::Layout>(std::move(layout).value());
  ModelCircuit circuit(mp, lp);
  ChaChaRng rng(seed);
  const auto input = random_input(model, rng);
  ASSERT_TRUE(circuit.set_input(input, field::Fr::random(rng)).ok());
  auto ref = run_reference(model, input);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(circuit.output(), ref.value()[model.output]);
  plonk::ConstraintSystem cs;
  circuit.configure(cs);
  const unsigned k = cs.min_k(lp->rows_needed());
  auto mock = plonk::MockProver::run(circuit, k, {circuit.instance()}, seed);
  ASSERT_TRUE(mock.ok()) << mock.error().message;
  EXPECT_TRUE(mock.value().verify().ok()) << mock.value().verify().error().message;
}

class LayerKinds : public ::testing::TestWithParam<int> {};

TEST_P(LayerKinds, ConvolutionsOfRandomShapes) {
  ChaChaRng rng(100 + GetParam());
  const Model m = testing_models::random_conv_model(rng);
  expect_mock_accepts(m, {GetParam() % 2 ? InputVisibility::kPublic : InputVisibility::kHidden}, GetParam());
}
TEST_P(LayerKinds, DepthwiseConvolutions) {
  ChaChaRng rng(200 + GetParam());
  expect_mock_accepts(testing_models::random_depthwise_model(rng), {}, GetParam());
}
TEST_P(LayerKinds, FullyConnected) {
  ChaChaRng rng(300 + GetParam());
  expect_mock_accepts(testing_models::random_gemm_model(rng), {InputVisibility::kPublic}, GetParam());
}
TEST_P(LayerKinds, ResidualAdd) {
  ChaChaRng rng(400 + GetParam());
  expect_mock_accepts(testing_models::random_add_model(rng), {}, GetParam());
}
TEST_P(LayerKinds, Pools) {
  ChaChaRng rng(500 + GetParam());
  expect_mock_accepts(testing_models::random_pool_model(rng), {}, GetParam());
}
INSTANTIATE_TEST_SUITE_P(Seeds, LayerKinds, ::testing::Range(0, 4));

// A model the circuit cannot prove is refused at planning, naming the layer.
TEST(ModelCircuit, RefusesWhatItCannotProve) {
  ChaChaRng rng(7);
  Model m = testing_models::random_conv_model(rng);
  m.layers[0].clamp_hi = 200;
  auto l = detail::plan_layout(m, {});
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.error().message.find("clamp"), std::string::npos) << l.error().message;
  EXPECT_NE(l.error().message.find("'conv0'"), std::string::npos) << l.error().message;
  m = testing_models::random_conv_model(rng);
  m.shift = 28;
  for (auto& x : m.layers[0].mult) x = 1;
  ASSERT_FALSE(detail::plan_layout(m, {}).ok());
}

// Tampering: each change of the witness or the weights is caught by the mock prover.
struct Tampered {
  std::shared_ptr<const Model> model;
  std::shared_ptr<const detail::Layout> layout;
  std::unique_ptr<ModelCircuit> circuit;
  unsigned k = 0;
};

Tampered build(const Model& model) {
  Tampered t;
  t.model = std::make_shared<const Model>(model);
  t.layout = std::make_shared<const detail::Layout>(detail::plan_layout(model, {}).value());
  t.circuit = std::make_unique<ModelCircuit>(t.model, t.layout);
  ChaChaRng rng(9);
  EXPECT_TRUE(t.circuit->set_input(random_input(model, rng), field::Fr::from_u64(77)).ok());
  plonk::ConstraintSystem cs;
  t.circuit->configure(cs);
  t.k = cs.min_k(t.layout->rows_needed());
  return t;
}

bool mock_fails(Tampered& t) {
  auto mock = plonk::MockProver::run(*t.circuit, t.k, {t.circuit->instance()}, 3);
  EXPECT_TRUE(mock.ok());
  return !mock.value().verify().ok();
}

TEST(ModelCircuit, TamperedActivationIsCaught) {
  ChaChaRng rng(11);
  Tampered t = build(testing_models::random_conv_model(rng));
  const auto& e = std::get<detail::ElementRegion>(t.layout->regions[t.layout->input_region + 2]);
  t.circuit->tamper_advice = [&](unsigned phase, auto& tables) {
    if (phase == 0) tables[detail::lane_q(0)][e.row0 + 1] += field::Fr::one();
  };
  EXPECT_TRUE(mock_fails(t));
}

TEST(ModelCircuit, TamperedPreActivationIsCaught) {
  ChaChaRng rng(12);
  Tampered t = build(testing_models::random_conv_model(rng));
  const auto& e = std::get<detail::ElementRegion>(t.layout->regions[t.layout->input_region + 2]);
  // Shift a by 2^32 and t by 1 (a changed accumulator with a moved high limb).
  t.circuit->tamper_advice = [&](unsigned phase, auto& tables) {
    if (phase != 0) return;
    tables[detail::lane_a(0)][e.row0] += field::Fr::from_u64(1) * field::Fr::from_u64(1ull << 32);
    tables[detail::lane_t(0)][e.row0] += field::Fr::one();
  };
  // (the multiplier is not 1, so this breaks the requantization too; either way it must fail)
  EXPECT_TRUE(mock_fails(t));
}

TEST(ModelCircuit, ChangedWeightIsCaught) {
  ChaChaRng rng(13);
  Tampered t = build(testing_models::random_conv_model(rng));
  t.circuit->tamper_weights = [](auto& w) { w[3][0] += field::Fr::one(); };
  EXPECT_TRUE(mock_fails(t));
}

TEST(ModelCircuit, ChangedOutputIsCaught) {
  ChaChaRng rng(14);
  Tampered t = build(testing_models::random_conv_model(rng));
  auto inst = t.circuit->instance();
  inst.back() += field::Fr::one();
  auto mock = plonk::MockProver::run(*t.circuit, t.k, {inst}, 3);
  ASSERT_TRUE(mock.ok());
  EXPECT_FALSE(mock.value().verify().ok());
}

TEST(ModelCircuit, InputCommitmentIsThePoseidonSpongeOfThePackedBytes) {
  std::vector<std::uint8_t> in(31);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::uint8_t(i + 1);
  const auto salt = field::Fr::from_u64(5);
  // Element 0: bytes 0..29 big-endian; element 1: byte 30 followed by 29 zero bytes.
  field::Fr e0, e1 = field::Fr::from_u64(in[30]) * field::Fr::from_u64(256).pow(29);
  for (std::size_t i = 0; i < 30; ++i) e0 = e0 * field::Fr::from_u64(256) + field::Fr::from_u64(in[i]);
  const std::vector<field::Fr> m = {e0, e1, salt};
  EXPECT_EQ(input_commitment(in, salt), hash::poseidon_hash_many(m));
  EXPECT_FALSE(input_commitment(in, salt) == input_commitment(in, field::Fr::from_u64(6)));
}

}  // namespace
}  // namespace verdict::nn
