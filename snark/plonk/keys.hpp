#pragma once
// Proving and verifying keys, and key generation.
//
// The verifying key is the constraint system, the domain size, commitments to every
// fixed column and to every permutation polynomial sigma_i, and the SRS's [1]_2 and
// [tau]_2. Its digest (Keccak-256 of its canonical bytes) is the first thing every
// proof's transcript absorbs, so a proof is bound to exactly one circuit.
//
// The proving key adds what the prover needs in the clear: fixed column values and
// coefficients, sigma values and coefficients, the Lagrange selectors l_0, l_last and
// l_active (1 on the usable rows), and a reference to the SRS.
//
// Copy constraints become the permutation: every cell (column i of the equality
// columns, row r) is labelled delta^i * omega^r; cells joined by copies form cycles,
// and sigma_i(omega^r) is the label of the next cell on (i, r)'s cycle. delta =
// 7^(2^28) has odd order, so the labels delta^i omega^r are all distinct.
//
// Committed columns (docs/plonk.md, "Committed columns"): key generation fills the
// blinding rows B (rows u+1 .. n-1) of each committed column W with random values and
// publishes C_W = [W(tau)]_1 in the verifying key. Each proof picks fresh random
// values nu on B and sends D = sum_{r in B} (nu_r - W_r) [L_r(tau)]_1 and
// S = [s(tau)]_1 with s the degree < |B| polynomial such that d = s * Z_H / Z_B,
// d = sum_r (nu_r - W_r) L_r. The verifier checks e(D, [Z_B(tau)]_2) = e(S,
// [Z_H(tau)]_2) (so d vanishes on every row outside B) and uses C_W + D, a commitment
// to W with fresh blinding, in the openings. Every proof's view of W is therefore
// that of an advice column with fresh blinding: openings across many proofs reveal
// nothing more than one proof does.
//
// Byte formats: docs/formats.md, "Plonk keys".

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "snark/commit/kzg.hpp"
#include "snark/commit/srs.hpp"
#include "snark/plonk/circuit.hpp"
#include "snark/poly/evaluation_domain.hpp"

namespace verdict::plonk {

using commit::G1Affine;
using commit::G2Affine;

// delta, the generator of the permutation's column cosets.
Fr permutation_delta();

struct VerifyingKey {
  unsigned k = 0;
  ConstraintSystem cs;
  std::vector<G1Affine> fixed_commitments;        // one per fixed column
  std::vector<G1Affine> permutation_commitments;  // one per equality column
  G2Affine g2, tau_g2;
  // Present when the circuit has committed columns (else empty / unused):
  std::vector<G1Affine> committed_commitments;  // C_W per committed column: the model commitment
  G2Affine zb_g2, zh_g2;                        // [Z_B(tau)]_2, [tau^n - 1]_2

  // Derived on construction / decoding (not serialised).
  std::array<std::uint8_t, 32> digest{};
  commit::KzgVerifierKey kzg;
  curve::G2Prepared zb_prepared, zh_prepared;

  std::size_t n() const { return std::size_t(1) << k; }
  std::size_t usable_rows() const { return cs.usable_rows(k); }

  std::vector<std::uint8_t> to_bytes() const;
  // Validates everything: structure, limits, the constraint system, every point.
  static Result<VerifyingKey> from_bytes(std::span<const std::uint8_t> bytes);
  // Recomputes digest and kzg from the fields.
  void finalize();
};

struct ProvingKey {
  VerifyingKey vk;
  std::optional<poly::EvaluationDomain> domain;  // set by keygen and from_bytes
  std::shared_ptr<const commit::Srs> srs;
  std::vector<std::vector<Fr>> fixed_values, fixed_polys;    // per fixed column
  std::vector<std::vector<Fr>> sigma_values, sigma_polys;    // per equality column
  std::vector<Fr> l0, l_last, l_active;                      // coefficient form
  // Committed columns: values (blinding rows included) and coefficients, and
  // [L_r(tau)]_1 for the blinding rows r = u+1 .. n-1 (for D).
  std::vector<std::vector<Fr>> committed_values, committed_polys;
  std::vector<G1Affine> blinding_lagrange;

  // Header, the verifying key, fixed and sigma values, then a Keccak-256 digest of
  // everything before it. Coefficient forms are recomputed on decoding.
  std::vector<std::uint8_t> to_bytes() const;
  static Result<ProvingKey> from_bytes(std::span<const std::uint8_t> bytes, std::shared_ptr<const commit::Srs> srs);
};

// Key generation for a domain of 2^k rows. The SRS needs at least 2^k + 1 powers (the
// quotient pieces carry one blinding coefficient above degree n - 1), and, when the
// circuit has committed columns, [tau^i]_2 for i <= |B| and [tau^n]_2. `rng` draws
// the committed columns' blinding (the OS CSPRNG when null).
Result<ProvingKey> keygen(Circuit& circuit, std::shared_ptr<const commit::Srs> srs, unsigned k, Rng* rng = nullptr);

// The canonical bytes of a constraint system (as inside the verifying key).
std::vector<std::uint8_t> constraint_system_bytes(const ConstraintSystem& cs);

namespace detail {
// Permutation values sigma_i(omega^r) for the equality columns from the copies.
Result<std::vector<std::vector<Fr>>> build_permutation(const ConstraintSystem& cs, unsigned k,
                                                       const std::vector<std::pair<Cell, Cell>>& copies);
// The blinding rows' vanishing polynomial Z_B(X) = prod_{r = u+1}^{n-1} (X - omega^r),
// coefficients low to high.
std::vector<Fr> blinding_vanishing(const poly::EvaluationDomain& domain, std::size_t usable);
// Coefficients of the Lagrange selectors for domain 2^k: l_0, l_last (row u), l_active
// (rows 0..u-1).
void lagrange_selectors(const poly::EvaluationDomain& domain, std::size_t usable, std::vector<Fr>& l0,
                        std::vector<Fr>& l_last, std::vector<Fr>& l_active);
}  // namespace detail

}  // namespace verdict::plonk
