#pragma once
// Shared by the plonk fuzzers: a small valid circuit, its keys and a valid proof,
// built once (test harness state; the library itself has none).
#include <memory>

#include "snark/plonk/prover.hpp"
#include "snark/plonk/random_circuit_testing.hpp"
#include "snark/plonk/verifier.hpp"

namespace verdict::plonk::fuzzing {

struct Material {
  std::shared_ptr<const commit::Srs> srs;
  ProvingKey pk;
  std::vector<std::vector<Fr>> instances;
  std::vector<std::uint8_t> vk_bytes, proof_bytes;
};

inline const Material& material() {
  static const Material m = [] {
    Material out;
    ChaChaRng rng(5);
    out.srs = std::make_shared<const commit::Srs>(commit::insecure_srs_from_tau(17, Fr::random(rng)));
    testing::RandomCircuit circuit(testing::RandomCircuitParams{3, 4});
    out.pk = std::move(*keygen(circuit, out.srs, 4));
    out.instances = circuit.instances();
    out.vk_bytes = out.pk.vk.to_bytes();
    out.proof_bytes = prove(out.pk, circuit, out.instances, rng)->to_bytes();
    return out;
  }();
  return m;
}

// Input byte 0 selects the mode: 0 = the rest is the whole encoding; otherwise the rest
// is a list of (u16 offset, u8 xor) edits applied to the valid encoding.
inline std::vector<std::uint8_t> shape_input(const std::uint8_t* data, std::size_t size,
                                             const std::vector<std::uint8_t>& valid) {
  if (size == 0) return {};
  if (data[0] == 0) return std::vector<std::uint8_t>(data + 1, data + size);
  std::vector<std::uint8_t> out = valid;
  for (std::size_t i = 1; i + 3 <= size; i += 3) {
    std::size_t off = (std::size_t(data[i]) << 8 | data[i + 1]) % (out.size() + 1);
    if (off == out.size()) {
      out.push_back(data[i + 2]);
    } else {
      out[off] ^= data[i + 2];
    }
  }
  return out;
}

}  // namespace verdict::plonk::fuzzing
