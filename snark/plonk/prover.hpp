#pragma once
// The prover (docs/plonk.md walks through each round).
//
//   1. transcript <- verifying-key digest, the public inputs
//   2. per phase: advice columns (witness + random blinding rows) committed, then the
//      phase's challenges drawn
//   3. theta; lookup multiplicities m committed
//   4. beta, gamma (permutation), lambda (lookups); permutation products Z_j and lookup
//      running sums phi committed, each with random blinding rows
//   5. y; the quotient h = (sum y^i term_i) / Z_H computed coset part by coset part,
//      split into degree - 1 pieces with telescoping random blinding, committed
//   6. zeta; every queried polynomial evaluated at zeta omega^rotation
//   7. one batched KZG opening of all of them, plus the zeta^(n i)-combination of the
//      quotient pieces whose value the verifier computes itself
//
// Randomness for blinding comes from `rng` (the OS CSPRNG in production; a proof made
// with a fixed-seed generator is not zero knowledge).

#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "snark/plonk/circuit.hpp"
#include "snark/plonk/keys.hpp"
#include "snark/plonk/proof.hpp"

namespace verdict::plonk {

struct ProverOptions {
  // For soundness tests only: produce a proof even when the witness violates a
  // constraint or a lookup (the proof must then fail verification). Off, the prover
  // reports the first violation it notices instead.
  bool allow_unsatisfied = false;
};

// Where the prover's time went (seconds of wall time), for benchmarks and profiles.
struct ProverStats {
  double witness = 0;      // the circuit's assign_advice calls
  double interpolate = 0;  // inverse NTTs of committed columns
  double commit = 0;       // MSMs of every commitment (columns, products, quotient pieces)
  double lookups = 0;      // inputs, multiplicities and running sums (excluding their MSMs)
  double permutation = 0;  // grand products (excluding their MSMs)
  double quotient_ntt = 0; // coset evaluations of every polynomial and the quotient's inverse NTT
  double quotient_eval = 0;  // evaluating the constraints on the coset parts
  double evaluations = 0;  // evaluations at zeta
  double opening = 0;      // the batched KZG opening (combinations, divisions, witness MSMs)
  double total = 0;
};

// instances[c]: the public values of instance column c on rows 0, 1, ... (at most the
// usable rows). The circuit must configure the key's constraint system.
Result<Proof> prove(const ProvingKey& pk, Circuit& circuit, const std::vector<std::vector<Fr>>& instances, Rng& rng,
                    const ProverOptions& options = {}, ProverStats* stats = nullptr);

}  // namespace verdict::plonk
