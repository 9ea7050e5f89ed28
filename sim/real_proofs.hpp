#pragma once
// Real SNARKs for small simulations (`verdict sim --real-proofs`): a quantized model, its
// proving key and a labelled dataset. With them the accuracy adapter proves every
// requested example with nn::prove and verifies with nn::verify (hidden input, blinding
// from the OS CSPRNG), runs the model's integer reference inference for the subset
// inspection, and takes its test set from the dataset with the true labels: the model's
// answers are the model's, not a Bernoulli draw. Money and virtual time still come from
// the cost model (so reports stay reproducible); the measured seconds are counted in
// RealProofStats for the caller to print.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"

#include "snark/nn/model.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::sim {

struct RealProofStats {
  std::atomic<std::uint64_t> proofs{0};
  std::atomic<std::uint64_t> prove_us{0};
  std::atomic<std::uint64_t> verifications{0};
  std::atomic<std::uint64_t> verify_us{0};
  std::atomic<std::uint64_t> invalid{0};  // verifications that failed
};

struct RealProofs {
  std::shared_ptr<const nn::Model> model;
  std::shared_ptr<const nn::ModelProvingKey> key;  // for `model`
  std::vector<std::vector<std::uint8_t>> inputs;   // the dataset, each a model input
  std::vector<std::uint32_t> labels;               // its true labels
  std::shared_ptr<RealProofStats> stats = std::make_shared<RealProofStats>();
};

// Real proofs are for small runs: at most this many runs per case.
inline constexpr std::uint64_t kMaxRealProofRuns = 100;

// nn::prove of the model on `input` (hidden input, the commitment's `salt`, blinding from
// `blinding`, which must be a CSPRNG), its time counted in real.stats.
Result<nn::ModelProof> real_prove(const RealProofs& real, std::span<const std::uint8_t> input, const field::Fr& salt,
                                  Rng& blinding);
// nn::verify against the key's verifying key, its time counted in real.stats (and the
// proof counted invalid when refused).
bool real_verify(const RealProofs& real, const nn::ModelProof& proof);
// The model's output tensor on `input` (its integer reference inference).
Result<std::vector<std::uint8_t>> real_output(const RealProofs& real, std::span<const std::uint8_t> input);
// A wrong output that still looks like one: the tensor with its argmax moved (one byte:
// its top bit flipped). Never equal to `right`. The simulator's malicious serving MP and
// `verdict serving mp --malicious` post it.
std::vector<std::uint8_t> moved_argmax(std::vector<std::uint8_t> right);

}  // namespace verdict::sim
