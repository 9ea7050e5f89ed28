// Fuzzes model-proof decoding (nn::ModelProof::from_bytes) and verification against the
// fixed key of a small fully connected model with a hidden input (built once per
// process): any input is rejected with an Error or decodes canonically (re-encoding
// gives the same bytes); verification never crashes, and a changed proof never verifies.
// Input byte 0 selects the mode: 0 = the rest is the whole encoding; otherwise the rest
// edits the valid proof's encoding (plonk_fuzz_support.hpp).
#include <cstdio>
#include <cstdlib>

#include "plonk_fuzz_support.hpp"
#include "snark/nn/model_circuit_testing.hpp"
#include "snark/nn/model_proof.hpp"

namespace {

using namespace verdict;

struct Material {
  nn::ModelVerifyingKey vk;
  std::vector<std::uint8_t> proof_bytes;
};

[[noreturn]] void fail(const char* what, const Error& e) {
  std::fprintf(stderr, "fuzz_nn_proof setup: %s: %s\n", what, e.message.c_str());
  std::abort();
}

// random_gemm_model's key (hidden input, k = circuit_k) and a proof under it.
const Material& material() {
  static const Material m = [] {
    ChaChaRng rng(7);
    const nn::Model model = nn::testing_models::random_gemm_model(rng);
    auto k = nn::circuit_k(model, {});
    if (!k.ok()) fail("circuit_k", k.error());
    auto srs = std::make_shared<const commit::Srs>(
        commit::insecure_srs_from_tau((std::size_t(1) << k.value()) + 1, field::Fr::random(rng)));
    auto key = nn::setup(model, {}, srs, rng);
    if (!key.ok()) fail("setup", key.error());
    const auto input = nn::testing_models::random_input(model, rng);
    auto proof = nn::prove(key.value(), model, input, field::Fr::random(rng), rng);
    if (!proof.ok()) fail("prove", proof.error());
    if (!nn::verify(key.value().mvk, proof.value()).ok()) std::abort();
    return Material{key.value().mvk, proof.value().to_bytes()};
  }();
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  material();  // the one-time setup, outside every input's time limit
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& m = material();
  auto bytes = plonk::fuzzing::shape_input(data, size, m.proof_bytes);
  auto proof = nn::ModelProof::from_bytes(bytes);
  if (!proof.ok()) return 0;
  if (proof->to_bytes() != bytes) std::abort();
  const bool accepted = nn::verify(m.vk, proof.value()).ok();
  if (accepted && bytes != m.proof_bytes) std::abort();  // a modified proof verified
  return 0;
}
