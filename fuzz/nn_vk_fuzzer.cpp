// Fuzzes model verifying-key decoding (nn::ModelVerifyingKey::from_bytes): any input is
// rejected with an Error or decodes canonically (re-encoding gives the same bytes). A
// decoded key verifies the reference proof of a small fully connected model (built once
// per process) without crashing, and accepts it only if it is the genuine key; the proof
// with its model commitment replaced by the decoded key's (to reach the Plonk verifier)
// is accepted only by a key with the genuine Plonk key.
// Input byte 0 selects the mode: 0 = the rest is the whole encoding; otherwise the rest
// edits the valid key's encoding (plonk_fuzz_support.hpp).
#include <cstdio>
#include <cstdlib>

#include "plonk_fuzz_support.hpp"
#include "nn_fuzz_support.hpp"
#include "snark/nn/model_proof.hpp"

namespace {

using namespace verdict;

struct Material {
  nn::ModelVerifyingKey vk;
  std::vector<std::uint8_t> vk_bytes;
  nn::ModelProof proof;
};

const Material& material() {
  static const Material m = [] {
    const auto& f = nn::fuzzing::material("fuzz_nn_vk");
    return Material{f.key.mvk, f.key.mvk.to_bytes(), f.proof};
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
  auto bytes = plonk::fuzzing::shape_input(data, size, m.vk_bytes);
  auto vk = nn::ModelVerifyingKey::from_bytes(bytes);
  if (!vk.ok()) return 0;
  if (vk->to_bytes() != bytes) std::abort();
  if (vk->vk.k > m.vk.vk.k) return 0;  // keep runs short
  if (nn::verify(vk.value(), m.proof).ok() && bytes != m.vk_bytes) std::abort();  // another key accepted the proof
  nn::ModelProof proof = m.proof;
  proof.values.model_commitment = vk->model_commitment();
  if (nn::verify(vk.value(), proof).ok() && vk->vk.digest != m.vk.vk.digest) std::abort();
  return 0;
}
