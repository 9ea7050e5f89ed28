#include "sim/real_proofs.hpp"

#include <chrono>

namespace verdict::sim {
namespace {

std::uint64_t microseconds_since(std::chrono::steady_clock::time_point t0) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace

Result<nn::ModelProof> real_prove(const RealProofs& real, std::span<const std::uint8_t> input, const field::Fr& salt,
                                  Rng& blinding) {
  const auto t0 = std::chrono::steady_clock::now();
  auto proof = nn::prove(*real.key, *real.model, input, salt, blinding);
  if (!proof.ok()) return proof.error();
  real.stats->proofs += 1;
  real.stats->prove_us += microseconds_since(t0);
  return proof;
}

bool real_verify(const RealProofs& real, const nn::ModelProof& proof) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool ok = nn::verify(real.key->mvk, proof).ok();
  real.stats->verifications += 1;
  real.stats->verify_us += microseconds_since(t0);
  if (!ok) real.stats->invalid += 1;
  return ok;
}

Result<std::vector<std::uint8_t>> real_output(const RealProofs& real, std::span<const std::uint8_t> input) {
  auto values = nn::run_reference(*real.model, input);
  if (!values.ok()) return values.error();
  return std::move(values->at(real.model->output));
}

std::vector<std::uint8_t> moved_argmax(std::vector<std::uint8_t> y) {
  if (y.empty()) return {1};
  const std::vector<std::uint8_t> right = y;
  std::size_t a = 0;
  for (std::size_t i = 1; i < y.size(); ++i) a = y[i] > y[a] ? i : a;
  if (y.size() == 1) {
    y[0] ^= 0x80;
  } else {
    y[(a + 1) % y.size()] = 255;
    y[a] = 0;
  }
  if (y == right) y[0] ^= 1;
  return y;
}

}  // namespace verdict::sim
