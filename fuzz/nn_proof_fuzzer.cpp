// Fuzzes model-proof decoding (nn::ModelProof::from_bytes) and verification against the
// fixed key of a small fully connected model with a hidden input (built once per
// process): any input is rejected with an Error or decodes canonically (re-encoding
// gives the same bytes); verification never crashes, and a changed proof never verifies.
// Input byte 0 selects the mode: 0 = the rest is the whole encoding; otherwise the rest
// edits the valid proof's encoding (plonk_fuzz_support.hpp).
#include <cstdio>
#include <cstdlib>

#include "plonk_fuzz_support.hpp"
#include "nn_fuzz_support.hpp"
#include "snark/nn/model_proof.hpp"

namespace {

using namespace verdict;

struct Material {
  nn::ModelVerifyingKey vk;
  std::vector<std::uint8_t> proof_bytes;
};

const Material& material() {
  static const Material m = [] {
    const auto& f = nn::fuzzing::material("fuzz_nn_proof");
    return Material{f.key.mvk, f.proof.to_bytes()};
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
