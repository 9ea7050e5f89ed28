#pragma once
// The API the protocols use to prove a model's inference (docs/nn.md, docs/formats.md):
//
//   setup   model + SRS -> proving key, verifying key, model commitment. The weights go
//           into committed columns: the verifying key holds hiding KZG commitments to
//           them, re-randomised in every proof (zero knowledge across any number of
//           proofs; docs/plonk.md, "Committed columns").
//   prove   proving key + model + input (+ salt) -> proof with its public values: the
//           model commitment, the input commitment (hidden input) or the input bytes
//           (public input), and the output bytes.
//   verify  verifying key + proof -> accept, or an error saying what did not hold.
//
// The model commitment is Keccak-256 over "verdict-model-commitment-v1" and the
// verifying key's bytes: it binds the architecture, the quantization constants and the
// weight commitments, and is the same for every proof with that key.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "snark/commit/srs.hpp"
#include "snark/nn/circuit_layout.hpp"
#include "snark/nn/model.hpp"
#include "snark/plonk/keys.hpp"
#include "snark/plonk/prover.hpp"

namespace verdict::nn {

using Digest = std::array<std::uint8_t, 32>;

struct ModelVerifyingKey {
  InputVisibility input = InputVisibility::kHidden;
  Shape input_shape, output_shape;
  std::int32_t output_zero_point = 0;
  double output_scale = 1.0;
  plonk::VerifyingKey vk;

  Digest model_commitment() const;
  std::vector<std::uint8_t> to_bytes() const;
  static Result<ModelVerifyingKey> from_bytes(std::span<const std::uint8_t> bytes);
};

struct ModelProvingKey {
  Digest model_digest{};  // Keccak-256 of the model's bytes: prove() refuses another model
  ModelVerifyingKey mvk;
  plonk::ProvingKey pk;

  std::vector<std::uint8_t> to_bytes() const;
  static Result<ModelProvingKey> from_bytes(std::span<const std::uint8_t> bytes, std::shared_ptr<const commit::Srs> srs);
  // Only the verifying key inside a proving key's bytes (to size the SRS before loading).
  static Result<ModelVerifyingKey> verifying_key_of(std::span<const std::uint8_t> bytes);
};

struct PublicValues {
  Digest model_commitment{};
  InputVisibility input = InputVisibility::kHidden;
  field::Fr input_commitment;          // hidden input
  std::vector<std::uint8_t> input_bytes;  // public input
  std::vector<std::uint8_t> output;
};

struct ModelProof {
  PublicValues values;
  std::vector<std::uint8_t> proof;  // the Plonk proof's bytes

  std::vector<std::uint8_t> to_bytes() const;
  static Result<ModelProof> from_bytes(std::span<const std::uint8_t> bytes);
};

// The SRS size a model needs: 2^k + 1 G1 powers for the circuit's domain of 2^k rows.
Result<unsigned> circuit_k(const Model& model, const CircuitOptions& options);

// Progress of long steps: (what, fraction done in [0, 1]).
using Progress = std::function<void(const std::string& step)>;

Result<ModelProvingKey> setup(const Model& model, const CircuitOptions& options, std::shared_ptr<const commit::Srs> srs,
                              Rng& rng, const Progress& progress = {});

// salt: the input commitment's blinding (ignored for a public input); draw it from the OS
// CSPRNG and give it to whoever may later need to recompute the commitment.
Result<ModelProof> prove(const ModelProvingKey& key, const Model& model, std::span<const std::uint8_t> input,
                         const field::Fr& salt, Rng& rng, plonk::ProverStats* stats = nullptr,
                         const Progress& progress = {});

Status verify(const ModelVerifyingKey& key, const ModelProof& proof);

}  // namespace verdict::nn
