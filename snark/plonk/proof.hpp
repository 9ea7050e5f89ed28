#pragma once
// A proof, and its byte format (docs/formats.md, "Plonk keys and proofs").
//
// The counts of every group follow from the verifying key, so the decoder knows the
// exact expected length and rejects anything else: a wrong group count, a truncated or
// overlong proof, a point off the curve, a non-canonical field element.

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/commit/kzg.hpp"
#include "snark/plonk/keys.hpp"

namespace verdict::plonk {

struct Proof {
  // Per committed column: the re-randomisation D and its quotient S (keys.hpp).
  std::vector<G1Affine> committed_blinding, committed_quotient;
  std::vector<G1Affine> advice_commitments;      // per advice column, column order
  std::vector<G1Affine> lookup_m_commitments;    // per lookup: multiplicities
  std::vector<G1Affine> permutation_commitments; // per permutation chunk: Z_j
  std::vector<G1Affine> lookup_phi_commitments;  // per lookup: running sum
  std::vector<G1Affine> quotient_commitments;    // degree - 1 pieces
  std::vector<Fr> advice_evals;       // per cs.queries(kAdvice)
  std::vector<Fr> committed_evals;    // per cs.queries(kCommitted)
  std::vector<Fr> fixed_evals;        // per cs.queries(kFixed)
  std::vector<Fr> sigma_evals;        // per equality column, at zeta
  std::vector<Fr> permutation_evals;  // per chunk: Z(zeta), Z(omega zeta), then Z(omega^u zeta) except the last chunk
  std::vector<Fr> lookup_evals;       // per lookup: m(zeta), phi(zeta), phi(omega zeta)
  commit::KzgBatchProof opening;

  std::vector<std::uint8_t> to_bytes() const;
  static Result<Proof> from_bytes(std::span<const std::uint8_t> bytes, const VerifyingKey& vk);
};

// The group sizes a proof for this key must have.
struct ProofShape {
  std::size_t committed, advice, lookups, chunks, quotient, advice_evals, committed_evals, fixed_evals, sigma_evals,
      permutation_evals;
  static ProofShape of(const VerifyingKey& vk);
};

}  // namespace verdict::plonk
