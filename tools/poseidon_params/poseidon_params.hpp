#pragma once
// Derivation of circomlib's Poseidon constants over BN254 Fr from the Grain LFSR, and
// emission of snark/hash/poseidon_constants_bn254.hpp.
//
// For an instance (t, R_F, R_P), with r the BN254 scalar field modulus and n = 254:
//  1. Start a GrainLfsr on (field = 1, sbox = 0, n, t, R_F, R_P).
//  2. Round constants: (R_F + R_P) * t values, in order. Each is an n-bit sample
//     (next_bits(n)); a sample >= r is discarded and the next one taken (rejection, so
//     constants are uniform below r and never reduced).
//  3. MDS matrix, from the same stream: draw 2t samples of n bits each and reduce them
//     mod r (no rejection here: the script maps them into the field). If two of the
//     2t field elements are equal, draw a fresh set of 2t. Split them into
//     x_0..x_{t-1} and y_0..y_{t-1}; if some x_i + y_j = 0, draw again from the top.
//     Otherwise M[i][j] = 1 / (x_i + y_j) (a Cauchy matrix, hence MDS).
//
// Later versions of the reference script also run three subspace-trail tests
// (Algorithms 1-3 of Grassi-Rechberger-Schofnegger, eprint 2020/500) on M and draw a new
// matrix while one fails. circomlib's matrices are exactly the first Cauchy sample for
// every t = 2..7 (checked by the vector tests, which would fail otherwise), so this
// generator stops at the first sample and does not implement those tests; docs/hash.md
// has the details.

#include <array>
#include <span>
#include <string>
#include <vector>

#include "snark/field/bigint.hpp"

namespace verdict::poseidon_params {

struct PoseidonInstance {
  unsigned width;           // t
  unsigned full_rounds;     // R_F
  unsigned partial_rounds;  // R_P
};

// circomlib / circomlibjs 0.1.7: t = 2..7 (1..6 inputs), R_F = 8, R_P from the paper's
// table for 128-bit security with x^5 over a 254-bit field.
inline constexpr std::array<PoseidonInstance, 6> kCircomlibInstances = {{
    {2, 8, 56},
    {3, 8, 57},
    {4, 8, 56},
    {5, 8, 60},
    {6, 8, 60},
    {7, 8, 63},
}};

struct PoseidonConstants {
  PoseidonInstance instance;
  std::vector<field::Limbs> round_constants;  // (R_F + R_P) * t, canonical, round-major
  std::vector<field::Limbs> mds;              // t * t, canonical, row-major M[i][j]
  unsigned rejected_samples = 0;              // round-constant samples >= r skipped
  unsigned mds_draws = 1;                     // Cauchy draws until one was usable
};

// Runs steps 1-3 above. Deterministic: depends only on the instance.
PoseidonConstants derive_poseidon_constants(const PoseidonInstance& instance);

// The text of snark/hash/poseidon_constants_bn254.hpp for the given sets (normally
// kCircomlibInstances in order): per width the definition (round constants and MDS
// matrix as canonical hex) and the optimised form of poseidon_optimized.hpp (Montgomery
// limbs).
std::string emit_constants_header(std::span<const PoseidonConstants> sets);

// Lower-case, zero-padded "0x" + 64 hex digits (big-endian), as circomlibjs prints them.
std::string to_hex_string(const field::Limbs& value);

}  // namespace verdict::poseidon_params
