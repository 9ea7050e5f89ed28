#include "snark/plonk/transcript_steps.hpp"

namespace verdict::plonk::detail {

void absorb_key_and_instances(hash::Transcript& t, const VerifyingKey& vk, const std::vector<std::vector<Fr>>& instances) {
  t.absorb_bytes("vk", vk.digest);
  for (const auto& column : instances) {
    std::array<std::uint8_t, 8> count{};
    for (int i = 0; i < 8; ++i) count[i] = std::uint8_t(std::uint64_t(column.size()) >> (56 - 8 * i));
    t.absorb_bytes("instance.count", count);
    for (const Fr& v : column) t.absorb_scalar("instance", v);
  }
}

Fr absorb_committed(hash::Transcript& t, const Proof& proof) {
  for (std::size_t i = 0; i < proof.committed_blinding.size(); ++i) {
    t.absorb_point("committed.d", proof.committed_blinding[i]);
    t.absorb_point("committed.s", proof.committed_quotient[i]);
  }
  return proof.committed_blinding.empty() ? Fr::zero() : t.challenge_scalar("committed.rho");
}

void absorb_phase(hash::Transcript& t, const ConstraintSystem& cs, unsigned phase,
                  const std::vector<G1Affine>& advice_commitments, std::vector<Fr>& challenges) {
  for (std::size_t c = 0; c < cs.num_advice(); ++c)
    if (cs.advice_phase(std::uint32_t(c)) == phase) t.absorb_point("advice", advice_commitments[c]);
  for (std::size_t i = 0; i < cs.num_challenges(); ++i)
    if (cs.challenge_phase(std::uint32_t(i)) == phase) challenges[i] = t.challenge_scalar("challenge");
}

void absorb_evaluations(hash::Transcript& t, const Proof& proof) {
  for (const Fr& v : proof.advice_evals) t.absorb_scalar("eval.advice", v);
  for (const Fr& v : proof.committed_evals) t.absorb_scalar("eval.committed", v);
  for (const Fr& v : proof.fixed_evals) t.absorb_scalar("eval.fixed", v);
  for (const Fr& v : proof.sigma_evals) t.absorb_scalar("eval.sigma", v);
  for (const Fr& v : proof.permutation_evals) t.absorb_scalar("eval.permutation", v);
  for (const Fr& v : proof.lookup_evals) t.absorb_scalar("eval.lookup", v);
}

}  // namespace verdict::plonk::detail
