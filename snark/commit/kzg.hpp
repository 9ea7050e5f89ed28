#pragma once
// KZG polynomial commitments over BN254 (Kate, Zaverucha, Goldberg 2010).
//
//   commit(f)      C = [f(tau)]_1 = sum_i f_i [tau^i]_1
//   open(f, z)     y = f(z), W = [q(tau)]_1 with q(X) = (f(X) - y) / (X - z)
//   verify         e(C - [y]_1 + [z]W, [1]_2) = e(W, [tau]_2)
//
// Batched openings (the GWC19 multi-point scheme, as in PLONK): queries (f_i, z_i)
// are grouped by point; with gamma from the transcript each group j opens
// F_j = sum_k gamma^k f_k (k counting within the group) at z_j by one witness W_j;
// with r from the transcript after the witnesses, the verifier checks all groups with
// one 2-pairing product:
//   e(sum_j r^j (C_j - [v_j]_1 + [z_j] W_j), [1]_2) * e(-sum_j r^j W_j, [tau]_2) = 1,
// C_j, v_j the gamma-combinations of the group's commitments and values. A proof is
// one G1 point per distinct point. The transcript absorbs every query (commitment,
// point, value) before gamma and every witness before r, so the scheme is bound to
// exactly these claims even when the caller's transcript did not absorb them.
//
// Commitment and opening use msm_vartime (see curve/msm.hpp on timing).

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/commit/srs.hpp"
#include "snark/curve/pairing.hpp"
#include "snark/hash/transcript.hpp"

namespace verdict::commit {

using curve::G1;

// The verifier's part of the SRS, with the G2 line coefficients precomputed.
struct KzgVerifierKey {
  G1Affine g1;
  G2Affine g2, tau_g2;
  curve::G2Prepared g2_prepared, tau_g2_prepared;

  static KzgVerifierKey from(const Srs& srs);
};

// [f(tau)]_1; an Error when f has more coefficients than the SRS has powers.
Result<G1> kzg_commit(const Srs& srs, std::span<const Fr> coeffs);

struct KzgOpening {
  Fr value;        // f(z)
  G1Affine proof;  // [(f(X) - f(z)) / (X - z)] at tau
};
Result<KzgOpening> kzg_open(const Srs& srs, std::span<const Fr> coeffs, const Fr& z);
bool kzg_verify(const KzgVerifierKey& vk, const G1Affine& commitment, const Fr& z, const Fr& value,
                const G1Affine& proof);

// --- batched openings at several points ---

struct KzgProverQuery {
  std::span<const Fr> poly;  // coefficients
  G1Affine commitment;       // kzg_commit(poly); the prover does not recompute it
  Fr point;
};
struct KzgVerifierQuery {
  G1Affine commitment;
  Fr point;
  Fr value;
};
struct KzgBatchProof {
  std::vector<G1Affine> witnesses;  // one per distinct point, in order of first appearance

  // u32 little-endian count, then each witness compressed (32 bytes).
  std::vector<std::uint8_t> to_bytes() const;
  // Rejects a wrong length, a count above kMaxPoints, and any invalid point.
  static Result<KzgBatchProof> from_bytes(std::span<const std::uint8_t> bytes);
  static constexpr std::uint32_t kMaxPoints = 64;
};

struct KzgBatchOpening {
  std::vector<Fr> values;  // f_i(z_i), in query order
  KzgBatchProof proof;
};
Result<KzgBatchOpening> kzg_open_batch(const Srs& srs, std::span<const KzgProverQuery> queries,
                                       hash::Transcript& transcript);
// OK, or an Error saying which check failed. `extra_pairs`, if any, are further pairs
// (P_i, Q_i) the caller needs prod e(P_i, Q_i) = 1 for; they are checked in the same
// final exponentiation, with every P_i scaled by r^m (m the number of points), so the
// combined check fails unless both hold (except with probability ~1/r).
using PreparedPair = std::pair<G1Affine, const curve::G2Prepared*>;
Status kzg_verify_batch(const KzgVerifierKey& vk, std::span<const KzgVerifierQuery> queries,
                        const KzgBatchProof& proof, hash::Transcript& transcript,
                        std::span<const PreparedPair> extra_pairs = {});

}  // namespace verdict::commit
