#pragma once
// The fixed material of the nn fuzz targets: random_gemm_model (ChaChaRng seed 7), its key
// (hidden input, domain 2^circuit_k, an in-memory SRS) and one valid proof, built once per
// process. A failure aborts with the target's name: the target cannot run without it.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "base/rng.hpp"
#include "snark/nn/model_circuit_testing.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::nn::fuzzing {

struct Material {
  ModelProvingKey key;
  ModelProof proof;
};

inline const Material& material(const char* target) {
  static const Material m = [target] {
    auto fail = [target](const char* what, const Error& e) {
      std::fprintf(stderr, "%s setup: %s: %s\n", target, what, e.message.c_str());
      std::abort();
    };
    ChaChaRng rng(7);
    const Model model = testing_models::random_gemm_model(rng);
    auto k = circuit_k(model, {});
    if (!k.ok()) fail("circuit_k", k.error());
    auto srs = std::make_shared<const commit::Srs>(
        commit::insecure_srs_from_tau((std::size_t(1) << k.value()) + 1, field::Fr::random(rng)));
    auto key = setup(model, {}, srs, rng);
    if (!key.ok()) fail("setup", key.error());
    const auto input = testing_models::random_input(model, rng);
    auto proof = prove(key.value(), model, input, field::Fr::random(rng), rng);
    if (!proof.ok()) fail("prove", proof.error());
    if (auto st = verify(key.value().mvk, proof.value()); !st.ok()) fail("verify", st.error());
    return Material{std::move(key).value(), std::move(proof).value()};
  }();
  return m;
}

}  // namespace verdict::nn::fuzzing
