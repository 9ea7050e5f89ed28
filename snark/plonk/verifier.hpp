#pragma once
// The verifier: replays the transcript, evaluates every constraint at zeta from the
// proof's evaluations (instance columns it evaluates itself, O(public inputs)),
// computes the quotient's value there, and checks all openings with one batched KZG
// verification (two pairings). Any failure is an Error saying what did not hold.

#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/plonk/keys.hpp"
#include "snark/plonk/proof.hpp"

namespace verdict::plonk {

Status verify(const VerifyingKey& vk, const std::vector<std::vector<Fr>>& instances, const Proof& proof);
// Decodes (strictly, against the key) and verifies.
Status verify_bytes(const VerifyingKey& vk, const std::vector<std::vector<Fr>>& instances,
                    std::span<const std::uint8_t> proof_bytes);

}  // namespace verdict::plonk
