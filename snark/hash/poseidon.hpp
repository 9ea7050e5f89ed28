#pragma once
// Poseidon over the BN254 scalar field Fr with circomlib's parameters, bit for bit equal
// to circomlibjs 0.1.7 `poseidon([...])` for 1..6 inputs (widths t = 2..7).
//
// Definition (the reference form; circomlibjs poseidon_reference.js):
//   parameters: x^5 S-box, R_F = 8 full rounds (4 before and 4 after the partial ones),
//     R_P = 56, 57, 56, 60, 60, 63 partial rounds for t = 2, 3, 4, 5, 6, 7;
//     round constants C[0 .. (R_F + R_P) t - 1] and a t x t MDS matrix M, derived from the
//     Grain LFSR by tools/poseidon_params (see poseidon_constants_bn254.hpp, docs/hash.md).
//   permutation, on a state s[0..t-1]:
//     for round k = 0 .. R_F + R_P - 1:
//       ARK   s[i] <- s[i] + C[k t + i]                       for every i
//       S-box s[i] <- s[i]^5  for every i,  when k < R_F/2 or k >= R_F/2 + R_P  (full round)
//             s[0] <- s[0]^5  only,         otherwise                         (partial round)
//       MIX   s[i] <- sum_j M[i][j] s[j]
//   hash(in_1 .. in_n), n = t - 1:  s = [0, in_1, .., in_n]; permute; output s[0].
//
// In-circuit view (what the Plonkish gadget of issue 4 has to enforce):
//   * Indexing: round_constant(k, i) = C[k t + i] for round k in 0..R_F+R_P-1 and lane i;
//     mds(i, j) = M[i][j]. Rounds 0..3 are full, 4..3+R_P partial, 4+R_P..7+R_P full.
//   * S-box count: R_F t + R_P (t = 3: 81, t = 5: 100). x^5 = x * (x^2)^2 is three
//     multiplications; a degree-5 custom gate checks y = (x + c)^5 in one row, a degree-2
//     arithmetisation needs x2 = x^2, x4 = x2^2, y = x4 x as three constraints.
//   * A natural layout has t advice cells per round holding the state after the round,
//     the round's constants in t fixed cells (a full-round gate) or the lane-0 constant
//     only (a partial-round gate; the other lanes' constants are linear and fold into the
//     MIX of the same row), and one selector per round kind. MIX is linear: it costs no
//     multiplication gates, only the t^2 fixed coefficients M[i][j].
//   * permute() below uses an equivalent form (constants moved across the linear layer,
//     sparse partial-round matrices; tools/poseidon_params/poseidon_optimized.hpp): a
//     gadget may use the same transformation to get 2t - 1 instead of t^2 coefficients
//     per partial round, but must then take its constants from that derivation (the
//     generated header carries them), not from C and M directly.
//
// Constant time: every routine here runs in time independent of the values (fixed
// round structure, constant-time field arithmetic), so inputs may be secret.

#include <array>
#include <cstddef>
#include <span>

#include "base/result.hpp"
#include "snark/field/fr.hpp"

namespace verdict::hash {

inline constexpr std::size_t kPoseidonMinWidth = 2;
inline constexpr std::size_t kPoseidonMaxWidth = 7;
inline constexpr std::size_t kPoseidonFullRounds = 8;

// R_P for width t (circomlib's table; poseidon.cpp checks it against the generated header).
constexpr std::size_t poseidon_partial_rounds(std::size_t t) {
  constexpr std::size_t kTable[] = {56, 57, 56, 60, 60, 63};
  return (t >= kPoseidonMinWidth && t <= kPoseidonMaxWidth) ? kTable[t - kPoseidonMinWidth] : 0;
}

template <std::size_t T>
class Poseidon {
  static_assert(T >= kPoseidonMinWidth && T <= kPoseidonMaxWidth, "circomlib defines Poseidon for t = 2..7");

 public:
  static constexpr std::size_t kWidth = T;
  static constexpr std::size_t kInputs = T - 1;
  static constexpr std::size_t kFullRounds = kPoseidonFullRounds;
  static constexpr std::size_t kPartialRounds = poseidon_partial_rounds(T);
  static constexpr std::size_t kRounds = kFullRounds + kPartialRounds;
  using State = std::array<field::Fr, T>;

  // The Poseidon permutation (optimised, equivalent form).
  static void permute(State& state);
  // The same permutation computed literally as in the definition above; slower. The
  // oracle for permute() in tests and the specification for circuits.
  static void permute_reference(State& state);

  // circomlib's poseidon(inputs): s = [0, inputs...], permute, return s[0].
  static field::Fr hash(const std::array<field::Fr, kInputs>& inputs);
  // As above; an Error unless inputs.size() == T - 1.
  static Result<field::Fr> hash(std::span<const field::Fr> inputs);

  // The constants of the definition: C[round * T + lane] and M[i][j], parsed from the
  // generated header on each call (for circuit construction and tests, not hot loops).
  // Require round < kRounds and lane, i, j < T.
  static field::Fr round_constant(std::size_t round, std::size_t lane);
  static field::Fr mds(std::size_t i, std::size_t j);
};

extern template class Poseidon<2>;
extern template class Poseidon<3>;
extern template class Poseidon<4>;
extern template class Poseidon<5>;
extern template class Poseidon<6>;
extern template class Poseidon<7>;

// circomlib's poseidon(inputs) for 1..6 inputs (width inputs.size() + 1); an Error for
// an empty or longer input (use poseidon_hash_many for those).
Result<field::Fr> poseidon_hash(std::span<const field::Fr> inputs);

// The circomlib 2-to-1 compression poseidon([a, b]) (t = 3), e.g. for Merkle nodes.
field::Fr poseidon_hash2(const field::Fr& a, const field::Fr& b);

}  // namespace verdict::hash
