#pragma once
// The transcript steps prover and verifier share, defined once so that the two can
// never absorb in different orders (docs/formats.md lists the labels).

#include <cstddef>
#include <functional>
#include <vector>

#include "snark/hash/transcript.hpp"
#include "snark/plonk/keys.hpp"
#include "snark/plonk/proof.hpp"

namespace verdict::plonk::detail {

inline constexpr const char* kTranscriptLabel = "verdict/plonk/v1";

// The verifying-key digest, then per instance column its value count and values.
void absorb_key_and_instances(hash::Transcript& t, const VerifyingKey& vk, const std::vector<std::vector<Fr>>& instances);
// Per committed column D then S; then (if there is any) the challenge rho that
// combines the columns' blinding checks.
Fr absorb_committed(hash::Transcript& t, const Proof& proof);
// The commitments of the advice columns of `phase` (column order), then the phase's
// challenges, written into challenges[index].
void absorb_phase(hash::Transcript& t, const ConstraintSystem& cs, unsigned phase,
                  const std::vector<G1Affine>& advice_commitments, std::vector<Fr>& challenges);
// Every evaluation of the proof, group by group.
void absorb_evaluations(hash::Transcript& t, const Proof& proof);

struct FrHash {
  std::size_t operator()(const Fr& v) const {
    const auto& l = v.montgomery_limbs();
    return std::hash<std::uint64_t>()(l[0] ^ (l[1] * 0x9e3779b97f4a7c15ull) ^ (l[2] << 1) ^ (l[3] >> 1));
  }
};

}  // namespace verdict::plonk::detail
